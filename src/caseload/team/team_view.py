"""The team view: for each care manager a supervisor or senior leads, the figures that say
where help is needed, each one GROUP BY query over the whole team (the same few queries for
3 supervisees or 300), and the clients behind each figure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet

from caseload.access import policies
from caseload.assessments.selectors import reassessment_due_subquery
from caseload.careplans.models import CarePlan, CarePlanStatus, CarePlanVersion
from caseload.clients.models import Client
from caseload.core import clock
from caseload.core.errors import NotFound
from caseload.core.models import CosignStatus
from caseload.enrolments.models import OPEN_STATUSES, Enrolment
from caseload.notes.models import ContactWith, NoteStatus, ProgressNote
from caseload.staff.models import User
from caseload.tasks.models import Task, TaskStatus

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


def _open(members: list[int]) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(care_manager_id__in=members, status__in=OPEN_STATUSES)


def _not_reached(days: int) -> Q:
    since = clock.now() - dt.timedelta(days=days)
    return ~Q(
        Exists(
            ProgressNote.objects.filter(
                client_id=OuterRef("client_id"),
                status=NoteStatus.SIGNED,
                reached=True,
                entered_in_error_at__isnull=True,
                contact_with__in=[ContactWith.CLIENT, ContactWith.RELATED_PERSON],
                contact_at__gte=since,
            )
        )
    )


def _grouped(rows: QuerySet[Any], by: str, count: Any) -> dict[Any, int]:
    return dict(rows.order_by().values(by).annotate(n=count).values_list(by, "n"))


#: Figure → (the rows behind it for these members, the path to the member, to the client).
def _sources(members: list[int]) -> dict[str, tuple[QuerySet[Any], str, str]]:
    today = clock.today()
    return {
        "caseload": (_open(members), "care_manager_id", "client_id"),
        "overdue_tasks": (
            Task.objects.filter(
                owner_id__in=members,
                status=TaskStatus.OPEN,
                due_on__lt=today,
                entered_in_error_at__isnull=True,
            ),
            "owner_id",
            "client_id",
        ),
        "not_reached_14": (_open(members).filter(_not_reached(14)), "care_manager_id", "client_id"),
        "not_reached_30": (_open(members).filter(_not_reached(30)), "care_manager_id", "client_id"),
        "reassessments": (
            _open(members)
            .annotate(reassessment_due=reassessment_due_subquery("client_id"))
            .filter(reassessment_due__lt=today),
            "care_manager_id",
            "client_id",
        ),
        "returned_plans": (
            CarePlan.objects.filter(author_id__in=members, status=CarePlanStatus.RETURNED),
            "author_id",
            "client_id",
        ),
    }


def _cosign(members: list[int]) -> tuple[dict[Any, int], dict[Any, dt.datetime]]:
    notes = ProgressNote.objects.filter(
        author_id__in=members,
        cosign_status=CosignStatus.PENDING,
        entered_in_error_at__isnull=True,
    )
    plans = CarePlanVersion.objects.filter(
        author_id__in=members, cosign_status=CosignStatus.PENDING
    )
    counts: dict[Any, int] = {}
    oldest: dict[Any, dt.datetime] = {}
    for rows in (notes, plans):
        for author, n, first in (
            rows.order_by()
            .values("author_id")
            .annotate(n=Count("pk"), first=Min("created_at"))
            .values_list("author_id", "n", "first")
        ):
            counts[author] = counts.get(author, 0) + n
            oldest[author] = min(first, oldest.get(author, first))
    return counts, oldest


def team_rows(*, actor: User) -> list[MemberRow]:
    """One row per care manager on ``actor``'s team (NotFound for anyone with no team)."""
    policies.require_team_viewer(actor)
    people = list(policies.team_members(actor).order_by("last_name", "first_name"))
    members = [p.pk for p in people]
    # The caseload counts enrolments (what the cap counts); the others count clients, and
    # overdue tasks count tasks.
    counted = {"caseload": Count("pk"), "overdue_tasks": Count("pk")}
    figures = {
        key: _grouped(rows, member, counted.get(key) or Count(client, distinct=True))
        for key, (rows, member, client) in _sources(members).items()
    }
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
        condition = Q(
            pk__in=ProgressNote.objects.filter(
                author=member, cosign_status=CosignStatus.PENDING, entered_in_error_at__isnull=True
            ).values("client_id")
        ) | Q(
            pk__in=CarePlanVersion.objects.filter(
                author=member, cosign_status=CosignStatus.PENDING
            ).values("careplan__client_id")
        )
    else:
        source = _sources([member.pk]).get(figure)
        if source is None:
            raise NotFound("Not found.")
        rows, _, client = source
        condition = Q(pk__in=rows.order_by().values(client))
    return policies.client_scope(actor).filter(condition).order_by("family_name", "given_name")
