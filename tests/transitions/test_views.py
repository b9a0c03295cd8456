"""Recording a discharge and working the transitional-care episode through HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.transitions import services
from caseload.transitions.models import TransitionalCareEpisode

D = dt.date.fromisoformat


def _sign_in(user: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.mark.django_db
def test_recording_a_discharge_and_each_clock_through_the_pages(
    org: Any, login: Any, pin: Any
) -> None:
    pin("2026-03-06 16:45")
    http = login(org.junior)
    client = org.junior_client
    url = reverse("transitions:discharge_record", kwargs={"client_id": client.pk})
    assert http.get(url).status_code == 200
    response = http.post(
        url,
        {
            "enrolment": client.enrolments.first().pk,
            "discharged_on": "2026-03-06",
            "discharged_from": "hospital",
            "facility_name": "Springfield General",
            "complexity": "high",
        },
    )
    episode = TransitionalCareEpisode.objects.get()
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action="transitional_care.discharge_recorded", client=client
    ).exists()

    pin("2026-03-09 08:10")
    http = _sign_in(org.junior)  # a new working day, a new sign-in
    page_url = reverse("transitions:episode_detail", kwargs={"episode_id": episode.pk})
    page = http.get(page_url).content.decode()
    assert "Tuesday 10 Mar 2026" in page  # the contact clock
    assert "Friday 13 Mar 2026" in page  # the visit and the reconciliation
    assert page.count(">Due<") == 3
    assert AuditEvent.objects.filter(action="transitional_care.viewed", client=client).exists()

    record = reverse("transitions:episode_record_clock", kwargs={"episode_id": episode.pk})
    response = http.post(
        record,
        {
            "kind": "interactive_contact",
            "met_on": "2026-03-09",
            "version": 1,
            "note": "Phoned, reached daughter",
        },
    )
    assert response.status_code == 302
    page = http.get(page_url).content.decode()
    assert ">Met<" in page and "Phoned, reached daughter" in page

    response = http.post(record, {"kind": "face_to_face", "met_on": "2026-03-10", "version": 1})
    assert response.status_code == 409  # the page was stale
    assert "Someone else changed this episode" in response.content.decode()

    pin("2026-03-16 09:00")
    http = _sign_in(org.junior)
    page = http.get(page_url).content.decode()
    assert page.count(">Missed<") == 2


@pytest.mark.django_db
def test_discharge_form_errors_keep_the_input(org: Any, login: Any, pin: Any) -> None:
    pin("2026-03-06 16:45")
    http = login(org.junior)
    response = http.post(
        reverse("transitions:discharge_record", kwargs={"client_id": org.junior_client.pk}),
        {
            "discharged_on": "2026-03-09",
            "discharged_from": "hospital",
            "facility_name": "Mercy Hospital",
            "complexity": "moderate",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The discharge date cannot be in the future." in page
    assert 'value="Mercy Hospital"' in page
    assert TransitionalCareEpisode.objects.count() == 0


@pytest.mark.django_db
def test_closing_an_episode_needs_a_reason(org: Any, login: Any, pin: Any) -> None:
    pin("2026-03-06 16:45")
    http = login(org.junior)
    http.post(
        reverse("transitions:discharge_record", kwargs={"client_id": org.junior_client.pk}),
        {
            "discharged_on": "2026-03-06",
            "discharged_from": "snf",
            "facility_name": "Maple Nursing Home",
            "complexity": "moderate",
        },
    )
    episode = TransitionalCareEpisode.objects.get()
    url = reverse("transitions:episode_close", kwargs={"episode_id": episode.pk})
    assert http.post(url, {"version": 1}).status_code == 400
    assert http.post(url, {"reason": "readmitted", "version": 1}).status_code == 302
    episode.refresh_from_db()
    assert (episode.status, episode.close_reason) == ("closed", "readmitted")


@pytest.mark.django_db
def test_closing_an_episode_from_a_stale_page_keeps_the_note_beside_the_clocks_now(
    org: Any, login: Any, pin: Any
) -> None:
    pin("2026-03-06 16:45")
    episode = services.discharge_record(
        actor=org.junior,
        client=org.junior_client,
        enrolment=None,
        discharged_on=D("2026-03-06"),
        discharged_from="hospital",
        facility_name="Mercy Hospital",
        complexity="moderate",
    )
    services.clock_record_met(  # recorded in another tab meanwhile
        actor=org.junior,
        episode=episode,
        kind="interactive_contact",
        met_on=D("2026-03-06"),
        expected_version=episode.version,
    )

    response = login(org.junior).post(
        reverse("transitions:episode_close", kwargs={"episode_id": episode.pk}),
        {"reason": "readmitted", "note": "Back in Mercy on Friday", "version": 1},
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this episode since you opened it." in page
    current = page[page.index("The current saved version") :]
    assert "<dt>Interactive contact</dt><dd>Met, done 6 March 2026</dd>" in current
    assert "Back in Mercy on Friday</textarea>" in page
    episode.refresh_from_db()
    assert episode.status == "active"
    assert f'name="version" value="{episode.version}"' in page
    assert 'name="version" value="1"' not in page  # every form on the page is current
