"""Building notes for tests through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caseload.clients.models import Client
from caseload.core import clock
from caseload.notes import services
from caseload.notes.models import ProgressNote
from caseload.staff.models import User


def note_kwargs(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "contact_at": clock.now() - dt.timedelta(minutes=30),
        "contact_type": "phone",
        "contact_with": "client",
        "reached": True,
        "minutes": 12,
        "narrative": "Talked about the new medication schedule.\nNo falls this week.",
        "significant_event": False,
    }
    values.update(overrides)
    return values


def make_note(actor: User, client: Client, *, sign: bool = False, **overrides: Any) -> ProgressNote:
    return services.note_create(actor=actor, client=client, sign=sign, **note_kwargs(**overrides))
