"""Reads for referrals, always scoped through access.policies.client_scope: one referral, the
actor's own, a client's (for the chart and the client overview), the care-plan items a referral
may serve, and the worklist's building block (the earliest unanswered deadline per client)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from caseload.access import policies
from caseload.careplans import selectors as careplans_selectors
from caseload.careplans.models import Goal, Intervention, Problem
from caseload.careplans.selectors import plan_items_for_client
from caseload.core import clock
from caseload.core.errors import NotFound, is_bad_id
from caseload.core.text import day_words
from caseload.enrolments.models import OPEN_STATUSES
from caseload.referrals.models import (
    AWAITING_RESPONSE,
    OPEN_REFERRAL_STATUSES,
    Referral,
    ReferralEvent,
)

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User


def _referrals(actor: User) -> QuerySet[Referral]:
    policies.require_clinical(actor)
    return Referral.objects.filter(client__in=policies.client_scope(actor))


def referral_get(*, actor: User, referral_id: Any) -> Referral:
    """One referral with its client, service, plan links and history (actors loaded)."""
    try:
        return (
            _referrals(actor)
            .select_related(
                "client",
                "enrolment__program",
                "enrolment__care_manager",
                "service__organisation",
                "problem",
                "goal",
                "intervention",
                "created_by",
                "closed_by",
                "consent__recorded_by",
                "followup_task",
            )
            .prefetch_related(
                Prefetch(
                    "events",
                    queryset=ReferralEvent.objects.select_related("actor").order_by(
                        "occurred_at", "created_at"
                    ),
                )
            )
            .get(pk=referral_id)
        )
    except Referral.DoesNotExist as exc:
        raise NotFound("Referral not found.") from exc
    except Exception as exc:
        if is_bad_id(exc):
            raise NotFound("Referral not found.") from exc
        raise


def referral_list_for_actor(*, actor: User, include_closed: bool = False) -> list[Referral]:
    """Referrals for clients on ``actor``'s own caseload or that ``actor`` made; open ones by
    default; overdue answers first, then by deadline."""
    referrals = _referrals(actor).filter(Q(enrolment__care_manager=actor) | Q(created_by=actor))
    if not include_closed:
        referrals = referrals.filter(status__in=OPEN_REFERRAL_STATUSES)
    return list(
        referrals.select_related("client", "service__organisation").order_by(
            "response_due_on", "-created_at"
        )[:500]
    )


@dataclass(frozen=True)
class CarePlanLink:
    value: str  # "problem:<uuid>", "goal:<uuid>" or "intervention:<uuid>"
    label: str


def care_plan_links(*, actor: User, client: Client) -> list[tuple[str, list[CarePlanLink]]]:
    """The client's problems, goals and interventions a referral may be linked to, grouped by
    plan (three queries whatever the plan's size)."""
    policies.require_client(actor, client.pk)
    problems, goals, interventions = plan_items_for_client(actor=actor, client=client)
    goals_of: dict[Any, list[Goal]] = {}
    for goal in goals:
        goals_of.setdefault(goal.problem_id, []).append(goal)
    interventions_of: dict[Any, list[Intervention]] = {}
    for intervention in interventions:
        interventions_of.setdefault(intervention.goal_id, []).append(intervention)
    groups: dict[str, list[CarePlanLink]] = {}
    for problem in problems:
        plan = problem.careplan
        links = groups.setdefault(f"{plan.title} ({plan.enrolment.program.name})", [])
        links.append(CarePlanLink(f"problem:{problem.pk}", f"Problem: {problem.description}"))
        for goal in goals_of.get(problem.pk, []):
            links.append(CarePlanLink(f"goal:{goal.pk}", f"Goal: {goal.description}"))
            for intervention in interventions_of.get(goal.pk, []):
                links.append(
                    CarePlanLink(
                        f"intervention:{intervention.pk}",
                        f"Intervention: {intervention.description}",
                    )
                )
    return list(groups.items())


def resolve_care_plan_link(
    *, actor: User, client: Client, value: str
) -> tuple[Problem | None, Goal | None, Intervention | None]:
    """The problem, goal or intervention a link value names (of this client, in ``actor``'s
    scope), or NotFound."""
    if not value:
        return None, None, None
    kind, _, raw_id = value.partition(":")
    try:
        pk = uuid.UUID(raw_id)
    except ValueError as exc:
        raise NotFound("Care plan item not found.") from exc
    item: Problem | Goal | Intervention
    if kind == "problem":
        item = careplans_selectors.problem_get(actor=actor, problem_id=pk)
    elif kind == "goal":
        item = careplans_selectors.goal_get(actor=actor, goal_id=pk)
    elif kind == "intervention":
        item = careplans_selectors.intervention_get(actor=actor, intervention_id=pk)
    else:
        raise NotFound("Care plan item not found.")
    if item.careplan.client_id != client.pk:
        raise NotFound("Care plan item not found.")
    return (
        item if isinstance(item, Problem) else None,
        item if isinstance(item, Goal) else None,
        item if isinstance(item, Intervention) else None,
    )


def care_plan_link_value(referral: Referral) -> str:
    if referral.intervention_id:
        return f"intervention:{referral.intervention_id}"
    if referral.goal_id:
        return f"goal:{referral.goal_id}"
    if referral.problem_id:
        return f"problem:{referral.problem_id}"
    return ""


def referral_list_for_client(*, actor: User, client: Client) -> list[Referral]:
    """Every referral of ``client``, newest first."""
    policies.require_client(actor, client.pk)
    return list(
        _referrals(actor)
        .filter(client_id=client.pk)
        .select_related("service__organisation")
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class ReferralSummary:
    """What the chart's "Referrals" section shows."""

    open_referrals: list[Referral]
    closed_referrals_count: int
    can_refer: bool


def referral_summary_for_client(*, actor: User, client: Client) -> ReferralSummary:
    """The client's open referrals (unanswered deadlines first), how many are closed, and
    whether a referral can be made (an open enrolment); NotFound out of scope. Two queries.

    Does not audit: the chart page that includes it records "client.viewed".
    """
    policies.require_clinical_in_scope(actor, client.pk)
    referrals = list(
        Referral.objects.filter(client_id=client.pk)
        .select_related("service__organisation")
        .order_by("response_due_on", "-created_at")
    )
    open_referrals = [r for r in referrals if not r.is_closed]
    return ReferralSummary(
        open_referrals=open_referrals,
        closed_referrals_count=len(referrals) - len(open_referrals),
        can_refer=client.enrolments.filter(status__in=OPEN_STATUSES).exists(),
    )


# ---------------------------------------------------------------------------------------------
# The worklist's building block


def overdue_referral_since(today: dt.date | None = None) -> Subquery:
    """Annotation on Client rows: the earliest response deadline that passed with no answer
    (referral sent or received, deadline before today), else NULL."""
    today = today or clock.today()
    return Subquery(
        Referral.objects.filter(
            client_id=OuterRef("pk"),
            status__in=AWAITING_RESPONSE,
            response_due_on__lt=today,
        )
        .order_by("response_due_on")
        .values("response_due_on")[:1]
    )


def referral_reason(overdue_since: dt.date, today: dt.date | None = None) -> str:
    """'Referral not answered: response was due Friday'."""
    today = today or clock.today()
    return f"Referral not answered: response was due {day_words(overdue_since, today)}"


# --- The month report (reports/) -----------------------------------------------------------


def referrals_for_report(program_ids: list[Any] | None) -> QuerySet[Referral]:
    rows = Referral.objects.all()
    return rows if program_ids is None else rows.filter(enrolment__program_id__in=program_ids)


def referrals_answered_before(moment: dt.datetime) -> QuerySet[Any]:
    """The ids of referrals the service answered (left "sent" or "received") before ``moment``:
    a subquery (``pk__in=``)."""
    return (
        ReferralEvent.objects.filter(from_status__in=AWAITING_RESPONSE, occurred_at__lt=moment)
        .exclude(to_status__in=AWAITING_RESPONSE)
        .values("referral_id")
    )
