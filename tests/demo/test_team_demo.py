"""The demo's leading-care-managers scenes: Rosa's Wednesday and Grace's month end."""

from __future__ import annotations

import pytest

from caseload.enrolments.models import OPEN_STATUSES, Enrolment
from caseload.reports.months import last_complete_month
from caseload.reports.selectors import month_report
from caseload.staff.models import User
from caseload.team import selectors
from caseload.team.distribution import distribute
from caseload.team.selectors import Filters

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("seeded"),
    pytest.mark.xdist_group("demo"),
]


def _open(username: str) -> int:
    return Enrolment.objects.filter(
        care_manager__username=username, status__in=OPEN_STATUSES
    ).count()


def test_maya_daniel_and_tomas_carry_the_caseloads_of_scenarios_md() -> None:
    assert (_open("maya"), _open("daniel"), _open("tomas")) == (38, 70, 64)


def test_handing_on_tomass_caseload_has_something_to_explain() -> None:
    rosa = User.objects.get(username="rosa")
    tomas = User.objects.get(username="tomas")
    enrolments = selectors.enrolments_to_offer(actor=rosa, filters=Filters(care_manager=tomas))
    assert len(enrolments) == 64
    receivers = list(User.objects.filter(username__in=["daniel", "ana", "ben", "chloe"]))
    proposal = distribute(selectors.clients_for(enrolments), selectors.receivers_for(receivers))
    text = " ".join(proposal.unmet)
    assert "No receiver speaks Haitian Creole" in text
    assert "has room under their caseload cap" in text  # 62 places for 64 clients
    assert len(proposal.unplaced()) == 2
    households = {
        selectors.household_key(e.client.address_line, e.client.postal_code) for e in enrolments
    }
    assert len(enrolments) - len(households) >= 6  # five households of two or three


def test_graces_month_report_has_something_to_say() -> None:
    grace = User.objects.get(username="grace")
    report = month_report(actor=grace, month=last_complete_month())
    for key in ("active", "new", "discharged", "contacts", "referrals_sent", "referrals_closed"):
        assert report.row(key).total, key
    assert report.row("contacts_phone").total and report.row("with_family").total
