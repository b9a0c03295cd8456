"""Writes for care plans: the working copy, publishing versions, and the supervisor's co-sign.

Every change to a problem, goal or intervention is a change to the plan's working copy: it marks
the plan as having unpublished changes and bumps the plan's version, so a publish form loaded
before the change is refused as stale rather than publishing something its author never saw.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch

from caseload.access.cosign import NOT_PENDING as NOT_PENDING  # a conflict code callers read
from caseload.access.cosign import cosign_approve, cosign_request, cosign_return
from caseload.access.policies import client_scope, require_client
from caseload.audit.services import audit_record
from caseload.careplans.models import (
    AgreementBy,
    CarePlan,
    CarePlanStatus,
    CarePlanVersion,
    CosignStatus,
    ExpressedBy,
    Goal,
    GoalStatus,
    Intervention,
    InterventionStatus,
    Problem,
    ProblemStatus,
)
from caseload.core import clock
from caseload.core.errors import Conflict, NotFound, ValidationFailed, VersionConflict
from caseload.enrolments.models import Enrolment
from caseload.enrolments.services import enrolment_lock

if TYPE_CHECKING:
    from caseload.staff.models import User

# Conflict codes. STALE is the optimistic-lock conflict (someone saved first); the others are
# states that forbid the change, whatever the form said.
STALE = "stale"
PLAN_EXISTS = "plan_exists"
ENROLMENT_CLOSED = "enrolment_closed"
PLAN_LOCKED = "plan_locked"
COSIGN_PENDING = "cosign_pending"
NO_SUPERVISOR = "no_supervisor"


# ---------------------------------------------------------------------------------------------
# Helpers


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _require_text(errors: dict[str, list[str]], field: str, value: str, message: str) -> None:
    if not value:
        errors.setdefault(field, []).append(message)


def _require_choice(
    errors: dict[str, list[str]], field: str, value: str, choices: Any, message: str
) -> None:
    if value not in choices.values:
        errors.setdefault(field, []).append(message)


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed("Check the details you entered.", field_errors=errors)


def _check_version(record: Any, expected_version: int, what: str) -> None:
    if record.version != expected_version:
        raise VersionConflict(
            f"This {what} was changed by someone else since you opened it.",
            code=STALE,
            current_version=record.version,
        )


def _lock_plan(actor: User, plan_id: Any) -> CarePlan:
    """The plan, row-locked, if ``actor`` may see its client; NotFound otherwise."""
    try:
        plan = (
            CarePlan.objects.select_for_update(of=("self",))
            .select_related("enrolment", "client")
            .filter(client__in=client_scope(actor))
            .get(pk=plan_id)
        )
    except CarePlan.DoesNotExist as exc:
        raise NotFound("Care plan not found.") from exc
    return plan


def _require_editable(plan: CarePlan) -> None:
    if plan.status == CarePlanStatus.CLOSED:
        raise Conflict("This care plan is closed and can no longer change.", code=PLAN_LOCKED)
    if not plan.enrolment.is_open:
        raise Conflict(
            "The enrolment this plan belongs to has been discharged, so the plan can no longer "
            "change.",
            code=PLAN_LOCKED,
        )


def _lock_editable_plan(actor: User, plan_id: Any) -> CarePlan:
    plan = _lock_plan(actor, plan_id)
    _require_editable(plan)
    return plan


def _mark_changed(plan: CarePlan) -> None:
    plan.has_unpublished_changes = True
    plan.version += 1
    plan.save(update_fields=["has_unpublished_changes", "version", "updated_at"])


def _validate_plan_header(
    *, title: str, review_due: dt.date | None, review_due_changed: bool
) -> None:
    errors: dict[str, list[str]] = {}
    _require_text(errors, "title", title, "Enter a title for the plan.")
    if review_due is not None and review_due_changed and review_due < clock.today():
        errors.setdefault("review_due", []).append("The review date must be today or later.")
    _raise_if(errors)


# ---------------------------------------------------------------------------------------------
# The plan


def careplan_create(
    *,
    actor: User,
    enrolment: Enrolment,
    title: str,
    review_due: dt.date | None,
    participants: str = "",
) -> CarePlan:
    """A new draft plan for an open enrolment in ``actor``'s scope; Conflict if one exists."""
    title, participants = _clean(title), _clean(participants)
    with transaction.atomic():
        client = require_client(actor, enrolment.client_id)
        enrolment = enrolment_lock(enrolment)
        if not enrolment.is_open:
            raise Conflict(
                "This enrolment has been discharged, so it cannot get a new care plan. "
                "Re-enrol the client in the program first.",
                code=ENROLMENT_CLOSED,
            )
        if CarePlan.objects.filter(enrolment=enrolment).exists():
            raise Conflict(
                f"The {enrolment.program.name} enrolment already has a care plan.",
                code=PLAN_EXISTS,
            )
        _validate_plan_header(title=title, review_due=review_due, review_due_changed=True)
        try:
            with transaction.atomic():
                plan = CarePlan.objects.create(
                    enrolment=enrolment,
                    client=client,
                    title=title,
                    review_due=review_due,
                    participants=participants,
                    author=actor,
                    status=CarePlanStatus.DRAFT,
                    has_unpublished_changes=True,
                )
        except IntegrityError as exc:  # another request created it between our check and insert
            raise Conflict(
                f"The {enrolment.program.name} enrolment already has a care plan.",
                code=PLAN_EXISTS,
            ) from exc
        audit_record(
            actor=actor,
            action="careplan.created",
            target=plan,
            client=client,
            detail={"enrolment": str(enrolment.pk)},
        )
    return plan


def careplan_update(
    *,
    actor: User,
    plan: CarePlan,
    expected_version: int,
    title: str,
    review_due: dt.date | None,
    participants: str,
    agreed_by: str,
    agreed_on: dt.date | None,
) -> CarePlan:
    """Change the plan's header (title, review date, participants, agreement); returns it."""
    title, participants, agreed_by = _clean(title), _clean(participants), _clean(agreed_by)
    with transaction.atomic():
        locked = _lock_editable_plan(actor, plan.pk)
        _check_version(locked, expected_version, "care plan")
        _validate_plan_header(
            title=title, review_due=review_due, review_due_changed=review_due != locked.review_due
        )
        errors: dict[str, list[str]] = {}
        if agreed_by not in AgreementBy.values:
            errors["agreed_by"] = ["Choose who agreed to the plan."]
        elif agreed_by and agreed_on is None:
            errors["agreed_on"] = ["Enter the date the plan was agreed."]
        elif not agreed_by and agreed_on is not None:
            errors["agreed_by"] = ["Choose who agreed to the plan, or clear the date."]
        if agreed_on is not None and agreed_on > clock.today():
            errors.setdefault("agreed_on", []).append("The agreement date cannot be in the future.")
        _raise_if(errors)
        locked.title = title
        locked.review_due = review_due
        locked.participants = participants
        locked.agreed_by = agreed_by
        locked.agreed_on = agreed_on
        locked.has_unpublished_changes = True
        locked.version += 1
        locked.save(
            update_fields=[
                "title",
                "review_due",
                "participants",
                "agreed_by",
                "agreed_on",
                "has_unpublished_changes",
                "version",
                "updated_at",
            ]
        )
        audit_record(actor=actor, action="careplan.updated", target=locked, client=locked.client)
    return locked


# ---------------------------------------------------------------------------------------------
# Problems, goals, interventions (the working copy)


def _validate_problem(description: str, status: str) -> None:
    errors: dict[str, list[str]] = {}
    _require_text(errors, "description", description, "Describe the problem or need.")
    _require_choice(errors, "status", status, ProblemStatus, "Choose the problem's status.")
    _raise_if(errors)


def problem_add(*, actor: User, plan: CarePlan, description: str, detail: str = "") -> Problem:
    """Add a problem or need to the plan's working copy; returns it."""
    description, detail = _clean(description), _clean(detail)
    with transaction.atomic():
        locked = _lock_editable_plan(actor, plan.pk)
        _validate_problem(description, ProblemStatus.ACTIVE)
        problem = Problem.objects.create(careplan=locked, description=description, detail=detail)
        _mark_changed(locked)
        audit_record(
            actor=actor, action="careplan.problem_added", target=problem, client=locked.client
        )
    return problem


def problem_update(
    *,
    actor: User,
    problem: Problem,
    expected_version: int,
    description: str,
    detail: str,
    status: str,
) -> Problem:
    """Change a problem; Conflict if it changed since ``expected_version``."""
    description, detail = _clean(description), _clean(detail)
    with transaction.atomic():
        locked = _lock_editable_plan(actor, problem.careplan_id)
        current = Problem.objects.select_for_update().get(pk=problem.pk)
        _check_version(current, expected_version, "problem")
        _validate_problem(description, status)
        current.description, current.detail, current.status = description, detail, status
        current.version += 1
        current.save(update_fields=["description", "detail", "status", "version", "updated_at"])
        _mark_changed(locked)
        audit_record(
            actor=actor, action="careplan.problem_updated", target=current, client=locked.client
        )
    return current


def _validate_goal(
    *,
    description: str,
    measure: str,
    target_value: str,
    target_date: dt.date | None,
    target_date_changed: bool,
    status: str,
    expressed_by: str,
) -> dt.date:
    """Check a goal is measurable (measure, target, date); returns the target date."""
    errors: dict[str, list[str]] = {}
    _require_text(errors, "description", description, "Describe the goal in the client's words.")
    _require_text(
        errors, "measure", measure, "Say what will be measured, so everyone can tell progress."
    )
    _require_text(errors, "target_value", target_value, "Enter the target to reach.")
    if target_date is None:
        errors["target_date"] = ["Enter the date the goal should be reached by."]
    elif target_date_changed and target_date < clock.today():
        errors["target_date"] = ["The target date must be today or later."]
    _require_choice(errors, "status", status, GoalStatus, "Choose the goal's status.")
    _require_choice(
        errors, "expressed_by", expressed_by, ExpressedBy, "Choose who expressed this goal."
    )
    if errors or target_date is None:
        raise ValidationFailed("Check the details you entered.", field_errors=errors)
    return target_date


def goal_add(
    *,
    actor: User,
    problem: Problem,
    description: str,
    measure: str,
    target_value: str,
    target_date: dt.date | None,
    expressed_by: str,
    status: str = GoalStatus.ACTIVE,
    outcome_note: str = "",
) -> Goal:
    """Add a measurable goal under a problem; the target date may not be in the past."""
    description, measure, target_value = _clean(description), _clean(measure), _clean(target_value)
    outcome_note = _clean(outcome_note)
    with transaction.atomic():
        locked = _lock_editable_plan(actor, problem.careplan_id)
        target_date = _validate_goal(
            description=description,
            measure=measure,
            target_value=target_value,
            target_date=target_date,
            target_date_changed=True,
            status=status,
            expressed_by=expressed_by,
        )
        goal = Goal.objects.create(
            careplan=locked,
            problem_id=problem.pk,
            description=description,
            measure=measure,
            target_value=target_value,
            target_date=target_date,
            status=status,
            expressed_by=expressed_by,
            outcome_note=outcome_note,
        )
        _mark_changed(locked)
        audit_record(actor=actor, action="careplan.goal_added", target=goal, client=locked.client)
    return goal


def goal_update(
    *,
    actor: User,
    goal: Goal,
    expected_version: int,
    description: str,
    measure: str,
    target_value: str,
    target_date: dt.date | None,
    status: str,
    expressed_by: str,
    outcome_note: str,
) -> Goal:
    """Change a goal; a changed target date may not be in the past. Conflict if stale."""
    description, measure, target_value = _clean(description), _clean(measure), _clean(target_value)
    outcome_note = _clean(outcome_note)
    with transaction.atomic():
        locked = _lock_editable_plan(actor, goal.careplan_id)
        current = Goal.objects.select_for_update().get(pk=goal.pk)
        _check_version(current, expected_version, "goal")
        target_date = _validate_goal(
            description=description,
            measure=measure,
            target_value=target_value,
            target_date=target_date,
            target_date_changed=target_date != current.target_date,
            status=status,
            expressed_by=expressed_by,
        )
        current.description, current.measure = description, measure
        current.target_value, current.target_date = target_value, target_date
        current.status, current.expressed_by = status, expressed_by
        current.outcome_note = outcome_note
        current.version += 1
        current.save(
            update_fields=[
                "description",
                "measure",
                "target_value",
                "target_date",
                "status",
                "expressed_by",
                "outcome_note",
                "version",
                "updated_at",
            ]
        )
        _mark_changed(locked)
        audit_record(
            actor=actor,
            action="careplan.goal_updated",
            target=current,
            client=locked.client,
            detail={"status": status},
        )
    return current


def goal_record_outcome(
    *, actor: User, goal: Goal, outcome_text: str, status: GoalStatus | None = None
) -> Goal:
    """Append ``outcome_text`` as a new line of the goal's progress and outcome, and set its
    ``status`` when given (e.g. achieved); returns the goal as saved. The line is added to the
    outcome as saved now, so nothing written meanwhile is lost. Conflict when the plan can no
    longer change (closed, discharged); ValidationFailed for an empty text."""
    outcome_text = _clean(outcome_text)
    if not outcome_text:
        message = "Write the outcome to record."
        raise ValidationFailed(message, field_errors={"outcome_note": [message]})
    with transaction.atomic():
        locked = _lock_editable_plan(actor, goal.careplan_id)
        current = Goal.objects.select_for_update().get(pk=goal.pk)
        previous = current.outcome_note.strip()
        current.outcome_note = f"{previous}\n{outcome_text}" if previous else outcome_text
        fields = ["outcome_note", "version", "updated_at"]
        if status is not None and status != current.status:
            current.status = status
            fields.append("status")
        current.version += 1
        current.save(update_fields=fields)
        _mark_changed(locked)
        audit_record(
            actor=actor,
            action="careplan.goal_updated",
            target=current,
            client=locked.client,
            detail={"status": current.status, "outcome_recorded": True},
        )
    return current


def _validate_intervention(
    *, description: str, responsible: str, frequency: str, status: str
) -> None:
    errors: dict[str, list[str]] = {}
    _require_text(errors, "description", description, "Describe what will be done.")
    _require_text(errors, "responsible", responsible, "Say who is responsible for it.")
    _require_text(errors, "frequency", frequency, "Say how often it happens.")
    _require_choice(
        errors, "status", status, InterventionStatus, "Choose the intervention's status."
    )
    _raise_if(errors)


def intervention_add(
    *,
    actor: User,
    goal: Goal,
    description: str,
    responsible: str,
    frequency: str,
    status: str = InterventionStatus.PLANNED,
) -> Intervention:
    """Add an intervention (what, who, how often) under a goal; returns it."""
    description, responsible, frequency = (
        _clean(description),
        _clean(responsible),
        _clean(frequency),
    )
    with transaction.atomic():
        locked = _lock_editable_plan(actor, goal.careplan_id)
        _validate_intervention(
            description=description, responsible=responsible, frequency=frequency, status=status
        )
        intervention = Intervention.objects.create(
            careplan=locked,
            goal_id=goal.pk,
            description=description,
            responsible=responsible,
            frequency=frequency,
            status=status,
        )
        _mark_changed(locked)
        audit_record(
            actor=actor,
            action="careplan.intervention_added",
            target=intervention,
            client=locked.client,
        )
    return intervention


def intervention_update(
    *,
    actor: User,
    intervention: Intervention,
    expected_version: int,
    description: str,
    responsible: str,
    frequency: str,
    status: str,
) -> Intervention:
    """Change an intervention; Conflict if it changed since ``expected_version``."""
    description, responsible, frequency = (
        _clean(description),
        _clean(responsible),
        _clean(frequency),
    )
    with transaction.atomic():
        locked = _lock_editable_plan(actor, intervention.careplan_id)
        current = Intervention.objects.select_for_update().get(pk=intervention.pk)
        _check_version(current, expected_version, "intervention")
        _validate_intervention(
            description=description, responsible=responsible, frequency=frequency, status=status
        )
        current.description, current.responsible = description, responsible
        current.frequency, current.status = frequency, status
        current.version += 1
        current.save(
            update_fields=[
                "description",
                "responsible",
                "frequency",
                "status",
                "version",
                "updated_at",
            ]
        )
        _mark_changed(locked)
        audit_record(
            actor=actor,
            action="careplan.intervention_updated",
            target=current,
            client=locked.client,
        )
    return current


# ---------------------------------------------------------------------------------------------
# Publishing and co-signing


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def careplan_snapshot(plan: CarePlan) -> dict[str, Any]:
    """The plan's header and whole working copy as JSON-ready data (dates as ISO strings)."""
    problems = (
        Problem.objects.filter(careplan_id=plan.pk)
        .order_by("created_at")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.order_by("created_at").prefetch_related(
                    Prefetch("interventions", queryset=Intervention.objects.order_by("created_at"))
                ),
            )
        )
    )
    enrolment = plan.enrolment
    return {
        "title": plan.title,
        "client": str(plan.client_id),
        "enrolment": str(plan.enrolment_id),
        "program": enrolment.program.name,
        "review_due": _iso(plan.review_due),
        "participants": plan.participants,
        "agreed_by": plan.agreed_by,
        "agreed_by_label": plan.get_agreed_by_display() if plan.agreed_by else "",
        "agreed_on": _iso(plan.agreed_on),
        "problems": [
            {
                "id": str(problem.pk),
                "description": problem.description,
                "detail": problem.detail,
                "status": problem.status,
                "status_label": problem.get_status_display(),
                "goals": [
                    {
                        "id": str(goal.pk),
                        "description": goal.description,
                        "measure": goal.measure,
                        "target_value": goal.target_value,
                        "target_date": _iso(goal.target_date),
                        "status": goal.status,
                        "status_label": goal.get_status_display(),
                        "expressed_by": goal.expressed_by,
                        "expressed_by_label": goal.get_expressed_by_display(),
                        "outcome_note": goal.outcome_note,
                        "interventions": [
                            {
                                "id": str(item.pk),
                                "description": item.description,
                                "responsible": item.responsible,
                                "frequency": item.frequency,
                                "status": item.status,
                                "status_label": item.get_status_display(),
                            }
                            for item in goal.interventions.all()
                        ],
                    }
                    for goal in problem.goals.all()
                ],
            }
            for problem in problems
        ],
    }


def careplan_publish(
    *, actor: User, plan: CarePlan, reason: str, expected_version: int
) -> CarePlanVersion:
    """Freeze the working copy as the next version; a junior's version awaits co-sign."""
    reason = _clean(reason)
    with transaction.atomic():
        locked = _lock_editable_plan(actor, plan.pk)
        _check_version(locked, expected_version, "care plan")
        pending = (
            CarePlanVersion.objects.filter(careplan=locked, cosign_status=CosignStatus.PENDING)
            .select_related("cosigner")
            .first()
        )
        if pending is not None:
            raise Conflict(
                f"Version {pending.number} is still waiting for {pending.cosigner}'s co-sign. "
                "It must be co-signed or returned before a new version is published.",
                code=COSIGN_PENDING,
            )
        errors: dict[str, list[str]] = {}
        _require_text(errors, "reason", reason, "Say what changed and why.")
        if not Goal.objects.filter(careplan=locked).exists():
            errors.setdefault("__all__", []).append(
                "Add at least one problem with a measurable goal before publishing the plan."
            )
        if (
            locked.published_number
            and not locked.has_unpublished_changes
            and locked.status != CarePlanStatus.RETURNED
        ):
            errors.setdefault("__all__", []).append(
                f"Nothing has changed since version {locked.published_number} was published."
            )
        if errors:
            raise ValidationFailed(
                "The plan cannot be published yet.", field_errors=errors, code="not_publishable"
            )
        cosigner = None
        if actor.is_junior:
            if actor.supervisor_id is None:
                raise Conflict(
                    "Your plans need a supervisor's co-sign, but you have no supervisor. Ask an "
                    "administrator to record your supervisor, then publish again.",
                    code=NO_SUPERVISOR,
                )
            cosigner = actor.supervisor
            if cosigner is None or not cosigner.is_active:
                raise Conflict(
                    "Your plans need a supervisor's co-sign, but your supervisor's account is not "
                    "active. Ask an administrator to record your current supervisor.",
                    code=NO_SUPERVISOR,
                )
        number = locked.published_number + 1
        version = CarePlanVersion(
            careplan=locked,
            number=number,
            snapshot=careplan_snapshot(locked),
            reason=reason,
            author=actor,
        )
        cosign_request(version, cosigner=cosigner)
        version.save(force_insert=True)
        locked.published_number = number
        locked.has_unpublished_changes = False
        locked.status = CarePlanStatus.AWAITING_COSIGN if cosigner else CarePlanStatus.ACTIVE
        locked.version += 1
        locked.save(
            update_fields=[
                "published_number",
                "has_unpublished_changes",
                "status",
                "version",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action="careplan.published",
            target=locked,
            client=locked.client,
            detail={"number": number, "cosign_status": version.cosign_status},
        )
    return version


def _lock_version(actor: User, version: CarePlanVersion) -> tuple[CarePlanVersion, CarePlan]:
    plan = _lock_plan(actor, version.careplan_id)
    current = (
        CarePlanVersion.objects.select_for_update(of=("self",))
        .select_related("author")
        .get(pk=version.pk)
    )
    return current, plan


def _not_pending(version: CarePlanVersion) -> str:
    return (
        f"Version {version.number} is not waiting for co-sign: it is "
        f"{version.get_cosign_status_display().lower()}."
    )


def _follow_cosign(plan: CarePlan, version: CarePlanVersion, status: str) -> None:
    """The plan takes the co-sign's outcome when the version is its latest (a closed plan
    stays closed)."""
    if plan.published_number == version.number and plan.status != CarePlanStatus.CLOSED:
        plan.status = status
        plan.version += 1
        plan.save(update_fields=["status", "version", "updated_at"])


def careplan_version_cosign(*, actor: User, version: CarePlanVersion) -> CarePlanVersion:
    """The supervisor co-signs a pending version; the plan becomes active."""
    with transaction.atomic():
        current, plan = _lock_version(actor, version)
        cosign_approve(
            actor=actor,
            record=current,
            not_pending=_not_pending(current),
            action="careplan.cosigned",
            target=plan,
            client=plan.client,
            detail={"number": current.number},
        )
        _follow_cosign(plan, current, CarePlanStatus.ACTIVE)
    return current


def careplan_version_return(
    *, actor: User, version: CarePlanVersion, comment: str
) -> CarePlanVersion:
    """The supervisor sends a pending version back with a comment; the author revises it."""
    with transaction.atomic():
        current, plan = _lock_version(actor, version)
        cosign_return(
            actor=actor,
            record=current,
            comment=comment,
            not_pending=_not_pending(current),
            action="careplan.returned",
            target=plan,
            client=plan.client,
            detail={"number": current.number},
        )
        _follow_cosign(plan, current, CarePlanStatus.RETURNED)
    return current


def careplan_record_view(*, actor: User, plan: CarePlan, number: int | None = None) -> None:
    """Audit that ``actor`` looked at the plan (or at its version ``number``)."""
    audit_record(
        actor=actor,
        action="careplan.viewed",
        target=plan,
        client=plan.client,
        detail={"version": number} if number is not None else None,
    )
