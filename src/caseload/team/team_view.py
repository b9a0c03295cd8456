"""The team view: for each care manager a supervisor or senior leads, the figures that say
where help is needed, and the clients behind each figure. The rows come from the owning apps'
selectors for the members ``access.policies.team_members`` gives; the figures are five GROUP BY
queries over the whole team whatever its size (the enrolment figures are conditional counts in
one, their conditions uncorrelated subqueries PostgreSQL hashes once: docs/benchmarks.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q, QuerySet

from caseload.access import policies
from caseload.assessments.selectors import reassessment_overdue
from caseload.careplans.selectors import (
    careplan_versions_awaiting_cosign_by,
    careplans_returned_to,
)
from caseload.clients.models import Client
from caseload.core import clock
from caseload.core.errors import NotFound
from caseload.enrolments.selectors import open_enrolments_managed_by
from caseload.notes.selectors import clients_reached_since, notes_awaiting_cosign_by
from caseload.staff.models import User
from caseload.tasks.selectors import overdue_tasks_owned_by

FIGURES = (
    ("caseload", "Caseload"),
    ("overdue_tasks", "Overdue tasks"),
    ("cosign", "Awaiting co-sign"),
    ("not_reached_14", "Not reached in 14 days"),
    ("not_reached_30", "Not reached in 30 days"),
    ("reassessments", "Reassessments overdue"),
    ("returned_plans", "Care plans returned"),
)
LABELS = dict(FIGURES)


@dataclass
class MemberRow:
    person: User
    caseload: int
    overdue_tasks: int
    cosign: int
    cosign_oldest_days: int | None
    not_reached_14: int
    not_reached_30: int
    reassessments: int
    returned_plans: int

    @property
    def cap(self) -> int:
        return self.person.caseload_cap

    @property
    def over_cap(self) -> bool:
        return self.caseload > self.cap

    def value(self, key: str) -> int:
        return int(getattr(self, key))


def _not_reached(days: int) -> Q:
    return ~Q(client_id__in=clients_reached_since(clock.now() - dt.timedelta(days=days)))


def _reassessment_overdue() -> Q:
    # On the member's own enrolment: overdue in the program they carry the client in.
    return reassessment_overdue(today=clock.today())


#: The figures counted over the members' open enrolments, each a condition on them (the
#: caseload counts enrolments, what the cap counts; the others count clients).
def _enrolment_figures() -> dict[str, Q]:
    return {
        "not_reached_14": _not_reached(14),
        "not_reached_30": _not_reached(30),
        "reassessments": _reassessment_overdue(),
    }


#: Figure → (the rows behind it for these members, the path to the client): each from the
#: owning app's selector, for the members access.policies.team_members gave.
def _sources(members: list[int]) -> dict[str, tuple[QuerySet[Any], str]]:
    enrolments = open_enrolments_managed_by(members)
    sources: dict[str, tuple[QuerySet[Any], str]] = {
        "caseload": (enrolments, "client_id"),
        "overdue_tasks": (overdue_tasks_owned_by(members, today=clock.today()), "client_id"),
        "returned_plans": (careplans_returned_to(members), "client_id"),
    }
    for key, condition in _enrolment_figures().items():
        sources[key] = (enrolments.filter(condition), "client_id")
    return sources


def _grouped(rows: QuerySet[Any], by: str, **counts: Any) -> dict[Any, dict[str, Any]]:
    return {
        row[by]: row for row in rows.order_by().values(by).annotate(**counts).values(by, *counts)
    }


def _figures(members: list[int]) -> dict[str, dict[Any, Any]]:
    """Each figure per member: the enrolment figures in one GROUP BY (conditional counts over
    the members' open enrolments), tasks, returned plans and the co-sign backlog in one each."""
    conditions = _enrolment_figures()
    per_enrolments = _grouped(
        open_enrolments_managed_by(members),
        "care_manager_id",
        caseload=Count("*"),  # "*", not the id: the index alone answers
        **{
            key: Count("client_id", distinct=True, filter=condition)
            for key, condition in conditions.items()
        },
    )
    figures: dict[str, dict[Any, Any]] = {
        key: {member: row[key] for member, row in per_enrolments.items()}
        for key in ("caseload", *conditions)
    }
    tasks = _grouped(overdue_tasks_owned_by(members, today=clock.today()), "owner_id", n=Count("*"))
    figures["overdue_tasks"] = {member: row["n"] for member, row in tasks.items()}
    plans = _grouped(
        careplans_returned_to(members), "author_id", n=Count("client_id", distinct=True)
    )
    figures["returned_plans"] = {member: row["n"] for member, row in plans.items()}
    return figures


def _cosign(members: list[int]) -> tuple[dict[Any, int], dict[Any, dt.datetime]]:
    counts: dict[Any, int] = {}
    oldest: dict[Any, dt.datetime] = {}
    for rows in (
        notes_awaiting_cosign_by(members),
        careplan_versions_awaiting_cosign_by(members),
    ):
        for author, row in _grouped(
            rows, "author_id", n=Count("pk"), first=Min("created_at")
        ).items():
            counts[author] = counts.get(author, 0) + row["n"]
            oldest[author] = min(row["first"], oldest.get(author, row["first"]))
    return counts, oldest


#: Care managers per page of the team view (a supervisor's team fits on one; a senior's whole
#: program may not).
MEMBERS_PER_PAGE = 100


def team_page(*, actor: User, page: Any = None) -> tuple[Page[User], list[MemberRow]]:
    """A page of ``actor``'s team by name, with one row per care manager on it (NotFound for
    anyone with no team): the figures are worked out for that page's care managers only."""
    policies.require_team_viewer(actor)
    people = policies.team_members(actor).order_by("last_name", "first_name", "pk")
    shown = Paginator(people, MEMBERS_PER_PAGE).get_page(page)
    return shown, _rows(list(shown.object_list))


def _rows(people: list[User]) -> list[MemberRow]:
    members = [p.pk for p in people]
    figures = _figures(members)
    cosign, oldest = _cosign(members)
    now = clock.now()
    return [
        MemberRow(
            person=p,
            caseload=figures["caseload"].get(p.pk, 0),
            overdue_tasks=figures["overdue_tasks"].get(p.pk, 0),
            cosign=cosign.get(p.pk, 0),
            cosign_oldest_days=(now - oldest[p.pk]).days if p.pk in oldest else None,
            not_reached_14=figures["not_reached_14"].get(p.pk, 0),
            not_reached_30=figures["not_reached_30"].get(p.pk, 0),
            reassessments=figures["reassessments"].get(p.pk, 0),
            returned_plans=figures["returned_plans"].get(p.pk, 0),
        )
        for p in people
    ]


def team_member(*, actor: User, member_id: Any) -> User:
    """A care manager on ``actor``'s team; NotFound otherwise."""
    policies.require_team_viewer(actor)
    if not str(member_id).isdigit():
        raise NotFound("Not found.")
    person = policies.team_members(actor).filter(pk=int(member_id)).first()
    if person is None:
        raise NotFound("Not found.")
    return person


def figure_clients(*, actor: User, member: User, figure: str) -> QuerySet[Client]:
    """The clients behind one figure of one team member (in ``actor``'s scope)."""
    if figure == "cosign":
        condition = Q(pk__in=notes_awaiting_cosign_by([member.pk]).values("client_id")) | Q(
            pk__in=careplan_versions_awaiting_cosign_by([member.pk]).values("careplan__client_id")
        )
    else:
        source = _sources([member.pk]).get(figure)
        if source is None:
            raise NotFound("Not found.")
        rows, client = source
        condition = Q(pk__in=rows.order_by().values(client))
    return policies.client_scope(actor).filter(condition).order_by("family_name", "given_name")
