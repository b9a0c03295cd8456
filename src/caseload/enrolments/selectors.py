"""Reads for enrolments, always scoped through the client the actor may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from caseload.access import policies
from caseload.core.errors import NotFound
from caseload.enrolments.models import (
    OPEN_STATUSES,
    CareTeamMember,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    Program,
)
from caseload.enrolments.services import allowed_transitions
from caseload.enrolments.services import open_enrolment_counts as open_enrolment_counts
from caseload.staff.models import CareerLevel, User

if TYPE_CHECKING:
    from caseload.careplans.models import CarePlan
    from caseload.clients.models import Client

# Open enrolments first (active, on hold, referred), then discharged; newest referral first.
_STATUS_RANK: dict[str, int] = {
    EnrolmentStatus.ACTIVE: 0,
    EnrolmentStatus.ON_HOLD: 1,
    EnrolmentStatus.REFERRED: 2,
    EnrolmentStatus.DISCHARGED: 3,
}


def enrolment_get(*, actor: User, enrolment_id: Any) -> Enrolment:
    """The enrolment with its client, program, care manager and care plan; NotFound if unseen."""
    try:
        return (
            Enrolment.objects.filter(client__in=policies.client_scope(actor))
            .select_related("client", "program", "care_manager", "careplan")
            .get(pk=enrolment_id)
        )
    except (Enrolment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Enrolment not found.") from exc


def _careplan_of(enrolment: Enrolment) -> CarePlan | None:
    """The enrolment's care plan, or None (uses the select_related cache when present)."""
    try:
        return enrolment.careplan
    except Enrolment.careplan.RelatedObjectDoesNotExist:
        return None


@dataclass(frozen=True)
class EnrolmentDetail:
    enrolment: Enrolment
    careplan: CarePlan | None
    events: list[EnrolmentEvent]
    care_team: list[CareTeamMember]
    past_care_team: list[CareTeamMember]
    allowed_statuses: list[str]
    can_manage: bool
    can_reassign: bool


def _event_label(event: EnrolmentEvent, value: str) -> str:
    if event.kind == EnrolmentEvent.Kind.STATUS and value in EnrolmentStatus.values:
        return str(EnrolmentStatus(value).label)
    return value


def enrolment_detail(*, actor: User, enrolment_id: Any) -> EnrolmentDetail:
    """Everything the enrolment page shows, in a fixed number of queries; NotFound if unseen."""
    enrolment = enrolment_get(actor=actor, enrolment_id=enrolment_id)
    events = list(enrolment.events.select_related("actor").order_by("created_at"))
    for event in events:
        event.from_label = _event_label(event, event.from_value)  # type: ignore[attr-defined]
        event.to_label = _event_label(event, event.to_value)  # type: ignore[attr-defined]
    members = list(enrolment.care_team.select_related("staff").order_by("created_at"))
    manage = policies.can_manage_enrolment(actor, enrolment)
    return EnrolmentDetail(
        enrolment=enrolment,
        careplan=_careplan_of(enrolment),
        events=events,
        care_team=[m for m in members if m.is_active],
        past_care_team=[m for m in members if not m.is_active],
        allowed_statuses=allowed_transitions(enrolment.status) if manage else [],
        can_manage=manage,
        can_reassign=enrolment.is_open and policies.can_reassign(actor, enrolment),
    )


@dataclass(frozen=True)
class ClientEnrolments:
    """A client's enrolments as the chart shows them: every one (open first: active, on hold,
    referred; then discharged; newest referral first within each), the open ones, and the
    active care-team members of the open ones (each with its enrolment from the list)."""

    enrolments: list[Enrolment]
    open_enrolments: list[Enrolment]
    care_team: list[CareTeamMember]


def enrolments_for_client(*, actor: User, client: Client) -> ClientEnrolments:
    """The client's enrolments with program and care manager, and the care team of the open
    ones: two queries (one when nothing is open; none out of scope)."""
    enrolments = sorted(
        Enrolment.objects.filter(policies.rows_of_client(actor, client.pk)).select_related(
            "program", "care_manager"
        ),
        key=lambda e: (_STATUS_RANK.get(e.status, 9), -e.referred_on.toordinal()),
    )
    open_enrolments = [e for e in enrolments if e.is_open]
    by_id = {e.pk: e for e in enrolments}
    care_team = list(
        CareTeamMember.objects.filter(
            enrolment_id__in=[e.pk for e in open_enrolments], is_active=True
        )
        .select_related("staff")
        .order_by("created_at")
    )
    for member in care_team:  # reuse the enrolments already loaded
        member.enrolment = by_id[member.enrolment_id]
    return ClientEnrolments(
        enrolments=enrolments, open_enrolments=open_enrolments, care_team=care_team
    )


def care_team_member_get(*, actor: User, enrolment_id: Any, member_id: Any) -> CareTeamMember:
    """A member of a visible enrolment's care team; NotFound otherwise."""
    enrolment = enrolment_get(actor=actor, enrolment_id=enrolment_id)
    try:
        member = CareTeamMember.objects.select_related("staff").get(
            pk=member_id, enrolment=enrolment
        )
    except (CareTeamMember.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Care-team member not found.") from exc
    member.enrolment = enrolment
    return member


def program_choices() -> QuerySet[Program]:
    """Programs taking new enrolments."""
    return Program.objects.filter(is_active=True).order_by("name")


def assignable_care_managers(*, actor: User, program: Program | None = None) -> QuerySet[User]:
    """Staff ``actor`` may choose as care manager (access.policies.can_assign_care_manager).

    Junior and ordinary care managers: only themselves. Seniors: themselves and clinical staff
    in the programs they lead (in ``program`` when given). Directors: every clinical staff member.
    """
    clinical = User.objects.filter(is_active=True, career_level__in=policies.CLINICAL_LEVELS)
    if not policies.is_clinical(actor):
        return User.objects.none()
    if actor.career_level == CareerLevel.DIRECTOR:
        return clinical.order_by("last_name", "first_name")
    led = policies.led_program_ids(actor)
    if program is not None:
        led = [pk for pk in led if pk == program.pk]
    if not led:
        return User.objects.filter(pk=actor.pk)
    return (
        clinical.filter(Q(pk=actor.pk) | Q(programs__in=led))
        .distinct()
        .order_by("last_name", "first_name")
    )


def care_team_staff_choices() -> QuerySet[User]:
    """Clinical staff who may join a care team."""
    return User.objects.filter(is_active=True, career_level__in=policies.CLINICAL_LEVELS).order_by(
        "last_name", "first_name"
    )


def open_enrolments_for(*, actor: User, client: Client) -> list[Enrolment]:
    """The client's open enrolments, newest referral first, for a form that asks which one a
    record is part of; NotFound when the client is out of ``actor``'s scope."""
    policies.require_client(actor, client.pk)
    return list(
        Enrolment.objects.filter(client_id=client.pk, status__in=OPEN_STATUSES)
        .select_related("program", "care_manager")
        .order_by("-referred_on")
    )


# For the worklist (top floor): ``condition`` is a condition on Enrolment (open, of a program,
# of a care manager).


def client_ids_enrolled(condition: Q) -> QuerySet[Enrolment, Any]:
    """The client ids of enrolments matching ``condition``, as a subquery for ``pk__in`` on a
    client queryset that starts from ``access.policies.client_scope``."""
    return Enrolment.objects.filter(condition).values("client_id")


def enrolments_of_client(client: Any, condition: Q | None = None) -> QuerySet[Enrolment]:
    """One client's enrolments (matching ``condition``): ``client`` is the id of a client the
    caller has read through the scope, or ``OuterRef(...)`` to a client queryset that starts
    from ``access.policies.client_scope`` (then the outer query carries the scope)."""
    return Enrolment.objects.filter(condition or Q(), client_id=client)


def enrolments_in_scope(*, actor: User) -> QuerySet[Enrolment]:
    """Every enrolment of a client ``actor`` may see, for other apps to narrow (the assessment
    registry: a program's open enrolments)."""
    return Enrolment.objects.filter(client__in=policies.client_scope(actor))


def enrolments_among(enrolments: list[Enrolment]) -> QuerySet[Enrolment]:
    """These enrolments (read through a scoped selector) as a queryset, for a choice field."""
    return Enrolment.objects.filter(pk__in=[e.pk for e in enrolments])


def enrolment_rows_by_client(condition: Q, client_ids: list[Any]) -> dict[Any, list[Any]]:
    """Each listed client's enrolments matching ``condition`` (program, status, referral date,
    care manager's name), for clients the caller has just read through ``client_scope``."""
    rows: dict[Any, list[Any]] = defaultdict(list)
    for enrolment in (
        Enrolment.objects.filter(condition, client_id__in=client_ids)
        .order_by("program__name", "referred_on")
        .values(
            "client_id",
            "program__name",
            "status",
            "referred_on",
            "care_manager__first_name",
            "care_manager__last_name",
            "care_manager__username",
        )
    ):
        rows[enrolment["client_id"]].append(enrolment)
    return rows


def care_managers_of(*, clients: Q) -> dict[Any, Any]:
    """Each client's care manager id (``clients``: a condition on ``client_id``): of an active
    enrolment first, else of any open one (the program rules' month-end report by care
    manager)."""
    active: dict[Any, Any] = {}
    any_open: dict[Any, Any] = {}
    rows = (
        Enrolment.objects.filter(clients)
        .exclude(status=EnrolmentStatus.DISCHARGED)
        .order_by("referred_on")
        .values_list("client_id", "care_manager_id", "status")
    )
    for client_id, care_manager_id, status in rows:
        any_open.setdefault(client_id, care_manager_id)
        if status == EnrolmentStatus.ACTIVE:
            active.setdefault(client_id, care_manager_id)
    return {**any_open, **active}


# For bulk reassignment (the team app, top floor).


def enrolments_reassignable(*, actor: User, condition: Q | None = None) -> QuerySet[Enrolment]:
    """The open enrolments ``actor`` may move in bulk (``access.policies.reassignable_enrolments``:
    a director any, a senior those of the programs they lead, anyone else none) that match
    ``condition`` (on Enrolment: care manager, program, acuity, the client's language or city),
    with client, program and care manager."""
    return Enrolment.objects.filter(
        policies.reassignable_enrolments(actor), condition or Q(), status__in=OPEN_STATUSES
    ).select_related("client", "program", "care_manager")


# For the team view (top floor): ``care_manager_ids`` are the team's, from
# access.policies.team_members; the rows are counted per care manager, and the clients behind a
# figure are listed through access.policies.client_scope.


def open_enrolments_managed_by(care_manager_ids: list[Any]) -> QuerySet[Enrolment]:
    """The open enrolments these care managers manage (what the caseload cap counts)."""
    return Enrolment.objects.filter(care_manager_id__in=care_manager_ids, status__in=OPEN_STATUSES)


def enrolments_where(condition: Q) -> QuerySet[Enrolment]:
    """Enrolments matching ``condition``, for another app's subquery of client ids that a
    query starting from the scope narrows (the assessments' overdue reassessments)."""
    return Enrolment.objects.filter(condition)


# --- The month report (reports/) -----------------------------------------------------------
# Reads for figures over many clients, scoped by the programs the report covers (its reader's,
# from access.policies.report_programs): None means every program.


def enrolments_for_report(program_ids: list[Any] | None) -> QuerySet[Enrolment]:
    """Every enrolment of these programs (the report's enrolment figures)."""
    rows = Enrolment.objects.all()
    return rows if program_ids is None else rows.filter(program_id__in=program_ids)
