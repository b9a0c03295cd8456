"""The private iCalendar feed: no session needed, initials only by default, revocable, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from caseload.appointments import services
from caseload.appointments.models import CalendarFeed
from caseload.audit.models import AuditEvent


def _book(org: Any, client: Any, owner: Any, *, hours_ahead: int = 30, **kwargs: Any) -> Any:
    start = timezone.now() + dt.timedelta(hours=hours_ahead)
    return services.appointment_create(
        actor=owner,
        client=client,
        purpose=kwargs.pop("purpose", "Cardiology follow-up"),
        with_kind="provider",
        provider_name="Dr. Ada Park",
        location_kind="in_person",
        location="5 Heart Lane",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        owner=owner,
        **kwargs,
    )


def _events(body: bytes) -> list[Any]:
    calendar = Calendar.from_ical(body)
    return list(calendar.walk("VEVENT"))


@pytest.mark.django_db
def test_feed_is_read_without_a_session_and_shows_only_initials(org: Any) -> None:
    client = org.junior_client
    client.given_name, client.family_name = "Amara", "Baptiste"
    client.save()
    appointment = _book(org, client, org.junior)
    _, token = services.calendar_feed_create(actor=org.junior)
    url = reverse("appointments:calendar_feed", kwargs={"token": token})

    response = HttpClient().get(url)  # a calendar app: no cookies at all

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "Appointment: A.B."
    assert str(event["UID"]) == f"{appointment.pk}@caseload"
    assert event.decoded("DTSTART") == appointment.starts_at.replace(microsecond=0)
    body = response.content.decode()
    for secret in ("Amara", "Baptiste", "Cardiology", "Heart Lane", "Ada Park"):
        assert secret not in body
    assert AuditEvent.objects.filter(action="calendar_feed.read", actor=org.junior).count() == 1
    shown = AuditEvent.objects.get(action="calendar_feed.client_shown")
    assert shown.client_id == client.pk
    assert CalendarFeed.objects.get(user=org.junior).last_used_at is not None


@pytest.mark.django_db
def test_opting_in_shows_names_and_details(org: Any) -> None:
    client = org.junior_client
    _book(org, client, org.junior, transport_needed=True)
    _, token = services.calendar_feed_create(actor=org.junior)
    services.calendar_feed_set_names(actor=org.junior, show_client_names=True)
    response = HttpClient().get(reverse("appointments:calendar_feed", kwargs={"token": token}))
    event = _events(response.content)[0]
    assert str(event["SUMMARY"]) == f"{client.full_name}: Cardiology follow-up"
    assert str(event["LOCATION"]) == "5 Heart Lane"
    assert "Transport needed" in str(event["DESCRIPTION"])


@pytest.mark.django_db
def test_a_new_address_revokes_the_old_and_revoking_stops_the_feed(org: Any) -> None:
    _, first = services.calendar_feed_create(actor=org.junior)
    _, second = services.calendar_feed_create(actor=org.junior)
    http = HttpClient()
    assert (
        http.get(reverse("appointments:calendar_feed", kwargs={"token": first})).status_code == 404
    )
    assert (
        http.get(reverse("appointments:calendar_feed", kwargs={"token": second})).status_code == 200
    )
    services.calendar_feed_revoke(actor=org.junior)
    assert (
        http.get(reverse("appointments:calendar_feed", kwargs={"token": second})).status_code == 404
    )
    assert CalendarFeed.objects.filter(user=org.junior, revoked_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_unknown_token_is_not_found_and_only_a_hash_is_stored(org: Any) -> None:
    feed, token = services.calendar_feed_create(actor=org.junior)
    assert token not in feed.token_hash
    response = HttpClient().get(reverse("appointments:calendar_feed", kwargs={"token": "nope"}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_feed_of_an_inactive_user_stops(org: Any) -> None:
    _, token = services.calendar_feed_create(actor=org.junior)
    org.junior.is_active = False
    org.junior.save()
    response = HttpClient().get(reverse("appointments:calendar_feed", kwargs={"token": token}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_feed_has_own_and_attended_appointments_only(org: Any) -> None:
    mine = _book(org, org.junior_client, org.junior, purpose="Mine")
    attended = _book(
        org,
        org.supervisor_client,
        org.supervisor,
        purpose="Joint visit",
        staff=org.junior,
        hours_ahead=50,
    )
    _book(org, org.supervisor_client, org.supervisor, purpose="Not mine", hours_ahead=70)
    _, token = services.calendar_feed_create(actor=org.junior)
    services.calendar_feed_set_names(actor=org.junior, show_client_names=True)
    # the junior cannot see the supervisor's client: the attended visit stays out of the feed
    response = HttpClient().get(reverse("appointments:calendar_feed", kwargs={"token": token}))
    uids = {str(e["UID"]) for e in _events(response.content)}
    assert uids == {f"{mine.pk}@caseload"}
    _, token = services.calendar_feed_create(actor=org.supervisor)
    response = HttpClient().get(reverse("appointments:calendar_feed", kwargs={"token": token}))
    uids = {str(e["UID"]) for e in _events(response.content)}
    assert f"{attended.pk}@caseload" in uids and f"{mine.pk}@caseload" not in uids


@pytest.mark.django_db
def test_cancelled_appointments_are_marked_cancelled(org: Any) -> None:
    appointment = _book(org, org.junior_client, org.junior)
    services.appointment_set_status(
        actor=org.junior,
        appointment=appointment,
        status="cancelled",
        expected_version=1,
        note="Client in hospital",
    )
    _, token = services.calendar_feed_create(actor=org.junior)
    response = HttpClient().get(reverse("appointments:calendar_feed", kwargs={"token": token}))
    assert str(_events(response.content)[0]["STATUS"]) == "CANCELLED"


@pytest.mark.django_db
def test_settings_page_shows_the_address_once(org: Any, login: Any) -> None:
    http = login(org.junior)
    page = reverse("appointments:calendar_settings")
    response = http.post(page, {"action": "create"})
    assert response.status_code == 302
    first = http.get(page).content.decode()
    assert "/coordination/calendar/" in first and ".ics" in first
    again = http.get(page).content.decode()
    assert ".ics" not in again
    assert "Active" in again
    assert AuditEvent.objects.filter(action="calendar_feed.created", actor=org.junior).exists()
    http.post(page, {"action": "names", "show_client_names": "on"})
    assert CalendarFeed.objects.get(user=org.junior, revoked_at__isnull=True).show_client_names
    http.post(page, {"action": "revoke"})
    assert not CalendarFeed.objects.filter(user=org.junior, revoked_at__isnull=True).exists()


@pytest.mark.django_db
def test_administrators_have_no_calendar(org: Any, login: Any) -> None:
    assert login(org.admin).get(reverse("appointments:calendar_settings")).status_code == 404
