"""The chart's "Transitional care" section: the running episode's day and clocks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from caseload.core.errors import NotFound
from caseload.transitions import services
from caseload.transitions.selectors import transitional_care_for_client

D = dt.date.fromisoformat


def _render(summary: Any, client: Any) -> str:
    return render_to_string(
        "transitions/partials/chart_section.html",
        {"transitional_care": summary, "client": client},
    )


@pytest.mark.django_db
def test_the_running_episode_shows_its_day_and_clocks(
    org: Any, pin: Any, django_assert_max_num_queries: Any
) -> None:
    pin("2026-03-09 08:10")
    client = org.junior_client
    services.discharge_record(
        actor=org.junior,
        client=client,
        enrolment=client.enrolments.first(),
        discharged_on=D("2026-03-06"),
        discharged_from="hospital",
        facility_name="Springfield General",
        complexity="high",
    )
    with django_assert_max_num_queries(3):
        summary = transitional_care_for_client(actor=org.junior, client=client)
        html = _render(summary, client)
    assert summary.episode is not None and summary.episode.day_number == 4
    assert summary.past_episodes_count == 0
    assert '<section class="panel" id="transitional-care"' in html
    assert "Transitional care: day 4 of 30" in html
    assert "Interactive contact" in html and "Tue 10 Mar 2026" in html
    assert reverse("transitions:discharge_record", kwargs={"client_id": client.pk}) in html


@pytest.mark.django_db
def test_without_a_running_episode_the_section_offers_to_record_a_discharge(org: Any) -> None:
    client = org.junior_client
    summary = transitional_care_for_client(actor=org.junior, client=client)
    html = _render(summary, client)
    assert summary.episode is None
    assert "No transitional-care episode running." in html
    assert reverse("transitions:discharge_record", kwargs={"client_id": client.pk}) in html


@pytest.mark.django_db
def test_the_section_is_not_found_out_of_scope(org: Any) -> None:
    with pytest.raises(NotFound):
        transitional_care_for_client(actor=org.other_cm, client=org.junior_client)
