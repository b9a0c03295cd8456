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

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.consents.services import require_share_with_provider
from caseload.coordination import business_days
from caseload.coordination.directory_csv import (
    Action,
    ImportReport,
    RowCheck,
    check_directory_csv,
)
from caseload.coordination.models import (
    AWAITING_RESPONSE,
    CLOCK_ORDER,
    CLOSED_STATUSES,
    EPISODE_DAYS,
    RESPONSE_BUSINESS_DAYS,
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    ClockKind,
    Complexity,
    DirectoryImport,
    DirectoryImportStatus,
    DischargeSetting,
    EpisodeCloseReason,
    EpisodeStatus,
    LocationKind,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Service,
    ServiceOrganisation,
    ShareField,
    TransitionalCareEpisode,
    TransitionalClock,
    Urgency,
    WithKind,
    share_categories,
)
from caseload.core import clock
from caseload.core.errors import AppError, Conflict, NotFound, ValidationFailed
from caseload.tasks.models import Priority, Task, TaskStatus

if TYPE_CHECKING:
    from caseload.careplans.models import Goal, Intervention, Problem
    from caseload.clients.models import Client
    from caseload.consents.models import Consent
    from caseload.enrolments.models import Enrolment
    from caseload.staff.models import User

R = ReferralStatus
A = AppointmentStatus

#: Every status a referral may move to from each status (reopening is separate).
REFERRAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    R.DRAFT: (R.SENT, R.CANCELLED),
    R.SENT: (R.RECEIVED, R.ACCEPTED, R.DECLINED, R.CANCELLED),
    R.RECEIVED: (R.ACCEPTED, R.DECLINED, R.CANCELLED),
    R.ACCEPTED: (R.SCHEDULED, R.CANCELLED),
    R.SCHEDULED: (R.COMPLETED, R.NO_SHOW, R.CANCELLED),
    R.DECLINED: (),
    R.COMPLETED: (),
    R.NO_SHOW: (),
    R.CANCELLED: (),
}

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


def allowed_referral_transitions(status: str) -> list[str]:
    """The statuses a referral in ``status`` may move to, in the machine's natural order."""
    return list(REFERRAL_TRANSITIONS.get(status, ()))


def referral_transition_refusal(from_status: str, to_status: str) -> str:
    """The message for a refused transition, naming the allowed ones."""
    current = R(from_status).label.lower() if from_status in R.values else from_status
    wanted = R(to_status).label.lower() if to_status in R.values else to_status
    allowed = allowed_referral_transitions(from_status)
    if not allowed:
        return (
            f"A referral that is {current} is closed and cannot become {wanted}. "
            "Reopen it (with a reason) to change it again."
        )
    options = or_list([R(s).label.lower() for s in allowed])
    return f"A referral that is {current} can only become {options}, not {wanted}."


def response_due_from(day: dt.date, urgency: str) -> dt.date:
    """The response deadline for a referral sent on ``day`` with ``urgency``."""
    return business_days.business_days_after(day, RESPONSE_BUSINESS_DAYS[urgency])


def _validate_referral_fields(
    *,
    client: Client,
    enrolment: Enrolment | None,
    service: Service | None,
    provider_name: str,
    reason: str,
    urgency: str,
    shared_fields: list[str],
    problem: Problem | None,
    goal: Goal | None,
    intervention: Intervention | None,
) -> None:
    errors: dict[str, list[str]] = {}
    _check_enrolment(errors, client, enrolment, required=True)
    if service is None and not provider_name:
        errors["service"] = ["Choose a service from the directory, or name another provider."]
    elif service is not None and provider_name:
        errors["provider_name"] = [
            "Choose a service from the directory or name another provider, not both."
        ]
    elif service is not None and not service.is_active:
        errors["service"] = ["That service is no longer listed in the directory."]
    if not reason:
        errors["reason"] = ["Say why you are referring the client."]
    if urgency not in Urgency.values:
        errors["urgency"] = ["Choose how soon the service should answer."]
    unknown = [key for key in shared_fields if key not in ShareField.values]
    if unknown:
        errors["shared_fields"] = ["Choose only from the listed items."]
    links = [link for link in (problem, goal, intervention) if link is not None]
    if len(links) > 1:
        errors["care_plan_link"] = ["Link the referral to one problem, goal or intervention."]
    elif links:
        link = links[0]
        if link.careplan.client_id != client.pk:
            errors["care_plan_link"] = ["Choose a problem, goal or intervention of this client."]
    _raise_if(errors)


def _record_event(
    referral: Referral, *, actor: User, kind: str, from_status: str, to_status: str, note: str
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        actor=actor,
        occurred_at=clock.now(),
    )


def referral_create(
    *,
    actor: User,
    client: Client,
    enrolment: Enrolment | None,
    reason: str,
    urgency: str,
    service: Service | None = None,
    provider_name: str = "",
    provider_contact: str = "",
    problem: Problem | None = None,
    goal: Goal | None = None,
    intervention: Intervention | None = None,
    shared_fields: list[str] | None = None,
) -> Referral:
    """A new draft referral from ``enrolment`` to a directory service or a named provider."""
    reason, provider_name = _clean(reason), _clean(provider_name)
    provider_contact = _clean(provider_contact)
    fields = list(dict.fromkeys(shared_fields or []))
    with transaction.atomic():
        client = _require_clinical_client(actor, client.pk)
        _validate_referral_fields(
            client=client,
            enrolment=enrolment,
            service=service,
            provider_name=provider_name,
            reason=reason,
            urgency=urgency,
            shared_fields=fields,
            problem=problem,
            goal=goal,
            intervention=intervention,
        )
        assert enrolment is not None  # noqa: S101 - checked above; narrows the type
        now = clock.now()
        referral = Referral.objects.create(
            client=client,
            enrolment=enrolment,
            service=service,
            provider_name=provider_name,
            provider_contact=provider_contact,
            reason=reason,
            problem=problem,
            goal=goal,
            intervention=intervention,
            urgency=urgency,
            shared_fields=fields,
            status=R.DRAFT,
            status_changed_at=now,
            created_by=actor,
        )
        _record_event(
            referral,
            actor=actor,
            kind=ReferralEvent.Kind.CREATED,
            from_status="",
            to_status=R.DRAFT,
            note="",
        )
        audit_record(actor=actor, action="referral.created", target=referral, client=client)
    return referral


def _lock_referral(actor: User, referral: Referral) -> Referral:
    policies.require_clinical(actor)
    policies.require_client(actor, referral.client_id)
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("client", "enrolment__care_manager", "service__organisation")
        .get(pk=referral.pk)
    )


def referral_update(
    *,
    actor: User,
    referral: Referral,
    expected_version: int | None,
    enrolment: Enrolment | None,
    reason: str,
    urgency: str,
    service: Service | None = None,
    provider_name: str = "",
    provider_contact: str = "",
    problem: Problem | None = None,
    goal: Goal | None = None,
    intervention: Intervention | None = None,
    shared_fields: list[str] | None = None,
) -> Referral:
    """Change a referral's details. Only a draft changes; Conflict once sent or when stale."""
    reason, provider_name = _clean(reason), _clean(provider_name)
    provider_contact = _clean(provider_contact)
    fields = list(dict.fromkeys(shared_fields or []))
    with transaction.atomic():
        locked = _lock_referral(actor, referral)
        _check_version(locked, expected_version, "referral")
        if locked.status != R.DRAFT:
            raise Conflict(
                f"This referral is {locked.get_status_display().lower()}: only a draft can be "
                "changed. Reopen it or make a new referral.",
                code="referral_not_draft",
            )
        _validate_referral_fields(
            client=locked.client,
            enrolment=enrolment,
            service=service,
            provider_name=provider_name,
            reason=reason,
            urgency=urgency,
            shared_fields=fields,
            problem=problem,
            goal=goal,
            intervention=intervention,
        )
        assert enrolment is not None  # noqa: S101 - checked above; narrows the type
        sharing_changed = fields != locked.shared_fields
        locked.enrolment = enrolment
        locked.service, locked.provider_name = service, provider_name
        locked.provider_contact, locked.reason, locked.urgency = provider_contact, reason, urgency
        locked.problem, locked.goal, locked.intervention = problem, goal, intervention
        locked.shared_fields = fields
        locked.version += 1
        locked.save(
            update_fields=[
                "enrolment",
                "service",
                "provider_name",
                "provider_contact",
                "reason",
                "urgency",
                "problem",
                "goal",
                "intervention",
                "shared_fields",
                "version",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action="referral.updated",
            target=locked,
            client=locked.client,
            detail={"sharing_changed": sharing_changed},
        )
    return locked


def _writeback_text(referral: Referral, headline: str, note: str) -> str:
    day = clock.today()
    text = f"{day:%d %b %Y}: referral to {referral.recipient_name} {headline}"
    return f"{text} — {note}" if note else text


def _write_back(*, actor: User, referral: Referral, text: str, completed: bool) -> str:
    """Append ``text`` to the linked goal's outcome (an intervention's goal for an intervention
    link); mark a linked intervention completed when the service was delivered.

    Returns what happened, for the referral page. The care plan's own rules apply (a closed plan
    does not change): then nothing is written and the reason is returned instead.
    """
    from caseload.careplans.models import Goal, Intervention, InterventionStatus
    from caseload.careplans.services import goal_record_outcome, intervention_update

    intervention_id, goal_id = referral.intervention_id, referral.goal_id
    try:
        if intervention_id is not None:
            intervention = Intervention.objects.select_related("goal").get(pk=intervention_id)
            goal = intervention.goal
            if completed and intervention.status not in (
                InterventionStatus.COMPLETED,
                InterventionStatus.CANCELLED,
            ):
                intervention_update(
                    actor=actor,
                    intervention=intervention,
                    expected_version=intervention.version,
                    description=intervention.description,
                    responsible=intervention.responsible,
                    frequency=intervention.frequency,
                    status=InterventionStatus.COMPLETED,
                )
        elif goal_id is not None:
            goal = Goal.objects.get(pk=goal_id)
        else:
            return ""
        goal_record_outcome(actor=actor, goal=goal, outcome_text=text)
    except AppError as error:
        return f"Not written to the care plan: {error.message}"
    where = f"goal “{goal.description}”"
    return f"Outcome recorded on the care plan {where}."


def referral_transition(
    *,
    actor: User,
    referral: Referral,
    to_status: str,
    expected_version: int | None,
    note: str = "",
    scheduled_for: dt.datetime | None = None,
) -> Referral:
    """Move a referral along its status machine; returns it updated.

    Conflict "transition_not_allowed" names the allowed statuses; Conflict "stale" when it
    changed since loaded; ValidationFailed for what the new status needs (consent before
    sending, a date for scheduled, an outcome for closing).
    """
    note = _clean(note)
    with transaction.atomic():
        locked = _lock_referral(actor, referral)
        _check_version(locked, expected_version, "referral")
        if to_status not in R.values:
            raise ValidationFailed(
                "Choose the new status.", field_errors={"to_status": ["Choose the new status."]}
            )
        from_status = locked.status
        if to_status not in allowed_referral_transitions(from_status):
            raise Conflict(
                referral_transition_refusal(from_status, to_status),
                code=TRANSITION_NOT_ALLOWED,
                params={
                    "from": from_status,
                    "to": to_status,
                    "allowed": allowed_referral_transitions(from_status),
                },
            )
        errors: dict[str, list[str]] = {}
        today = clock.today()
        now = clock.now()
        fields = ["status", "status_changed_at", "version", "updated_at"]
        if to_status == R.SENT:
            if not locked.shared_fields:
                errors["to_status"] = [
                    "Choose what the client agreed to share before sending the referral "
                    "(change the referral's details)."
                ]
            elif locked.service is not None and not locked.service.accepting_referrals:
                errors["to_status"] = [
                    f"{locked.service.name} is not accepting referrals at the moment."
                ]
            else:
                try:
                    locked.consent = referral_share_consent(locked)
                except ValidationFailed as refusal:
                    errors["to_status"] = [refusal.message]
            locked.sent_on = today
            locked.response_due_on = response_due_from(today, locked.urgency)
            fields += ["sent_on", "response_due_on", "consent"]
        if to_status == R.SCHEDULED:
            if scheduled_for is None:
                errors["scheduled_for"] = ["Enter when the service is booked to start."]
            locked.scheduled_for = scheduled_for
            fields.append("scheduled_for")
        closing = to_status in CLOSED_STATUSES
        if closing and not note:
            errors["note"] = [
                "Describe the outcome: it is kept with the referral and written to the care plan."
            ]
        _raise_if(errors)
        locked.status = to_status
        locked.status_changed_at = now
        if closing:
            locked.outcome_note = note
            locked.closed_at, locked.closed_by = now, actor
            fields += ["outcome_note", "closed_at", "closed_by"]
            if from_status != R.DRAFT:
                locked.writeback_note = _write_back(
                    actor=actor,
                    referral=locked,
                    text=_writeback_text(locked, R(to_status).label.lower(), note),
                    completed=to_status == R.COMPLETED,
                )
                fields.append("writeback_note")
        if from_status in AWAITING_RESPONSE and to_status not in AWAITING_RESPONSE:
            _close_task(
                actor=actor,
                task_id=locked.followup_task_id,
                outcome=f"The service answered: {R(to_status).label.lower()}.",
            )
        _save_status_change(
            locked,
            actor=actor,
            fields=fields,
            kind=ReferralEvent.Kind.STATUS,
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
    return locked


_AUDIT_ACTION: dict[str, str] = {
    ReferralEvent.Kind.STATUS: "referral.transitioned",
    ReferralEvent.Kind.REOPENED: "referral.reopened",
}


def _save_status_change(
    locked: Referral,
    *,
    actor: User,
    fields: list[str],
    kind: str,
    from_status: str,
    to_status: str,
    note: str,
) -> None:
    """Save a referral's new status with its history event and audit event (one transaction)."""
    locked.version += 1
    locked.save(update_fields=fields)
    _record_event(
        locked, actor=actor, kind=kind, from_status=from_status, to_status=to_status, note=note
    )
    audit_record(
        actor=actor,
        action=_AUDIT_ACTION[kind],
        target=locked,
        client=locked.client,
        detail={"from": from_status, "to": to_status},
    )


def referral_reopen(
    *, actor: User, referral: Referral, reason: str, expected_version: int | None
) -> Referral:
    """Reopen a closed referral (a reason is required): it returns to the status it was closed
    from; a response deadline starts again from today if it is back to awaiting an answer."""
    reason = _clean(reason)
    with transaction.atomic():
        locked = _lock_referral(actor, referral)
        _check_version(locked, expected_version, "referral")
        if locked.status not in CLOSED_STATUSES:
            raise Conflict(
                f"This referral is {locked.get_status_display().lower()}, not closed, so there is "
                "nothing to reopen.",
                code="referral_not_closed",
            )
        if not reason:
            raise ValidationFailed(
                "Say why the referral is reopened.",
                field_errors={"reason": ["Say why the referral is reopened."]},
            )
        closing_event = (
            locked.events.filter(kind=ReferralEvent.Kind.STATUS, to_status=locked.status)
            .order_by("-occurred_at", "-created_at")
            .first()
        )
        back_to = closing_event.from_status if closing_event else R.DRAFT
        from_status = locked.status
        today = clock.today()
        locked.status = back_to
        locked.status_changed_at = clock.now()
        locked.closed_at, locked.closed_by, locked.outcome_note = None, None, ""
        fields = [
            "status",
            "status_changed_at",
            "closed_at",
            "closed_by",
            "outcome_note",
            "version",
            "updated_at",
        ]
        if back_to in AWAITING_RESPONSE:
            locked.response_due_on = response_due_from(today, locked.urgency)
            locked.followup_task = None
            fields += ["response_due_on", "followup_task"]
        if back_to != R.DRAFT:  # a draft was never sent, so nothing was written back
            written = _write_back(
                actor=actor,
                referral=locked,
                text=_writeback_text(locked, "reopened", reason),
                completed=False,
            )
            if written:
                locked.writeback_note = written
                fields.append("writeback_note")
        _save_status_change(
            locked,
            actor=actor,
            fields=fields,
            kind=ReferralEvent.Kind.REOPENED,
            from_status=from_status,
            to_status=back_to,
            note=reason,
        )
    return locked


def referral_followups_create(*, actor: User) -> list[Referral]:
    """For each referral whose response deadline has passed with no answer and no follow-up
    task yet, create one (owned by the enrolment's care manager). Idempotent: run it as often as
    you like. ``actor`` is the system actor of the scheduled job; returns the referrals touched.
    """
    today = clock.today()
    touched: list[Referral] = []
    candidates = Referral.objects.filter(
        status__in=AWAITING_RESPONSE, response_due_on__lt=today, followup_task__isnull=True
    ).values_list("pk", flat=True)
    for referral_id in list(candidates):
        with transaction.atomic():
            locked = (
                Referral.objects.select_for_update(of=("self",))
                .select_related("client", "enrolment__care_manager", "service__organisation")
                .filter(
                    pk=referral_id,
                    status__in=AWAITING_RESPONSE,
                    response_due_on__lt=today,
                    followup_task__isnull=True,
                )
                .first()
            )
            if locked is None:  # answered or followed up meanwhile
                continue
            owner = _task_owner(locked.enrolment, locked.created_by)
            if not policies.is_clinical(owner):
                continue  # nobody active works the case; the worklist still shows it overdue
            assert locked.response_due_on is not None  # noqa: S101 - filtered above
            # task_create refuses the system actor (it is not clinical staff), so the task is
            # created in the owner's name; the audit event below records the job as its author.
            task = _create_task(
                actor=owner,
                client=locked.client,
                owner=owner,
                title=f"Chase referral: no answer from {locked.recipient_name}",
                due_on=today,
                priority=Priority.HIGH,
                description=(
                    f"The referral sent on {locked.sent_on:%d %b %Y} needed an answer by "
                    f"{locked.response_due_on:%d %b %Y}. Contact the service, then record its "
                    "answer on the referral."
                ),
                enrolment=locked.enrolment,
                goal=locked.goal,
            )
            locked.followup_task = task
            locked.save(update_fields=["followup_task", "updated_at"])
            _record_event(
                locked,
                actor=actor,
                kind=ReferralEvent.Kind.FOLLOWUP,
                from_status=locked.status,
                to_status=locked.status,
                note=f"No answer by {locked.response_due_on:%d %b %Y}: follow-up task for {owner}.",
            )
            audit_record(
                actor=actor,
                action="referral.followup_created",
                target=locked,
                client=locked.client,
                detail={"task": str(task.pk), "owner": owner.get_username()},
            )
            touched.append(locked)
    return touched


def referral_share_consent(referral: Referral) -> Consent:
    """The client's current consent to share the referral's items with its recipient.

    ValidationFailed when nothing is to be shared, when there is no current consent naming
    the recipient (none, revoked, expired or entered in error), or when the consent does not
    cover every item ticked; the message says which.
    """
    if not referral.shared_fields:
        raise ValidationFailed(
            "Choose what the client agreed to share (change the referral's details).",
            code="nothing_shared",
        )
    return require_share_with_provider(
        referral.client,
        referral.recipient_names,
        categories=share_categories(list(referral.shared_fields)),
        party=referral.recipient_name,
    )


def referral_record_letter(*, actor: User, referral: Referral) -> Consent:
    """Check a current consent still allows the letter, audit that it was produced, and return
    the consent. Conflict (code ``no_consent``) when no consent allows it now: a revocation
    takes effect at once, even for a referral already sent."""
    try:
        consent = referral_share_consent(referral)
    except ValidationFailed as refusal:
        raise Conflict(refusal.message, code="no_consent") from refusal
    audit_record(
        actor=actor,
        action="referral.letter_printed",
        target=referral,
        client=referral.client,
        detail={"shared": list(referral.shared_fields), "consent": str(consent.pk)},
    )
    return consent


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


def is_administrator(actor: Any) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and getattr(actor, "is_administrator", False)
    )


def require_administrator(actor: User) -> None:
    """Directory maintenance is for administrators; to anyone else the pages do not exist."""
    if not is_administrator(actor):
        raise NotFound("Not found.")


def directory_import_preview(
    *, actor: User, filename: str, content: str
) -> tuple[DirectoryImport, ImportReport]:
    """Keep an uploaded directory CSV, unapplied, with the report of what it would do."""
    require_administrator(actor)
    report = check_directory_csv(content)
    with transaction.atomic():
        upload = DirectoryImport.objects.create(
            uploaded_by=actor,
            filename=_clean(filename)[:255],
            content=content,
            summary=report.summary(),
        )
        audit_record(
            actor=actor,
            action="directory.import_checked",
            target=upload,
            detail={
                "add": report.to_add,
                "update": report.to_update,
                "rejected": len(report.rejected),
            },
        )
    return upload, report


def _pending_import(actor: User, import_id: Any) -> DirectoryImport:
    require_administrator(actor)
    try:
        return DirectoryImport.objects.select_for_update().get(
            pk=import_id, status=DirectoryImportStatus.PENDING
        )
    except (DirectoryImport.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        raise NotFound("That import is not waiting for confirmation.") from exc


def _apply_row(row: RowCheck) -> None:
    values = row.values
    organisation = ServiceOrganisation.objects.filter(name__iexact=row.organisation).first()
    if organisation is None:
        organisation = ServiceOrganisation.objects.create(
            name=row.organisation, website=values["website"]
        )
    elif values["website"] and organisation.website != values["website"]:
        organisation.website = values["website"]
        organisation.save(update_fields=["website", "updated_at"])
    fields = {
        "service_type": values["type"],
        "description": values["description"],
        "eligibility": values["eligibility"],
        "languages": values["languages"],
        "address_line": values["address"],
        "city": values["city"],
        "state": values["state"],
        "postal_code": values["postal_code"],
        "phone": values["phone"],
        "email": values["email"],
        "hours": values["hours"],
        "accepting_referrals": values["accepting_referrals"],
        "is_active": True,
    }
    service = Service.objects.filter(organisation=organisation, name__iexact=row.service).first()
    if service is None:
        Service.objects.create(organisation=organisation, name=row.service, **fields)
    else:
        for name, value in fields.items():
            setattr(service, name, value)
        service.save(update_fields=[*fields, "updated_at"])


def directory_import_apply(*, actor: User, import_id: Any) -> ImportReport:
    """Import a checked upload: each accepted row whole (its own transaction) or not at all.

    The file is checked again first, so the result reflects the directory as it is now.
    Rows rejected by the check are skipped; a row the database refuses is rolled back alone
    and reported.
    """
    with transaction.atomic():
        upload = _pending_import(actor, import_id)
        report = check_directory_csv(upload.content)
        if report.file_errors:
            raise ValidationFailed(report.file_errors[0], code="import_file_invalid")
        for row in report.accepted:
            try:
                with transaction.atomic():
                    _apply_row(row)
            except DatabaseError:
                row.action = Action.REJECT
                row.errors.append("The database refused this row; nothing of it was imported.")
        upload.status = DirectoryImportStatus.APPLIED
        upload.applied_at = clock.now()
        upload.summary = report.summary()
        upload.save(update_fields=["status", "applied_at", "summary", "updated_at"])
        audit_record(
            actor=actor,
            action="directory.imported",
            target=upload,
            detail={
                "add": report.to_add,
                "update": report.to_update,
                "rejected": len(report.rejected),
            },
        )
    return report


def directory_import_discard(*, actor: User, import_id: Any) -> None:
    """Throw away an upload that was checked but not imported."""
    with transaction.atomic():
        upload = _pending_import(actor, import_id)
        upload.status = DirectoryImportStatus.DISCARDED
        upload.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="directory.import_discarded", target=upload)
