"""coordination's pages keep their addresses after the split into directory, referrals,
appointments and transitions: bookmarks, links in notes, and above all the calendar feed that
people subscribed to in their calendar apps. Old admin addresses redirect to the moved models."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import resolve, reverse

from caseload.appointments import services as appointment_services

ID = uuid.UUID("12345678-1234-5678-1234-567812345678")
#: Every address coordination answered at before the split, and the page that answers it now.
ADDRESSES = {
    "/coordination/directory/": "directory:directory",
    "/coordination/directory/import/": "directory:directory_import",
    "/coordination/referrals/": "referrals:referral_list",
    f"/coordination/for/{ID}/": "chart:client_overview",
    f"/coordination/for/{ID}/referrals/new/": "referrals:referral_create",
    f"/coordination/referrals/{ID}/": "referrals:referral_detail",
    f"/coordination/referrals/{ID}/edit/": "referrals:referral_edit",
    f"/coordination/referrals/{ID}/status/": "referrals:referral_transition",
    f"/coordination/referrals/{ID}/reopen/": "referrals:referral_reopen",
    f"/coordination/referrals/{ID}/letter.pdf": "referrals:referral_letter",
    "/coordination/appointments/": "appointments:appointment_day",
    "/coordination/appointments/week/": "appointments:appointment_week",
    f"/coordination/for/{ID}/appointments/new/": "appointments:appointment_create",
    f"/coordination/appointments/{ID}/": "appointments:appointment_detail",
    f"/coordination/appointments/{ID}/edit/": "appointments:appointment_edit",
    f"/coordination/appointments/{ID}/status/": "appointments:appointment_status",
    "/coordination/calendar/": "appointments:calendar_settings",
    "/coordination/calendar/some-secret-token.ics": "appointments:calendar_feed",
    f"/coordination/for/{ID}/discharges/new/": "transitions:discharge_record",
    f"/coordination/transitional-care/{ID}/": "transitions:episode_detail",
    f"/coordination/transitional-care/{ID}/record/": "transitions:episode_record_clock",
    f"/coordination/transitional-care/{ID}/close/": "transitions:episode_close",
}


@pytest.mark.parametrize(("address", "name"), ADDRESSES.items(), ids=ADDRESSES.values())
def test_every_address_of_coordination_answers_where_it_did(address: str, name: str) -> None:
    match = resolve(address)
    assert match.view_name == name
    assert reverse(name, kwargs=match.kwargs) == address


@pytest.mark.django_db
def test_a_subscribed_calendar_feed_still_answers_at_its_address(org: Any) -> None:
    _, token = appointment_services.calendar_feed_create(actor=org.junior)
    response = HttpClient().get(f"/coordination/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.content.startswith(b"BEGIN:VCALENDAR")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/coordination/service/", "/admin/directory/service/"),
        ("/admin/coordination/serviceorganisation/", "/admin/directory/serviceorganisation/"),
        (
            "/admin/coordination/holiday/add/?date=2026-12-24",
            "/admin/core/holiday/add/?date=2026-12-24",
        ),
    ],
)
def test_old_admin_addresses_of_the_moved_models_redirect_for_good(
    org: Any, login: Any, old: str, new: str
) -> None:
    response = login(org.admin).get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert login(org.admin).get(new).status_code == 200
