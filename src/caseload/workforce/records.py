"""A staff member's record as the credential engine reads it, with the job at this organisation
derived from Caseload's own records rather than typed twice:

- the start date is the account's join date;
- career level and supervisor changes come from the audit trail (``staff.career_level_changed``
  and ``staff.supervisor_changed``, written by every change through ``access.services``), so
  each period is a separate job with the level and supervisor it had;
- "supervised by a CCM" is whether that supervisor holds a current CCM in Caseload;
- hours a week and supervision hours a year come from the staff member's work pattern.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from caseload.audit.selectors import staff_account_changes
from caseload.core import clock
from caseload.staff.models import CareerLevel, User
from caseload.workforce import engine
from caseload.workforce.models import (
    CERecord,
    CertificationRecord,
    EducationRecord,
    EmploymentKind,
    EmploymentRecord,
    LicenceRecord,
    WorkPattern,
)

if TYPE_CHECKING:
    from decimal import Decimal

#: The kind of work each career level does, as the credential rules count it.
LEVEL_KIND = {
    CareerLevel.JUNIOR: EmploymentKind.CASE_MANAGEMENT,
    CareerLevel.CARE_MANAGER: EmploymentKind.CASE_MANAGEMENT,
    CareerLevel.SENIOR: EmploymentKind.SUPERVISING,
    CareerLevel.DIRECTOR: EmploymentKind.SUPERVISING,
}


@dataclass(frozen=True)
class OrgPeriod:
    """One stretch of the job here with the same career level and supervisor."""

    start: dt.date
    end: dt.date | None
    level: str
    supervisor: User | None
    supervisor_holds_ccm: bool
    hours_per_week: Decimal
    supervision_hours_per_year: Decimal

    @property
    def level_label(self) -> str:
        return CareerLevel(self.level).label if self.level in CareerLevel.values else "Staff"

    @property
    def kind(self) -> str:
        return (
            str(LEVEL_KIND.get(CareerLevel(self.level), EmploymentKind.OTHER))
            if self.level in CareerLevel.values
            else str(EmploymentKind.OTHER)
        )

    def as_engine(self) -> engine.Employment:
        return engine.Employment(
            title=f"{self.level_label} (this organisation)",
            kind=self.kind,
            start=self.start,
            end=self.end,
            hours_per_week=float(self.hours_per_week),
            paid=True,
            internship_or_volunteer=False,
            supervised_by_ccm=self.supervisor_holds_ccm,
            supervision_hours_per_year=float(self.supervision_hours_per_year)
            if self.supervisor is not None
            else 0.0,
        )


def holds_current(user: User | None, code: str, on: dt.date) -> bool:
    """Whether ``user`` holds the certification ``code``, valid on ``on``, in Caseload."""
    if user is None:
        return False
    return (
        CertificationRecord.objects.filter(staff=user, code=code)
        .filter(Q(issued_on__isnull=True) | Q(issued_on__lte=on))
        .filter(Q(valid_through__isnull=True) | Q(valid_through__gte=on))
        .exists()
    )


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def organisation_periods(staff: User, *, today: dt.date | None = None) -> list[OrgPeriod]:
    """The job here, cut where the career level or the supervisor changed."""
    today = today or clock.today()
    pattern = WorkPattern.objects.filter(staff=staff).first() or WorkPattern(staff=staff)
    events = staff_account_changes(
        staff.pk, ("staff.career_level_changed", "staff.supervisor_changed")
    )
    joined = _local_date(staff.date_joined)
    # Work back from today's values to what held at the join date.
    level: Any = staff.career_level
    supervisor_id: Any = staff.supervisor_id
    for event in reversed(events):
        if event["action"] == "staff.career_level_changed":
            level = event["detail"].get("before", level)
        else:
            supervisor_id = _supervisor_id(event["detail"].get("before"), supervisor_id)
    cuts: list[tuple[dt.date, str, Any]] = [(joined, level, supervisor_id)]
    for event in events:
        day = max(joined, _local_date(event["occurred_at"]))
        if event["action"] == "staff.career_level_changed":
            level = event["detail"].get("after", level)
        else:
            supervisor_id = _supervisor_id(event["detail"].get("after"), supervisor_id)
        if cuts[-1][0] == day:
            cuts[-1] = (day, level, supervisor_id)
        else:
            cuts.append((day, level, supervisor_id))
    supervisors = {u.pk: u for u in User.objects.filter(pk__in={c[2] for c in cuts if c[2]})}
    periods = []
    for index, (start, lvl, sup_id) in enumerate(cuts):
        end = cuts[index + 1][0] - dt.timedelta(days=1) if index + 1 < len(cuts) else None
        supervisor = supervisors.get(sup_id)
        periods.append(
            OrgPeriod(
                start=start,
                end=end,
                level=str(lvl or ""),
                supervisor=supervisor,
                supervisor_holds_ccm=holds_current(supervisor, "CCM", end or today),
                hours_per_week=pattern.hours_per_week,
                supervision_hours_per_year=pattern.supervision_hours_per_year,
            )
        )
    return [p for p in periods if p.end is None or p.end >= p.start]


def _supervisor_id(value: Any, fallback: Any) -> Any:
    """A supervisor change's before/after value: the supervisor's username (or an id)."""
    if value in (None, "", "—"):
        return None
    if isinstance(value, int):
        return value
    found = User.objects.filter(username=value).values_list("pk", flat=True).first()
    return found if found is not None else fallback


def _d(value: Decimal | None) -> float:
    return float(value) if value is not None else 0.0


def engine_profile(staff: User, *, as_of: dt.date | None = None) -> engine.Profile:
    """The staff member's record in the engine's terms (the same shape `career advise` reads)."""
    as_of = as_of or clock.today()
    return engine.Profile(
        as_of=as_of,
        education=tuple(
            engine.Education(
                level=e.level,
                field=e.field,
                related_to_care_management=e.related_to_care_management,
                completed=e.completed_on,
            )
            for e in EducationRecord.objects.filter(staff=staff)
        ),
        licences=tuple(
            engine.Licence(
                kind=lic.name,
                independent_assessment=lic.independent_assessment,
                active=lic.active,
                unrestricted=lic.unrestricted,
                expires=lic.expires_on,
            )
            for lic in LicenceRecord.objects.filter(staff=staff)
        ),
        employment=(
            *(
                engine.Employment(
                    title=j.title,
                    kind=j.kind,
                    start=j.start_on,
                    end=j.end_on,
                    hours_per_week=_d(j.hours_per_week),
                    paid=j.paid,
                    internship_or_volunteer=j.internship_or_volunteer,
                    supervised_by_ccm=j.supervised_by_ccm,
                    supervision_hours_per_year=_d(j.supervision_hours_per_year),
                )
                for j in EmploymentRecord.objects.filter(staff=staff)
            ),
            *(p.as_engine() for p in organisation_periods(staff, today=as_of)),
        ),
        certifications=tuple(
            engine.Certification(code=c.code, issued=c.issued_on, valid_through=c.valid_through)
            for c in CertificationRecord.objects.filter(staff=staff)
        ),
        ce=ce_entries(CERecord.objects.filter(staff=staff)),
    )


def ce_entries(entries: Iterable[CERecord]) -> tuple[engine.CEEntry, ...]:
    return tuple(
        engine.CEEntry(
            completed=c.completed_on,
            hours=_d(c.hours),
            ethics_hours=_d(c.ethics_hours),
            activity=c.activity,
        )
        for c in entries
    )
