"""The worklist takes in what other capabilities know: reassessments due (issue 3), referral
responses, appointments and transitional-care clocks (issue 4), and ignores records entered in
error (issue 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseload.assessments.models import ReassessmentSchedule
from caseload.core import clock
from caseload.notes.services import note_mark_entered_in_error
from caseload.worklist.selectors import caseload_page
from tests import factories
from tests.worklist.helpers import enrol, noon

pytestmark = pytest.mark.django_db


def _row(page: Any, family: str) -> Any:
    return next(r for r in page.rows if r.sortable_name.startswith(family))


def test_an_overdue_reassessment_is_named_and_ranks_above_routine_clients(org: Any) -> None:
    ReassessmentSchedule.objects.create(
        program=org.geriatric, instrument_code="phq9", interval_days=28
    )
    due = enrol(org.supervisor, org.geriatric, family="Due")
    enrol(org.supervisor, org.chronic, family="Aardvark")  # chronic has no schedule
    for client in (due,):
        factories.ProgressNoteFactory(
            client=client, author=org.supervisor, status="signed", contact_at=noon(clock.today())
        )
    page = caseload_page(actor=org.supervisor)
    row = _row(page, "Due")
    assert "PHQ-9" in row.attention
    assert "overdue since" in row.attention or "due today" in row.attention
    names = [r.sortable_name.split(",")[0] for r in page.rows]
    assert names.index("Due") < names.index("Aardvark")


def test_a_transitional_care_clock_due_today_comes_first(org: Any) -> None:
    from caseload.transitions import services as transitions

    client = enrol(org.supervisor, org.geriatric, family="Haddad", acuity=1)
    enrol(org.supervisor, org.geriatric, family="Busy", acuity=4)
    transitions.discharge_record(
        actor=org.supervisor,
        client=client,
        enrolment=client.enrolments.first(),
        discharged_on=clock.today() - dt.timedelta(days=4),
        discharged_from="hospital",
        facility_name="General Hospital",
        complexity="high",
    )
    page = caseload_page(actor=org.supervisor)
    assert page.rows[0].sortable_name.startswith("Haddad")
    assert page.rows[0].attention_level == "danger"


def test_a_note_entered_in_error_is_not_a_contact(org: Any) -> None:
    client = enrol(org.supervisor, org.geriatric, family="Lindqvist")
    note = factories.ProgressNoteFactory(
        client=client, author=org.supervisor, status="signed", contact_at=noon(clock.today())
    )
    assert _row(caseload_page(actor=org.supervisor), "Lindqvist").days_since_contact == 0
    note_mark_entered_in_error(
        actor=org.supervisor, note=note, reason="Wrong client", expected_version=note.version
    )
    assert _row(caseload_page(actor=org.supervisor), "Lindqvist").days_since_contact is None


def test_the_worklist_records_which_clients_it_showed(org: Any, login: Any) -> None:
    from caseload.audit.models import AuditEvent

    shown = {enrol(org.supervisor, org.geriatric, family=f"Listed{n}").pk for n in range(3)}
    response = login(org.supervisor).get("/")
    assert response.status_code == 200
    listed = set(
        AuditEvent.objects.filter(action="client.listed").values_list("client_id", flat=True)
    )
    assert shown <= listed
    assert org.other_client.pk not in listed
