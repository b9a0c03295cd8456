"""Reads for coordination of services, always scoped through access.policies.client_scope.

Also the worklist's building blocks: correlated subqueries that annotate Client rows with the
earliest overdue referral response, the next appointment and the earliest open
transitional-care clock (one subquery each), and the plain-language reason for each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Subquery

from caseload.access import policies
from caseload.appointments.models import Appointment
from caseload.appointments.selectors import (
    appointment_reason,
    next_appointment_at,
    upcoming_appointments_for_client,
)
from caseload.core import clock
from caseload.referrals.models import (
    Referral,
)
from caseload.referrals.selectors import (
    overdue_referral_since,
    referral_reason,
    referral_summary_for_client,
)
from caseload.transitions.selectors import (
    EpisodeView,
    transitional_care_for_client,
    transitional_clock_due_on,
    transitional_clock_kind,
    transitional_reason,
)

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.enrolments.models import Enrolment
    from caseload.staff.models import User

UPCOMING_APPOINTMENTS = 5


# ---------------------------------------------------------------------------------------------
# Directory


# ---------------------------------------------------------------------------------------------
# Referrals


def open_enrolments_for(*, actor: User, client: Client) -> list[Enrolment]:
    from caseload.enrolments.models import OPEN_STATUSES, Enrolment

    policies.require_client(actor, client.pk)
    return list(
        Enrolment.objects.filter(client_id=client.pk, status__in=OPEN_STATUSES)
        .select_related("program", "care_manager")
        .order_by("-referred_on")
    )


# ---------------------------------------------------------------------------------------------
# Appointments


# ---------------------------------------------------------------------------------------------
# Calendar feeds


# ---------------------------------------------------------------------------------------------
# Transitions of care


# ---------------------------------------------------------------------------------------------
# The client chart's section


@dataclass(frozen=True)
class CoordinationSummary:
    """What the chart's "Referrals and appointments" section shows."""

    client: Client
    open_referrals: list[Referral]
    closed_referrals_count: int
    upcoming_appointments: list[Appointment]
    episode: EpisodeView | None
    past_episodes_count: int
    can_refer: bool
    today: dt.date = field(default_factory=clock.today)


def coordination_summary_for_client(*, actor: User, client: Client) -> CoordinationSummary:
    """The chart's coordination section, from the referrals, appointments and transitions apps'
    own selectors."""
    referrals = referral_summary_for_client(actor=actor, client=client)
    care = transitional_care_for_client(actor=actor, client=client)
    return CoordinationSummary(
        client=client,
        open_referrals=referrals.open_referrals,
        closed_referrals_count=referrals.closed_referrals_count,
        upcoming_appointments=upcoming_appointments_for_client(actor=actor, client=client),
        episode=care.episode,
        past_episodes_count=care.past_episodes_count,
        can_refer=referrals.can_refer,
    )


# ---------------------------------------------------------------------------------------------
# Worklist building blocks


def worklist_annotations(
    *, today: dt.date | None = None, now: dt.datetime | None = None
) -> dict[str, Subquery]:
    """The four annotations by name, for ``clients.annotate(**worklist_annotations())``."""
    today = today or clock.today()
    return {
        "coord_referral_overdue_since": overdue_referral_since(today),
        "coord_next_appointment_at": next_appointment_at(now),
        "coord_clock_due_on": transitional_clock_due_on(today),
        "coord_clock_kind": transitional_clock_kind(today),
    }


def worklist_reason(
    row: Any, *, today: dt.date | None = None, now: dt.datetime | None = None
) -> tuple[str, str] | None:
    """The most pressing coordination reason for a row annotated by ``worklist_annotations``,
    with its level ("danger" or "warn"), or None. Order: a transitional-care clock due by
    tomorrow or missed, an unanswered referral, an appointment within a day, a later clock."""
    today = today or clock.today()
    now = now or clock.now()
    due_on = getattr(row, "coord_clock_due_on", None)
    kind = getattr(row, "coord_clock_kind", None)
    overdue = getattr(row, "coord_referral_overdue_since", None)
    appointment = getattr(row, "coord_next_appointment_at", None)
    if due_on is not None and due_on <= today + dt.timedelta(days=1):
        return transitional_reason(due_on, kind, today), "danger" if due_on <= today else "warn"
    if overdue is not None:
        return referral_reason(overdue, today), "warn"
    if appointment is not None and appointment <= now + dt.timedelta(days=1):
        return appointment_reason(appointment, today), "warn"
    if due_on is not None:
        return transitional_reason(due_on, kind, today), "warn"
    return None
