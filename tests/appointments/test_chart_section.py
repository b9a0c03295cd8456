"""The chart's "Appointments" section: the next booked appointments, with what they need."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from caseload.appointments.selectors import upcoming_appointments_for_client
from caseload.core.errors import NotFound
from tests.appointments.conftest import make_appointment


@pytest.mark.django_db
def test_only_upcoming_booked_appointments_show(
    org: Any, pin: Any, django_assert_max_num_queries: Any
) -> None:
    now = pin("2026-03-09 08:10")
    client = org.junior_client
    make_appointment(
        org, client, now + dt.timedelta(days=1), purpose="Podiatry", transport_needed=True
    )
    make_appointment(
        org, client, now + dt.timedelta(days=2), purpose="Cancelled one", status="cancelled"
    )
    make_appointment(org, client, now - dt.timedelta(days=1), purpose="Last week's")
    with django_assert_max_num_queries(2):
        appointments = upcoming_appointments_for_client(actor=org.junior, client=client)
        html = render_to_string(
            "appointments/partials/chart_section.html",
            {"appointments": appointments, "client": client},
        )
    assert [a.purpose for a in appointments] == ["Podiatry"]
    assert '<section class="panel" id="appointments" aria-labelledby="appointments-title">' in html
    assert "Podiatry" in html and "Transport needed" in html
    assert reverse("appointments:appointment_create", kwargs={"client_id": client.pk}) in html


@pytest.mark.django_db
def test_the_section_is_not_found_out_of_scope(org: Any) -> None:
    with pytest.raises(NotFound):
        upcoming_appointments_for_client(actor=org.other_cm, client=org.junior_client)
