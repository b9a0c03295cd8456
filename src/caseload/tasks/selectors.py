"""Reads for tasks, always scoped through access.policies.client_scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery

from caseload.access import policies
from caseload.access.policies import client_scope
from caseload.core import clock
from caseload.core.errors import NotFound
from caseload.staff.models import CareerLevel, User
from caseload.tasks.models import Task, TaskStatus

if TYPE_CHECKING:
    from caseload.clients.models import Client

# "My tasks" shows at most this many rows per group; the counts are always exact.
GROUP_LIMIT = 200


def _scoped_tasks(actor: User, client: Client | None = None) -> QuerySet[Task]:
    """Every task ``actor`` may see, including tasks entered in error (their own page); with
    ``client``, that client's tasks only."""
    if client is not None:
        return Task.objects.filter(policies.rows_of_client(actor, client.pk))
    return Task.objects.filter(client__in=client_scope(actor))


def _current_tasks(actor: User, client: Client | None = None) -> QuerySet[Task]:
    """Tasks for normal views and counts: those entered in error are left out."""
    return _scoped_tasks(actor, client).filter(entered_in_error_at__isnull=True)


def task_list_for_client(*, actor: User, client: Client) -> list[Task]:
    """The client's open tasks visible to ``actor``, by due date then priority, owner loaded."""
    qs = (
        _current_tasks(actor, client)
        .filter(status=TaskStatus.OPEN)
        .select_related("owner")
        .order_by("due_on", "priority", "created_at")
    )
    return list(qs)


def task_get(*, actor: User, task_id: Any) -> Task:
    """One task whose client ``actor`` may see (entered in error or not), with client, owner
    and goal; else NotFound."""
    try:
        return (
            _scoped_tasks(actor)
            .select_related("client", "owner", "goal", "completed_by", "entered_in_error_by")
            .get(pk=task_id)
        )
    except (Task.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise NotFound("Task not found.") from exc


def tasks_entered_in_error_for_client(*, actor: User, client: Client) -> list[Task]:
    """The client's tasks entered in error, most recently marked first (who marked loaded)."""
    return list(
        _scoped_tasks(actor, client)
        .filter(entered_in_error_at__isnull=False)
        .select_related("entered_in_error_by")
        .order_by("-entered_in_error_at")
    )


@dataclass
class MyTasks:
    """Open tasks of one owner split by due date (overdue is derived from today)."""

    owner: User
    overdue: list[Task] = field(default_factory=list)
    today: list[Task] = field(default_factory=list)
    later: list[Task] = field(default_factory=list)
    overdue_count: int = 0
    today_count: int = 0
    later_count: int = 0

    @property
    def total(self) -> int:
        return self.overdue_count + self.today_count + self.later_count


def task_list_for_owner(*, actor: User, owner: User | None = None) -> MyTasks:
    """Open tasks of ``owner`` (default: the actor) on clients the actor sees: 4 queries."""
    policies.require_clinical(actor)
    owner = owner or actor
    if (
        owner.pk != actor.pk
        and not policies.caseload_owner_choices(actor).filter(pk=owner.pk).exists()
    ):
        raise NotFound("Staff member not found.")
    today = clock.today()
    open_tasks = _current_tasks(actor).filter(owner_id=owner.pk, status=TaskStatus.OPEN)
    counts = open_tasks.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        today=Count("pk", filter=Q(due_on=today)),
        later=Count("pk", filter=Q(due_on__gt=today)),
    )
    rows = open_tasks.select_related("client").order_by("due_on", "priority", "created_at")
    result = MyTasks(
        owner=owner,
        overdue_count=counts["overdue"],
        today_count=counts["today"],
        later_count=counts["later"],
    )
    if result.overdue_count:
        result.overdue = list(rows.filter(due_on__lt=today)[:GROUP_LIMIT])
    if result.today_count:
        result.today = list(
            rows.filter(due_on=today).order_by("priority", "created_at")[:GROUP_LIMIT]
        )
    if result.later_count:
        result.later = list(rows.filter(due_on__gt=today)[:GROUP_LIMIT])
    return result


def task_owner_choices(*, actor: User, client: Client, include: Any = None) -> QuerySet[User]:
    """Staff who may own a task about ``client``: the actor and clinical staff who see it.

    The care managers of the client's enrolments, their supervisors, active care-team members
    and the seniors leading the client's programs. (Directors see everyone but are offered only
    when they are the actor.) ``include`` adds one user by id (a task's current owner).
    """
    clinical = [
        CareerLevel.JUNIOR,
        CareerLevel.CARE_MANAGER,
        CareerLevel.SENIOR,
        CareerLevel.DIRECTOR,
    ]
    enrolments = client.enrolments.all()
    condition = (
        Q(pk=actor.pk)
        | Q(managed_enrolments__client_id=client.pk)
        | Q(supervisees__managed_enrolments__client_id=client.pk)
        | Q(
            care_team_memberships__enrolment__client_id=client.pk,
            care_team_memberships__is_active=True,
        )
        | Q(career_level=CareerLevel.SENIOR, programs__in=enrolments.values("program_id"))
    )
    eligible = condition & Q(is_active=True, career_level__in=clinical)
    if include is not None:
        eligible |= Q(pk=include)
    return User.objects.filter(eligible).distinct().order_by("last_name", "first_name", "username")


# For the worklist (top floor): per-client facts as subqueries, and the shown clients' next task.


def overdue_task_count_subquery(*, today: dt.date) -> Subquery:
    """The number of the outer client's open tasks due before ``today`` (None when none).
    Correlated with ``OuterRef("pk")`` of a client queryset that starts from
    ``access.policies.client_scope`` (the worklist's): the outer query carries the scope."""
    return Subquery(
        Task.objects.filter(
            client_id=OuterRef("pk"),
            status=TaskStatus.OPEN,
            due_on__lt=today,
            entered_in_error_at__isnull=True,
        )
        .order_by()
        .values("client_id")
        .annotate(n=Count("*"))
        .values("n"),
        output_field=IntegerField(),
    )


def next_task_due_subquery() -> Subquery:
    """The due date of the outer client's earliest open task.
    Correlated with ``OuterRef("pk")`` of a client queryset that starts from
    ``access.policies.client_scope`` (the worklist's): the outer query carries the scope."""
    return Subquery(
        Task.objects.filter(
            client_id=OuterRef("pk"), status=TaskStatus.OPEN, entered_in_error_at__isnull=True
        )
        .order_by("due_on")
        .values("due_on")[:1]
    )


def next_open_task_by_client(client_ids: list[Any]) -> dict[Any, Any]:
    """Each listed client's next open task (due date, title), for clients the caller has just
    read through ``client_scope`` (the worklist's page of rows)."""
    next_tasks: dict[Any, Any] = {}
    for task in (
        Task.objects.filter(
            client_id__in=client_ids, status=TaskStatus.OPEN, entered_in_error_at__isnull=True
        )
        .order_by("due_on", "priority", "created_at")
        .values("client_id", "due_on", "title")
    ):
        next_tasks.setdefault(task["client_id"], task)
    return next_tasks


# For the team view (top floor): ``owner_ids`` are the team's, from access.policies.team_members.


def overdue_tasks_owned_by(owner_ids: list[Any], *, today: dt.date) -> QuerySet[Task]:
    """These people's open tasks due before ``today``."""
    return Task.objects.filter(
        owner_id__in=owner_ids,
        status=TaskStatus.OPEN,
        due_on__lt=today,
        entered_in_error_at__isnull=True,
    )
