"""An appointment for 9999-12-31 22:00 (issue 10): refused at input now; one stored before
(year 10000 in UTC on PostgreSQL, which Python cannot read) is brought back by migration
appointments 0003 so every page shows it again and it can be corrected."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from caseload.appointments.models import Appointment
from caseload.core import clock
from tests.appointments.conftest import make_appointment

pytestmark = pytest.mark.django_db

repair = importlib.import_module("caseload.appointments.migrations.0003_times_within_the_calendar")


def _pages(org: Any, appointment: Appointment) -> dict[str, tuple[Any, str]]:
    client = org.junior_client.pk
    return {
        "worklist": (org.junior, reverse("worklist:caseload")),
        "supervisor's view": (org.supervisor, f"/?view=staff:{org.junior.pk}"),
        "chart": (org.junior, reverse("clients:chart", kwargs={"client_id": client})),
        "coordination": (
            org.junior,
            reverse("chart:client_overview", kwargs={"client_id": client}),
        ),
        "appointment": (
            org.junior,
            reverse("appointments:appointment_detail", kwargs={"appointment_id": appointment.pk}),
        ),
        "edit": (
            org.junior,
            reverse("appointments:appointment_edit", kwargs={"appointment_id": appointment.pk}),
        ),
    }


def _statuses(org: Any, appointment: Appointment) -> dict[str, int]:
    statuses = {}
    for name, (user, url) in _pages(org, appointment).items():
        http = HttpClient(raise_request_exception=False)
        http.force_login(user)
        statuses[name] = http.get(url).status_code
    return statuses


def test_an_appointment_on_the_last_evening_of_year_9999_is_refused(org: Any, login: Any) -> None:
    response = login(org.junior).post(
        reverse("appointments:appointment_create", kwargs={"client_id": org.junior_client.pk}),
        {
            "purpose": "Podiatry",
            "with_kind": "provider",
            "provider_name": "Foot clinic",
            "location_kind": "in_person",
            "location": "9 Main St",
            "starts_at": "9999-12-31T22:00",
            "ends_at": "9999-12-31T23:00",
            "owner": str(org.junior.pk),
        },
    )
    assert response.status_code == 400
    limit = clock.today().year + 5
    assert "Start must be on or before" in response.content.decode()
    assert str(limit) in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL stores year 10000")
def test_an_appointment_stored_in_year_10000_renders_again_after_the_migration(org: Any) -> None:
    appointment = make_appointment(org, org.junior_client, timezone.now() + dt.timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE appointments_appointment SET starts_at = '10000-01-01 03:00+00',"
            " ends_at = '10000-01-01 04:00+00' WHERE id = %s",
            [appointment.pk],
        )
    broken = _statuses(org, appointment)
    assert all(status == 500 for status in broken.values()), broken  # the probe's finding

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    from django.apps import apps

    repair.bring_back(apps, editor)
    assert _statuses(org, appointment) == dict.fromkeys(broken, 200)
    appointment.refresh_from_db()
    assert appointment.ends_at == dt.datetime(9999, 12, 30, 23, 0, tzinfo=dt.UTC)
    assert appointment.starts_at == dt.datetime(9999, 12, 30, 22, 0, tzinfo=dt.UTC)
