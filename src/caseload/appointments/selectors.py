"""Reads for appointments and calendar feeds, always scoped through access.policies: one
appointment, a calendar (one member of staff's, as the actor may see it), a client's (for the
chart and the client overview), a feed by its secret token, and the worklist's building block
(the next booked appointment per client)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from caseload.access import policies
from caseload.appointments.models import Appointment, AppointmentStatus, CalendarFeed, token_hash
from caseload.core import clock
from caseload.core.errors import NotFound, is_bad_id
from caseload.core.text import day_words

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User

UPCOMING_APPOINTMENTS = 5


FEED_DAYS_BACK = 30


FEED_DAYS_AHEAD = 180


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
        if is_bad_id(exc):
            raise NotFound("Appointment not found.") from exc
        raise


def calendar_staff(*, actor: User, staff_id: int | None = None) -> User:
    """Whose calendar ``actor`` may look at: their own, or a supervisee's (seniors: their
    programs' staff; directors: anyone's). NotFound for anyone else."""
    policies.require_clinical(actor)
    if staff_id is None or staff_id == actor.pk:
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


def upcoming_appointments_for_client(*, actor: User, client: Client) -> list[Appointment]:
    """The client's next booked appointments (five at most) for the chart's "Appointments"
    section; NotFound out of scope. One query.

    Does not audit: the chart page that includes it records "client.viewed".
    """
    policies.require_clinical_in_scope(actor, client.pk)
    return list(
        Appointment.objects.filter(
            client_id=client.pk, status=AppointmentStatus.BOOKED, ends_at__gte=clock.now()
        )
        .select_related("service__organisation", "staff")
        .order_by("starts_at")[:UPCOMING_APPOINTMENTS]
    )


def appointment_list_for_client(*, actor: User, client: Client) -> list[Appointment]:
    """Every appointment of ``client``, latest first (200 at most); NotFound out of scope."""
    policies.require_clinical_in_scope(actor, client.pk)
    return list(
        Appointment.objects.filter(client_id=client.pk)
        .select_related("service__organisation", "staff")
        .order_by("-starts_at")[:200]
    )


# ---------------------------------------------------------------------------------------------
# Calendar feeds


def active_calendar_feed(*, actor: User) -> CalendarFeed | None:
    policies.require_clinical(actor)
    return CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).first()


def calendar_feed_for_token(token: str) -> tuple[CalendarFeed, list[Appointment]]:
    """The feed a token opens and its appointments (30 days back, 180 ahead), or NotFound for
    an unknown or revoked token, or a user who may no longer work with clients."""
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
# The worklist's building block


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


def appointment_reason(starts_at: dt.datetime, today: dt.date | None = None) -> str:
    """'Appointment tomorrow at 10:30'."""
    today = today or clock.today()
    local = timezone.localtime(starts_at)
    return f"Appointment {day_words(local.date(), today)} at {local:%H:%M}"
