"""Writes for transitions of care: record a hospital or skilled-nursing discharge (a 30-day
episode with three clocks, each with a task), record when each clock was met, close an episode
early.

Deadlines (SPEC §5): interactive contact 2 business days after discharge; face-to-face visit
within 7 (high complexity) or 14 (moderate) calendar days; medication reconciliation by the
face-to-face visit.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.core import business_days, clock
from caseload.core.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
    check_version,
    raise_if_invalid,
)
from caseload.core.text import clean
from caseload.enrolments.services import check_enrolment_choice
from caseload.tasks.models import Priority, TaskStatus
from caseload.tasks.selectors import task_get
from caseload.tasks.services import (
    task_close_if_open,
    task_create_for_record,
    task_owner_for,
    task_update,
)
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
    from caseload.clients.models import Client
    from caseload.enrolments.models import Enrolment
    from caseload.staff.models import User

#: Face-to-face visit deadline in calendar days after discharge, by complexity (SPEC §5).
FACE_TO_FACE_DAYS: dict[str, int] = {Complexity.HIGH: 7, Complexity.MODERATE: 14}


#: Interactive contact deadline in business days after discharge (SPEC §5).
CONTACT_BUSINESS_DAYS = 2


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
    facility_name, notes = clean(facility_name), clean(notes)
    with transaction.atomic():
        client = policies.require_clinical_client(actor, client.pk)
        today = clock.today()
        errors: dict[str, list[str]] = {}
        check_enrolment_choice(errors, client, enrolment, required=False)
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
        raise_if_invalid(errors)
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
        owner = task_owner_for(enrolment, actor)
        for kind in CLOCK_ORDER:
            title, priority = _CLOCK_TASKS[kind]
            task = task_create_for_record(
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
    expected_version: int,
) -> TransitionalClock:
    """Record when a clock's requirement was done; its task is completed. Recording the
    face-to-face visit moves the medication reconciliation deadline to the visit's date."""
    note = clean(note)
    with transaction.atomic():
        locked = _lock_episode(actor, episode)
        check_version(locked, expected_version, "episode")
        errors: dict[str, list[str]] = {}
        if kind not in ClockKind.values:
            errors["kind"] = ["Choose what was done."]
        if met_on is None:
            errors["met_on"] = ["Enter the date it was done."]
        elif met_on > clock.today():
            errors["met_on"] = ["The date cannot be in the future."]
        elif met_on < locked.discharged_on:
            errors["met_on"] = ["The date cannot be before the discharge."]
        raise_if_invalid(errors)
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
        task_close_if_open(
            actor=actor, task_id=target.task_id, outcome=f"Done on {met_on:%d %b %Y}."
        )
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
    try:
        task = task_get(actor=actor, task_id=task_id)
    except NotFound:
        return
    if task.status != TaskStatus.OPEN or task.due_on == due_on:
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
    expected_version: int,
) -> TransitionalCareEpisode:
    """Close an episode early (readmitted, died, declined, entered in error); open tasks of its
    unmet clocks are cancelled."""
    note = clean(note)
    with transaction.atomic():
        locked = _lock_episode(actor, episode)
        check_version(locked, expected_version, "episode")
        if locked.status != EpisodeStatus.ACTIVE:
            raise Conflict("This episode is already closed.", code="closed")
        errors: dict[str, list[str]] = {}
        if reason not in EpisodeCloseReason.values:
            errors["reason"] = ["Choose why the episode is closing."]
        elif reason == EpisodeCloseReason.OTHER and not note:
            errors["note"] = ["Say why the episode is closing."]
        raise_if_invalid(errors)
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
            task_close_if_open(
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
