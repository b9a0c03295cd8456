"""Reads for care plans. Every query starts from access.policies.client_scope (SPEC §1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from caseload.access.policies import client_scope, rows_of_client
from caseload.careplans.models import (
    CarePlan,
    CarePlanStatus,
    CarePlanVersion,
    Goal,
    GoalStatus,
    Intervention,
    Problem,
)
from caseload.core.errors import NotFound
from caseload.core.models import CosignStatus
from caseload.enrolments.models import Enrolment

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User


# A malformed id is as unknown as a missing one.
_BAD_ID = (ValueError, TypeError, ValidationError)


def _plans(actor: User) -> QuerySet[CarePlan]:
    return CarePlan.objects.filter(client__in=client_scope(actor))


def _with_tree(plans: QuerySet[CarePlan]) -> QuerySet[CarePlan]:
    """Problems → goals → interventions in three extra queries, whatever the plan's size."""
    return plans.prefetch_related(
        Prefetch(
            "problems",
            queryset=Problem.objects.order_by("created_at").prefetch_related(
                Prefetch(
                    "goals",
                    queryset=Goal.objects.order_by("created_at").prefetch_related(
                        Prefetch(
                            "interventions", queryset=Intervention.objects.order_by("created_at")
                        )
                    ),
                )
            ),
        )
    )


def careplan_list_for_client(*, actor: User, client: Client) -> list[CarePlan]:
    """The plans of ``client``'s enrolments, with program and the whole tree loaded (4 queries)."""
    plans = CarePlan.objects.filter(rows_of_client(actor, client.pk)).select_related(
        "enrolment__program", "author"
    )
    return list(_with_tree(plans).order_by("-enrolment__referred_on", "created_at"))


def careplan_get(*, actor: User, plan_id: Any) -> CarePlan:
    """One plan with client, enrolment, program, its whole tree and versions, or NotFound."""
    plans = _plans(actor).select_related(
        "client", "enrolment__program", "enrolment__care_manager", "author"
    )
    versions = CarePlanVersion.objects.select_related("author", "cosigner").order_by("-number")
    try:
        return (
            _with_tree(plans)
            .prefetch_related(Prefetch("versions", queryset=versions))
            .get(pk=plan_id)
        )
    except (CarePlan.DoesNotExist, *_BAD_ID) as exc:
        raise NotFound("Care plan not found.") from exc


def careplan_header_get(*, actor: User, plan_id: Any) -> CarePlan:
    """One plan (header only, with client and enrolment), or NotFound."""
    try:
        return _plans(actor).select_related("client", "enrolment__program").get(pk=plan_id)
    except (CarePlan.DoesNotExist, *_BAD_ID) as exc:
        raise NotFound("Care plan not found.") from exc


def careplan_version_get(*, actor: User, plan_id: Any, number: int) -> CarePlanVersion:
    """Version ``number`` of a plan in scope, or NotFound."""
    try:
        return CarePlanVersion.objects.select_related(
            "careplan__client", "careplan__enrolment__program", "author", "cosigner"
        ).get(careplan__client__in=client_scope(actor), careplan_id=plan_id, number=number)
    except (CarePlanVersion.DoesNotExist, *_BAD_ID) as exc:
        raise NotFound("Care plan version not found.") from exc


def careplan_versions_awaiting_cosign(*, actor: User) -> list[CarePlanVersion]:
    """Published versions waiting for ``actor``'s co-sign, oldest first (the co-sign queue)."""
    return list(
        CarePlanVersion.objects.filter(
            CarePlanVersion.awaiting_cosign_by(actor.pk),
            careplan__client__in=client_scope(actor),
        )
        .select_related("careplan__client", "careplan__enrolment__program", "author")
        .order_by("created_at")
    )


def problem_get(*, actor: User, problem_id: Any) -> Problem:
    try:
        return Problem.objects.select_related(
            "careplan__client", "careplan__enrolment__program"
        ).get(careplan__client__in=client_scope(actor), pk=problem_id)
    except (Problem.DoesNotExist, *_BAD_ID) as exc:
        raise NotFound("Problem not found.") from exc


def goal_get(*, actor: User, goal_id: Any) -> Goal:
    try:
        return Goal.objects.select_related(
            "problem", "careplan__client", "careplan__enrolment__program"
        ).get(careplan__client__in=client_scope(actor), pk=goal_id)
    except (Goal.DoesNotExist, *_BAD_ID) as exc:
        raise NotFound("Goal not found.") from exc


def intervention_get(*, actor: User, intervention_id: Any) -> Intervention:
    try:
        return Intervention.objects.select_related(
            "goal__problem", "careplan__client", "careplan__enrolment__program"
        ).get(careplan__client__in=client_scope(actor), pk=intervention_id)
    except (Intervention.DoesNotExist, *_BAD_ID) as exc:
        raise NotFound("Intervention not found.") from exc


def goal_choices_for_client(*, actor: User, client: Client, include: Any = None) -> QuerySet[Goal]:
    """Goals on ``client``'s care plans a task can serve (not cancelled, or ``include``)."""
    usable = ~Q(status=GoalStatus.CANCELLED)
    if include is not None:
        usable |= Q(pk=include)
    return (
        Goal.objects.filter(rows_of_client(actor, client.pk, via="careplan__client"))
        .filter(usable)
        .select_related("careplan__enrolment__program")
        .order_by("careplan__created_at", "created_at")
    )


def plan_items_for_client(
    *, actor: User, client: Client
) -> tuple[list[Problem], list[Goal], list[Intervention]]:
    """Every problem (plan and program loaded), goal and intervention of the client's plans,
    in the order they were written (three queries whatever the plans' size); none out of
    scope."""
    problems = list(
        Problem.objects.filter(rows_of_client(actor, client.pk, via="careplan__client"))
        .select_related("careplan__enrolment__program")
        .order_by("careplan__created_at", "created_at")
    )
    goals = list(
        Goal.objects.filter(rows_of_client(actor, client.pk, via="careplan__client")).order_by(
            "created_at"
        )
    )
    interventions = list(
        Intervention.objects.filter(
            rows_of_client(actor, client.pk, via="careplan__client")
        ).order_by("created_at")
    )
    return problems, goals, interventions


def careplan_for_enrolment(*, actor: User, enrolment: Enrolment) -> CarePlan | None:
    """The plan of ``enrolment`` if it has one (and the client is in scope)."""
    return CarePlan.objects.filter(
        rows_of_client(actor, enrolment.client_id), enrolment_id=enrolment.pk
    ).first()


# For the worklist (top floor).


def next_review_due_subquery(*, enrolment_condition: Q) -> Subquery:
    """The earliest review date of the outer client's plans that are not closed, among plans of
    enrolments matching ``enrolment_condition`` (a condition on Enrolment).
    Correlated with ``OuterRef("pk")`` of a client queryset that starts from
    ``access.policies.client_scope`` (the worklist's): the outer query carries the scope."""
    return Subquery(
        CarePlan.objects.filter(
            _prefixed(enrolment_condition, "enrolment__"),
            client_id=OuterRef("pk"),
            review_due__isnull=False,
        )
        .exclude(status=CarePlanStatus.CLOSED)
        .order_by("review_due")
        .values("review_due")[:1]
    )


def returned_plan_exists(*, enrolment_condition: Q) -> Exists:
    """Whether the outer client has a plan (of an enrolment matching ``enrolment_condition``)
    that the supervisor returned and its author has not yet resubmitted: something to do on the
    author's worklist. Correlated like ``next_review_due_subquery``."""
    return Exists(
        CarePlan.objects.filter(
            _prefixed(enrolment_condition, "enrolment__"),
            client_id=OuterRef("pk"),
            status=CarePlanStatus.RETURNED,
        )
    )


def _prefixed(condition: Q, prefix: str) -> Q:
    """The same condition on a related model (Q(status=...) → Q(enrolment__status=...))."""
    result = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            result.children.append(_prefixed(child, prefix))
        else:
            key, value = cast("tuple[str, Any]", child)
            result.children.append((f"{prefix}{key}", value))
    return result


def clients_with_published_plan(*, clients: Q, before: Any) -> set[Any]:
    """For the program rules' monthly evaluation: which of the clients (``clients``, a condition
    on ``careplan__client_id``) had a published care plan version before ``before`` (a moment)."""
    return set(
        CarePlanVersion.objects.filter(clients, created_at__lt=before)
        .values_list("careplan__client_id", flat=True)
        .distinct()
    )


# For the team view (top floor): ``author_ids`` are the team's, from
# access.policies.team_members; the clients behind a figure are listed through client_scope.


def careplans_returned_to(author_ids: list[Any]) -> QuerySet[CarePlan]:
    """These authors' care plans the supervisor returned and they have not yet resubmitted."""
    return CarePlan.objects.filter(author_id__in=author_ids, status=CarePlanStatus.RETURNED)


def careplan_versions_awaiting_cosign_by(author_ids: list[Any]) -> QuerySet[CarePlanVersion]:
    """These authors' published care plan versions waiting for their supervisor's co-sign."""
    return CarePlanVersion.objects.filter(
        author_id__in=author_ids, cosign_status=CosignStatus.PENDING
    )


# --- The month report (reports/) -----------------------------------------------------------


def careplans_for_report(program_ids: list[Any] | None) -> QuerySet[CarePlan]:
    rows = CarePlan.objects.all()
    return rows if program_ids is None else rows.filter(enrolment__program_id__in=program_ids)


def goals_for_report(program_ids: list[Any] | None) -> QuerySet[Goal]:
    rows = Goal.objects.all()
    if program_ids is None:
        return rows
    return rows.filter(careplan__enrolment__program_id__in=program_ids)
