"""The chart section and the worklist building blocks other apps use."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Q
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from caseload.appointments.models import Appointment
from caseload.clients.models import Client
from caseload.coordination import selectors
from caseload.transitions import services as transition_services
from tests.referrals.conftest import make_referral

D = dt.date.fromisoformat


def _appointment(org: Any, client: Any, start: dt.datetime, **kwargs: Any) -> Appointment:
    return Appointment.objects.create(
        client=client,
        purpose=kwargs.pop("purpose", "Podiatry"),
        with_kind="provider",
        provider_name="Foot clinic",
        location_kind="in_person",
        location="9 Main St",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        owner=org.junior,
        created_by=org.junior,
        **kwargs,
    )


@pytest.mark.django_db
def test_chart_section_shows_referrals_appointments_and_the_running_episode(
    org: Any, meals: Any, pin: Any, django_assert_max_num_queries: Any
) -> None:
    now = pin("2026-03-09 08:10")
    client = org.junior_client
    make_referral(
        client=client,
        owner=org.junior,
        service=meals,
        status="sent",
        response_due_on=D("2026-03-05"),
    )
    make_referral(client=client, owner=org.junior, service=meals, status="completed")
    _appointment(org, client, now + dt.timedelta(days=1), purpose="Podiatry", transport_needed=True)
    _appointment(org, client, now - dt.timedelta(days=1), purpose="Last week's")
    transition_services.discharge_record(
        actor=org.junior,
        client=client,
        enrolment=client.enrolments.first(),
        discharged_on=D("2026-03-06"),
        discharged_from="hospital",
        facility_name="Springfield General",
        complexity="high",
    )
    with django_assert_max_num_queries(8):
        summary = selectors.coordination_summary_for_client(actor=org.junior, client=client)
        request = RequestFactory().get("/")
        request.user = org.junior
        html = render_to_string(
            "coordination/partials/chart_section.html",
            {"coordination": summary, "client": client},
            request=request,
        )
    assert len(summary.open_referrals) == 1
    assert summary.closed_referrals_count == 1
    assert [a.purpose for a in summary.upcoming_appointments] == ["Podiatry"]
    assert summary.episode is not None and summary.episode.day_number == 4
    assert '<section class="panel" id="coordination" aria-labelledby="coordination-title">' in html
    assert "Referrals and appointments" in html
    assert "No answer: response was due Thu 5 Mar" in html
    assert "Transitional care: day 4 of 30" in html
    assert "Interactive contact" in html and "Tue 10 Mar 2026" in html
    assert "Transport needed" in html
    for name in (
        "referrals:referral_create",
        "appointments:appointment_create",
        "transitions:discharge_record",
    ):
        assert reverse(name, kwargs={"client_id": client.pk}) in html


@pytest.mark.django_db
def test_chart_summary_is_not_found_out_of_scope(org: Any) -> None:
    from caseload.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.coordination_summary_for_client(actor=org.other_cm, client=org.junior_client)


@pytest.mark.django_db
def test_worklist_annotations_are_one_query_and_right_per_client(
    org: Any, meals: Any, pin: Any, django_assert_num_queries: Any
) -> None:
    now = pin("2026-03-13 09:00")  # Friday
    junior, supervisor = org.junior_client, org.supervisor_client
    make_referral(
        client=junior,
        owner=org.junior,
        service=meals,
        status="sent",
        response_due_on=D("2026-03-12"),
    )
    make_referral(
        client=junior,
        owner=org.junior,
        service=meals,
        status="received",
        response_due_on=D("2026-03-10"),
    )
    make_referral(
        client=junior,
        owner=org.junior,
        service=meals,
        status="accepted",
        response_due_on=D("2026-03-02"),
    )  # answered: not overdue
    make_referral(
        client=supervisor,
        owner=org.supervisor,
        service=meals,
        status="sent",
        response_due_on=D("2026-03-13"),
    )  # due today: not yet overdue
    _appointment(org, supervisor, now + dt.timedelta(hours=5))
    _appointment(org, supervisor, now + dt.timedelta(hours=2), status="cancelled")
    _appointment(org, supervisor, now - dt.timedelta(hours=2))
    with django_assert_num_queries(1):
        rows = {
            c.pk: c
            for c in Client.objects.filter(Q(pk=junior.pk) | Q(pk=supervisor.pk)).annotate(
                **selectors.worklist_annotations()
            )
        }
    assert rows[junior.pk].coord_referral_overdue_since == D("2026-03-10")
    assert rows[supervisor.pk].coord_referral_overdue_since is None
    assert rows[supervisor.pk].coord_next_appointment_at == now + dt.timedelta(hours=5)
    assert rows[junior.pk].coord_next_appointment_at is None
    assert selectors.worklist_reason(rows[junior.pk]) == (
        "Referral not answered: response was due Tue 10 Mar",
        "warn",
    )
    assert selectors.worklist_reason(rows[supervisor.pk]) == ("Appointment today at 14:00", "warn")


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("2026-03-13", "Transitional care: face-to-face visit due today"),
        ("2026-03-14", "Transitional care: face-to-face visit due tomorrow"),
        ("2026-03-17", "Transitional care: face-to-face visit due Tuesday"),
        ("2026-03-30", "Transitional care: face-to-face visit due Mon 30 Mar"),
        ("2026-03-12", "Transitional care: face-to-face visit was due yesterday"),
    ],
)
def test_reason_texts_are_plain_words(due: str, expected: str) -> None:
    assert selectors.transitional_reason(D(due), "face_to_face", D("2026-03-13")) == expected


def test_reason_priority_clock_then_referral_then_appointment() -> None:
    today = D("2026-03-13")
    now = dt.datetime(2026, 3, 13, 14, 0, tzinfo=dt.UTC)

    class Row:
        coord_clock_due_on: dt.date | None = None
        coord_clock_kind: str | None = "interactive_contact"
        coord_referral_overdue_since: dt.date | None = D("2026-03-10")
        coord_next_appointment_at: dt.datetime | None = now + dt.timedelta(hours=3)

    row = Row()
    assert selectors.worklist_reason(row, today=today, now=now) is not None
    assert selectors.worklist_reason(row, today=today, now=now)[0].startswith("Referral")
    row.coord_clock_due_on = today
    assert selectors.worklist_reason(row, today=today, now=now) == (
        "Transitional care: interactive contact due today",
        "danger",
    )
    row.coord_clock_due_on = D("2026-03-20")
    row.coord_referral_overdue_since = None
    assert selectors.worklist_reason(row, today=today, now=now)[0].startswith("Appointment")
    row.coord_next_appointment_at = None
    assert selectors.worklist_reason(row, today=today, now=now)[0].startswith("Transitional")
