"""Reads for coordination of services, always scoped through access.policies.client_scope.

Also the worklist's building blocks: correlated subqueries that annotate Client rows with the
earliest overdue referral response, the next appointment and the earliest open
transitional-care clock (one subquery each), and the plain-language reason for each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from caseload.access import policies
from caseload.appointments.models import Appointment, AppointmentStatus
from caseload.appointments.selectors import appointment_reason, next_appointment_at
from caseload.core import clock
from caseload.core.errors import NotFound
from caseload.referrals.models import (
    Referral,
)
from caseload.referrals.selectors import overdue_referral_since, referral_reason
from caseload.transitions.models import (
    CLOCK_ORDER,
    ClockKind,
    ClockState,
    EpisodeStatus,
    TransitionalCareEpisode,
    TransitionalClock,
)

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.enrolments.models import Enrolment
    from caseload.staff.models import User

UPCOMING_APPOINTMENTS = 5


def _bad_id(exc: Exception) -> bool:
    return isinstance(exc, ValueError | TypeError | DjangoValidationError)


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


@dataclass(frozen=True)
class ClockView:
    """A transitional-care clock as a page shows it."""

    clock: TransitionalClock
    state: str

    @property
    def kind_label(self) -> str:
        return str(ClockKind(self.clock.kind).label)

    @property
    def state_label(self) -> str:
        return str(ClockState(self.state).label)

    @property
    def tag(self) -> str:
        tags: dict[str, str] = {
            ClockState.MET: "tag-ok",
            ClockState.MET_LATE: "tag-danger",
            ClockState.MISSED: "tag-danger",
            ClockState.DUE: "tag-warn",
        }
        return tags.get(self.state, "tag-muted")

    @property
    def is_open(self) -> bool:
        return self.state in (ClockState.DUE, ClockState.MISSED)


@dataclass(frozen=True)
class EpisodeView:
    episode: TransitionalCareEpisode
    clocks: list[ClockView]

    @property
    def day_number(self) -> int:
        """Which day of the 30 today is (1 = day of discharge)."""
        return (clock.today() - self.episode.discharged_on).days + 1

    @property
    def open_clocks(self) -> list[ClockView]:
        return [c for c in self.clocks if c.is_open and c.clock.met_on is None]


def _clock_views(
    episode: TransitionalCareEpisode, clocks: list[TransitionalClock]
) -> list[ClockView]:
    today = clock.today()
    closed_on = timezone.localdate(episode.closed_at) if episode.closed_at else None
    ordered = sorted(clocks, key=lambda c: CLOCK_ORDER.index(ClockKind(c.kind)))
    return [ClockView(clock=c, state=c.state_on(today, closed_on=closed_on)) for c in ordered]


def episode_get(*, actor: User, episode_id: Any) -> EpisodeView:
    """An episode with its clocks and their tasks (two queries), or NotFound."""
    policies.require_clinical(actor)
    try:
        episode = (
            TransitionalCareEpisode.objects.filter(client__in=policies.client_scope(actor))
            .select_related("client", "enrolment__program", "recorded_by")
            .prefetch_related(
                Prefetch(
                    "clocks",
                    queryset=TransitionalClock.objects.select_related("task", "recorded_by"),
                )
            )
            .get(pk=episode_id)
        )
    except TransitionalCareEpisode.DoesNotExist as exc:
        raise NotFound("Transitional-care episode not found.") from exc
    except Exception as exc:
        if _bad_id(exc):
            raise NotFound("Transitional-care episode not found.") from exc
        raise
    return EpisodeView(episode=episode, clocks=_clock_views(episode, list(episode.clocks.all())))


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
    """Open referrals (with deadlines), the next appointments and a running transitional-care
    episode with its clocks; a fixed handful of queries whatever the history's length.

    Does not audit: the chart page that includes it records "client.viewed".
    """
    policies.require_clinical(actor)
    if not policies.client_in_scope(actor, client.pk):
        raise NotFound("Client not found.")
    referrals = list(
        Referral.objects.filter(client_id=client.pk)
        .select_related("service__organisation")
        .order_by("response_due_on", "-created_at")
    )
    open_referrals = [r for r in referrals if not r.is_closed]
    upcoming = list(
        Appointment.objects.filter(
            client_id=client.pk, status=AppointmentStatus.BOOKED, ends_at__gte=clock.now()
        )
        .select_related("service__organisation", "staff")
        .order_by("starts_at")[:UPCOMING_APPOINTMENTS]
    )
    episodes = list(
        TransitionalCareEpisode.objects.filter(client_id=client.pk)
        .prefetch_related("clocks")
        .order_by("-discharged_on")
    )
    running = next((e for e in episodes if e.is_running), None)
    from caseload.enrolments.models import OPEN_STATUSES

    return CoordinationSummary(
        client=client,
        open_referrals=open_referrals,
        closed_referrals_count=len(referrals) - len(open_referrals),
        upcoming_appointments=upcoming,
        episode=(
            EpisodeView(episode=running, clocks=_clock_views(running, list(running.clocks.all())))
            if running
            else None
        ),
        past_episodes_count=len(episodes) - (1 if running else 0),
        can_refer=client.enrolments.filter(status__in=OPEN_STATUSES).exists(),
    )


def client_episodes(*, actor: User, client: Client) -> list[TransitionalCareEpisode]:
    policies.require_client(actor, client.pk)
    return list(
        TransitionalCareEpisode.objects.filter(client_id=client.pk).order_by("-discharged_on")
    )


# ---------------------------------------------------------------------------------------------
# Worklist building blocks


def _open_clocks(today: dt.date) -> QuerySet[TransitionalClock]:
    return TransitionalClock.objects.filter(
        episode__client_id=OuterRef("pk"),
        episode__status=EpisodeStatus.ACTIVE,
        episode__ends_on__gte=today,
        met_on__isnull=True,
    ).order_by("due_on", "kind")


def transitional_clock_due_on(today: dt.date | None = None) -> Subquery:
    """Annotation on Client rows: the earliest due date of an unmet clock of a running
    transitional-care episode (may be in the past: missed), else NULL."""
    return Subquery(_open_clocks(today or clock.today()).values("due_on")[:1])


def transitional_clock_kind(today: dt.date | None = None) -> Subquery:
    """Annotation on Client rows: which clock ``transitional_clock_due_on`` is (its kind)."""
    return Subquery(_open_clocks(today or clock.today()).values("kind")[:1])


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


def _day_words(day: dt.date, today: dt.date) -> str:
    if day == today:
        return "today"
    if day == today + dt.timedelta(days=1):
        return "tomorrow"
    if day == today - dt.timedelta(days=1):
        return "yesterday"
    if today < day < today + dt.timedelta(days=7):
        return day.strftime("%A")
    return f"{day:%a} {day.day} {day:%b}"


def transitional_reason(due_on: dt.date, kind: str | None, today: dt.date | None = None) -> str:
    """'Transitional care: interactive contact due tomorrow' (or 'was due …' once missed)."""
    today = today or clock.today()
    what = ClockKind(kind).label.lower() if kind in ClockKind.values else "next step"
    if due_on < today:
        return f"Transitional care: {what} was due {_day_words(due_on, today)}"
    return f"Transitional care: {what} due {_day_words(due_on, today)}"


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
