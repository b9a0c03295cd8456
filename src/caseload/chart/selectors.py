"""The client chart: every app's section about one client, gathered for one page.

Each domain app offers what its section shows as ``<thing>_for_client(*, actor, client)`` and
renders it with its own ``templates/<app>/partials/chart_section.html``; this app only composes
them, so no domain app needs to know the chart exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from caseload.access import policies
from caseload.appointments.selectors import upcoming_appointments_for_client
from caseload.assessments.selectors import AssessmentSummary, assessment_summary_for_client
from caseload.careplans.selectors import careplan_list_for_client
from caseload.clients.selectors import flags_for_client, related_people_for_client
from caseload.consents.selectors import consent_list_for_client
from caseload.enrolments.selectors import enrolments_for_client
from caseload.notes.selectors import NotePage, note_entered_in_error_count, note_page_for_client
from caseload.programrules.selectors import ProgramTimeSummary, program_time_for_client
from caseload.referrals.selectors import ReferralSummary, referral_summary_for_client
from caseload.tasks.selectors import task_list_for_client, tasks_entered_in_error_for_client
from caseload.transitions.selectors import TransitionalCareSummary, transitional_care_for_client

if TYPE_CHECKING:
    from caseload.appointments.models import Appointment
    from caseload.careplans.models import CarePlan
    from caseload.clients.models import Client, Flag, RelatedPerson
    from caseload.consents.models import Consent
    from caseload.enrolments.models import CareTeamMember, Enrolment
    from caseload.staff.models import User
    from caseload.tasks.models import Task


@dataclass(frozen=True)
class ClientChart:
    """What the client chart shows. Each list is fetched once, whatever its length."""

    client: Client
    enrolments: list[Enrolment]
    open_enrolments: list[Enrolment]
    active_flags: list[Flag]
    related_people: list[RelatedPerson]
    care_team: list[CareTeamMember]
    careplans: list[CarePlan]
    notes: NotePage
    tasks: list[Task]
    can_view_access_history: bool
    # Kept in the history, left out of the sections above; the chart says how many.
    flags_entered_in_error: list[Flag]
    related_people_entered_in_error: list[RelatedPerson]
    tasks_entered_in_error: list[Task]
    notes_entered_in_error: int
    assessments: AssessmentSummary
    referrals: ReferralSummary
    appointments: list[Appointment]
    transitional_care: TransitionalCareSummary
    consents: list[Consent]
    program_time: ProgramTimeSummary


def client_chart(*, actor: User, client_id: Any) -> ClientChart:
    """The client chart's data for ``actor``; NotFound if unknown or out of scope."""
    client = policies.require_client(actor, client_id)
    enrolments = enrolments_for_client(actor=actor, client=client)
    flags = flags_for_client(actor=actor, client=client)
    people = related_people_for_client(actor=actor, client=client)
    return ClientChart(
        client=client,
        enrolments=enrolments.enrolments,
        open_enrolments=enrolments.open_enrolments,
        active_flags=flags.active,
        related_people=people.current,
        care_team=enrolments.care_team,
        careplans=careplan_list_for_client(actor=actor, client=client),
        notes=note_page_for_client(actor=actor, client=client),
        tasks=task_list_for_client(actor=actor, client=client),
        can_view_access_history=policies.can_view_access_history(actor, client),
        flags_entered_in_error=flags.entered_in_error,
        related_people_entered_in_error=people.entered_in_error,
        tasks_entered_in_error=tasks_entered_in_error_for_client(actor=actor, client=client),
        notes_entered_in_error=note_entered_in_error_count(actor=actor, client=client),
        assessments=assessment_summary_for_client(actor=actor, client=client),
        referrals=referral_summary_for_client(actor=actor, client=client),
        appointments=upcoming_appointments_for_client(actor=actor, client=client),
        transitional_care=transitional_care_for_client(actor=actor, client=client),
        consents=consent_list_for_client(actor=actor, client=client),
        program_time=program_time_for_client(actor=actor, client=client),
    )
