"""Appointments through HTTP: booking, double-booking warning, reminders, day and week views."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.appointments import services
from caseload.appointments.models import Appointment
from caseload.audit.models import AuditEvent
from caseload.tasks.models import Task, TaskStatus
from tests import factories
from tests.appointments.conftest import make_appointment


def _form(org: Any, start: dt.datetime, **extra: Any) -> dict[str, Any]:
    local = timezone.localtime(start)
    data = {
        "purpose": "Home visit",
        "with_kind": "staff",
        "staff": org.junior.pk,
        "location_kind": "in_person",
        "location": "4 Elm Street",
        "starts_at": f"{local:%Y-%m-%dT%H:%M}",
        "ends_at": f"{local + dt.timedelta(hours=1):%Y-%m-%dT%H:%M}",
        "owner": org.junior.pk,
    }
    data.update(extra)
    return data


def _next_weekday_at(hour: int, days: int = 3) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.mark.django_db
def test_booking_creates_the_appointment_and_a_reminder_task(org: Any, login: Any) -> None:
    http = login(org.junior)
    start = _next_weekday_at(10)
    url = reverse("appointments:appointment_create", kwargs={"client_id": org.junior_client.pk})
    assert http.get(url).status_code == 200
    response = http.post(url, _form(org, start, transport_needed="on"))
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert appointment.starts_at == start
    assert appointment.transport_needed
    reminder = appointment.reminder_task
    assert reminder is not None and reminder.owner == org.junior
    assert reminder.due_on < timezone.localdate(start)
    assert reminder.due_on.weekday() < 5
    assert AuditEvent.objects.filter(
        action="appointment.created", client=org.junior_client
    ).exists()
    page = http.get(
        reverse("appointments:appointment_detail", kwargs={"appointment_id": appointment.pk})
    ).content.decode()
    assert "Appointment reminder" in page and "4 Elm Street" in page


@pytest.mark.django_db
def test_double_booking_a_staff_member_warns_and_books_only_when_confirmed(
    org: Any, login: Any
) -> None:
    http = login(org.junior)
    start = _next_weekday_at(10)
    url = reverse("appointments:appointment_create", kwargs={"client_id": org.junior_client.pk})
    http.post(url, _form(org, start))
    overlapping = _form(org, start + dt.timedelta(minutes=30), purpose="Second visit")
    response = http.post(url, overlapping)
    assert response.status_code == 400
    page = response.content.decode()
    assert "already has 1 appointment at that time" in page
    assert "Book anyway" in page
    assert Appointment.objects.count() == 1
    response = http.post(url, {**overlapping, "book_anyway": "on"})
    assert response.status_code == 302
    assert Appointment.objects.count() == 2
    # back to back is not a double booking
    response = http.post(url, _form(org, start + dt.timedelta(hours=2), purpose="Third"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_end_before_start_is_refused(org: Any, login: Any) -> None:
    start = _next_weekday_at(10)
    data = _form(org, start)
    data["ends_at"] = data["starts_at"]
    response = login(org.junior).post(
        reverse("appointments:appointment_create", kwargs={"client_id": org.junior_client.pk}),
        data,
    )
    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()


@pytest.mark.django_db
def test_moving_an_appointment_moves_its_reminder(org: Any, login: Any) -> None:
    http = login(org.junior)
    start = _next_weekday_at(10)
    http.post(
        reverse("appointments:appointment_create", kwargs={"client_id": org.junior_client.pk}),
        _form(org, start),
    )
    appointment = Appointment.objects.get()
    old_reminder = appointment.reminder_task
    later = _next_weekday_at(14, days=10)
    response = http.post(
        reverse("appointments:appointment_edit", kwargs={"appointment_id": appointment.pk}),
        {**_form(org, later), "version": appointment.version},
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == later
    assert appointment.reminder_task != old_reminder
    old = Task.objects.get(pk=old_reminder.pk)
    assert old.status == TaskStatus.CANCELLED
    assert appointment.reminder_task.due_on < timezone.localdate(later)


@pytest.mark.django_db
def test_stale_appointment_edit_is_a_conflict_keeping_the_input(org: Any, login: Any) -> None:
    http = login(org.junior)
    start = _next_weekday_at(10)
    http.post(
        reverse("appointments:appointment_create", kwargs={"client_id": org.junior_client.pk}),
        _form(org, start),
    )
    appointment = Appointment.objects.get()
    response = http.post(
        reverse("appointments:appointment_edit", kwargs={"appointment_id": appointment.pk}),
        {**_form(org, start, purpose="My newer words"), "version": 99},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "My newer words" in page
    assert f'name="version" value="{appointment.version}"' in page


@pytest.mark.django_db
def test_recording_attendance_closes_the_reminder(org: Any, login: Any) -> None:
    http = login(org.junior)
    http.post(
        reverse("appointments:appointment_create", kwargs={"client_id": org.junior_client.pk}),
        _form(org, _next_weekday_at(10)),
    )
    appointment = Appointment.objects.get()
    url = reverse("appointments:appointment_status", kwargs={"appointment_id": appointment.pk})
    assert http.post(url, {"status": "cancelled", "version": 1}).status_code == 400  # needs why
    assert http.post(url, {"status": "attended", "version": 1}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "attended"
    assert appointment.reminder_task.status == TaskStatus.DONE
    response = http.post(url, {"status": "no_show", "version": 2})
    assert response.status_code == 409
    assert "is final" in response.content.decode()


@pytest.mark.django_db
def test_day_and_week_views_show_the_care_managers_appointments(
    org: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    start = _next_weekday_at(9)
    for i in range(6):
        client = factories.EnrolmentFactory(program=org.geriatric, care_manager=org.junior).client
        services.appointment_create(
            actor=org.junior,
            client=client,
            purpose=f"Visit {i}",
            with_kind="provider",
            provider_name="Clinic",
            location_kind="phone",
            starts_at=start + dt.timedelta(hours=i),
            ends_at=start + dt.timedelta(hours=i, minutes=30),
        )
    http = login(org.junior)
    day = timezone.localdate(start)
    with django_assert_max_num_queries(12):
        response = http.get(reverse("appointments:appointment_day") + f"?date={day:%Y-%m-%d}")
    assert response.status_code == 200
    page = response.content.decode()
    assert all(f"Visit {i}" in page for i in range(6))
    with django_assert_max_num_queries(12):
        response = http.get(reverse("appointments:appointment_week") + f"?start={day:%Y-%m-%d}")
    assert response.status_code == 200
    assert all(f"Visit {i}" in response.content.decode() for i in range(6))
    assert AuditEvent.objects.filter(action="appointment.list_viewed").count() == 12


@pytest.mark.django_db
def test_supervisor_can_see_a_supervisees_calendar_but_not_a_strangers(
    org: Any, login: Any
) -> None:
    http = login(org.supervisor)
    url = reverse("appointments:appointment_week")
    assert http.get(url + f"?staff={org.junior.pk}").status_code == 200
    assert http.get(url + f"?staff={org.other_cm.pk}").status_code == 404
    assert login(org.junior).get(url + f"?staff={org.supervisor.pk}").status_code == 404


@pytest.mark.django_db
def test_recording_what_happened_on_a_stale_page_keeps_the_note_beside_the_change(
    org: Any, login: Any
) -> None:
    appointment = make_appointment(org, org.junior_client, _next_weekday_at(10))
    opened = appointment.version
    later = _next_weekday_at(15)
    services.appointment_update(  # moved in another tab meanwhile
        actor=org.junior,
        appointment=appointment,
        expected_version=opened,
        purpose="Podiatry",
        with_kind="provider",
        provider_name="Foot clinic",
        location_kind="in_person",
        location="9 Main St",
        starts_at=later,
        ends_at=later + dt.timedelta(hours=1),
        owner=org.junior,
    )
    appointment.refresh_from_db()

    response = login(org.junior).post(
        reverse("appointments:appointment_status", kwargs={"appointment_id": appointment.pk}),
        {"status": "attended", "note": "Went well, walked to the door", "version": opened},
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this appointment since you opened it." in page
    current = page[page.index("The current saved version") :]
    assert f"{timezone.localtime(later):%H:%M} to" in current
    assert "Went well, walked to the door</textarea>" in page
    assert f'name="version" value="{appointment.version}"' in page
    appointment.refresh_from_db()
    assert appointment.status == "booked"
