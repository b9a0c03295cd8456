"""The credential engine: a professional profile, evaluated against the rule files, as of a date.

Pure Python, no database: the same code answers `caseload career advise PROFILE.json`, the
public `/career/` page, a staff member's advisor page and the JSON API.

How experience is counted (docs/credentials.md says why):

- Each day of an employment counts ``min(hours a week, full-time week) / full-time week`` of a
  full-time day toward a requirement whose kinds of work it matches; several jobs on one day
  together count at most one full-time day. Unpaid work, internships and volunteering count
  nothing when the rule says so; a CCM-supervised requirement counts only jobs supervised by a
  CCM; a requirement with a supervision minimum only jobs with at least that many supervision
  hours a year; an ``after_qualification`` requirement only days on or after the day the
  qualifying degree was completed; a look-back window only the last N years.
- "N months of experience" from the first counted day D0 is the number of days from D0 to the
  same day of the month N months later (clamped to the month's end): working full-time from
  2025-01-10 gives 12 months on 2026-01-10 (eligible that day, not the day before). Part-time
  work takes proportionally longer.
- An employment without an end continues; that is how "when will I be eligible if my current
  work continues" is answered. ``eligible_from`` is null when continuing would never do it.
- An employment's ``end`` is its last day worked.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from caseload.workforce.rules import (
    EDUCATION_LEVELS,
    EMPLOYMENT_KINDS,
    CredentialRule,
    Qualification,
    Requirement,
    Route,
)

HORIZON_YEARS = 15
LEVEL_NAMES = {
    "associate": "associate degree",
    "bachelor": "bachelor's degree",
    "master": "master's degree",
    "doctorate": "doctorate",
    "rn_diploma": "RN diploma",
}
KIND_NAMES = {
    "case_management": "case management",
    "supervising_case_managers": "supervising case managers",
    "direct_client": "direct client work",
    "other": "other work",
}


class ProfileError(ValueError):
    """The profile cannot be read; ``problems`` says where and why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# ---------------------------------------------------------------------------------------------
# Dates


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later (or earlier), clamped to the month's end."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def months_between(start: dt.date, end: dt.date) -> Fraction:
    """Calendar months from ``start`` to ``end`` (whole months by add_months, then a fraction)."""
    if end <= start:
        return Fraction(0)
    whole = (end.year - start.year) * 12 + end.month - start.month
    while whole > 0 and add_months(start, whole) > end:
        whole -= 1
    base = add_months(start, whole)
    following = add_months(start, whole + 1)
    return whole + Fraction((end - base).days, (following - base).days)


# ---------------------------------------------------------------------------------------------
# The profile


@dataclass(frozen=True)
class Education:
    level: str
    field: str = ""
    related_to_care_management: bool = False
    completed: dt.date | None = None

    def describe(self) -> str:
        what = LEVEL_NAMES.get(self.level, self.level)
        if self.field:
            what += f" in {self.field}"
        related = (
            "related to care management"
            if self.related_to_care_management
            else "not in a field related to care management"
        )
        when = f"completed {self.completed.isoformat()}" if self.completed else "not completed"
        return f"{what} ({related}; {when})"


@dataclass(frozen=True)
class Licence:
    kind: str
    independent_assessment: bool = False
    active: bool = True
    unrestricted: bool = True
    expires: dt.date | None = None

    def held_on(self, day: dt.date) -> bool:
        return self.active and (self.expires is None or day <= self.expires)

    def describe(self) -> str:
        facts = [
            "allows independent assessment"
            if self.independent_assessment
            else "does not allow independent assessment",
            "active" if self.active else "not active",
            "unrestricted" if self.unrestricted else "restricted",
        ]
        if self.expires:
            facts.append(f"expires {self.expires.isoformat()}")
        return f"{self.kind} licence ({', '.join(facts)})"


@dataclass(frozen=True)
class Employment:
    title: str
    kind: str
    start: dt.date
    end: dt.date | None = None
    hours_per_week: float | None = None
    paid: bool = True
    internship_or_volunteer: bool = False
    supervised_by_ccm: bool = False
    supervision_hours_per_year: float = 0

    def describe(self) -> str:
        until = self.end.isoformat() if self.end else "ongoing"
        hours = f", {_num(self.hours_per_week)} h/week" if self.hours_per_week is not None else ""
        return (
            f"{self.title or KIND_NAMES.get(self.kind, self.kind)} "
            f"({KIND_NAMES.get(self.kind, self.kind)}, {self.start.isoformat()} – {until}{hours})"
        )


@dataclass(frozen=True)
class Certification:
    code: str
    issued: dt.date | None = None
    valid_through: dt.date | None = None


@dataclass(frozen=True)
class CEEntry:
    completed: dt.date
    hours: float
    ethics_hours: float = 0
    activity: str = ""


@dataclass(frozen=True)
class Profile:
    as_of: dt.date
    education: tuple[Education, ...] = ()
    licences: tuple[Licence, ...] = ()
    employment: tuple[Employment, ...] = ()
    certifications: tuple[Certification, ...] = ()
    ce: tuple[CEEntry, ...] = ()


def _num(value: float | Fraction | None) -> float | int:
    """A figure for people and JSON: whole numbers without a decimal point."""
    if value is None:
        return 0
    rounded = round(float(value), 2)
    return int(rounded) if rounded == int(rounded) else rounded


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def date(
        self, raw: Mapping[str, Any], key: str, where: str, *, required: bool
    ) -> dt.date | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.problems.append(f"{where}.{key}: a date (YYYY-MM-DD) is required")
            return None
        if not isinstance(value, str):
            self.problems.append(f"{where}.{key}: must be a date written YYYY-MM-DD")
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.problems.append(f"{where}.{key}: '{value}' is not a date written YYYY-MM-DD")
            return None

    def boolean(self, raw: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = raw.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problems.append(f"{where}.{key}: must be true or false")
            return default
        return value

    def number(
        self, raw: Mapping[str, Any], key: str, where: str, *, default: float | None, maximum: float
    ) -> float | None:
        value = raw.get(key, default)
        if value is None:
            return default
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 <= value <= maximum
        ):
            self.problems.append(f"{where}.{key}: must be a number from 0 to {_num(maximum)}")
            return default
        return float(value)

    def text(self, raw: Mapping[str, Any], key: str, where: str) -> str:
        value = raw.get(key, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problems.append(f"{where}.{key}: must be text")
            return ""
        return value.strip()[:200]

    def items(self, raw: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
        value = raw.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.append(f"{key}: must be a list")
            return []
        found: list[tuple[str, Mapping[str, Any]]] = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                self.problems.append(f"{key}[{index}]: must be an object")
                continue
            found.append((f"{key}[{index}]", item))
        return found


def profile_from_json(raw: Any) -> Profile:
    """Read the documented profile shape (docs/credentials.md); ProfileError lists each problem.

    Keys outside the shape are ignored, so a richer export of a profile is accepted too.
    """
    if not isinstance(raw, dict):
        raise ProfileError(["the profile must be one JSON object"])
    read = _Reader()
    as_of = read.date(raw, "as_of", "profile", required=True)
    education = []
    for where, item in read.items(raw, "education"):
        level = item.get("level")
        if level not in EDUCATION_LEVELS:
            read.problems.append(f"{where}.level: must be one of {', '.join(EDUCATION_LEVELS)}")
            continue
        education.append(
            Education(
                level=level,
                field=read.text(item, "field", where),
                related_to_care_management=read.boolean(
                    item, "related_to_care_management", where, False
                ),
                completed=read.date(item, "completed", where, required=False),
            )
        )
    licences = []
    for where, item in read.items(raw, "licences"):
        kind = read.text(item, "kind", where)
        if not kind:
            read.problems.append(f"{where}.kind: the kind of licence is required (RN, LCSW …)")
            continue
        licences.append(
            Licence(
                kind=kind,
                independent_assessment=read.boolean(item, "independent_assessment", where, False),
                active=read.boolean(item, "active", where, True),
                unrestricted=read.boolean(item, "unrestricted", where, True),
                expires=read.date(item, "expires", where, required=False),
            )
        )
    employment = []
    for where, item in read.items(raw, "employment"):
        kind = str(item.get("kind"))
        if kind not in EMPLOYMENT_KINDS:
            read.problems.append(f"{where}.kind: must be one of {', '.join(EMPLOYMENT_KINDS)}")
            continue
        start = read.date(item, "start", where, required=True)
        end = read.date(item, "end", where, required=False)
        if start is None:
            continue
        if end is not None and end < start:
            read.problems.append(f"{where}.end: is before its start")
            continue
        employment.append(
            Employment(
                title=read.text(item, "title", where),
                kind=kind,
                start=start,
                end=end,
                hours_per_week=read.number(
                    item, "hours_per_week", where, default=None, maximum=168
                ),
                paid=read.boolean(item, "paid", where, True),
                internship_or_volunteer=read.boolean(item, "internship_or_volunteer", where, False),
                supervised_by_ccm=read.boolean(item, "supervised_by_ccm", where, False),
                supervision_hours_per_year=read.number(
                    item, "supervision_hours_per_year", where, default=0, maximum=8760
                )
                or 0,
            )
        )
    certifications = []
    for where, item in read.items(raw, "certifications"):
        code = read.text(item, "code", where).upper()
        if not code:
            read.problems.append(f"{where}.code: the credential's code is required (CCM, CMC …)")
            continue
        certifications.append(
            Certification(
                code=code,
                issued=read.date(item, "issued", where, required=False),
                valid_through=read.date(item, "valid_through", where, required=False),
            )
        )
    ce = []
    for where, item in read.items(raw, "ce"):
        completed = read.date(item, "completed", where, required=True)
        hours = read.number(item, "hours", where, default=None, maximum=1000)
        if hours is None:
            read.problems.append(f"{where}.hours: the number of hours is required")
        if completed is None or hours is None:
            continue
        ethics_hours = read.number(item, "ethics_hours", where, default=None, maximum=1000)
        if ethics_hours is None:
            ethics_hours = hours if read.boolean(item, "ethics", where, False) else 0
        if ethics_hours > hours:
            read.problems.append(f"{where}.ethics_hours: cannot exceed the entry's hours")
            continue
        ce.append(
            CEEntry(
                completed=completed,
                hours=hours,
                ethics_hours=ethics_hours,
                activity=read.text(item, "activity", where),
            )
        )
    if read.problems or as_of is None:
        raise ProfileError(read.problems or ["profile.as_of: a date is required"])
    return Profile(
        as_of=as_of,
        education=tuple(education),
        licences=tuple(licences),
        employment=tuple(employment),
        certifications=tuple(certifications),
        ce=tuple(ce),
    )


def profile_to_json(profile: Profile) -> dict[str, Any]:
    """The documented shape, for the API, a saved public profile and tests."""

    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "as_of": profile.as_of.isoformat(),
        "education": [
            {
                "level": e.level,
                "field": e.field,
                "related_to_care_management": e.related_to_care_management,
                "completed": day(e.completed),
            }
            for e in profile.education
        ],
        "licences": [
            {
                "kind": lic.kind,
                "independent_assessment": lic.independent_assessment,
                "active": lic.active,
                "unrestricted": lic.unrestricted,
                "expires": day(lic.expires),
            }
            for lic in profile.licences
        ],
        "employment": [
            {
                "title": j.title,
                "kind": j.kind,
                "start": j.start.isoformat(),
                "end": day(j.end),
                "hours_per_week": _num(j.hours_per_week) if j.hours_per_week is not None else None,
                "paid": j.paid,
                "internship_or_volunteer": j.internship_or_volunteer,
                "supervised_by_ccm": j.supervised_by_ccm,
                "supervision_hours_per_year": _num(j.supervision_hours_per_year),
            }
            for j in profile.employment
        ],
        "certifications": [
            {"code": c.code, "issued": day(c.issued), "valid_through": day(c.valid_through)}
            for c in profile.certifications
        ],
        "ce": [
            {
                "completed": c.completed.isoformat(),
                "hours": _num(c.hours),
                "ethics_hours": _num(c.ethics_hours),
            }
            for c in profile.ce
        ],
    }


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class RequirementResult:
    requirement: Requirement
    months_required: int  # including the base requirement's months for an "additional" one
    months_credited: Fraction
    met: bool
    counted: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


@dataclass
class RouteResult:
    route: Route
    qualification: Qualification | None  # the one that opens the route, if held by as_of
    qualification_fact: str
    qualification_from: dt.date | None  # the day it is (or will be) held from
    eligible_today: bool
    eligible_from: dt.date | None
    requirements: list[RequirementResult]

    @property
    def progress(self) -> float:
        if not self.requirements:
            return 0.0
        return min(
            float(min(Fraction(1), r.months_credited / r.months_required))
            for r in self.requirements
        )


@dataclass
class EligibilityResult:
    rule: CredentialRule
    eligible: bool
    eligible_from: dt.date | None
    decisive: RouteResult | None
    routes: list[RouteResult]
    missing: list[str]
    why: list[str]

    @property
    def route_label(self) -> str:
        return self.decisive.route.label if self.decisive else "none"

    @property
    def criterion(self) -> str | None:
        if self.decisive is None or self.decisive.qualification_from is None:
            return None
        return self.decisive.route.criterion

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "eligible": self.eligible,
            "eligible_from": self.eligible_from.isoformat() if self.eligible_from else None,
            "route": self.route_label,
            "missing": list(self.missing),
            "why": list(self.why),
        }
        if any(route.criterion for route in self.rule.routes):
            data["criterion"] = self.criterion
        return data


@dataclass
class RenewalResult:
    rule: CredentialRule
    valid_through: dt.date | None
    period_start: dt.date | None
    ce_hours: float
    ce_required: float
    ethics_hours: float
    ethics_required: float
    lapsed: bool
    entries_counted: int
    entries_outside: int

    @property
    def hours_missing(self) -> float:
        return max(0.0, self.ce_required - self.ce_hours)

    @property
    def ethics_missing(self) -> float:
        return max(0.0, self.ethics_required - self.ethics_hours)

    def months_left(self, today: dt.date) -> Fraction:
        if self.valid_through is None:
            return Fraction(0)
        return months_between(today, self.valid_through + dt.timedelta(days=1))

    def hours_per_month_needed(self, today: dt.date) -> float | None:
        """CE hours a month still needed to finish by the end of the period (None: no time left)."""
        if self.hours_missing == 0:
            return 0.0
        months = self.months_left(today)
        if months <= 0:
            return None
        return float(Fraction(self.hours_missing).limit_denominator() / months)

    def as_json(self) -> dict[str, Any]:
        return {
            "credential": self.rule.code,
            "valid_through": self.valid_through.isoformat() if self.valid_through else None,
            "ce_hours": _num(self.ce_hours),
            "ce_required": _num(self.ce_required),
            "hours_missing": _num(self.hours_missing),
            "ethics_hours": _num(self.ethics_hours),
            "ethics_required": _num(self.ethics_required),
            "ethics_missing": _num(self.ethics_missing),
        }


@dataclass
class Advice:
    profile: Profile
    eligibility: dict[str, EligibilityResult]
    renewals: list[RenewalResult]

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {code: result.as_json() for code, result in self.eligibility.items()}
        data["renewals"] = [renewal.as_json() for renewal in self.renewals]
        return data


# ---------------------------------------------------------------------------------------------
# Evaluation


class _Timeline:
    """Days from ``origin`` to ``horizon``; prefix sums of full-time-day credit per requirement."""

    def __init__(self, origin: dt.date, horizon: dt.date) -> None:
        self.origin = origin
        self.horizon = horizon
        self.length = (horizon - origin).days + 1

    def index(self, day: dt.date) -> int:
        return max(0, min(self.length, (day - self.origin).days))

    def day(self, index: int) -> dt.date:
        return self.origin + dt.timedelta(days=index)


def _job_excluded(rule: CredentialRule, requirement: Requirement, job: Employment) -> str | None:
    """Why a job does not count toward a requirement (None: it counts)."""
    if job.kind not in requirement.kinds:
        return None  # not this requirement's kind of work: not worth mentioning
    experience = rule.experience
    if experience.exclude_internship_or_volunteer and job.internship_or_volunteer:
        return "internships and volunteering are not accepted"
    if experience.paid_only and not job.paid:
        return "only paid employment counts"
    if requirement.supervised_by_ccm and not job.supervised_by_ccm:
        return "it was not supervised by a CCM"
    minimum = requirement.min_supervision_hours_per_year
    if minimum is not None and job.supervision_hours_per_year < minimum:
        return (
            f"{_num(job.supervision_hours_per_year)} hours of supervision a year is below the "
            f"{_num(minimum)} hours required"
        )
    return ""


def _units(hours: float) -> int:
    """Hours a week in hundredths of an hour: credit is summed in whole numbers."""
    return round(hours * 100)


def _credit_prefix(
    rule: CredentialRule, requirement: Requirement, jobs: Sequence[Employment], line: _Timeline
) -> list[int]:
    """Prefix sums of each day's credit, in hundredths of an hour of a full-time week."""
    full_time = _units(rule.experience.full_time_hours_per_week)
    daily = [0] * line.length
    for job in jobs:
        if job.kind not in requirement.kinds or _job_excluded(rule, requirement, job):
            continue
        share = min(
            full_time, _units(job.hours_per_week) if job.hours_per_week is not None else full_time
        )
        first = line.index(job.start)
        last = line.index(job.end + dt.timedelta(days=1)) if job.end else line.length
        for i in range(first, last):
            daily[i] = min(full_time, daily[i] + share)
    prefix = [0] * (line.length + 1)
    running = 0
    for i, credit in enumerate(daily):
        running += credit
        prefix[i + 1] = running
    return prefix


def _qualification_dates(
    qualification: Qualification, profile: Profile
) -> tuple[dt.date | None, dt.date | None, str]:
    """From when to when the person holds the qualification (None, None if never) and the fact."""
    if qualification.licence is not None:
        wanted = qualification.licence
        for licence in profile.licences:
            properties = {
                "independent_assessment": licence.independent_assessment,
                "active": licence.active,
                "unrestricted": licence.unrestricted,
            }
            if all(properties[key] == value for key, value in wanted.items()):
                return dt.date.min, licence.expires, licence.describe()
        return None, None, ""
    best: Education | None = None
    for education in profile.education:
        if education.level not in qualification.education_levels or education.completed is None:
            continue
        if (
            qualification.education_related is not None
            and education.related_to_care_management != qualification.education_related
        ):
            continue
        if best is None or education.completed < (best.completed or dt.date.max):
            best = education
    if best is None:
        return None, None, ""
    return best.completed, None, best.describe()


def _requirement_months(route: Route, requirement: Requirement) -> int:
    if requirement.additional_to is None:
        return requirement.months
    base = next(r for r in route.requirements if r.id == requirement.additional_to)
    return requirement.months + base.months


def _evaluate_route(
    rule: CredentialRule,
    route: Route,
    profile: Profile,
    line: _Timeline,
    prefixes: Mapping[str, list[int]],
) -> RouteResult:
    # The qualification held earliest (and still held) opens the route.
    options = []
    for qid in route.qualifications:
        qualification = rule.qualification(qid)
        start, until, fact = _qualification_dates(qualification, profile)
        if start is not None:
            options.append((start, until, fact, qualification))
    options.sort(key=lambda option: option[0])

    lookback = rule.experience.lookback_years

    full_time = _units(rule.experience.full_time_hours_per_week)

    def window_start(requirement: Requirement, day_index: int, qualified_from: dt.date) -> int:
        """The first day that counts toward ``requirement`` on ``day_index``: from the
        qualification when it says so, within the look-back window when the rule has one."""
        lower = line.index(qualified_from) if requirement.after_qualification else 0
        if lookback:
            lower = max(lower, line.index(add_months(line.day(day_index), -12 * lookback)))
        return lower

    def credited(requirement: Requirement, day_index: int, qualified_from: dt.date) -> int:
        """Full-time days counted before ``day_index``, in units of ``full_time``."""
        prefix = prefixes[requirement.id]
        lower = window_start(requirement, day_index, qualified_from)
        if lower >= day_index:
            return 0
        return prefix[day_index] - prefix[lower]

    first_credit: dict[str, list[int]] = {}
    for requirement in route.requirements:
        prefix = prefixes[requirement.id]
        first_credit[requirement.id] = [i for i in range(line.length) if prefix[i + 1] > prefix[i]]

    def needed(requirement: Requirement, day_index: int, qualified_from: dt.date) -> int | None:
        """Full-time days required, counted from the first credited day in the window."""
        lower = window_start(requirement, day_index, qualified_from)
        days = first_credit[requirement.id]
        position = bisect.bisect_left(days, lower)
        if position >= len(days) or days[position] >= day_index:
            return None
        anchor = line.day(days[position])
        return (add_months(anchor, _requirement_months(route, requirement)) - anchor).days

    def met_on(day_index: int) -> bool:
        day = line.day(day_index)
        for start, until, _fact, _q in options:
            if start > day or (until is not None and day > until):
                continue
            if all(
                (need := needed(r, day_index, start)) is not None
                and credited(r, day_index, start) >= need * full_time
                for r in route.requirements
            ):
                return True
        return False

    def next_possible(day_index: int) -> int:
        """A day after ``day_index`` before which the route cannot be met: the walk forward
        skips to it. N months are at least 28 × N days (no month is shorter; a span clamped to
        a month's end covers 28 days a month too), so a requirement needs at least 28 × N
        full-time days of credit. On a later day the credit counted is at most what has been
        credited since the window's start on ``day_index`` (the start only moves forward), and
        the prefix sums say on which day that first reaches 28 × N."""
        earliest = line.length
        for start, _until, _fact, _q in options:
            first = day_index + 1
            for requirement in route.requirements:
                prefix = prefixes[requirement.id]
                least = 28 * _requirement_months(route, requirement) * full_time
                target = prefix[window_start(requirement, day_index, start)] + least
                first = max(first, bisect.bisect_left(prefix, target))
            earliest = min(earliest, first)
        return earliest

    today = line.index(profile.as_of)
    eligible_today = bool(options) and met_on(today)
    eligible_from: dt.date | None = None
    if options:
        if eligible_today:
            i = today
            while i > 0 and met_on(i - 1):
                i -= 1
            eligible_from = line.day(i)
        else:
            # Day by day, but past the days on which the route cannot be met yet (a route not
            # met for years ahead would otherwise try each of the horizon's ~5,500 days).
            i = today + 1
            while i < line.length:
                if met_on(i):
                    eligible_from = line.day(i)
                    break
                i = next_possible(i)

    # Described: the qualification held earliest (all of them count experience from their date).
    chosen = options[0] if options else None
    qualified_from = chosen[0] if chosen else None
    results = []
    for requirement in route.requirements:
        months_required = _requirement_months(route, requirement)
        counted_from = qualified_from if qualified_from is not None else dt.date.min
        have = Fraction(0)
        need = needed(requirement, today, counted_from)
        got = credited(requirement, today, counted_from)
        if need:
            have = min(Fraction(months_required), Fraction(got * months_required, need * full_time))
        counted, excluded = _explain_jobs(rule, requirement, profile, qualified_from)
        results.append(
            RequirementResult(
                requirement=requirement,
                months_required=months_required,
                months_credited=have,
                met=bool(need) and got >= (need or 0) * full_time,
                counted=counted,
                excluded=excluded,
            )
        )
    return RouteResult(
        route=route,
        qualification=chosen[3] if chosen else None,
        qualification_fact=chosen[2] if chosen else "",
        qualification_from=qualified_from,
        eligible_today=eligible_today,
        eligible_from=eligible_from,
        requirements=results,
    )


def _explain_jobs(
    rule: CredentialRule,
    requirement: Requirement,
    profile: Profile,
    qualified_from: dt.date | None,
) -> tuple[list[str], list[str]]:
    counted, excluded = [], []
    full_time = rule.experience.full_time_hours_per_week
    for job in profile.employment:
        if job.kind not in requirement.kinds:
            continue
        reason = _job_excluded(rule, requirement, job)
        if reason:
            excluded.append(f"{job.describe()}: not counted, {reason}")
            continue
        share = ""
        if job.hours_per_week is not None and job.hours_per_week < full_time:
            share = (
                f" at {_num(job.hours_per_week)}/{_num(full_time)} of full time "
                f"(full time is {_num(full_time)} hours a week)"
            )
        note = ""
        if requirement.after_qualification and qualified_from is not None:
            if job.end is not None and job.end < qualified_from:
                excluded.append(
                    f"{job.describe()}: not counted, it ended before the eligibility degree "
                    f"({qualified_from.isoformat()})"
                )
                continue
            if job.start < qualified_from:
                note = f" from {qualified_from.isoformat()} (the eligibility degree) only"
        counted.append(f"{job.describe()}: counts{share}{note}")
    return counted, excluded


def _months_text(months: Fraction | float) -> str:
    value = round(float(months), 1)
    return f"{int(value)}" if value == int(value) else f"{value}"


def evaluate_credential(rule: CredentialRule, profile: Profile) -> EligibilityResult:
    starts = [job.start for job in profile.employment]
    starts += [e.completed for e in profile.education if e.completed]
    origin = min([profile.as_of - dt.timedelta(days=1), *starts])
    horizon = add_months(max([profile.as_of, *starts]), 12 * HORIZON_YEARS)
    line = _Timeline(origin, horizon)
    prefixes: dict[str, list[int]] = {}
    routes = []
    for route in rule.routes:
        for requirement in route.requirements:
            prefixes[requirement.id] = _credit_prefix(rule, requirement, profile.employment, line)
        routes.append(_evaluate_route(rule, route, profile, line, prefixes))

    eligible_now = [r for r in routes if r.eligible_today]
    future = [r for r in routes if not r.eligible_today and r.eligible_from is not None]
    decisive: RouteResult | None
    if eligible_now:
        decisive = min(eligible_now, key=lambda r: r.eligible_from or dt.date.max)
        eligible_from = decisive.eligible_from
    elif future:
        decisive = min(future, key=lambda r: r.eligible_from or dt.date.max)
        eligible_from = decisive.eligible_from
    else:
        held = [r for r in routes if r.qualification_from is not None]
        decisive = max(held, key=lambda r: r.progress) if held else None
        eligible_from = None

    missing: list[str] = []
    why: list[str] = []
    any_qualification = " or ".join(
        dict.fromkeys(
            rule.qualification(q).label for route in rule.routes for q in route.qualifications
        )
    )
    if decisive is None:
        missing.append(f"a qualifying licence or degree: {any_qualification}")
        why.append(
            f"{rule.code} ({rule.body}) asks for {any_qualification}; the profile has none of "
            "these."
        )
        facts = [e.describe() for e in profile.education] + [
            lic.describe() for lic in profile.licences
        ]
        if facts:
            why.append("Held: " + "; ".join(facts) + ".")
        best = max(routes, key=lambda r: r.progress) if routes else None
        if best is not None:
            for result in best.requirements:
                if not result.met:
                    missing.append(_missing_experience(result))
    else:
        route = decisive.route
        if decisive.qualification_from is not None and decisive.qualification_from > profile.as_of:
            missing.append(
                f"{decisive.qualification.label if decisive.qualification else 'the qualification'}"
                f" (expected {decisive.qualification_from.isoformat()})"
            )
        why.append(f"Route: {route.label} ({rule.body}).")
        if decisive.qualification is not None:
            why.append(
                f"Qualification: {decisive.qualification_fact} meets "
                f"“{decisive.qualification.label}”."
            )
        for result in decisive.requirements:
            requirement = result.requirement
            need = f"{result.months_required} months of {requirement.label}"
            if requirement.additional_to:
                need += (
                    f" in total ({result.months_required - requirement.months} months of the "
                    f"requirement above plus {requirement.months} more)"
                )
            why.append(
                f"Experience: {_months_text(result.months_credited)} of {need} counted as of "
                f"{profile.as_of.isoformat()}."
            )
            why.extend(result.counted)
            why.extend(result.excluded)
            if not result.met and not decisive.eligible_today:
                missing.append(_missing_experience(result))
        if not decisive.eligible_today and eligible_from is not None:
            why.append(
                f"If the current work continues, the requirement is met on "
                f"{eligible_from.isoformat()}."
            )
        elif not decisive.eligible_today:
            why.append(
                "Continuing the current work would not meet this route: the missing experience "
                "needs a different job (or different supervision)."
            )
    why.extend(rule.notes)
    return EligibilityResult(
        rule=rule,
        eligible=bool(eligible_now),
        eligible_from=eligible_from,
        decisive=decisive,
        routes=routes,
        missing=missing,
        why=why,
    )


def _missing_experience(result: RequirementResult) -> str:
    short = Fraction(result.months_required) - result.months_credited
    return (
        f"{_months_text(max(Fraction(0), short))} more months of {result.requirement.label} "
        f"({_months_text(result.months_credited)} of {result.months_required} counted)"
    )


def current_period(
    rule: CredentialRule, certification: Certification
) -> tuple[dt.date | None, dt.date | None]:
    """The certification period ending at ``valid_through`` (its first day, its last day)."""
    if certification.valid_through is None:
        return certification.issued, None
    start = add_months(certification.valid_through, -12 * rule.renewal.cycle_years) + dt.timedelta(
        days=1
    )
    if certification.issued is not None and certification.issued > start:
        start = certification.issued
    return start, certification.valid_through


def evaluate_renewal(
    rule: CredentialRule, certification: Certification, ce: Iterable[CEEntry], as_of: dt.date
) -> RenewalResult:
    start, end = current_period(rule, certification)
    hours = ethics = 0.0
    inside = outside = 0
    for entry in ce:
        last = min(end, as_of) if end else as_of
        if (start is None or entry.completed >= start) and entry.completed <= last:
            hours += entry.hours
            ethics += entry.ethics_hours
            inside += 1
        else:
            outside += 1
    return RenewalResult(
        rule=rule,
        valid_through=end,
        period_start=start,
        ce_hours=hours,
        ce_required=rule.renewal.ce_hours,
        ethics_hours=ethics,
        ethics_required=rule.renewal.ethics_hours,
        lapsed=end is not None and end < as_of,
        entries_counted=inside,
        entries_outside=outside,
    )


def advise(
    profile: Profile, rules: Mapping[str, CredentialRule], codes: Sequence[str] = ("CCM", "CMC")
) -> Advice:
    """Eligibility for each credential in ``codes`` and the renewal state of each one held."""
    eligibility = {code: evaluate_credential(rules[code], profile) for code in codes}
    renewals = [
        evaluate_renewal(rules[c.code], c, profile.ce, profile.as_of)
        for c in profile.certifications
        if c.code in rules
    ]
    return Advice(profile=profile, eligibility=eligibility, renewals=renewals)


def experience_years(
    profile: Profile, kinds: Sequence[str], *, full_time_hours: float = 35.0
) -> float:
    """Paid, non-volunteer experience of ``kinds`` before ``as_of``, in full-time years (the
    ladder's measure; several jobs on one day count at most one full-time day)."""
    jobs = [
        j
        for j in profile.employment
        if j.kind in kinds and j.paid and not j.internship_or_volunteer and j.start < profile.as_of
    ]
    if not jobs:
        return 0.0
    origin = min(j.start for j in jobs)
    line = _Timeline(origin, profile.as_of)
    full_time = _units(full_time_hours)
    daily = [0] * line.length
    for job in jobs:
        share = min(
            full_time,
            _units(job.hours_per_week) if job.hours_per_week is not None else full_time,
        )
        last = line.index(job.end + dt.timedelta(days=1)) if job.end else line.length
        for i in range(line.index(job.start), min(last, line.index(profile.as_of))):
            daily[i] = min(full_time, daily[i] + share)
    return sum(daily) / full_time / 365.25
