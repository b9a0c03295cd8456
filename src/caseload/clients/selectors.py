"""Reads for clients: one client with what its header needs, and the whole chart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from caseload.access import policies
from caseload.clients.models import Client, Flag, RelatedPerson
from caseload.core.errors import NotFound
from caseload.enrolments.models import CareTeamMember, Enrolment, EnrolmentStatus

if TYPE_CHECKING:
    from caseload.staff.models import User

# Open enrolments first (active, on hold, referred), then discharged; newest referral first.
_STATUS_RANK: dict[str, int] = {
    EnrolmentStatus.ACTIVE: 0,
    EnrolmentStatus.ON_HOLD: 1,
    EnrolmentStatus.REFERRED: 2,
    EnrolmentStatus.DISCHARGED: 3,
}


def _enrolments_of(client: Client) -> list[Enrolment]:
    """The client's enrolments with program, care manager and care plan: open first (active,
    on hold, referred), then discharged; newest referral first within each."""
    enrolments = Enrolment.objects.filter(client_id=client.pk).select_related(
        "program", "care_manager", "careplan"
    )
    return sorted(
        enrolments, key=lambda e: (_STATUS_RANK.get(e.status, 9), -e.referred_on.toordinal())
    )


def _flags_of(client: Client) -> tuple[list[Flag], list[Flag]]:
    """The client's active flags (newest first) and the flags entered in error (most recently
    marked first), in one query; resolved flags are in neither."""
    flags = list(
        Flag.objects.filter(client_id=client.pk)
        .filter(
            Q(is_active=True, entered_in_error_at__isnull=True)
            | Q(entered_in_error_at__isnull=False)
        )
        .select_related("raised_by", "entered_in_error_by")
        .order_by("-created_at")
    )
    active = [f for f in flags if f.entered_in_error_at is None]
    in_error = [f for f in flags if f.entered_in_error_at is not None]
    in_error.sort(key=lambda f: f.entered_in_error_at or f.created_at, reverse=True)
    return active, in_error


def related_person_get(*, actor: User, client_id: Any, person_id: Any) -> RelatedPerson:
    """A related person of a client in scope (entered in error or not); NotFound otherwise."""
    try:
        return (
            RelatedPerson.objects.filter(client__in=policies.client_scope(actor))
            .select_related("client", "entered_in_error_by")
            .get(pk=person_id, client_id=client_id)
        )
    except (RelatedPerson.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Person not found.") from exc


def flag_get(*, actor: User, client_id: Any, flag_id: Any) -> Flag:
    """A flag on a client in scope (entered in error or not); NotFound otherwise."""
    try:
        return (
            Flag.objects.filter(client__in=policies.client_scope(actor))
            .select_related("client", "raised_by", "resolved_by", "entered_in_error_by")
            .get(pk=flag_id, client_id=client_id)
        )
    except (Flag.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Flag not found.") from exc


@dataclass(frozen=True)
class ClientChart:
    """What the client chart shows. Each list is fetched once, whatever its length."""

    client: Client
    enrolments: list[Enrolment]
    open_enrolments: list[Enrolment]
    active_flags: list[Flag]
    related_people: list[RelatedPerson]
    care_team: list[CareTeamMember]
    careplans: Any
    notes: Any
    tasks: Any
    can_view_access_history: bool
    # Kept in the history, left out of the sections above; the chart says how many.
    flags_entered_in_error: list[Flag]
    related_people_entered_in_error: list[RelatedPerson]
    tasks_entered_in_error: Any
    notes_entered_in_error: int
    assessments: Any = None
    referrals: Any = None
    appointments: Any = None
    transitional_care: Any = None
    consents: Any = None


def client_chart(*, actor: User, client_id: Any) -> ClientChart:
    """The client chart's data for ``actor``; NotFound if unknown or out of scope.

    Care plans, notes and tasks come from their own apps' selectors.
    """
    from caseload.appointments.selectors import upcoming_appointments_for_client
    from caseload.assessments.selectors import assessment_summary_for_client
    from caseload.careplans.selectors import careplan_list_for_client
    from caseload.consents.selectors import consent_list_for_client
    from caseload.notes.selectors import note_entered_in_error_count, note_page_for_client
    from caseload.referrals.selectors import referral_summary_for_client
    from caseload.tasks.selectors import task_list_for_client, tasks_entered_in_error_for_client
    from caseload.transitions.selectors import transitional_care_for_client

    client = policies.require_client(actor, client_id)
    enrolments = _enrolments_of(client)
    active_flags, flags_entered_in_error = _flags_of(client)
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
    people = list(
        client.related_people.filter(
            Q(is_active=True) | Q(entered_in_error_at__isnull=False)
        ).select_related("entered_in_error_by")
    )
    return ClientChart(
        client=client,
        enrolments=enrolments,
        open_enrolments=open_enrolments,
        active_flags=active_flags,
        related_people=[p for p in people if not p.is_entered_in_error],
        care_team=care_team,
        careplans=careplan_list_for_client(actor=actor, client=client),
        notes=note_page_for_client(actor=actor, client=client),
        tasks=task_list_for_client(actor=actor, client=client),
        can_view_access_history=policies.can_view_access_history(actor, client),
        flags_entered_in_error=flags_entered_in_error,
        related_people_entered_in_error=[p for p in people if p.is_entered_in_error],
        tasks_entered_in_error=tasks_entered_in_error_for_client(actor=actor, client=client),
        notes_entered_in_error=note_entered_in_error_count(actor=actor, client=client),
        assessments=assessment_summary_for_client(actor=actor, client=client),
        referrals=referral_summary_for_client(actor=actor, client=client),
        appointments=upcoming_appointments_for_client(actor=actor, client=client),
        transitional_care=transitional_care_for_client(actor=actor, client=client),
        consents=consent_list_for_client(actor=actor, client=client),
    )
