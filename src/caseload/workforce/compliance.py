"""Credential compliance: reminders before licences and certifications expire and when CE falls
behind, the director's view of everyone, and the credentials a program requires of the care
managers who carry its clients."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.urls import reverse

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.core import clock
from caseload.core.errors import ValidationFailed, check_version
from caseload.staff.models import User
from caseload.workforce import advisor, engine, records, rules
from caseload.workforce.models import (
    CERecord,
    CertificationRecord,
    LicenceRecord,
    ProgramCredential,
    WorkforceSettings,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

#: Reminders start this many days before an expiry, and turn urgent at the second figure.
FIRST_REMINDER_DAYS = 90
URGENT_REMINDER_DAYS = 30


@dataclass(frozen=True)
class CredentialItem:
    """A licence or certification of one staff member with its state on ``today``."""

    staff: User
    kind: str  # "licence" | "certification"
    name: str
    expires: dt.date | None
    active: bool
    today: dt.date

    @property
    def days_left(self) -> int | None:
        return (self.expires - self.today).days if self.expires else None

    @property
    def status(self) -> str:
        """lapsed, due_30 (within 30 days), due_90 (within 90 days) or current."""
        days = self.days_left
        if not self.active or (days is not None and days < 0):
            return "lapsed"
        if days is not None and days <= URGENT_REMINDER_DAYS:
            return "due_30"
        if days is not None and days <= FIRST_REMINDER_DAYS:
            return "due_90"
        return "current"


@dataclass(frozen=True)
class Reminder:
    """An item for the staff member's worklist."""

    urgent: bool
    title: str
    detail: str
    due: dt.date | None
    url: str


def _items(staff_ids: Iterable[Any] | None, today: dt.date) -> list[CredentialItem]:
    licences = LicenceRecord.objects.select_related("staff")
    certifications = CertificationRecord.objects.select_related("staff")
    if staff_ids is not None:
        ids = list(staff_ids)
        licences = licences.filter(staff_id__in=ids)
        certifications = certifications.filter(staff_id__in=ids)
    items = [
        CredentialItem(lic.staff, "licence", str(lic), lic.expires_on, lic.active, today)
        for lic in licences
    ]
    items += [
        CredentialItem(c.staff, "certification", c.code, c.valid_through, True, today)
        for c in certifications
    ]
    return sorted(items, key=lambda i: (i.expires or dt.date.max, i.staff.last_name, i.name))


def ce_plans_for(
    staff: User, today: dt.date, certifications: list[CertificationRecord] | None = None
) -> list[advisor.CEPlan]:
    """The CE plan of each certification the staff member holds that has renewal rules."""
    if certifications is None:
        certifications = list(CertificationRecord.objects.filter(staff=staff))
    loaded = rules.load_rules()
    with_rules = [c for c in certifications if c.code in loaded]
    if not with_rules:
        return []
    entries = records.ce_entries(CERecord.objects.filter(staff=staff))
    plans = []
    for cert in with_rules:
        held = engine.Certification(cert.code, cert.issued_on, cert.valid_through)
        result = engine.evaluate_renewal(loaded[cert.code], held, entries, today)
        plans.append(advisor.ce_plan(result, today))
    return plans


def reminders_for(staff: User, *, today: dt.date | None = None) -> list[Reminder]:
    """Worklist items about the staff member's own credentials: 90 and 30 days before an
    expiry, after it, and when CE is behind schedule for the period (two queries, a third
    only for someone holding a certification with renewal rules)."""
    today = today or clock.today()
    url = reverse("workforce:profile", args=[staff.pk])
    certifications = list(CertificationRecord.objects.filter(staff=staff))
    items = [
        CredentialItem(staff, "licence", str(lic), lic.expires_on, lic.active, today)
        for lic in LicenceRecord.objects.filter(staff=staff)
    ] + [
        CredentialItem(staff, "certification", c.code, c.valid_through, True, today)
        for c in certifications
    ]
    found = []
    for item in items:
        status, days = item.status, item.days_left
        if status == "current":
            continue
        if status == "lapsed":
            when = f"on {item.expires:%-d %B %Y}" if item.expires else "(not active)"
            found.append(
                Reminder(
                    True,
                    f"Your {item.name} {item.kind} has lapsed",
                    f"It ended {when}.",
                    item.expires,
                    url,
                )
            )
        else:
            found.append(
                Reminder(
                    status == "due_30",
                    f"Your {item.name} {item.kind} expires in {days} days",
                    f"Valid through {item.expires:%-d %B %Y}: renew it before then.",
                    item.expires,
                    url + f"#{'licences' if item.kind == 'licence' else 'certifications'}",
                )
            )
    for plan in ce_plans_for(staff, today, certifications):
        if plan.status == "behind":
            pace = f"{plan.per_month:.1f} hours a month" if plan.per_month else "more hours"
            found.append(
                Reminder(
                    plan.months_left <= 3,
                    f"CE for your {plan.credential} is behind schedule",
                    f"{plan.hours:g} of {plan.required:g} hours"
                    + (
                        f", {plan.ethics:g} of {plan.ethics_required:g} ethics"
                        if plan.ethics_required
                        else ""
                    )
                    + f"; {pace} until {plan.valid_through:%-d %B %Y}.",
                    plan.valid_through,
                    reverse("workforce:advisor", args=[staff.pk]),
                )
            )
    return sorted(found, key=lambda r: (not r.urgent, r.due or dt.date.max))


def worklist_reminders(actor: Any) -> list[Reminder]:
    """The reminders the worklist shows its signed-in staff member (none for other accounts)."""
    if not policies.is_clinical(actor):
        return []
    return reminders_for(actor)


# ---------------------------------------------------------------------------------------------
# The director's credential page


@dataclass
class StaffCompliance:
    staff: User
    items: list[CredentialItem]
    ce: list[advisor.CEPlan]


@dataclass
class ComplianceOverview:
    today: dt.date
    expiring: list[CredentialItem]
    lapsed: list[CredentialItem]
    people: list[StaffCompliance]


def compliance_overview(*, actor: User) -> ComplianceOverview:
    """Everyone's credentials for a director: what expires in 90 days, what has lapsed, and CE
    progress per person and period. Audited (it is staff members' professional record)."""
    policies.require_workforce_manager(actor)
    today = clock.today()
    staff: QuerySet[User] = policies.workforce_staff_scope(actor).filter(is_active=True)
    by_person: dict[Any, StaffCompliance] = {
        s.pk: StaffCompliance(s, [], ce_plans_for(s, today)) for s in staff
    }
    items = _items(by_person, today)
    for item in items:
        by_person[item.staff.pk].items.append(item)
    audit_record(
        actor=actor,
        action="workforce.compliance_viewed",
        target=actor,
        detail={"staff": len(by_person)},
    )
    return ComplianceOverview(
        today=today,
        expiring=[i for i in items if i.status in ("due_30", "due_90")],
        lapsed=[i for i in items if i.status == "lapsed"],
        people=sorted(by_person.values(), key=lambda p: (p.staff.last_name, p.staff.first_name)),
    )


CSV_COLUMNS = [
    "staff",
    "career_level",
    "kind",
    "credential",
    "expires",
    "days_left",
    "status",
    "ce_period_start",
    "ce_hours",
    "ce_required",
    "ethics_hours",
    "ethics_required",
    "ce_status",
]


def compliance_rows(overview: ComplianceOverview) -> Iterator[list[Any]]:
    for person in overview.people:
        plans = {plan.credential: plan for plan in person.ce}
        for item in person.items:
            plan = plans.get(item.name) if item.kind == "certification" else None
            yield [
                person.staff.display_name,
                person.staff.get_career_level_display(),
                item.kind,
                item.name,
                item.expires.isoformat() if item.expires else "",
                item.days_left if item.days_left is not None else "",
                item.status,
                plan.period_start.isoformat() if plan and plan.period_start else "",
                f"{plan.hours:g}" if plan else "",
                f"{plan.required:g}" if plan else "",
                f"{plan.ethics:g}" if plan else "",
                f"{plan.ethics_required:g}" if plan else "",
                plan.status if plan else "",
            ]


# ---------------------------------------------------------------------------------------------
# Credentials a program requires


def settings_get() -> WorkforceSettings:
    found = WorkforceSettings.objects.order_by("created_at").first()
    return found if found is not None else WorkforceSettings(version=0)


def credential_concerns(program_id: Any, care_manager: User) -> list[policies.AssignmentConcern]:
    """The program's required credentials ``care_manager`` lacks or has let lapse (an
    ``access.policies.ASSIGNMENT_CHECKS`` check). Refused when the director's setting says so."""
    required = list(
        ProgramCredential.objects.filter(program_id=program_id).select_related("program")
    )
    if not required:
        return []
    today = clock.today()
    refuse = settings_get().refuse_assignment_without_credential
    concerns = []
    for requirement in required:
        if records.holds_current(care_manager, requirement.code, today):
            continue
        lapsed = (
            CertificationRecord.objects.filter(
                staff=care_manager, code=requirement.code, valid_through__lt=today
            )
            .order_by("-valid_through")
            .first()
        )
        state = (
            f"{care_manager}'s {requirement.code} lapsed on {lapsed.valid_through:%-d %B %Y}"
            if lapsed and lapsed.valid_through
            else f"{care_manager} holds no current {requirement.code}"
        )
        concerns.append(
            policies.AssignmentConcern(
                message=f"{requirement.program.name} requires a current {requirement.code}: "
                f"{state}.",
                refuse=refuse,
            )
        )
    return concerns


def program_requirements(*, actor: User) -> list[ProgramCredential]:
    policies.require_workforce_manager(actor)
    return list(
        ProgramCredential.objects.select_related("program").order_by("program__name", "code")
    )


def program_credential_add(*, actor: User, program: Any, code: str) -> ProgramCredential:
    policies.require_workforce_manager(actor)
    code = code.strip().upper()
    if (
        code not in rules.load_rules()
        and not CertificationRecord.objects.filter(code=code).exists()
    ):
        raise ValidationFailed(
            "Check the highlighted fields.",
            field_errors={"code": [f"No credential {code} is known: add its rule file first."]},
        )
    if ProgramCredential.objects.filter(program=program, code=code).exists():
        raise ValidationFailed(
            "Check the highlighted fields.",
            field_errors={"code": [f"{program.name} already requires the {code}."]},
        )
    with transaction.atomic():
        requirement = ProgramCredential.objects.create(program=program, code=code, added_by=actor)
        audit_record(
            actor=actor,
            action="workforce.program_credential_added",
            target=requirement,
            detail={"program": program.code, "code": code},
        )
    return requirement


def program_credential_remove(*, actor: User, requirement: ProgramCredential) -> None:
    policies.require_workforce_manager(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="workforce.program_credential_removed",
            target=requirement,
            detail={"program": requirement.program.code, "code": requirement.code},
        )
        requirement.delete()


def settings_update(*, actor: User, expected_version: int, refuse: bool) -> WorkforceSettings:
    policies.require_workforce_manager(actor)
    with transaction.atomic():
        current = WorkforceSettings.objects.select_for_update().order_by("created_at").first()
        if current is None:
            current = WorkforceSettings.objects.create(version=0)
        check_version(current, expected_version, "setting")
        before = current.refuse_assignment_without_credential
        current.refuse_assignment_without_credential = refuse
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="workforce.settings_changed",
            target=current,
            detail={"refuse_assignment_without_credential": {"before": before, "after": refuse}},
        )
    return current
