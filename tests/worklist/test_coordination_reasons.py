"""The worklist's coordination reasons: an unanswered referral, an appointment soon, a
transitional-care clock due, each an annotation from its own app, in one order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Q

from caseload.clients.models import Client
from caseload.transitions import services as transitions
from caseload.transitions.selectors import transitional_reason
from caseload.worklist.selectors import (
    coordination_worklist_annotations,
    coordination_worklist_reason,
)
from tests.appointments.conftest import make_appointment
from tests.referrals.conftest import make_referral

D = dt.date.fromisoformat


def _discharge(org: Any) -> Any:
    return transitions.discharge_record(
        actor=org.supervisor,
        client=org.junior_client,
        enrolment=org.junior_client.enrolments.first(),
        discharged_on=D("2026-03-06"),
        discharged_from="hospital",
        facility_name="Springfield General",
        complexity="high",
    )


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
    make_appointment(org, supervisor, now + dt.timedelta(hours=5))
    make_appointment(org, supervisor, now + dt.timedelta(hours=2), status="cancelled")
    make_appointment(org, supervisor, now - dt.timedelta(hours=2))
    with django_assert_num_queries(1):
        rows = {
            c.pk: c
            for c in Client.objects.filter(Q(pk=junior.pk) | Q(pk=supervisor.pk)).annotate(
                **coordination_worklist_annotations()
            )
        }
    assert rows[junior.pk].coord_referral_overdue_since == D("2026-03-10")
    assert rows[supervisor.pk].coord_referral_overdue_since is None
    assert rows[supervisor.pk].coord_next_appointment_at == now + dt.timedelta(hours=5)
    assert rows[junior.pk].coord_next_appointment_at is None
    assert coordination_worklist_reason(rows[junior.pk]) == (
        "Referral not answered: response was due Tue 10 Mar",
        "warn",
    )
    assert coordination_worklist_reason(rows[supervisor.pk]) == (
        "Appointment today at 14:00",
        "warn",
    )


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
    assert transitional_reason(D(due), "face_to_face", D("2026-03-13")) == expected


def test_reason_priority_clock_then_referral_then_appointment() -> None:
    today = D("2026-03-13")
    now = dt.datetime(2026, 3, 13, 14, 0, tzinfo=dt.UTC)

    class Row:
        coord_clock_due_on: dt.date | None = None
        coord_clock_kind: str | None = "interactive_contact"
        coord_referral_overdue_since: dt.date | None = D("2026-03-10")
        coord_next_appointment_at: dt.datetime | None = now + dt.timedelta(hours=3)

    row = Row()
    assert coordination_worklist_reason(row, today=today, now=now) is not None
    assert coordination_worklist_reason(row, today=today, now=now)[0].startswith("Referral")
    row.coord_clock_due_on = today
    assert coordination_worklist_reason(row, today=today, now=now) == (
        "Transitional care: interactive contact due today",
        "danger",
    )
    row.coord_clock_due_on = D("2026-03-20")
    row.coord_referral_overdue_since = None
    assert coordination_worklist_reason(row, today=today, now=now)[0].startswith("Appointment")
    row.coord_next_appointment_at = None
    assert coordination_worklist_reason(row, today=today, now=now)[0].startswith("Transitional")


@pytest.mark.django_db
def test_on_monday_the_worklist_shows_the_contact_due_tomorrow(
    org: Any, pin: Any, django_assert_num_queries: Any
) -> None:
    pin("2026-03-06 16:45")
    _discharge(org)
    pin("2026-03-09 08:10")  # Monday
    with django_assert_num_queries(1):
        rows = list(
            Client.objects.filter(pk__in=[org.junior_client.pk, org.other_client.pk])
            .annotate(**coordination_worklist_annotations())
            .order_by("family_name")
        )
    row = next(r for r in rows if r.pk == org.junior_client.pk)
    other = next(r for r in rows if r.pk == org.other_client.pk)
    assert row.coord_clock_due_on == D("2026-03-10")
    assert row.coord_clock_kind == "interactive_contact"
    assert coordination_worklist_reason(row) == (
        "Transitional care: interactive contact due tomorrow",
        "warn",
    )
    assert coordination_worklist_reason(other) is None


@pytest.mark.django_db
def test_closed_episode_leaves_the_worklist(org: Any, pin: Any) -> None:
    pin("2026-03-06 16:45")
    episode = _discharge(org)
    transitions.episode_close(
        actor=org.junior, episode=episode, reason="readmitted", expected_version=1
    )
    row = Client.objects.annotate(**coordination_worklist_annotations()).get(
        pk=org.junior_client.pk
    )
    assert row.coord_clock_due_on is None
