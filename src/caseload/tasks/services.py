"""Writes for tasks: create, change, complete, cancel. Overdue is derived, never stored.

State machine: open --complete--> done; open --cancel (reason)--> cancelled. Done and cancelled
tasks are final (nothing is deleted). Any task --mark entered in error (reason)--> hidden from
every list and count, kept in the history, and final.

``task_create`` is public: bulk reassignment, safety rules and referral deadlines call it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.core import clock, entered_in_error
from caseload.core.errors import Conflict, ValidationFailed, VersionConflict, check_version
from caseload.tasks.models import Priority, Task, TaskStatus

if TYPE_CHECKING:
    from caseload.careplans.models import Goal
    from caseload.clients.models import Client
    from caseload.enrolments.models import Enrolment
    from caseload.staff.models import User

TITLE_MAX = 200


def _owner_errors(
    actor: User, owner: User | None, client_id: Any, keep_owner_id: Any = None
) -> list[str]:
    if owner is None:
        return ["Choose who owns this task."]
    if owner.pk in (actor.pk, keep_owner_id):
        # Yourself, or the task's current owner left as they are.
        return []
    if not policies.is_clinical(owner) or not policies.client_in_scope(owner, client_id):
        return ["Choose a member of staff who works with this client."]
    return []


def _clean(
    *,
    actor: User,
    client: Client,
    title: str,
    owner: User | None,
    due_on: dt.date | None,
    priority: int | None,
    description: str,
    enrolment: Enrolment | None,
    goal: Goal | None,
    keep_owner_id: Any = None,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        errors["title"] = ["Enter what needs to be done."]
    elif len(title) > TITLE_MAX:
        errors["title"] = [f"The title must be {TITLE_MAX} characters or fewer."]
    if due_on is None:
        errors["due_on"] = ["Enter the date the task is due."]
    if priority not in Priority.values:
        errors["priority"] = ["Choose a priority."]
    owner_errors = _owner_errors(actor, owner, client.pk, keep_owner_id)
    if owner_errors:
        errors["owner"] = owner_errors
    if enrolment is not None and enrolment.client_id != client.pk:
        errors["enrolment"] = ["Choose one of this client's enrolments."]
    if goal is not None:
        if goal.careplan.client_id != client.pk:
            errors["goal"] = ["Choose a goal from this client's care plan."]
        elif enrolment is None:
            enrolment = goal.careplan.enrolment
    if errors:
        raise ValidationFailed("Check the task and try again.", field_errors=errors)
    return {
        "title": title,
        "description": description,
        "owner": owner,
        "due_on": due_on,
        "priority": priority,
        "enrolment": enrolment,
        "goal": goal,
    }


def _lock(task: Task) -> Task:
    return Task.objects.select_for_update().select_related("client").get(pk=task.pk)


def _refresh_caller_copy(task: Task, current: Task) -> None:
    for field in Task._meta.concrete_fields:
        setattr(task, field.attname, getattr(current, field.attname))


def _require_open(task: Task) -> None:
    entered_in_error.refuse_if_entered_in_error(task, "task")
    if task.status != TaskStatus.OPEN:
        raise Conflict(
            f"This task is already {task.get_status_display().lower()}.",
            code="task_closed",
            params={"status": task.status},
        )


def task_create(
    *,
    actor: User,
    client: Client,
    title: str,
    owner: User | None,
    due_on: dt.date | None,
    priority: int | None = Priority.NORMAL,
    description: str = "",
    enrolment: Enrolment | None = None,
    goal: Goal | None = None,
) -> Task:
    """A new open task about ``client`` owned by ``owner`` (the actor, or staff who see it)."""
    with transaction.atomic():
        policies.require_clinical(actor)
        client = policies.require_client(actor, client.pk)
        values = _clean(
            actor=actor,
            client=client,
            title=title,
            owner=owner,
            due_on=due_on,
            priority=priority,
            description=description,
            enrolment=enrolment,
            goal=goal,
        )
        task = Task.objects.create(client=client, created_by=actor, **values)
        audit_record(
            actor=actor,
            action="task.created",
            target=task,
            client=client,
            detail={"owner": task.owner.get_username(), "due_on": task.due_on.isoformat()},
        )
    return task


def task_update(
    *,
    actor: User,
    task: Task,
    expected_version: int,
    title: str,
    owner: User | None,
    due_on: dt.date | None,
    priority: int | None,
    description: str = "",
    goal: Goal | Literal["keep"] | None = "keep",
) -> Task:
    """Change an open task's title, description, due date, priority, owner or goal.

    ``goal`` left out keeps the current goal; ``None`` removes it.
    """
    with transaction.atomic():
        policies.require_clinical(actor)
        policies.require_client(actor, task.client_id)
        current = _lock(task)
        _require_open(current)
        new_goal = current.goal if goal == "keep" else goal
        if current.version != expected_version:
            raise VersionConflict(
                "This task was changed by someone else since you opened it.",
                code="stale_version",
                current_version=current.version,
            )
        values = _clean(
            actor=actor,
            client=current.client,
            title=title,
            owner=owner,
            due_on=due_on,
            priority=priority,
            description=description,
            enrolment=current.enrolment if new_goal is None else None,
            goal=new_goal,
            keep_owner_id=current.owner_id,
        )
        changed = [name for name, value in values.items() if getattr(current, name) != value]
        for name in changed:
            setattr(current, name, values[name])
        current.version += 1
        current.save(update_fields=[*changed, "version", "updated_at"])
        audit_record(
            actor=actor,
            action="task.updated",
            target=current,
            client=current.client,
            detail={"changed": changed},
        )
    _refresh_caller_copy(task, current)
    return task


def task_complete(
    *, actor: User, task: Task, expected_version: int, outcome_note: str = ""
) -> Task:
    """Mark an open task done (who and when recorded).

    Raises VersionConflict when the task changed since the actor loaded it (``expected_version``
    behind) — also when someone else closed it meanwhile, so that whoever loses the race is told
    who closed it and keeps the outcome they wrote; Conflict if it is not open.
    """
    with transaction.atomic():
        policies.require_clinical(actor)
        policies.require_client(actor, task.client_id)
        current = _lock(task)
        if current.version != expected_version:
            raise VersionConflict(
                _changed_meanwhile(current), code="stale_version", current_version=current.version
            )
        _require_open(current)
        current.status = TaskStatus.DONE
        current.completed_at = clock.now()
        current.completed_by = actor
        current.outcome_note = (outcome_note or "").strip()
        current.version += 1
        current.save(
            update_fields=[
                "status",
                "completed_at",
                "completed_by",
                "outcome_note",
                "version",
                "updated_at",
            ]
        )
        audit_record(actor=actor, action="task.completed", target=current, client=current.client)
    _refresh_caller_copy(task, current)
    return task


def _changed_meanwhile(task: Task) -> str:
    """What happened to ``task`` since the actor loaded it, as the conflict says it."""
    if task.is_entered_in_error:
        return "This task was marked as entered in error since you opened it."
    if task.status != TaskStatus.OPEN:
        who = task.completed_by.display_name if task.completed_by else "Someone"
        when = timezone.localtime(task.completed_at) if task.completed_at else None
        at = f" at {when:%H:%M on %-d %b}" if when else ""
        done = "marked this task done" if task.status == TaskStatus.DONE else "cancelled this task"
        return f"{who} {done}{at}, while you had it open."
    return "This task was changed by someone else since you opened it."


def task_cancel(*, actor: User, task: Task, expected_version: int, reason: str) -> Task:
    """Cancel an open task with a reason (kept as its outcome note). VersionConflict when it
    changed, or was closed, since the actor loaded it; Conflict if it is not open."""
    with transaction.atomic():
        policies.require_clinical(actor)
        policies.require_client(actor, task.client_id)
        current = _lock(task)
        if current.version != expected_version:
            raise VersionConflict(
                _changed_meanwhile(current), code="stale_version", current_version=current.version
            )
        _require_open(current)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationFailed(
                "Say why the task is cancelled.",
                field_errors={"reason": ["Say why the task is cancelled."]},
            )
        current.status = TaskStatus.CANCELLED
        current.completed_at = clock.now()
        current.completed_by = actor
        current.outcome_note = reason
        current.version += 1
        current.save(
            update_fields=[
                "status",
                "completed_at",
                "completed_by",
                "outcome_note",
                "version",
                "updated_at",
            ]
        )
        audit_record(actor=actor, action="task.cancelled", target=current, client=current.client)
    _refresh_caller_copy(task, current)
    return task


def task_mark_entered_in_error(
    *, actor: User, task: Task, reason: str, expected_version: int
) -> Task:
    """Take a task created in error out of every list and count (open, done or cancelled);
    it stays in the history with who, when and why, and its status is left as it was.

    Raises NotFound (client out of scope), Conflict (already entered in error),
    VersionConflict (changed since ``expected_version``, the one its confirmation page showed),
    ValidationFailed (no reason).
    """
    with transaction.atomic():
        policies.require_clinical(actor)
        policies.require_client(actor, task.client_id)
        current = _lock(task)
        if current.is_entered_in_error:
            raise Conflict("This task is already marked entered in error.", code="already")
        check_version(current, expected_version, "task")
        reason = entered_in_error.clean_reason(reason)
        fields = entered_in_error.mark(current, actor=actor, reason=reason)
        current.version += 1
        current.save(update_fields=[*fields, "version"])
        audit_record(
            actor=actor,
            action="task.entered_in_error",
            target=current,
            client=current.client,
            detail={"reason": reason, "status": current.status},
        )
    _refresh_caller_copy(task, current)
    return task


# Tasks other records set and close: a referral's chase, an appointment's reminder, a
# discharge's clocks.


def task_owner_for(enrolment: Enrolment | None, fallback: User) -> User:
    """The enrolment's care manager when they can still work the case, else ``fallback``."""
    if enrolment is not None:
        manager = enrolment.care_manager
        if policies.is_clinical(manager):
            return manager
    return fallback


def task_create_for_record(
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
    """``task_create`` for a task another record sets: its title, made from the record (a
    provider's or an appointment's name), is cut to fit rather than refused."""
    return task_create(
        actor=actor,
        client=client,
        title=title[:TITLE_MAX],
        owner=owner,
        due_on=due_on,
        priority=priority,
        description=description,
        enrolment=enrolment,
        goal=goal,
    )


def task_close_if_open(*, actor: User, task_id: Any, outcome: str, cancel: bool = False) -> None:
    """Complete (or cancel) a linked task if it is still open; a closed task is left alone."""
    if task_id is None:
        return
    task = Task.objects.filter(pk=task_id, status=TaskStatus.OPEN).first()
    if task is None:
        return
    if cancel:
        task_cancel(actor=actor, task=task, expected_version=task.version, reason=outcome)
    else:
        task_complete(actor=actor, task=task, expected_version=task.version, outcome_note=outcome)


# Bulk reassignment (the team app): a departing care manager's open tasks follow their clients,
# and each client gets a task for the new care manager; in the caller's transaction, audited by
# the caller's one event per client.


@dataclass(frozen=True)
class HandOn:
    """``client``'s open tasks owned by ``from_owner`` go to ``to_owner``; a task on
    ``enrolment`` goes to that enrolment's receiver (``to_owner`` of its own HandOn)."""

    client_id: Any
    enrolment_id: Any
    from_owner_id: Any
    to_owner_id: Any


def tasks_hand_on(*, actor: User, moves: Sequence[HandOn]) -> Counter[Any]:
    """Give the open tasks of the departing care managers for these clients to the receivers:
    a task on a moved enrolment to that enrolment's receiver, any other task of the client's to
    the receiver of the client's first move. Seniors and directors (bulk reassignment); returns
    the tasks moved per client."""
    policies.require_leads_programs(actor)
    by_enrolment = {m.enrolment_id: (m.from_owner_id, m.to_owner_id) for m in moves}
    by_client: dict[tuple[Any, Any], Any] = {}
    for m in moves:
        by_client.setdefault((m.client_id, m.from_owner_id), m.to_owner_id)
    tasks = Task.objects.filter(
        status=TaskStatus.OPEN,
        entered_in_error_at__isnull=True,
        client_id__in={m.client_id for m in moves},
        owner_id__in={m.from_owner_id for m in moves},
    ).values_list("pk", "client_id", "owner_id", "enrolment_id")
    targets: dict[Any, list[Any]] = defaultdict(list)
    per_client: Counter[Any] = Counter()
    for pk, client_id, owner_id, enrolment_id in tasks:
        moved = by_enrolment.get(enrolment_id)
        target = (
            moved[1] if moved and moved[0] == owner_id else by_client.get((client_id, owner_id))
        )
        if target is None:
            continue
        targets[target].append(pk)
        per_client[client_id] += 1
    now = clock.now()
    with transaction.atomic():
        for target, pks in targets.items():
            Task.objects.filter(pk__in=pks).update(
                owner_id=target, version=F("version") + 1, updated_at=now
            )
    return per_client


@dataclass(frozen=True)
class NewTask:
    """A task a bulk change sets (its title and description made by the caller, in limits)."""

    client: Client
    enrolment: Enrolment | None
    owner: User
    title: str
    description: str
    due_on: dt.date
    priority: int = Priority.NORMAL


def tasks_create_many(*, actor: User, tasks: Sequence[NewTask]) -> list[Task]:
    """Create these tasks in one insert (the introductory calls of a bulk reassignment: the
    owners are the clients' new care managers). Seniors and directors; returns them."""
    policies.require_leads_programs(actor)
    return Task.objects.bulk_create(
        Task(
            title=new.title[:TITLE_MAX],
            description=new.description,
            client=new.client,
            enrolment=new.enrolment,
            owner=new.owner,
            due_on=new.due_on,
            priority=new.priority,
            created_by=actor,
        )
        for new in tasks
    )
