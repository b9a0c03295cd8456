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
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from caseload.access import policies
from caseload.appointments.models import Appointment, AppointmentStatus, CalendarFeed
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
FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 180


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


def _appointments(actor: User) -> QuerySet[Appointment]:
    policies.require_clinical(actor)
    return Appointment.objects.filter(client__in=policies.client_scope(actor))


def appointment_get(*, actor: User, appointment_id: Any) -> Appointment:
    try:
        return (
            _appointments(actor)
            .select_related(
                "client",
                "enrolment__program",
                "referral__service__organisation",
                "service__organisation",
                "staff",
                "owner",
                "created_by",
                "reminder_task",
            )
            .get(pk=appointment_id)
        )
    except Appointment.DoesNotExist as exc:
        raise NotFound("Appointment not found.") from exc
    except Exception as exc:
        if _bad_id(exc):
            raise NotFound("Appointment not found.") from exc
        raise


def calendar_staff(*, actor: User, staff_id: Any = None) -> User:
    """Whose calendar ``actor`` may look at: their own, or a supervisee's (seniors: their
    programs' staff; directors: anyone's). NotFound for anyone else."""
    policies.require_clinical(actor)
    if staff_id in (None, "", str(actor.pk), actor.pk):
        return actor
    found = policies.caseload_owner_choices(actor).filter(pk=staff_id).first()
    if found is None:
        raise NotFound("Staff member not found.")
    return found


def staff_choices(*, actor: User) -> list[User]:
    """Staff whose calendars ``actor`` may switch to (empty for juniors)."""
    if actor.is_junior:
        return []
    return list(policies.caseload_owner_choices(actor)[:101])


def appointments_between(
    *, actor: User, staff: User, start: dt.datetime, end: dt.datetime
) -> list[Appointment]:
    """Appointments on ``staff``'s calendar (theirs to arrange, or theirs to attend) from
    ``start`` to ``end``, visible to ``actor``; one query."""
    return list(
        _appointments(actor)
        .filter(Q(owner=staff) | Q(staff=staff), starts_at__lt=end, ends_at__gt=start)
        .select_related("client", "service__organisation", "staff")
        .order_by("starts_at", "client__family_name")
    )


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Midnight to midnight of ``day`` in the organisation's time zone, as aware datetimes."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


# ---------------------------------------------------------------------------------------------
# Calendar feeds


def active_calendar_feed(*, actor: User) -> CalendarFeed | None:
    policies.require_clinical(actor)
    return CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).first()


def calendar_feed_for_token(token: str) -> tuple[CalendarFeed, list[Appointment]]:
    """The feed a token opens and its appointments (30 days back, 180 ahead), or NotFound for
    an unknown or revoked token, or a user who may no longer work with clients."""
    from caseload.coordination.services import token_hash

    if not token or len(token) > 100:
        raise NotFound("Calendar not found.")
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not policies.is_clinical(feed.user):
        raise NotFound("Calendar not found.")
    now = clock.now()
    user = feed.user
    appointments = list(
        Appointment.objects.filter(
            Q(owner=user) | Q(staff=user),
            client__in=policies.client_scope(user),
            starts_at__gte=now - dt.timedelta(days=FEED_DAYS_BACK),
            starts_at__lte=now + dt.timedelta(days=FEED_DAYS_AHEAD),
        )
        .select_related("client", "service__organisation", "staff")
        .order_by("starts_at")
    )
    return feed, appointments


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


def next_appointment_at(now: dt.datetime | None = None) -> Subquery:
    """Annotation on Client rows: the start of the next booked appointment, else NULL."""
    now = now or clock.now()
    return Subquery(
        Appointment.objects.filter(
            client_id=OuterRef("pk"), status=AppointmentStatus.BOOKED, starts_at__gte=now
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )


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


def appointment_reason(starts_at: dt.datetime, today: dt.date | None = None) -> str:
    """'Appointment tomorrow at 10:30'."""
    today = today or clock.today()
    local = timezone.localtime(starts_at)
    return f"Appointment {_day_words(local.date(), today)} at {local:%H:%M}"


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
