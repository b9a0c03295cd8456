"""Appointment test helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caseload.appointments.models import Appointment


def make_appointment(org: Any, client: Any, start: dt.datetime, **kwargs: Any) -> Appointment:
    """An hour's appointment with a named provider on the junior's calendar, put in directly
    (any status, any time, no reminder task)."""
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
