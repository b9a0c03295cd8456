"""Writes for appointments and private calendar feeds.

Appointment statuses: booked → attended | no_show | cancelled; the others are final. Booking
sets a reminder task for the business day before; moving the appointment moves it; recording
what happened closes it. A calendar feed is a secret address per user: only a hash of its token
is kept, and any earlier address stops working when a new one is made.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from caseload.access import policies
from caseload.appointments.models import (
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    LocationKind,
    WithKind,
    token_hash,
)
from caseload.audit.services import audit_record, audit_record_many
from caseload.core import business_days, clock
from caseload.core.errors import (
    TRANSITION_NOT_ALLOWED,
    Conflict,
    NotFound,
    ValidationFailed,
    check_version,
    raise_if_invalid,
)
from caseload.core.text import clean, or_list
from caseload.enrolments.services import check_enrolment_choice
from caseload.tasks.models import Priority
from caseload.tasks.services import task_close_if_open, task_create_for_record

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.directory.models import Service
    from caseload.enrolments.models import Enrolment
    from caseload.referrals.models import Referral
    from caseload.staff.models import User

A = AppointmentStatus


APPOINTMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    A.BOOKED: (A.ATTENDED, A.NO_SHOW, A.CANCELLED),
    A.ATTENDED: (),
    A.NO_SHOW: (),
    A.CANCELLED: (),
}

DOUBLE_BOOKED = "double_booked"


def allowed_appointment_transitions(status: str) -> list[str]:
    return list(APPOINTMENT_TRANSITIONS.get(status, ()))


def overlapping_appointments(
    *, staff: User, starts_at: dt.datetime, ends_at: dt.datetime, exclude_id: Any = None
) -> list[Appointment]:
    """Booked appointments the staff member attends that overlap the given time."""
    found = (
        Appointment.objects.filter(
            staff=staff, status=A.BOOKED, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .select_related("client")
        .order_by("starts_at")
    )
    if exclude_id is not None:
        found = found.exclude(pk=exclude_id)
    return list(found)


def _validate_appointment(
    *,
    actor: User,
    client: Client,
    enrolment: Enrolment | None,
    referral: Referral | None,
    purpose: str,
    with_kind: str,
    service: Service | None,
    provider_name: str,
    staff: User | None,
    location_kind: str,
    location: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    owner: User | None,
    allow_double_booking: bool,
    exclude_id: Any = None,
) -> tuple[dt.datetime, dt.datetime]:
    errors: dict[str, list[str]] = {}
    if not purpose:
        errors["purpose"] = ["Say what the appointment is for."]
    check_enrolment_choice(errors, client, enrolment, required=False)
    if referral is not None and referral.client_id != client.pk:
        errors["referral"] = ["Choose one of this client's referrals."]
    if with_kind not in WithKind.values:
        errors["with_kind"] = ["Choose who the appointment is with."]
    elif with_kind == WithKind.SERVICE and service is None:
        errors["service"] = ["Choose the service from the directory."]
    elif with_kind == WithKind.PROVIDER and not provider_name:
        errors["provider_name"] = ["Enter the provider's or person's name."]
    elif with_kind == WithKind.STAFF and staff is None:
        errors["staff"] = ["Choose the member of staff."]
    if staff is not None and not policies.is_clinical(staff):
        errors["staff"] = ["Choose an active member of the care staff."]
    if location_kind not in LocationKind.values:
        errors["location_kind"] = ["Choose where the appointment takes place."]
    elif location_kind == LocationKind.IN_PERSON and not location:
        errors["location"] = ["Enter the address."]
    if starts_at is None:
        errors["starts_at"] = ["Enter when the appointment starts."]
    if ends_at is None:
        errors["ends_at"] = ["Enter when the appointment ends."]
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = ["The end must be after the start."]
    elif starts_at is not None and ends_at - starts_at > dt.timedelta(hours=24):
        errors["ends_at"] = ["An appointment cannot last more than 24 hours."]
    if owner is None:
        errors["owner"] = ["Choose whose calendar the appointment goes on."]
    elif not policies.may_hold_client_work(actor, owner, client.pk):
        errors["owner"] = ["Choose a member of staff who works with this client."]
    raise_if_invalid(errors)
    assert starts_at is not None  # noqa: S101 - checked above
    assert ends_at is not None  # noqa: S101 - checked above
    if staff is not None and not allow_double_booking:
        clashes = overlapping_appointments(
            staff=staff, starts_at=starts_at, ends_at=ends_at, exclude_id=exclude_id
        )
        if clashes:
            times = ", ".join(
                f"{timezone.localtime(c.starts_at):%a %d %b %H:%M} to "
                f"{timezone.localtime(c.ends_at):%H:%M}"
                for c in clashes[:3]
            )
            message = (
                f"{staff} already has {len(clashes)} appointment"
                f"{'s' if len(clashes) != 1 else ''} at that time ({times}). "
                "Choose another time, or tick “Book anyway” to double-book."
            )
            raise ValidationFailed(
                message,
                code=DOUBLE_BOOKED,
                field_errors={"starts_at": [message]},
                params={"clashes": [str(c.pk) for c in clashes]},
            )
    return starts_at, ends_at


def _reminder_due(starts_at: dt.datetime) -> dt.date:
    """The business day before the appointment, or today if that has passed."""
    day = business_days.business_day_before(timezone.localdate(starts_at))
    return max(day, clock.today())


def _reminder_title(appointment: Appointment) -> str:
    start = timezone.localtime(appointment.starts_at)
    return f"Appointment reminder: {appointment.purpose} on {start:%a %d %b at %H:%M}"


def appointment_create(
    *,
    actor: User,
    client: Client,
    purpose: str,
    with_kind: str,
    location_kind: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    owner: User | None = None,
    enrolment: Enrolment | None = None,
    referral: Referral | None = None,
    service: Service | None = None,
    provider_name: str = "",
    staff: User | None = None,
    location: str = "",
    transport_needed: bool = False,
    transport_note: str = "",
    interpreter_needed: bool = False,
    interpreter_language: str = "",
    notes: str = "",
    allow_double_booking: bool = False,
) -> Appointment:
    """Book an appointment; a reminder task is set for the business day before.

    ValidationFailed with code "double_booked" when the staff member attending is already
    booked at that time, unless ``allow_double_booking``.
    """
    purpose, provider_name, location = clean(purpose), clean(provider_name), clean(location)
    owner = owner or actor
    with transaction.atomic():
        client = policies.require_clinical_client(actor, client.pk)
        begin, end = _validate_appointment(
            actor=actor,
            client=client,
            enrolment=enrolment,
            referral=referral,
            purpose=purpose,
            with_kind=with_kind,
            service=service,
            provider_name=provider_name,
            staff=staff,
            location_kind=location_kind,
            location=location,
            starts_at=starts_at,
            ends_at=ends_at,
            owner=owner,
            allow_double_booking=allow_double_booking,
        )
        if enrolment is None and referral is not None:
            enrolment = referral.enrolment
        appointment = Appointment.objects.create(
            client=client,
            enrolment=enrolment,
            referral=referral,
            purpose=purpose,
            with_kind=with_kind,
            service=service if with_kind == WithKind.SERVICE else None,
            provider_name=provider_name if with_kind == WithKind.PROVIDER else "",
            staff=staff,
            location_kind=location_kind,
            location=location,
            starts_at=begin,
            ends_at=end,
            transport_needed=transport_needed,
            transport_note=clean(transport_note),
            interpreter_needed=interpreter_needed,
            interpreter_language=clean(interpreter_language),
            notes=clean(notes),
            owner=owner,
            created_by=actor,
        )
        if begin > clock.now():
            appointment.reminder_task = task_create_for_record(
                actor=actor,
                client=client,
                owner=owner,
                title=_reminder_title(appointment),
                due_on=_reminder_due(begin),
                priority=Priority.NORMAL,
                description="Remind the client"
                + (", arrange transport" if transport_needed else "")
                + (", book the interpreter" if interpreter_needed else "")
                + ".",
                enrolment=enrolment,
            )
            appointment.save(update_fields=["reminder_task"])
        audit_record(
            actor=actor,
            action="appointment.created",
            target=appointment,
            client=client,
            detail={"double_booked": allow_double_booking and staff is not None},
        )
    return appointment


def appointment_update(
    *,
    actor: User,
    appointment: Appointment,
    expected_version: int,
    purpose: str,
    with_kind: str,
    location_kind: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    owner: User | None,
    service: Service | None = None,
    provider_name: str = "",
    staff: User | None = None,
    location: str = "",
    transport_needed: bool = False,
    transport_note: str = "",
    interpreter_needed: bool = False,
    interpreter_language: str = "",
    notes: str = "",
    allow_double_booking: bool = False,
) -> Appointment:
    """Change a booked appointment; a moved appointment moves its reminder task too."""
    purpose, provider_name, location = clean(purpose), clean(provider_name), clean(location)
    with transaction.atomic():
        policies.require_clinical(actor)
        policies.require_client(actor, appointment.client_id)
        locked = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("client", "enrolment")
            .get(pk=appointment.pk)
        )
        check_version(locked, expected_version, "appointment")
        if locked.status != A.BOOKED:
            raise Conflict(
                f"This appointment is {locked.get_status_display().lower()} and can no longer "
                "change.",
                code="appointment_closed",
            )
        begin, end = _validate_appointment(
            actor=actor,
            client=locked.client,
            enrolment=locked.enrolment,
            referral=None,
            purpose=purpose,
            with_kind=with_kind,
            service=service,
            provider_name=provider_name,
            staff=staff,
            location_kind=location_kind,
            location=location,
            starts_at=starts_at,
            ends_at=ends_at,
            owner=owner,
            allow_double_booking=allow_double_booking,
            exclude_id=locked.pk,
        )
        assert owner is not None  # noqa: S101 - checked in validation
        moved = begin != locked.starts_at or owner.pk != locked.owner_id
        locked.purpose, locked.with_kind = purpose, with_kind
        locked.service = service if with_kind == WithKind.SERVICE else None
        locked.provider_name = provider_name if with_kind == WithKind.PROVIDER else ""
        locked.staff, locked.location_kind, locked.location = staff, location_kind, location
        locked.starts_at, locked.ends_at, locked.owner = begin, end, owner
        locked.transport_needed, locked.transport_note = transport_needed, clean(transport_note)
        locked.interpreter_needed = interpreter_needed
        locked.interpreter_language = clean(interpreter_language)
        locked.notes = clean(notes)
        fields = [
            "purpose",
            "with_kind",
            "service",
            "provider_name",
            "staff",
            "location_kind",
            "location",
            "starts_at",
            "ends_at",
            "owner",
            "transport_needed",
            "transport_note",
            "interpreter_needed",
            "interpreter_language",
            "notes",
            "version",
            "updated_at",
        ]
        if moved:
            task_close_if_open(
                actor=actor,
                task_id=locked.reminder_task_id,
                outcome="The appointment was moved; a new reminder replaces this one.",
                cancel=True,
            )
            locked.reminder_task = None
            if begin > clock.now():
                locked.reminder_task = task_create_for_record(
                    actor=actor,
                    client=locked.client,
                    owner=owner,
                    title=_reminder_title(locked),
                    due_on=_reminder_due(begin),
                    priority=Priority.NORMAL,
                    description="Remind the client of the new time.",
                    enrolment=locked.enrolment,
                )
            fields.append("reminder_task")
        locked.version += 1
        locked.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="appointment.updated",
            target=locked,
            client=locked.client,
            detail={"moved": moved},
        )
    return locked


def appointment_set_status(
    *,
    actor: User,
    appointment: Appointment,
    status: str,
    expected_version: int,
    note: str = "",
) -> Appointment:
    """Record that a booked appointment was attended, missed or cancelled."""
    note = clean(note)
    with transaction.atomic():
        policies.require_clinical(actor)
        policies.require_client(actor, appointment.client_id)
        locked = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("client")
            .get(pk=appointment.pk)
        )
        check_version(locked, expected_version, "appointment")
        if status not in A.values:
            raise ValidationFailed(
                "Choose what happened.", field_errors={"status": ["Choose what happened."]}
            )
        allowed = allowed_appointment_transitions(locked.status)
        if status not in allowed:
            current = locked.get_status_display().lower()
            wanted = A(status).label.lower()
            message = (
                f"An appointment that is {current} can only become "
                f"{or_list([A(s).label.lower() for s in allowed])}, not {wanted}."
                if allowed
                else f"An appointment that is {current} is final and cannot become {wanted}."
            )
            raise Conflict(
                message,
                code=TRANSITION_NOT_ALLOWED,
                params={"from": locked.status, "to": status, "allowed": allowed},
            )
        if status == A.CANCELLED and not note:
            raise ValidationFailed(
                "Say why the appointment was cancelled.",
                field_errors={"note": ["Say why the appointment was cancelled."]},
            )
        from_status = locked.status
        locked.status, locked.status_note = status, note
        locked.version += 1
        locked.save(update_fields=["status", "status_note", "version", "updated_at"])
        task_close_if_open(
            actor=actor,
            task_id=locked.reminder_task_id,
            outcome=f"Appointment {A(status).label.lower()}.",
            cancel=status == A.CANCELLED,
        )
        audit_record(
            actor=actor,
            action="appointment.status_changed",
            target=locked,
            client=locked.client,
            detail={"from": from_status, "to": status},
        )
    return locked


# ---------------------------------------------------------------------------------------------
# Calendar feeds


def calendar_feed_create(
    *, actor: User, show_client_names: bool = False
) -> tuple[CalendarFeed, str]:
    """A new private feed address for ``actor`` (any earlier one stops working).

    Returns the feed and its token: only a hash is stored, so the token is shown this once.
    """
    policies.require_clinical(actor)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        now = clock.now()
        for old in CalendarFeed.objects.select_for_update().filter(
            user=actor, revoked_at__isnull=True
        ):
            old.revoked_at = now
            old.save(update_fields=["revoked_at", "updated_at"])
            audit_record(actor=actor, action="calendar_feed.revoked", target=old)
        feed = CalendarFeed.objects.create(
            user=actor, token_hash=token_hash(token), show_client_names=show_client_names
        )
        audit_record(
            actor=actor,
            action="calendar_feed.created",
            target=feed,
            detail={"show_client_names": show_client_names},
        )
    return feed, token


def calendar_feed_revoke(*, actor: User) -> CalendarFeed | None:
    """Stop ``actor``'s feed address from working; returns the revoked feed, if there was one."""
    policies.require_clinical(actor)
    with transaction.atomic():
        feed = (
            CalendarFeed.objects.select_for_update()
            .filter(user=actor, revoked_at__isnull=True)
            .first()
        )
        if feed is None:
            return None
        feed.revoked_at = clock.now()
        feed.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="calendar_feed.revoked", target=feed)
    return feed


def calendar_feed_set_names(*, actor: User, show_client_names: bool) -> CalendarFeed:
    """Opt in (or out) of full client names and details in ``actor``'s feed."""
    policies.require_clinical(actor)
    with transaction.atomic():
        feed = (
            CalendarFeed.objects.select_for_update()
            .filter(user=actor, revoked_at__isnull=True)
            .first()
        )
        if feed is None:
            raise NotFound("You have no calendar feed. Create one first.")
        feed.show_client_names = show_client_names
        feed.save(update_fields=["show_client_names", "updated_at"])
        audit_record(
            actor=actor,
            action="calendar_feed.updated",
            target=feed,
            detail={"show_client_names": show_client_names},
        )
    return feed


def calendar_feed_record_read(*, feed: CalendarFeed, clients: list[Client]) -> None:
    """Audit one read of a feed: one event for the feed, one per client it showed."""
    with transaction.atomic():
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=clock.now())
        audit_record(
            actor=feed.user,
            action="calendar_feed.read",
            target=feed,
            detail={"appointments_for_clients": len(clients)},
        )
        if clients:
            audit_record_many(
                actor=feed.user,
                action="calendar_feed.client_shown",
                targets=[(feed, c) for c in clients],
                detail={"show_client_names": feed.show_client_names},
            )
