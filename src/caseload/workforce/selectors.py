"""Reads of staff members' professional records, always through the workforce scope of
``access.policies`` (out of scope: not found)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.core.errors import NotFound
from caseload.staff.models import User
from caseload.workforce import records
from caseload.workforce.advisor import StaffAdvice, staff_advice
from caseload.workforce.models import (
    CERecord,
    CertificationRecord,
    CompetencyReview,
    EducationRecord,
    EmploymentRecord,
    Entry,
    LicenceRecord,
    ProgramCredential,
)
from caseload.workforce.services import SECTIONS, Section, work_pattern_for

if TYPE_CHECKING:
    from caseload.workforce.models import WorkPattern


@dataclass
class ProfileView:
    staff: User
    education: list[EducationRecord]
    licences: list[LicenceRecord]
    certifications: list[CertificationRecord]
    employment: list[EmploymentRecord]
    ce: list[CERecord]
    organisation: list[records.OrgPeriod]
    work_pattern: WorkPattern
    may_edit: bool
    may_verify: bool


def staff_get(*, actor: User, staff_id: Any) -> User:
    return policies.require_workforce_profile(actor, staff_id)


def profile_get(*, actor: User, staff_id: Any) -> ProfileView:
    """A staff member's whole professional record; viewing someone else's is audited."""
    staff = staff_get(actor=actor, staff_id=staff_id)
    view = ProfileView(
        staff=staff,
        education=list(EducationRecord.objects.filter(staff=staff).select_related("verified_by")),
        licences=list(LicenceRecord.objects.filter(staff=staff).select_related("verified_by")),
        certifications=list(
            CertificationRecord.objects.filter(staff=staff).select_related("verified_by")
        ),
        employment=list(EmploymentRecord.objects.filter(staff=staff).select_related("verified_by")),
        ce=list(CERecord.objects.filter(staff=staff).select_related("verified_by")),
        organisation=records.organisation_periods(staff),
        work_pattern=work_pattern_for(staff),
        may_edit=policies.can_edit_workforce_profile(actor, staff),
        may_verify=policies.can_verify_workforce_entry(actor, staff),
    )
    if staff.pk != actor.pk:
        audit_record(actor=actor, action="workforce.profile_viewed", target=staff)
    return view


def entry_get(*, actor: User, section: Section, entry_id: Any) -> Entry:
    """One entry of a profile ``actor`` may see."""
    scope = policies.workforce_staff_scope(actor)
    try:
        found = section.model._default_manager.select_related("staff").get(
            pk=entry_id, staff__in=scope
        )
        return found
    except (ValueError, TypeError, ValidationError) as exc:
        raise NotFound("Not found.") from exc
    except section.model.DoesNotExist as exc:
        raise NotFound("Not found.") from exc


def section_get(key: str) -> Section:
    try:
        return SECTIONS[key]
    except KeyError as exc:
        raise NotFound("Not found.") from exc


def advice_get(*, actor: User, staff: User) -> StaffAdvice:
    """The advisor's plan for a staff member ``actor`` may see (viewing another's is audited)."""
    policies.require_workforce_profile(actor, staff.pk)
    plan = staff_advice(staff)
    if staff.pk != actor.pk:
        audit_record(actor=actor, action="workforce.advice_viewed", target=staff)
    return plan


def reviews_list(*, actor: User, staff: User) -> list[CompetencyReview]:
    """A staff member's competency reviews, newest first (seeing someone else's is audited)."""
    policies.require_workforce_profile(actor, staff.pk)
    found = list(CompetencyReview.objects.filter(staff=staff).select_related("reviewer"))
    if staff.pk != actor.pk:
        audit_record(actor=actor, action="workforce.reviews_viewed", target=staff)
    return found


def program_credential_get(*, requirement_id: Any) -> ProgramCredential:
    try:
        return ProgramCredential.objects.select_related("program").get(pk=requirement_id)
    except (ValueError, TypeError, ValidationError, ProgramCredential.DoesNotExist) as exc:
        raise NotFound("Not found.") from exc


# --- The month report (reports/, through workforce/report_figures.py) ------------------------


def credentials_expiring_counts(
    *, start: dt.date, days: int, program_ids: list[Any] | None
) -> tuple[dict[Any, int], dict[Any, int]]:
    """Per staff member (active, working in these programs; None: everyone), how many of their
    licences and certifications expire in the ``days`` days from ``start``, and how many had
    lapsed before it: ({staff id: expiring}, {staff id: lapsed}), two SQL aggregates each."""
    staff = User.objects.filter(is_active=True)
    if program_ids is not None:
        staff = staff.filter(programs__in=program_ids)
    staff_ids = staff.values("pk")
    until = start + dt.timedelta(days=days)
    expiring: dict[Any, int] = {}
    lapsed: dict[Any, int] = {}
    for rows, date_field, active in (
        (LicenceRecord.objects.filter(staff_id__in=staff_ids), "expires_on", Q(active=True)),
        (CertificationRecord.objects.filter(staff_id__in=staff_ids), "valid_through", Q()),
    ):
        counted = (
            rows.order_by()
            .values("staff_id")
            .annotate(
                expiring=Count(
                    "pk",
                    filter=active & Q(**{f"{date_field}__gte": start, f"{date_field}__lt": until}),
                ),
                lapsed=Count("pk", filter=~active | Q(**{f"{date_field}__lt": start})),
            )
        )
        for row in counted:
            if row["expiring"]:
                expiring[row["staff_id"]] = expiring.get(row["staff_id"], 0) + row["expiring"]
            if row["lapsed"]:
                lapsed[row["staff_id"]] = lapsed.get(row["staff_id"], 0) + row["lapsed"]
    return expiring, lapsed
