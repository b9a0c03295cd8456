"""Writes for referrals: create, change a draft, move along the closed loop, reopen, chase an
unanswered one, print the letter.

Referral status machine (closed loop):

    draft     → sent | cancelled
    sent      → received | accepted | declined | cancelled
    received  → accepted | declined | cancelled
    accepted  → scheduled | cancelled
    scheduled → completed | no_show | cancelled
    declined, completed, no_show, cancelled: closed — only "reopen" (with a reason) leaves them,
    and it returns the referral to the status it was closed from.

A service may answer a sent referral with its decision straight away, so "received" may be
skipped. A referral is sent, and its letter printed, only under the client's current consent to
share with the recipient (consents.services.require_share_with_provider).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.careplans.models import Goal, Intervention, InterventionStatus
from caseload.careplans.selectors import goal_get, intervention_get
from caseload.careplans.services import goal_record_outcome, intervention_update
from caseload.consents.services import require_share_with_provider
from caseload.core import business_days, clock
from caseload.core.errors import (
    TRANSITION_NOT_ALLOWED,
    AppError,
    Conflict,
    ValidationFailed,
    check_version,
    raise_if_invalid,
)
from caseload.core.text import clean, or_list
from caseload.enrolments.services import check_enrolment_choice
from caseload.referrals.models import (
    AWAITING_RESPONSE,
    CLOSED_STATUSES,
    RESPONSE_BUSINESS_DAYS,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ShareField,
    Urgency,
    share_categories,
)
from caseload.tasks.models import Priority
from caseload.tasks.services import task_close_if_open, task_create_for_record, task_owner_for

if TYPE_CHECKING:
    from caseload.careplans.models import Problem
    from caseload.clients.models import Client
    from caseload.consents.models import Consent
    from caseload.directory.models import Service
    from caseload.enrolments.models import Enrolment
    from caseload.staff.models import User

R = ReferralStatus


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
    check_enrolment_choice(errors, client, enrolment, required=True)
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
    raise_if_invalid(errors)


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
    reason, provider_name = clean(reason), clean(provider_name)
    provider_contact = clean(provider_contact)
    fields = list(dict.fromkeys(shared_fields or []))
    with transaction.atomic():
        client = policies.require_clinical_client(actor, client.pk)
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
    expected_version: int,
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
    """Change a referral's details. Only a draft changes: Conflict once sent; VersionConflict
    when someone saved it since ``expected_version``."""
    reason, provider_name = clean(reason), clean(provider_name)
    provider_contact = clean(provider_contact)
    fields = list(dict.fromkeys(shared_fields or []))
    with transaction.atomic():
        locked = _lock_referral(actor, referral)
        check_version(locked, expected_version, "referral")
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
    intervention_id, goal_id = referral.intervention_id, referral.goal_id
    try:
        if intervention_id is not None:
            intervention = intervention_get(actor=actor, intervention_id=intervention_id)
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
            goal = goal_get(actor=actor, goal_id=goal_id)
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
    expected_version: int,
    note: str = "",
    scheduled_for: dt.datetime | None = None,
) -> Referral:
    """Move a referral along its status machine; returns it updated.

    Conflict "transition_not_allowed" names the allowed statuses; VersionConflict when it
    changed since loaded; ValidationFailed for what the new status needs (consent before
    sending, a date for scheduled, an outcome for closing).
    """
    note = clean(note)
    with transaction.atomic():
        locked = _lock_referral(actor, referral)
        check_version(locked, expected_version, "referral")
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
        raise_if_invalid(errors)
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
            task_close_if_open(
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
    *, actor: User, referral: Referral, reason: str, expected_version: int
) -> Referral:
    """Reopen a closed referral (a reason is required): it returns to the status it was closed
    from; a response deadline starts again from today if it is back to awaiting an answer."""
    reason = clean(reason)
    with transaction.atomic():
        locked = _lock_referral(actor, referral)
        check_version(locked, expected_version, "referral")
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
            owner = task_owner_for(locked.enrolment, locked.created_by)
            if not policies.is_clinical(owner):
                continue  # nobody active works the case; the worklist still shows it overdue
            assert locked.response_due_on is not None  # noqa: S101 - filtered above
            # task_create refuses the system actor (it is not clinical staff), so the task is
            # created in the owner's name; the audit event below records the job as its author.
            task = task_create_for_record(
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
