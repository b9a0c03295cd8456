"""Credential rules as data: load and validate one JSON file per credential.

A rule file (``caseload-credential/1``, see docs/credentials.md) names the credential and its
body, the qualifications that open it (a licence with given properties, or a degree of given
levels, related to care management or not), the routes to eligibility (each: which
qualifications, and how many months of which kind of full-time experience), how experience is
counted (the full-time week, paid only, internships and volunteering excluded, a look-back
window) and the renewal rule (cycle in years, CE hours, ethics hours).

Shipped files live in ``caseload/workforce/credentials/``; an organisation adds its own (ACM,
C-SWCM, a state licence) in the directory named by ``CASELOAD_CREDENTIALS_DIR``, and a file there
with the same code replaces the shipped one. Every file is validated when it is loaded, so a
broken rule is refused with every problem named instead of misadvising someone later.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from caseload.core.datafiles import load_definitions

FORMAT = "caseload-credential/1"
SHIPPED_DIR = Path(__file__).resolve().parent / "credentials"

EDUCATION_LEVELS = ("associate", "bachelor", "master", "doctorate", "rn_diploma")
EMPLOYMENT_KINDS = ("case_management", "supervising_case_managers", "direct_client", "other")
_CODE = re.compile(r"^[A-Z][A-Z0-9-]{0,19}$")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CRITERIA = ("I", "II", "III", "IV", "V")


class CredentialRuleError(ValueError):
    """A rule file is invalid; ``problems`` lists every reason, each a plain sentence."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems


@dataclass(frozen=True)
class ExperienceRule:
    full_time_hours_per_week: float
    paid_only: bool
    exclude_internship_or_volunteer: bool
    lookback_years: int | None


@dataclass(frozen=True)
class Qualification:
    id: str
    label: str
    # Exactly one of the two is set.
    licence: Mapping[str, bool] | None = None
    education_levels: tuple[str, ...] = ()
    education_related: bool | None = None

    @property
    def is_licence(self) -> bool:
        return self.licence is not None


@dataclass(frozen=True)
class Requirement:
    id: str
    label: str
    months: int
    kinds: tuple[str, ...]
    supervised_by_ccm: bool = False
    min_supervision_hours_per_year: float | None = None
    after_qualification: bool = False
    additional_to: str | None = None


@dataclass(frozen=True)
class Route:
    id: str
    label: str
    qualifications: tuple[str, ...]
    requirements: tuple[Requirement, ...]
    criterion: str | None = None


@dataclass(frozen=True)
class RenewalRule:
    cycle_years: int
    ce_hours: float
    ethics_hours: float


@dataclass(frozen=True)
class CredentialRule:
    code: str
    name: str
    body: str
    sources: tuple[str, ...]
    experience: ExperienceRule
    qualifications: Mapping[str, Qualification]
    routes: tuple[Route, ...]
    renewal: RenewalRule
    notes: tuple[str, ...] = ()
    source: str = ""

    def qualification(self, qualification_id: str) -> Qualification:
        return self.qualifications[qualification_id]


# ---------------------------------------------------------------------------------------------
# Parsing


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.items.append(f"{where}: {what}")


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(raw: Mapping[str, Any], key: str, where: str, problems: _Problems) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(where, f"'{key}' must be a non-empty text")
        return ""
    return value


def _unknown(raw: Mapping[str, Any], allowed: set[str], where: str, problems: _Problems) -> None:
    for key in sorted(set(raw) - allowed):
        problems.add(where, f"unknown key '{key}'")


def _experience(raw: Any, problems: _Problems) -> ExperienceRule:
    where = "experience"
    if not isinstance(raw, dict):
        problems.add(where, "must be an object")
        return ExperienceRule(35, True, True, None)
    _unknown(
        raw,
        {
            "full_time_hours_per_week",
            "paid_only",
            "exclude_internship_or_volunteer",
            "lookback_years",
        },
        where,
        problems,
    )
    hours = raw.get("full_time_hours_per_week")
    if not _number(hours) or not 0 < hours <= 80:
        problems.add(where, "'full_time_hours_per_week' must be a number of hours from 1 to 80")
        hours = 35
    flags = {}
    for key in ("paid_only", "exclude_internship_or_volunteer"):
        if not isinstance(raw.get(key), bool):
            problems.add(where, f"'{key}' must be true or false")
        flags[key] = bool(raw.get(key, True))
    lookback = raw.get("lookback_years")
    if lookback is not None and (
        not isinstance(lookback, int) or isinstance(lookback, bool) or lookback < 1
    ):
        problems.add(where, "'lookback_years' must be a whole number of years or null")
        lookback = None
    return ExperienceRule(
        float(hours), flags["paid_only"], flags["exclude_internship_or_volunteer"], lookback
    )


def _qualification(raw: Any, index: int, problems: _Problems) -> Qualification | None:
    where = f"qualifications[{index}]"
    if not isinstance(raw, dict):
        problems.add(where, "must be an object")
        return None
    _unknown(raw, {"id", "label", "licence", "education"}, where, problems)
    qid = raw.get("id")
    if not isinstance(qid, str) or not _ID.match(qid):
        problems.add(where, "'id' must be lower-case letters, digits and underscores")
        return None
    label = _text(raw, "label", where, problems)
    has_licence, has_education = "licence" in raw, "education" in raw
    if has_licence == has_education:
        problems.add(where, "needs exactly one of 'licence' or 'education'")
        return None
    if has_licence:
        licence = raw["licence"]
        allowed = {"independent_assessment", "active", "unrestricted"}
        if not isinstance(licence, dict) or not licence or set(licence) - allowed:
            problems.add(
                where, "'licence' must map some of independent_assessment, active, unrestricted"
            )
            return None
        if not all(isinstance(v, bool) for v in licence.values()):
            problems.add(where, "'licence' values must be true or false")
            return None
        return Qualification(qid, label, licence=dict(licence))
    education = raw["education"]
    if not isinstance(education, dict) or set(education) - {"levels", "related"}:
        problems.add(where, "'education' must have 'levels' and 'related'")
        return None
    levels = education.get("levels")
    if (
        not isinstance(levels, list)
        or not levels
        or any(level not in EDUCATION_LEVELS for level in levels)
    ):
        problems.add(where, f"'levels' must list some of {', '.join(EDUCATION_LEVELS)}")
        return None
    related = education.get("related")
    if related is not None and not isinstance(related, bool):
        problems.add(where, "'related' must be true, false or null (any field)")
        return None
    return Qualification(qid, label, education_levels=tuple(levels), education_related=related)


def _requirement(raw: Any, where: str, problems: _Problems) -> Requirement | None:
    if not isinstance(raw, dict):
        problems.add(where, "must be an object")
        return None
    _unknown(
        raw,
        {
            "id",
            "label",
            "months",
            "kinds",
            "supervised_by_ccm",
            "min_supervision_hours_per_year",
            "after_qualification",
            "additional_to",
        },
        where,
        problems,
    )
    rid = raw.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        problems.add(where, "'id' must be lower-case letters, digits and underscores")
        return None
    label = _text(raw, "label", where, problems)
    months = raw.get("months")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 240:
        problems.add(where, "'months' must be a whole number from 1 to 240")
        return None
    kinds = raw.get("kinds")
    if not isinstance(kinds, list) or not kinds or any(k not in EMPLOYMENT_KINDS for k in kinds):
        problems.add(where, f"'kinds' must list some of {', '.join(EMPLOYMENT_KINDS)}")
        return None
    supervised = raw.get("supervised_by_ccm", False)
    after = raw.get("after_qualification", False)
    for key, value in (("supervised_by_ccm", supervised), ("after_qualification", after)):
        if not isinstance(value, bool):
            problems.add(where, f"'{key}' must be true or false")
    minimum = raw.get("min_supervision_hours_per_year")
    if minimum is not None and (not _number(minimum) or minimum < 0):
        problems.add(where, "'min_supervision_hours_per_year' must be a number of hours or null")
        minimum = None
    additional_to = raw.get("additional_to")
    if additional_to is not None and not isinstance(additional_to, str):
        problems.add(where, "'additional_to' must name another requirement of the route")
        additional_to = None
    return Requirement(
        id=rid,
        label=label,
        months=months,
        kinds=tuple(kinds),
        supervised_by_ccm=bool(supervised),
        min_supervision_hours_per_year=float(minimum) if minimum is not None else None,
        after_qualification=bool(after),
        additional_to=additional_to,
    )


def _route(raw: Any, index: int, qualification_ids: set[str], problems: _Problems) -> Route | None:
    where = f"routes[{index}]"
    if not isinstance(raw, dict):
        problems.add(where, "must be an object")
        return None
    _unknown(raw, {"id", "label", "criterion", "qualifications", "requirements"}, where, problems)
    rid = raw.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        problems.add(where, "'id' must be lower-case letters, digits and underscores")
        return None
    label = _text(raw, "label", where, problems)
    criterion = raw.get("criterion")
    if criterion is not None and criterion not in CRITERIA:
        problems.add(where, f"'criterion' must be one of {', '.join(CRITERIA)} or absent")
        criterion = None
    quals = raw.get("qualifications")
    if not isinstance(quals, list) or not quals:
        problems.add(where, "'qualifications' must list at least one qualification id")
        quals = []
    for qid in quals:
        if qid not in qualification_ids:
            problems.add(where, f"names the unknown qualification '{qid}'")
    raw_requirements = raw.get("requirements")
    if not isinstance(raw_requirements, list) or not raw_requirements:
        problems.add(where, "'requirements' must list at least one experience requirement")
        raw_requirements = []
    requirements = []
    for n, item in enumerate(raw_requirements):
        requirement = _requirement(item, f"{where}.requirements[{n}]", problems)
        if requirement is not None:
            requirements.append(requirement)
    ids = [r.id for r in requirements]
    if len(set(ids)) != len(ids):
        problems.add(where, "requirement ids must be unique within the route")
    for requirement in requirements:
        if requirement.additional_to is not None:
            base = next((r for r in requirements if r.id == requirement.additional_to), None)
            if base is None or base is requirement:
                problems.add(
                    where,
                    f"'{requirement.id}' is additional to '{requirement.additional_to}', "
                    "which is not another requirement of this route",
                )
            elif not set(base.kinds) <= set(requirement.kinds):
                problems.add(
                    where,
                    f"'{requirement.id}' must accept every kind of work '{base.id}' counts",
                )
    return Route(
        id=rid,
        label=label,
        qualifications=tuple(q for q in quals if isinstance(q, str)),
        requirements=tuple(requirements),
        criterion=criterion,
    )


def _renewal(raw: Any, problems: _Problems) -> RenewalRule:
    where = "renewal"
    if not isinstance(raw, dict):
        problems.add(where, "must be an object")
        return RenewalRule(1, 0, 0)
    _unknown(raw, {"cycle_years", "ce_hours", "ethics_hours"}, where, problems)
    cycle = raw.get("cycle_years")
    if not isinstance(cycle, int) or isinstance(cycle, bool) or not 1 <= cycle <= 10:
        problems.add(where, "'cycle_years' must be a whole number from 1 to 10")
        cycle = 1
    hours = raw.get("ce_hours")
    ethics = raw.get("ethics_hours")
    ce_hours = float(hours) if _number(hours) and hours >= 0 else None
    if ce_hours is None:
        problems.add(where, "'ce_hours' must be a number of hours")
    if not _number(ethics) or ethics < 0:
        problems.add(where, "'ethics_hours' must be a number of hours")
        ethics = 0
    elif ce_hours is not None and ethics > ce_hours:  # not when the CE hours were refused
        problems.add(where, "'ethics_hours' cannot exceed 'ce_hours'")
    return RenewalRule(cycle, ce_hours if ce_hours is not None else 0.0, float(ethics))


def parse_rule(raw: Any, *, source: str) -> CredentialRule:
    """Validate one rule file's content; CredentialRuleError names every problem."""
    problems = _Problems()
    if not isinstance(raw, dict):
        raise CredentialRuleError(source, ["the file must hold one JSON object"])
    _unknown(
        raw,
        {
            "format",
            "code",
            "name",
            "body",
            "sources",
            "experience",
            "qualifications",
            "routes",
            "notes",
            "renewal",
        },
        "file",
        problems,
    )
    if raw.get("format") != FORMAT:
        problems.add("file", f"'format' must be '{FORMAT}'")
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        problems.add("file", "'code' must be upper-case letters, digits and hyphens (CCM, C-SWCM)")
        code = ""
    name = _text(raw, "name", "file", problems)
    body = _text(raw, "body", "file", problems)
    sources = raw.get("sources")
    if (
        not isinstance(sources, list)
        or not sources
        or not all(isinstance(s, str) and s.strip() for s in sources)
    ):
        problems.add("file", "'sources' must list where the rule is published (at least one)")
        sources = []
    notes = raw.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        problems.add("file", "'notes' must be a list of sentences")
        notes = []
    experience = _experience(raw.get("experience"), problems)
    qualifications: dict[str, Qualification] = {}
    raw_quals = raw.get("qualifications")
    if not isinstance(raw_quals, list) or not raw_quals:
        problems.add("file", "'qualifications' must list at least one qualification")
        raw_quals = []
    for index, item in enumerate(raw_quals):
        qualification = _qualification(item, index, problems)
        if qualification is None:
            continue
        if qualification.id in qualifications:
            problems.add(f"qualifications[{index}]", f"the id '{qualification.id}' is repeated")
        qualifications[qualification.id] = qualification
    raw_routes = raw.get("routes")
    if not isinstance(raw_routes, list) or not raw_routes:
        problems.add("file", "'routes' must list at least one route to eligibility")
        raw_routes = []
    routes = []
    for index, item in enumerate(raw_routes):
        route = _route(item, index, set(qualifications), problems)
        if route is not None:
            routes.append(route)
    route_ids = [r.id for r in routes]
    if len(set(route_ids)) != len(route_ids):
        problems.add("file", "route ids must be unique")
    renewal = _renewal(raw.get("renewal"), problems)
    if problems.items:
        raise CredentialRuleError(source, problems.items)
    return CredentialRule(
        code=str(code),
        name=name,
        body=body,
        sources=tuple(sources),
        experience=experience,
        qualifications=qualifications,
        routes=tuple(routes),
        renewal=renewal,
        notes=tuple(notes),
        source=source,
    )


# ---------------------------------------------------------------------------------------------
# Loading


@dataclass
class LoadReport:
    rules: dict[str, CredentialRule] = field(default_factory=dict)
    errors: list[CredentialRuleError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def organisation_dir() -> Path | None:
    from django.conf import settings

    configured = getattr(settings, "CASELOAD_CREDENTIALS_DIR", "") or os.environ.get(
        "CASELOAD_CREDENTIALS_DIR", ""
    )
    return Path(configured) if configured else None


def load_file(path: Path) -> CredentialRule:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CredentialRuleError(str(path), [f"cannot read the file as JSON ({exc})"]) from exc
    return parse_rule(raw, source=str(path))


def load_report() -> LoadReport:
    """Read and validate every rule file (shipped, then the organisation's)."""
    loaded = load_definitions(
        SHIPPED_DIR,
        organisation_dir(),
        load=load_file,
        code_of=lambda rule: rule.code,
        source_of=lambda rule: rule.source,
        error=CredentialRuleError,
        error_type=CredentialRuleError,
        setting="CASELOAD_CREDENTIALS_DIR",
        noun="rule",
    )
    return LoadReport(rules=loaded.found, errors=loaded.errors, notes=loaded.notes)


def load_rules() -> dict[str, CredentialRule]:
    """The valid rules by code (a refused file is left out; `credentials check` names it)."""
    return load_report().rules
