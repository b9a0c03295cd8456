"""Every write to a staff member's professional record: add, change, verify and remove entries,
the CE certificate file, and how they work here. Each is permitted through ``access.policies``,
validated, and audited (``workforce.<section>_<verb>``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.core import clock
from caseload.core.errors import ValidationFailed, check_version
from caseload.workforce.ladder import frameworks
from caseload.workforce.models import (
    CERecord,
    CertificationRecord,
    CompetencyReview,
    EducationRecord,
    EmploymentRecord,
    Entry,
    LicenceKind,
    LicenceRecord,
    ReviewKind,
    SalaryBand,
    WorkPattern,
)

if TYPE_CHECKING:
    from caseload.staff.models import User


@dataclass(frozen=True)
class Section:
    """One kind of profile entry: its model, its fields, and how people call it."""

    key: str
    model: type[Entry]
    fields: tuple[str, ...]
    singular: str
    plural: str


SECTIONS: dict[str, Section] = {
    "education": Section(
        "education",
        EducationRecord,
        ("level", "field", "related_to_care_management", "institution", "completed_on"),
        "education",
        "Education",
    ),
    "licences": Section(
        "licences",
        LicenceRecord,
        (
            "kind",
            "kind_other",
            "number",
            "state",
            "independent_assessment",
            "active",
            "unrestricted",
            "expires_on",
        ),
        "licence",
        "Licences",
    ),
    "certifications": Section(
        "certifications",
        CertificationRecord,
        ("code", "issuing_body", "number", "issued_on", "valid_through"),
        "certification",
        "Certifications",
    ),
    "employment": Section(
        "employment",
        EmploymentRecord,
        (
            "title",
            "employer",
            "kind",
            "start_on",
            "end_on",
            "hours_per_week",
            "paid",
            "internship_or_volunteer",
            "supervised_by_ccm",
            "supervision_hours_per_year",
        ),
        "job",
        "Employment history",
    ),
    "ce": Section(
        "ce",
        CERecord,
        ("activity", "provider", "completed_on", "hours", "ethics_hours", "approved_by"),
        "continuing education activity",
        "Continuing education",
    ),
}

#: What a CE certificate may be: its first bytes, and the type it is served as.
CERTIFICATE_TYPES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def section_of(entry: Entry) -> Section:
    for section in SECTIONS.values():
        if isinstance(entry, section.model):
            return section
    raise LookupError(type(entry).__name__)


def _check(section: Section, data: dict[str, Any]) -> dict[str, list[str]]:
    """The rules a form cannot know alone: dates in order and not in the future, hours."""
    today = clock.today()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if section.key == "licences":
        if data.get("kind") == LicenceKind.OTHER and not str(data.get("kind_other", "")).strip():
            add("kind_other", "Name the licence.")
    elif section.key == "certifications":
        issued, valid = data.get("issued_on"), data.get("valid_through")
        if issued and issued > today:
            add("issued_on", "The date issued cannot be in the future.")
        if issued and valid and valid < issued:
            add("valid_through", "Valid through must be on or after the date issued.")
    elif section.key == "employment":
        start, end = data.get("start_on"), data.get("end_on")
        if start and start > today:
            add("start_on", "The start date cannot be in the future.")
        if start and end and end < start:
            add("end_on", "The last day must be on or after the start date.")
        if data.get("internship_or_volunteer") and data.get("paid"):
            add(
                "paid",
                "An internship or volunteer role is recorded as unpaid: untick one of the two.",
            )
    elif section.key == "ce":
        completed = data.get("completed_on")
        if completed and completed > today:
            add("completed_on", "The date completed cannot be in the future.")
        hours, ethics = data.get("hours"), data.get("ethics_hours") or Decimal(0)
        if hours is not None and hours <= 0:
            add("hours", "Enter the hours, more than 0.")
        if hours is not None and ethics > hours:
            add("ethics_hours", "Ethics hours are part of the hours: they cannot be more.")
    return errors


def _validated(section: Section, data: dict[str, Any]) -> dict[str, Any]:
    values = {name: data[name] for name in section.fields if name in data}
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value.strip()
    if section.key == "licences":
        values["state"] = str(values.get("state", "")).upper()
        if values.get("kind") != LicenceKind.OTHER:
            values["kind_other"] = ""
    if section.key == "certifications":
        values["code"] = str(values.get("code", "")).upper()
    errors = _check(section, values)
    if errors:
        raise ValidationFailed("Check the highlighted fields.", field_errors=errors)
    return values


def _certificate(upload: UploadedFile) -> str:
    """The certificate's type, after checking its size and its first bytes."""
    limit = settings.CASELOAD_CE_CERTIFICATE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationFailed(
            "Check the highlighted fields.",
            field_errors={
                "certificate": [f"The file must be at most {limit // (1024 * 1024)} MB."]
            },
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in CERTIFICATE_TYPES:
        if head.startswith(magic):
            return content_type
    raise ValidationFailed(
        "Check the highlighted fields.",
        field_errors={"certificate": ["The certificate must be a PDF, PNG or JPEG file."]},
    )


def _detail(section: Section, entry: Entry) -> dict[str, Any]:
    detail: dict[str, Any] = {"section": section.key}
    for name in section.fields:
        value = getattr(entry, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        detail[name] = value
    return detail


def entry_create(
    *,
    actor: User,
    staff: User,
    section: Section,
    data: dict[str, Any],
    certificate: UploadedFile | None = None,
) -> Entry:
    """Add an entry to the actor's own profile."""
    policies.require_may_edit_workforce_profile(actor, staff)
    values = _validated(section, data)
    content_type = _certificate(certificate) if certificate is not None else ""
    with transaction.atomic():
        entry = section.model(staff=staff, **values)
        if certificate is not None and isinstance(entry, CERecord):
            entry.certificate_name = (certificate.name or "certificate")[:200]
            entry.certificate_type = content_type
            entry.certificate.save("certificate", certificate, save=False)
        entry.save()
        audit_record(
            actor=actor,
            action=f"workforce.{section.key}_added",
            target=entry,
            detail=_detail(section, entry),
        )
    return entry


def entry_update(
    *,
    actor: User,
    entry: Entry,
    expected_version: int,
    data: dict[str, Any],
    certificate: UploadedFile | None = None,
) -> Entry:
    """Change an entry of the actor's own profile; a change clears its verification."""
    section = section_of(entry)
    policies.require_may_edit_workforce_profile(actor, entry.staff)
    values = _validated(section, data)
    content_type = _certificate(certificate) if certificate is not None else ""
    with transaction.atomic():
        locked = section.model._default_manager.select_for_update().get(pk=entry.pk)
        check_version(locked, expected_version, section.singular)
        before = _detail(section, locked)
        for name, value in values.items():
            setattr(locked, name, value)
        fields = [*values, "version", "verified_by", "verified_at", "updated_at"]
        changed = _detail(section, locked) != before
        if certificate is not None and isinstance(locked, CERecord):
            if locked.certificate:
                locked.certificate.delete(save=False)
            locked.certificate_name = (certificate.name or "certificate")[:200]
            locked.certificate_type = content_type
            locked.certificate.save("certificate", certificate, save=False)
            fields += ["certificate", "certificate_name", "certificate_type"]
            changed = True
        if changed:
            locked.verified_by = None
            locked.verified_at = None
        locked.version += 1
        locked.save(update_fields=fields)
        audit_record(
            actor=actor,
            action=f"workforce.{section.key}_changed",
            target=locked,
            detail={"before": before, "after": _detail(section, locked)},
        )
    return locked


def entry_verify(*, actor: User, entry: Entry) -> Entry:
    """The staff member's supervisor or a director confirms the entry is correct."""
    section = section_of(entry)
    policies.require_may_verify_workforce_entry(actor, entry.staff)
    with transaction.atomic():
        locked = section.model._default_manager.select_for_update().get(pk=entry.pk)
        locked.verified_by = actor
        locked.verified_at = clock.now()
        locked.save(update_fields=["verified_by", "verified_at", "updated_at"])
        audit_record(
            actor=actor,
            action=f"workforce.{section.key}_verified",
            target=locked,
            detail={"staff": entry.staff_id},
        )
    return locked


def entry_remove(*, actor: User, entry: Entry) -> None:
    """Remove an entry from the actor's own profile (what it said stays in the audit trail)."""
    section = section_of(entry)
    policies.require_may_edit_workforce_profile(actor, entry.staff)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"workforce.{section.key}_removed",
            target=entry,
            detail=_detail(section, entry),
        )
        if isinstance(entry, CERecord) and entry.certificate:
            name = entry.certificate.name
            transaction.on_commit(lambda: entry.certificate.storage.delete(name))
        entry.delete()


def work_pattern_for(staff: User) -> WorkPattern:
    """The staff member's work pattern here (the organisation's defaults until they set it)."""
    found = WorkPattern.objects.filter(staff=staff).first()
    return found if found is not None else WorkPattern(staff=staff, version=0)


def work_pattern_update(
    *,
    actor: User,
    staff: User,
    expected_version: int,
    hours_per_week: Decimal,
    supervision_hours_per_year: Decimal,
) -> WorkPattern:
    policies.require_may_edit_workforce_profile(actor, staff)
    errors: dict[str, list[str]] = {}
    if not Decimal(1) <= hours_per_week <= Decimal(80):
        errors["hours_per_week"] = ["Enter the hours a week, from 1 to 80."]
    if not Decimal(0) <= supervision_hours_per_year <= Decimal(2000):
        errors["supervision_hours_per_year"] = ["Enter the supervision hours a year, 0 to 2000."]
    if errors:
        raise ValidationFailed("Check the highlighted fields.", field_errors=errors)
    with transaction.atomic():
        pattern, _ = WorkPattern.objects.select_for_update().get_or_create(
            staff=staff, defaults={"version": 0}
        )
        check_version(pattern, expected_version, "work pattern")
        before = {
            "hours_per_week": str(pattern.hours_per_week),
            "supervision_hours_per_year": str(pattern.supervision_hours_per_year),
        }
        pattern.hours_per_week = hours_per_week
        pattern.supervision_hours_per_year = supervision_hours_per_year
        pattern.version += 1
        pattern.save()
        audit_record(
            actor=actor,
            action="workforce.work_pattern_changed",
            target=pattern,
            detail={
                "before": before,
                "after": {
                    "hours_per_week": str(hours_per_week),
                    "supervision_hours_per_year": str(supervision_hours_per_year),
                },
            },
        )
    return pattern


# ---------------------------------------------------------------------------------------------
# Competency reviews and the organisation's salary bands


def competency_review_create(
    *,
    actor: User,
    staff: User,
    reviewed_on: dt.date,
    ratings: dict[str, int],
    comments: dict[str, str],
    summary: str,
) -> CompetencyReview:
    """A self-review (by the staff member) or a supervisor's review (by their supervisor or a
    director) against every competency of the framework."""
    if actor.pk == staff.pk:
        policies.require_may_edit_workforce_profile(actor, staff)
        kind = ReviewKind.SELF
    else:
        policies.require_may_verify_workforce_entry(actor, staff)
        kind = ReviewKind.SUPERVISOR
    fw = frameworks()
    errors: dict[str, list[str]] = {}
    for competency in fw.competencies:
        if ratings.get(competency.id) not in (1, 2, 3, 4):
            errors[f"rating_{competency.id}"] = [f"Rate {competency.name}."]
    if reviewed_on > clock.today():
        errors["reviewed_on"] = ["The review date cannot be in the future."]
    if errors:
        raise ValidationFailed("Check the highlighted fields.", field_errors=errors)
    known = {c.id for c in fw.competencies}
    with transaction.atomic():
        review = CompetencyReview.objects.create(
            staff=staff,
            reviewer=actor,
            kind=kind,
            reviewed_on=reviewed_on,
            ratings={k: int(v) for k, v in ratings.items() if k in known},
            comments={k: v.strip() for k, v in comments.items() if k in known and v.strip()},
            summary=summary.strip(),
        )
        audit_record(
            actor=actor,
            action=f"workforce.competency_review_{kind}",
            target=review,
            detail={"staff": staff.pk, "ratings": review.ratings},
        )
    return review


def salary_band_set(
    *, actor: User, level: str, low: int | None, high: int | None, open_ended: bool
) -> SalaryBand | None:
    """The organisation's band for a ladder level; both figures empty restores the typical
    US band."""
    policies.require_workforce_manager(actor)
    if frameworks().level(level) is None:
        raise ValidationFailed("Choose a ladder level.")
    with transaction.atomic():
        existing = SalaryBand.objects.select_for_update().filter(level=level).first()
        if low is None and high is None:
            if existing is not None:
                audit_record(
                    actor=actor,
                    action="workforce.salary_band_cleared",
                    target=existing,
                    detail={"level": level, "low": existing.low, "high": existing.high},
                )
                existing.delete()
            return None
        if low is None or high is None or low <= 0 or high < low:
            raise ValidationFailed(
                "Check the highlighted fields.",
                field_errors={f"{level}_high": ["Enter both figures, the upper one not lower."]},
            )
        band = existing or SalaryBand(level=level, set_by=actor, low=low, high=high)
        before = {"low": existing.low, "high": existing.high} if existing else None
        band.low, band.high, band.open_ended, band.set_by = low, high, open_ended, actor
        band.save()
        audit_record(
            actor=actor,
            action="workforce.salary_band_set",
            target=band,
            detail={"level": level, "before": before, "low": low, "high": high},
        )
    return band
