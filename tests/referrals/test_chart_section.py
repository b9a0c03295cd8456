"""The chart's "Referrals" section: open referrals with their deadlines, the closed ones counted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from caseload.core.errors import NotFound
from caseload.referrals.selectors import referral_summary_for_client
from tests.referrals.conftest import make_referral

D = dt.date.fromisoformat


@pytest.mark.django_db
def test_open_referrals_with_their_deadline_and_the_closed_ones_counted(
    org: Any, meals: Any, pin: Any, django_assert_max_num_queries: Any
) -> None:
    pin("2026-03-09 08:10")
    client = org.junior_client
    make_referral(
        client=client,
        owner=org.junior,
        service=meals,
        status="sent",
        response_due_on=D("2026-03-05"),
    )
    make_referral(client=client, owner=org.junior, service=meals, status="completed")
    with django_assert_max_num_queries(3):
        summary = referral_summary_for_client(actor=org.junior, client=client)
        html = render_to_string(
            "referrals/partials/chart_section.html", {"referrals": summary, "client": client}
        )
    assert len(summary.open_referrals) == 1
    assert summary.closed_referrals_count == 1
    assert summary.can_refer
    assert '<section class="panel" id="referrals" aria-labelledby="referrals-title">' in html
    assert "No answer: response was due Thu 5 Mar" in html
    assert "1 closed referral:" in html
    assert reverse("referrals:referral_create", kwargs={"client_id": client.pk}) in html
    assert reverse("chart:client_overview", kwargs={"client_id": client.pk}) in html


@pytest.mark.django_db
def test_no_referral_can_be_made_without_an_open_enrolment(org: Any) -> None:
    client = org.junior_client
    client.enrolments.update(status="discharged")
    summary = referral_summary_for_client(actor=org.junior, client=client)
    html = render_to_string(
        "referrals/partials/chart_section.html", {"referrals": summary, "client": client}
    )
    assert not summary.can_refer
    assert "No open referrals." in html
    assert reverse("referrals:referral_create", kwargs={"client_id": client.pk}) not in html


@pytest.mark.django_db
def test_the_section_is_not_found_out_of_scope(org: Any) -> None:
    with pytest.raises(NotFound):
        referral_summary_for_client(actor=org.other_cm, client=org.junior_client)
