"""Writes for coordination of services: referrals, appointments, calendar feeds, transitional
care, and the directory import.

Referral status machine (closed loop):

    draft     → sent | cancelled
    sent      → received | accepted | declined | cancelled
    received  → accepted | declined | cancelled
    accepted  → scheduled | cancelled
    scheduled → completed | no_show | cancelled
    declined, completed, no_show, cancelled: closed — only "reopen" (with a reason) leaves them,
    and it returns the referral to the status it was closed from.

A service may answer a sent referral with its decision straight away, so "received" may be
skipped. Appointment statuses: booked → attended | no_show | cancelled; the others are final.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
)
from caseload.audit.services import audit_record
from caseload.core import business_days, clock
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from caseload.directory.models import (
    Service,
)
from caseload.referrals.models import (
    Referral,
)
from caseload.tasks.models import Priority, Task, TaskStatus
from caseload.transitions.models import (
    CLOCK_ORDER,
    EPISODE_DAYS,
    ClockKind,
    Complexity,
    DischargeSetting,
    EpisodeCloseReason,
    EpisodeStatus,
    TransitionalCareEpisode,
    TransitionalClock,
)

if TYPE_CHECKING:
    from caseload.careplans.models import Goal
    from caseload.clients.models import Client
    from caseload.enrolments.models import Enrolment
    from caseload.staff.models import User

A = AppointmentStatus


APPOINTMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    A.BOOKED: (A.ATTENDED, A.NO_SHOW, A.CANCELLED),
    A.ATTENDED: (),
    A.NO_SHOW: (),
    A.CANCELLED: (),
}

#: Face-to-face visit deadline in calendar days after discharge, by complexity (SPEC §5).
FACE_TO_FACE_DAYS: dict[str, int] = {Complexity.HIGH: 7, Complexity.MODERATE: 14}
#: Interactive contact deadline in business days after discharge (SPEC §5).
CONTACT_BUSINESS_DAYS = 2

STALE = "stale"
TRANSITION_NOT_ALLOWED = "transition_not_allowed"
DOUBLE_BOOKED = "double_booked"


# ---------------------------------------------------------------------------------------------
# Helpers


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)


def _check_version(record: Any, expected_version: int | None, what: str) -> None:
    if expected_version is not None and record.version != expected_version:
        raise Conflict(
            f"Someone else changed this {what} since you opened it.",
            code=STALE,
            params={"current_version": record.version},
        )


def or_list(words: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def _task_owner(enrolment: Enrolment | None, fallback: User) -> User:
    """The enrolment's care manager when they can still work the case, else ``fallback``."""
    if enrolment is not None:
        manager = enrolment.care_manager
        if policies.is_clinical(manager):
            return manager
    return fallback


def _create_task(
    *,
    actor: User,
    client: Client,
    owner: User,
    title: str,
    due_on: dt.date,
    priority: int,
    description: str = "",
    enrolment: Enrolment | None = None,
    goal: Goal | None = None,
) -> Task:
    from caseload.tasks.services import task_create

    return task_create(
        actor=actor,
        client=client,
        title=title[:200],
        owner=owner,
        due_on=due_on,
        priority=priority,
        description=description,
        enrolment=enrolment,
        goal=goal,
    )


def _close_task(*, actor: User, task_id: Any, outcome: str, cancel: bool = False) -> None:
    """Complete (or cancel) a linked task if it is still open; a closed task is left alone."""
    from caseload.tasks.services import task_cancel, task_complete

    if task_id is None:
        return
    task = Task.objects.filter(pk=task_id, status=TaskStatus.OPEN).first()
    if task is None:
        return
    if cancel:
        task_cancel(actor=actor, task=task, reason=outcome)
    else:
        task_complete(actor=actor, task=task, outcome_note=outcome)


def _require_clinical_client(actor: User, client_id: Any) -> Client:
    policies.require_clinical(actor)
    return policies.require_client(actor, client_id)


def _check_enrolment(
    errors: dict[str, list[str]], client: Client, enrolment: Enrolment | None, *, required: bool
) -> None:
    if enrolment is None:
        if required:
            errors["enrolment"] = ["Choose the enrolment this is part of."]
        return
    if enrolment.client_id != client.pk:
        errors["enrolment"] = ["Choose one of this client's enrolments."]
    elif not enrolment.is_open:
        errors["enrolment"] = ["That enrolment has been discharged. Choose an open enrolment."]


# ---------------------------------------------------------------------------------------------
# Referrals


# ---------------------------------------------------------------------------------------------
# Appointments


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
    _check_enrolment(errors, client, enrolment, required=False)
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
    elif owner.pk != actor.pk and (
        not policies.is_clinical(owner) or not policies.client_in_scope(owner, client.pk)
    ):
        errors["owner"] = ["Choose a member of staff who works with this client."]
    _raise_if(errors)
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
    day = business_days.business_day_before(_local_date(starts_at))
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
    purpose, provider_name, location = _clean(purpose), _clean(provider_name), _clean(location)
    owner = owner or actor
    with transaction.atomic():
        client = _require_clinical_client(actor, client.pk)
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
            transport_note=_clean(transport_note),
            interpreter_needed=interpreter_needed,
            interpreter_language=_clean(interpreter_language),
            notes=_clean(notes),
            owner=owner,
            created_by=actor,
        )
        if begin > clock.now():
            appointment.reminder_task = _create_task(
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
    expected_version: int | None,
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
    purpose, provider_name, location = _clean(purpose), _clean(provider_name), _clean(location)
    with transaction.atomic():
        policies.require_clinical(actor)
        policies.require_client(actor, appointment.client_id)
        locked = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("client", "enrolment")
            .get(pk=appointment.pk)
        )
        _check_version(locked, expected_version, "appointment")
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
        locked.transport_needed, locked.transport_note = transport_needed, _clean(transport_note)
        locked.interpreter_needed = interpreter_needed
        locked.interpreter_language = _clean(interpreter_language)
        locked.notes = _clean(notes)
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
            _close_task(
                actor=actor,
                task_id=locked.reminder_task_id,
                outcome="The appointment was moved; a new reminder replaces this one.",
                cancel=True,
            )
            locked.reminder_task = None
            if begin > clock.now():
                locked.reminder_task = _create_task(
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
    expected_version: int | None,
    note: str = "",
) -> Appointment:
    """Record that a booked appointment was attended, missed or cancelled."""
    note = _clean(note)
    with transaction.atomic():
        policies.require_clinical(actor)
        policies.require_client(actor, appointment.client_id)
        locked = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("client")
            .get(pk=appointment.pk)
        )
        _check_version(locked, expected_version, "appointment")
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
        _close_task(
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


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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
    from caseload.audit.services import audit_record_many

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


# ---------------------------------------------------------------------------------------------
# Transitions of care


def transitional_due_dates(
    *, discharged_on: dt.date, complexity: str, holidays: set[dt.date]
) -> dict[str, dt.date]:
    """The three clocks' due dates for a discharge (pure: holidays passed in).

    Interactive contact: 2 business days after discharge. Face-to-face: 7 (high complexity) or
    14 calendar days. Medication reconciliation: by the face-to-face visit.
    """
    face_to_face = discharged_on + dt.timedelta(days=FACE_TO_FACE_DAYS[complexity])
    return {
        ClockKind.CONTACT: business_days.add_business_days(
            discharged_on, CONTACT_BUSINESS_DAYS, holidays
        ),
        ClockKind.FACE_TO_FACE: face_to_face,
        ClockKind.MEDICATION: face_to_face,
    }


_CLOCK_TASKS = {
    ClockKind.CONTACT: (
        "Transitional care: interactive contact (phone, video or in person) after discharge",
        Priority.URGENT,
    ),
    ClockKind.FACE_TO_FACE: (
        "Transitional care: face-to-face visit after discharge",
        Priority.HIGH,
    ),
    ClockKind.MEDICATION: (
        "Transitional care: medication reconciliation (by the face-to-face visit)",
        Priority.HIGH,
    ),
}


def discharge_record(
    *,
    actor: User,
    client: Client,
    discharged_on: dt.date | None,
    discharged_from: str,
    facility_name: str,
    complexity: str,
    enrolment: Enrolment | None = None,
    notes: str = "",
) -> TransitionalCareEpisode:
    """Record a hospital or SNF discharge: opens a 30-day transitional-care episode with its
    three clocks and a task for each (owned by the enrolment's care manager, else the actor)."""
    facility_name, notes = _clean(facility_name), _clean(notes)
    with transaction.atomic():
        client = _require_clinical_client(actor, client.pk)
        today = clock.today()
        errors: dict[str, list[str]] = {}
        _check_enrolment(errors, client, enrolment, required=False)
        if discharged_on is None:
            errors["discharged_on"] = ["Enter the date of discharge."]
        elif discharged_on > today:
            errors["discharged_on"] = ["The discharge date cannot be in the future."]
        elif discharged_on < today - dt.timedelta(days=EPISODE_DAYS - 1):
            errors["discharged_on"] = [
                "That discharge was more than 30 days ago: its transitional-care period is over."
            ]
        if discharged_from not in DischargeSetting.values:
            errors["discharged_from"] = ["Choose where the client was discharged from."]
        if not facility_name:
            errors["facility_name"] = ["Enter the hospital's or facility's name."]
        if complexity not in Complexity.values:
            errors["complexity"] = ["Choose the complexity of medical decision making."]
        _raise_if(errors)
        assert discharged_on is not None  # noqa: S101 - checked above
        running = (
            TransitionalCareEpisode.objects.select_for_update()
            .filter(client=client, status=EpisodeStatus.ACTIVE, ends_on__gte=discharged_on)
            .first()
        )
        if running is not None:
            message = (
                f"{client} already has a transitional-care episode from the discharge on "
                f"{running.discharged_on:%d %b %Y}. Close it first (for example: readmitted)."
            )
            raise ValidationFailed(
                message, code="episode_running", field_errors={"discharged_on": [message]}
            )
        episode = TransitionalCareEpisode.objects.create(
            client=client,
            enrolment=enrolment,
            discharged_on=discharged_on,
            discharged_from=discharged_from,
            facility_name=facility_name,
            complexity=complexity,
            notes=notes,
            ends_on=discharged_on + dt.timedelta(days=EPISODE_DAYS - 1),
            recorded_by=actor,
        )
        holidays = business_days.holidays_between(
            discharged_on, discharged_on + dt.timedelta(days=EPISODE_DAYS)
        )
        due = transitional_due_dates(
            discharged_on=discharged_on, complexity=complexity, holidays=holidays
        )
        owner = _task_owner(enrolment, actor)
        for kind in CLOCK_ORDER:
            title, priority = _CLOCK_TASKS[kind]
            task = _create_task(
                actor=actor,
                client=client,
                owner=owner,
                title=title,
                due_on=due[kind],
                priority=priority,
                description=(
                    f"Discharged from {facility_name} on {discharged_on:%a %d %b %Y}. "
                    f"Record it on the transitional care episode when done."
                ),
                enrolment=enrolment,
            )
            TransitionalClock.objects.create(
                episode=episode, kind=kind, due_on=due[kind], task=task
            )
        audit_record(
            actor=actor,
            action="transitional_care.discharge_recorded",
            target=episode,
            client=client,
            detail={"discharged_on": discharged_on.isoformat(), "complexity": complexity},
        )
    return episode


def _lock_episode(actor: User, episode: TransitionalCareEpisode) -> TransitionalCareEpisode:
    policies.require_clinical(actor)
    policies.require_client(actor, episode.client_id)
    return (
        TransitionalCareEpisode.objects.select_for_update(of=("self",))
        .select_related("client")
        .get(pk=episode.pk)
    )


def clock_record_met(
    *,
    actor: User,
    episode: TransitionalCareEpisode,
    kind: str,
    met_on: dt.date | None,
    note: str = "",
    expected_version: int | None,
) -> TransitionalClock:
    """Record when a clock's requirement was done; its task is completed. Recording the
    face-to-face visit moves the medication reconciliation deadline to the visit's date."""
    note = _clean(note)
    with transaction.atomic():
        locked = _lock_episode(actor, episode)
        _check_version(locked, expected_version, "episode")
        errors: dict[str, list[str]] = {}
        if kind not in ClockKind.values:
            errors["kind"] = ["Choose what was done."]
        if met_on is None:
            errors["met_on"] = ["Enter the date it was done."]
        elif met_on > clock.today():
            errors["met_on"] = ["The date cannot be in the future."]
        elif met_on < locked.discharged_on:
            errors["met_on"] = ["The date cannot be before the discharge."]
        _raise_if(errors)
        assert met_on is not None  # noqa: S101 - checked above
        if locked.status != EpisodeStatus.ACTIVE:
            raise Conflict("This episode is closed and its clocks no longer change.", code="closed")
        clocks = {
            c.kind: c for c in TransitionalClock.objects.select_for_update().filter(episode=locked)
        }
        target = clocks[kind]
        if target.met_on is not None:
            raise Conflict(
                f"{target.get_kind_display()} was already recorded on {target.met_on:%d %b %Y}.",
                code="clock_already_met",
            )
        target.met_on, target.met_note, target.recorded_by = met_on, note, actor
        target.save(update_fields=["met_on", "met_note", "recorded_by", "updated_at"])
        medication = clocks.get(ClockKind.MEDICATION)
        if (
            kind == ClockKind.FACE_TO_FACE
            and medication is not None
            and medication.met_on is None
            and medication.due_on != met_on
        ):
            medication.due_on = met_on
            medication.save(update_fields=["due_on", "updated_at"])
            _move_task(actor=actor, task_id=medication.task_id, due_on=met_on)
        _close_task(actor=actor, task_id=target.task_id, outcome=f"Done on {met_on:%d %b %Y}.")
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        audit_record(
            actor=actor,
            action="transitional_care.clock_met",
            target=target,
            client=locked.client,
            detail={
                "kind": kind,
                "met_on": met_on.isoformat(),
                "due_on": target.due_on.isoformat(),
            },
        )
    return target


def _move_task(*, actor: User, task_id: Any, due_on: dt.date) -> None:
    from caseload.tasks.services import task_update

    task = Task.objects.filter(pk=task_id, status=TaskStatus.OPEN).select_related("owner").first()
    if task is None or task.due_on == due_on:
        return
    task_update(
        actor=actor,
        task=task,
        expected_version=task.version,
        title=task.title,
        owner=task.owner,
        due_on=due_on,
        priority=task.priority,
        description=task.description,
        goal=None,
    )


def episode_close(
    *,
    actor: User,
    episode: TransitionalCareEpisode,
    reason: str,
    note: str = "",
    expected_version: int | None,
) -> TransitionalCareEpisode:
    """Close an episode early (readmitted, died, declined, entered in error); open tasks of its
    unmet clocks are cancelled."""
    note = _clean(note)
    with transaction.atomic():
        locked = _lock_episode(actor, episode)
        _check_version(locked, expected_version, "episode")
        if locked.status != EpisodeStatus.ACTIVE:
            raise Conflict("This episode is already closed.", code="closed")
        errors: dict[str, list[str]] = {}
        if reason not in EpisodeCloseReason.values:
            errors["reason"] = ["Choose why the episode is closing."]
        elif reason == EpisodeCloseReason.OTHER and not note:
            errors["note"] = ["Say why the episode is closing."]
        _raise_if(errors)
        locked.status = EpisodeStatus.CLOSED
        locked.close_reason, locked.close_note, locked.closed_at = reason, note, clock.now()
        locked.version += 1
        locked.save(
            update_fields=[
                "status",
                "close_reason",
                "close_note",
                "closed_at",
                "version",
                "updated_at",
            ]
        )
        label = EpisodeCloseReason(reason).label
        for item in TransitionalClock.objects.filter(episode=locked, met_on__isnull=True):
            _close_task(
                actor=actor,
                task_id=item.task_id,
                outcome=f"Transitional-care episode closed: {label}.",
                cancel=True,
            )
        audit_record(
            actor=actor,
            action="transitional_care.closed",
            target=locked,
            client=locked.client,
            detail={"reason": reason},
        )
    return locked


# ---------------------------------------------------------------------------------------------
# Service directory (administrators)
