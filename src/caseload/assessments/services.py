"""Writes for assessments: drafts, completion and scoring, the work flags create, score targets.

Completing a response, in one transaction: validate every answer against the definition, score
it, freeze the definition it was scored with, run the flag actions (PHQ-9 item 9 → an urgent
task due today for the care manager and a safety flag; positive HRSN domains → suggested referral
tasks; a positive STEADI screen → a suggested falls-prevention goal task), update goals that
target this instrument's score, and record the audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from caseload.access import policies
from caseload.assessments import catalogue
from caseload.assessments.definitions import (
    FlagResult,
    Instrument,
    clean_answers,
    missing_required,
    score_answers,
)
from caseload.assessments.models import (
    AssessmentResponse,
    Comparator,
    GoalScoreTarget,
    InstrumentDefinition,
    ReassessmentSchedule,
    ResponseStatus,
)
from caseload.audit.services import audit_record
from caseload.careplans.models import Goal, GoalStatus
from caseload.careplans.services import goal_record_outcome
from caseload.clients.models import FlagKind
from caseload.clients.selectors import active_safety_flag
from caseload.clients.services import flag_raise
from caseload.core import clock
from caseload.core.errors import AppError, Conflict, NotFound, ValidationFailed, VersionConflict
from caseload.enrolments.models import Enrolment, EnrolmentStatus
from caseload.enrolments.selectors import open_enrolments_for
from caseload.tasks.models import Priority
from caseload.tasks.services import task_create

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User

STALE = "stale"
NOT_DRAFT = "not_draft"
DRAFT_EXISTS = "draft_exists"
INCOMPLETE = "incomplete"
UNKNOWN_INSTRUMENT = "unknown_instrument"

REFERRAL_DUE_DAYS = 7
OLDEST_ASSESSMENT_DAYS = 366


class IncompleteResponse(ValidationFailed):
    """Completion refused because questions are unanswered; the draft was saved first."""

    default_code = INCOMPLETE

    def __init__(self, message: str, *, response: AssessmentResponse, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.response = response


def _instrument(code: str) -> Instrument:
    instrument = catalogue.get(code)
    if instrument is None:
        message = "Choose one of the instruments offered."
        raise ValidationFailed(
            message, code=UNKNOWN_INSTRUMENT, field_errors={"instrument": [message]}
        )
    return instrument


def _check_assessed_on(assessed_on: dt.date | None) -> dict[str, list[str]]:
    if assessed_on is None:
        return {}
    today = clock.today()
    if assessed_on > today:
        return {"assessed_on": ["The date given cannot be in the future."]}
    if (today - assessed_on).days > OLDEST_ASSESSMENT_DAYS:
        return {"assessed_on": ["The date given must be within the last year."]}
    return {}


def enrolment_for(actor: User, client: Client, instrument_code: str) -> Enrolment | None:
    """The open enrolment a response belongs to: one whose program schedules this instrument,
    else an active one, else any open one (newest referral first)."""
    enrolments = open_enrolments_for(actor=actor, client=client)
    if not enrolments:
        return None
    scheduled = set(
        ReassessmentSchedule.objects.filter(
            program_id__in=[e.program_id for e in enrolments],
            instrument_code=instrument_code,
            is_active=True,
        ).values_list("program_id", flat=True)
    )
    return sorted(
        enrolments,
        key=lambda e: (e.program_id not in scheduled, e.status != EnrolmentStatus.ACTIVE),
    )[0]


def _lock_response(actor: User, response: AssessmentResponse) -> AssessmentResponse:
    policies.require_clinical(actor)
    if not policies.client_in_scope(actor, response.client_id):
        raise NotFound("Assessment not found.")
    return (
        AssessmentResponse.objects.select_for_update(of=("self",))
        .select_related("client", "enrolment__care_manager", "enrolment__program")
        .get(pk=response.pk)
    )


def _require_draft(response: AssessmentResponse) -> None:
    if not response.is_draft:
        raise Conflict(
            f"This assessment is already {response.get_status_display().lower()} and can no "
            "longer change.",
            code=NOT_DRAFT,
            params={"status": response.status},
        )


def _check_version(response: AssessmentResponse, expected_version: int | None) -> None:
    if expected_version is not None and response.version != expected_version:
        raise VersionConflict(
            "Someone else saved answers to this assessment since you opened it.",
            code=STALE,
            current_version=response.version,
        )


def response_save_draft(
    *,
    actor: User,
    client: Client,
    instrument_code: str,
    answers: Mapping[str, Any],
    response: AssessmentResponse | None = None,
    expected_version: int | None = None,
    assessed_on: dt.date | None = None,
) -> AssessmentResponse:
    """Save a partial response (new draft, or update the given draft); returns it.

    Answers outside the defined options are refused (ValidationFailed, errors keyed by linkId);
    nothing is required yet. Raises NotFound (client out of scope), Conflict (stale version,
    already completed, or another draft of this instrument exists for the client).
    """
    instrument = _instrument(instrument_code)
    clean, errors = clean_answers(instrument, answers, complete=False)
    errors.update(_check_assessed_on(assessed_on))
    with transaction.atomic():
        policies.require_clinical(actor)
        client = policies.require_client(actor, client.pk)
        if errors:
            raise ValidationFailed("Check the answers marked below.", field_errors=errors)
        if response is None:
            draft = AssessmentResponse(
                client=client,
                enrolment=enrolment_for(actor, client, instrument.code),
                instrument_code=instrument.code,
                instrument_version=instrument.version,
                answers=clean,
                assessed_on=assessed_on,
                started_by=actor,
            )
            try:
                with transaction.atomic():
                    draft.save(force_insert=True)
            except IntegrityError as exc:
                existing = AssessmentResponse.objects.filter(
                    client_id=client.pk,
                    instrument_code=instrument.code,
                    status=ResponseStatus.DRAFT,
                ).first()
                raise Conflict(
                    f"A {instrument.short_name} for {client.full_name} is already in progress.",
                    code=DRAFT_EXISTS,
                    params={"response_id": str(existing.pk) if existing else ""},
                ) from exc
            audit_record(
                actor=actor,
                action="assessment.started",
                target=draft,
                client=client,
                detail={"instrument": instrument.code, "answered": len(clean)},
            )
            return draft
        if response.client_id != client.pk or response.instrument_code != instrument.code:
            raise NotFound("Assessment not found.")
        locked = _lock_response(actor, response)
        _require_draft(locked)
        _check_version(locked, expected_version)
        locked.answers = clean
        locked.assessed_on = assessed_on
        locked.instrument_version = instrument.version
        locked.version += 1
        locked.save(
            update_fields=["answers", "assessed_on", "instrument_version", "version", "updated_at"]
        )
        audit_record(
            actor=actor,
            action="assessment.draft_saved",
            target=locked,
            client=locked.client,
            detail={"instrument": instrument.code, "answered": len(clean)},
        )
        return locked


def _definition_row(instrument: Instrument) -> InstrumentDefinition:
    row, _ = InstrumentDefinition.objects.get_or_create(
        code=instrument.code,
        sha256=instrument.sha256,
        defaults={"version": instrument.version, "content": dict(instrument.raw)},
    )
    return row


def response_complete(
    *,
    actor: User,
    response: AssessmentResponse,
    expected_version: int | None,
    assessed_on: dt.date | None = None,
) -> AssessmentResponse:
    """Complete a draft: score it, store the scores with the definition, create the work its
    flags call for, update score goals. Returns the completed response.

    Raises ValidationFailed (unanswered questions, code "incomplete"; answers no longer valid),
    Conflict (stale, not a draft), NotFound.
    """
    with transaction.atomic():
        locked = _lock_response(actor, response)
        _require_draft(locked)
        _check_version(locked, expected_version)
        instrument = _instrument(locked.instrument_code)
        clean, errors = clean_answers(instrument, locked.answers, complete=True)
        day = assessed_on or locked.assessed_on or clock.today()
        errors.update(_check_assessed_on(day))
        if errors:
            missing = missing_required(instrument, locked.answers)
            if missing:
                count = len(missing)
                message = (
                    f"Answer every question before completing: {count} "
                    f"{'question is' if count == 1 else 'questions are'} unanswered. "
                    "Your answers are saved as a draft."
                )
                raise ValidationFailed(message, code=INCOMPLETE, field_errors=errors)
            raise ValidationFailed("Check the answers marked below.", field_errors=errors)
        score = score_answers(instrument, clean)
        now = clock.now()
        locked.answers = clean
        locked.status = ResponseStatus.COMPLETED
        locked.instrument_version = instrument.version
        locked.definition = _definition_row(instrument)
        locked.assessed_on = day
        locked.completed_by = actor
        locked.completed_at = now
        locked.total = score.total
        locked.subscales = score.subscales
        locked.domains = score.domains
        locked.band_code = score.band.code if score.band else ""
        locked.band_label = score.band.label if score.band else ""
        locked.band_level = score.band.level if score.band else ""
        locked.flags = [flag.as_dict() for flag in score.flags]
        locked.actions = []
        for flag in score.flags:
            locked.actions += _run_action(actor, locked, instrument, flag)
        locked.version += 1
        locked.save(
            update_fields=[
                "answers",
                "status",
                "instrument_version",
                "definition",
                "assessed_on",
                "completed_by",
                "completed_at",
                "total",
                "subscales",
                "domains",
                "band_code",
                "band_label",
                "band_level",
                "flags",
                "actions",
                "version",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action="assessment.completed",
            target=locked,
            client=locked.client,
            detail={
                "instrument": instrument.code,
                "version": instrument.version,
                "total": score.total,
                "band": locked.band_code,
                "flags": [f.code for f in score.flags],
            },
        )
        if score.total is not None:
            _update_score_goals(actor, locked, instrument)
    return locked


def response_submit(
    *,
    actor: User,
    client: Client,
    instrument_code: str,
    answers: Mapping[str, Any],
    response: AssessmentResponse | None = None,
    expected_version: int | None = None,
    complete: bool = False,
    assessed_on: dt.date | None = None,
) -> AssessmentResponse:
    """Save the answers as a draft and, with ``complete``, complete it. The draft is committed
    first, so a refused completion loses nothing: IncompleteResponse carries the saved draft."""
    draft = response_save_draft(
        actor=actor,
        client=client,
        instrument_code=instrument_code,
        answers=answers,
        response=response,
        expected_version=expected_version,
        assessed_on=assessed_on,
    )
    if not complete:
        return draft
    try:
        return response_complete(
            actor=actor, response=draft, expected_version=draft.version, assessed_on=assessed_on
        )
    except ValidationFailed as error:
        raise IncompleteResponse(
            error.message,
            response=draft,
            code=error.code,
            params=error.params,
            field_errors=error.field_errors,
        ) from error


def response_enter_in_error(
    *, actor: User, response: AssessmentResponse, expected_version: int | None, reason: str
) -> AssessmentResponse:
    """Mark a response (draft or completed) as entered in error, with the reason; nothing is
    deleted, and it no longer counts in trends, schedules or the registry."""
    reason = (reason or "").strip()
    if "\x00" in reason:
        message = "Remove the invalid control character from this text."
        raise ValidationFailed(message, field_errors={"reason": [message]})
    if not reason:
        message = "Say why this assessment was entered in error."
        raise ValidationFailed(message, field_errors={"reason": [message]})
    with transaction.atomic():
        locked = _lock_response(actor, response)
        if locked.status == ResponseStatus.ENTERED_IN_ERROR:
            raise Conflict("This assessment is already marked as entered in error.", code=NOT_DRAFT)
        _check_version(locked, expected_version)
        previous = locked.status
        locked.status = ResponseStatus.ENTERED_IN_ERROR
        locked.version += 1
        locked.save(update_fields=["status", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="assessment.entered_in_error",
            target=locked,
            client=locked.client,
            detail={"instrument": locked.instrument_code, "was": previous, "reason": reason},
        )
    return locked


# ---------------------------------------------------------------------------------------------
# The work flags create


def _work_owner(actor: User, response: AssessmentResponse) -> User:
    """The care manager on the response's enrolment, if they can take it; else the actor."""
    enrolment = response.enrolment
    if enrolment is not None:
        manager = enrolment.care_manager
        if policies.is_clinical(manager):
            return manager
    return actor


def _date_label(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _run_action(
    actor: User, response: AssessmentResponse, instrument: Instrument, flag: FlagResult
) -> list[dict[str, Any]]:
    if not flag.action or response.assessed_on is None:
        return []
    client = response.client
    owner = _work_owner(actor, response)
    today = clock.today()
    when = _date_label(response.assessed_on)
    score = f"{response.total}" if response.total is not None else "no total"
    done: list[dict[str, Any]] = []
    if flag.action == "safety_follow_up":
        task = task_create(
            actor=actor,
            client=client,
            title=f"Safety follow-up today: {instrument.short_name} {when}",
            owner=owner,
            due_on=today,
            priority=Priority.URGENT,
            description=(
                f"{instrument.short_name} given on {when} scored {score}"
                f"{f' ({response.band_label.lower()})' if response.band_label else ''}. "
                f"{flag.label}. Follow the safety protocol today, document it, and resolve the "
                "safety flag with a note."
            ),
            enrolment=response.enrolment,
        )
        done.append({"kind": "task", "id": str(task.pk), "title": task.title})
        existing = active_safety_flag(actor=actor, client=client)
        if existing is None:
            raised = flag_raise(
                actor=actor,
                client=client,
                kind=FlagKind.SAFETY,
                description=f"{instrument.short_name} on {when}: {flag.label}"[:300],
            )
            done.append({"kind": "flag", "id": str(raised.pk), "title": raised.description})
        else:
            done.append(
                {
                    "kind": "flag",
                    "id": str(existing.pk),
                    "title": existing.description,
                    "existing": True,
                }
            )
    elif flag.action == "referral":
        task = task_create(
            actor=actor,
            client=client,
            title=(
                f"Suggested referral: {flag.domain or flag.label} ({instrument.short_name} {when})"
            ),
            owner=owner,
            due_on=today + dt.timedelta(days=REFERRAL_DUE_DAYS),
            priority=Priority.URGENT if flag.level == "urgent" else Priority.NORMAL,
            description=f"{flag.label}. Discuss a referral with the client and record it.",
            enrolment=response.enrolment,
        )
        done.append({"kind": "task", "id": str(task.pk), "title": task.title})
    elif flag.action == "falls_prevention_goal":
        task = task_create(
            actor=actor,
            client=client,
            title=f"Consider a falls-prevention goal ({instrument.short_name} {score} on {when})",
            owner=owner,
            due_on=today + dt.timedelta(days=REFERRAL_DUE_DAYS),
            priority=Priority.HIGH,
            description=(
                f'{flag.label}. Suggested goal: "No falls in the next three months", with '
                "interventions such as a home safety check, a strength and balance program and a "
                "medication review. Add it to the care plan with the client if they agree."
            ),
            enrolment=response.enrolment,
        )
        done.append({"kind": "task", "id": str(task.pk), "title": task.title, "suggestion": "goal"})
    return done


# ---------------------------------------------------------------------------------------------
# Goals that target a score


def _update_score_goals(actor: User, response: AssessmentResponse, instrument: Instrument) -> None:
    if response.total is None or response.assessed_on is None:
        return
    targets = (
        GoalScoreTarget.objects.select_for_update()
        .filter(goal__careplan__client_id=response.client_id, instrument_code=instrument.code)
        .select_related("goal")
    )
    for target in targets:
        if target.latest_on is not None and target.latest_on > response.assessed_on:
            continue  # an older assessment entered late does not overwrite newer progress
        target.latest_score = response.total
        target.latest_on = response.assessed_on
        target.latest_response = response
        fields = ["latest_score", "latest_on", "latest_response", "updated_at"]
        newly_met = target.met_on is None and target.is_met_by(response.total)
        if newly_met:
            target.met_on = response.assessed_on
            fields.append("met_on")
        target.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="assessment.goal_progress",
            target=target,
            client=response.client,
            detail={"goal": str(target.goal_id), "score": response.total, "met": newly_met},
        )
        goal = target.goal
        if newly_met and goal.status in (GoalStatus.ACTIVE, GoalStatus.PROPOSED):
            _mark_goal_achieved(actor, goal, target, instrument, response)


def _mark_goal_achieved(
    actor: User,
    goal: Goal,
    target: GoalScoreTarget,
    instrument: Instrument,
    response: AssessmentResponse,
) -> None:
    """Mark the goal achieved through the care plan's own service; if the plan cannot change
    (closed, discharged), the progress stays recorded on the target alone."""
    if response.assessed_on is None:
        return
    line = (
        f"Target met: {instrument.short_name} {response.total} on "
        f"{_date_label(response.assessed_on)} (target {target.get_comparator_display()} "
        f"{target.target_score})."
    )
    try:
        goal_record_outcome(actor=actor, goal=goal, outcome_text=line, status=GoalStatus.ACHIEVED)
    except AppError:
        return


def goal_target_set(
    *, actor: User, goal: Goal, instrument_code: str, comparator: str, target_score: int | None
) -> GoalScoreTarget:
    """Make a care plan goal measured by an instrument's total; returns the target.

    Progress starts from the client's latest completed score. Raises NotFound, ValidationFailed.
    """
    errors: dict[str, list[str]] = {}
    instrument = catalogue.get(instrument_code)
    if instrument is None or not instrument.has_total or instrument.range is None:
        errors["instrument"] = ["Choose an instrument that has a total score."]
    if comparator not in Comparator.values:
        errors["comparator"] = ["Choose how the score should compare with the target."]
    if target_score is None:
        errors["target_score"] = ["Enter the target score."]
    elif instrument is not None and instrument.range is not None:
        low, high = instrument.range
        if not low <= target_score <= high:
            errors["target_score"] = [f"Enter a score between {low} and {high}."]
    with transaction.atomic():
        policies.require_clinical(actor)
        policies.require_client(actor, goal.careplan.client_id)
        if errors or instrument is None or target_score is None:
            raise ValidationFailed("Check the target.", field_errors=errors)
        latest = (
            AssessmentResponse.objects.filter(
                client_id=goal.careplan.client_id,
                instrument_code=instrument.code,
                status=ResponseStatus.COMPLETED,
            )
            .order_by("-assessed_on", "-completed_at")
            .first()
        )
        target, created = GoalScoreTarget.objects.select_for_update().get_or_create(
            goal=goal,
            defaults={
                "instrument_code": instrument.code,
                "comparator": comparator,
                "target_score": target_score,
                "set_by": actor,
            },
        )
        target.instrument_code = instrument.code
        target.comparator = comparator
        target.target_score = target_score
        target.set_by = actor
        target.latest_response = latest
        target.latest_score = latest.total if latest else None
        target.latest_on = latest.assessed_on if latest else None
        target.met_on = None
        target.save()
        audit_record(
            actor=actor,
            action="assessment.goal_target_set",
            target=target,
            client=goal.careplan.client,
            detail={
                "goal": str(goal.pk),
                "instrument": instrument.code,
                "comparator": comparator,
                "target": target_score,
                "created": created,
            },
        )
    return target
