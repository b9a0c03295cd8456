"""The appointment status machine, every pair of statuses."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.utils import timezone

from caseload.appointments import services
from caseload.appointments.models import Appointment, AppointmentStatus
from caseload.core.errors import Conflict

A = AppointmentStatus
APPOINTMENT_ALLOWED = {
    "booked": {"attended", "no_show", "cancelled"},
    "attended": set(),
    "no_show": set(),
    "cancelled": set(),
}
APPOINTMENT_PAIRS = list(itertools.product(A.values, A.values))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("from_status", "to_status"), APPOINTMENT_PAIRS, ids=[f"{a}->{b}" for a, b in APPOINTMENT_PAIRS]
)
def test_appointment_status_allowed_exactly_when_the_machine_says(
    org: Any, from_status: str, to_status: str
) -> None:
    assert {k: set(v) for k, v in services.APPOINTMENT_TRANSITIONS.items()} == APPOINTMENT_ALLOWED
    start = timezone.now() - dt.timedelta(hours=2)
    appointment = Appointment.objects.create(
        client=org.junior_client,
        purpose="Physical therapy",
        with_kind="provider",
        provider_name="Riverside PT",
        location_kind="in_person",
        location="1 River Road",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        status=from_status,
        owner=org.junior,
        created_by=org.junior,
    )
    call = {
        "actor": org.junior,
        "appointment": appointment,
        "status": to_status,
        "expected_version": 1,
        "note": "Client unwell",
    }
    if to_status in APPOINTMENT_ALLOWED[from_status]:
        assert services.appointment_set_status(**call).status == to_status
    else:
        with pytest.raises(Conflict) as caught:
            services.appointment_set_status(**call)
        assert caught.value.code == "transition_not_allowed"
        for allowed in APPOINTMENT_ALLOWED[from_status]:
            assert A(allowed).label.lower() in caught.value.message
