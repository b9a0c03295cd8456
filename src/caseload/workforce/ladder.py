"""The career ladder, the competency framework and the specialisation paths, as data.

``frameworks/ladder.json`` lists the levels (junior care manager → care manager → senior care
manager → director of care management → vice president / chief care officer) with what it takes
to reach each one and the typical US salary band; ``competencies.json`` the competencies a
supervisor reviews and their rating scale; ``specialisations.json`` the paths the advisor can
suggest. Each is validated when loaded.

The caseload cap of a level is not repeated here: it is ``staff.models.CASELOAD_CAPS``, the one
the worklist and assignment already use. The salary bands can be replaced by the organisation's
own (``SalaryBand`` rows, set by a director); the page then says whose figures they are.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caseload.staff.models import CASELOAD_CAPS, CareerLevel

DIR = Path(__file__).resolve().parent / "frameworks"
PROGRAM_KINDS = ("geriatric", "behavioural_health", "chronic_disease", "pediatric", "transitional")


class FrameworkError(ValueError):
    pass


@dataclass(frozen=True)
class Salary:
    low: int
    high: int
    open_ended: bool
    source: str  # "typical" (SPEC §6) or "organisation"

    def label(self) -> str:
        top = f"${self.high:,}" + ("+" if self.open_ended else "")
        return f"${self.low:,}–{top} a year"


@dataclass(frozen=True)
class Criteria:
    min_years: float
    credentials_any: tuple[str, ...]
    min_competency: int | None
    supervises: bool
    min_supervising_years: float


@dataclass(frozen=True)
class Level:
    id: str
    name: str
    career_level: str | None
    typical_years: str
    salary: Salary
    description: str
    criteria: Criteria

    @property
    def caseload_cap(self) -> int | None:
        """From staff.models.CASELOAD_CAPS (the one source of truth); None: no caseload."""
        if self.career_level is None:
            return None
        return CASELOAD_CAPS.get(self.career_level)


@dataclass(frozen=True)
class Competency:
    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Specialisation:
    id: str
    name: str
    program_kinds: tuple[str, ...]
    competencies: tuple[str, ...]
    next_steps: tuple[str, ...]


@dataclass(frozen=True)
class Frameworks:
    levels: tuple[Level, ...]
    salary_note: str
    scale: tuple[tuple[int, str, str], ...]
    competencies: tuple[Competency, ...]
    specialisations: tuple[Specialisation, ...]

    def level(self, level_id: str) -> Level | None:
        return next((lvl for lvl in self.levels if lvl.id == level_id), None)

    def level_of(self, career_level: str) -> Level | None:
        return next((lvl for lvl in self.levels if lvl.career_level == career_level), None)

    def next_after(self, level: Level) -> Level | None:
        index = self.levels.index(level)
        return self.levels[index + 1] if index + 1 < len(self.levels) else None

    def scale_label(self, value: int) -> str:
        return next((label for v, label, _ in self.scale if v == value), str(value))

    def competency(self, competency_id: str) -> Competency | None:
        return next((c for c in self.competencies if c.id == competency_id), None)


def _read(name: str, expected_format: str) -> dict[str, Any]:
    raw = json.loads((DIR / name).read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or raw.get("format") != expected_format:
        raise FrameworkError(f"{name}: 'format' must be '{expected_format}'")
    return raw


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise FrameworkError(message)


def parse_ladder(raw: dict[str, Any]) -> tuple[tuple[Level, ...], str]:
    levels = []
    seen: set[str] = set()
    for index, item in enumerate(raw.get("levels") or []):
        where = f"ladder.levels[{index}]"
        _require(isinstance(item, dict), f"{where}: must be an object")
        level_id = item.get("id")
        _require(
            isinstance(level_id, str) and level_id not in seen, f"{where}: id missing/repeated"
        )
        seen.add(level_id)
        career_level = item.get("career_level")
        _require(
            career_level is None or career_level in CareerLevel.values,
            f"{where}: career_level must be one of {', '.join(CareerLevel.values)} or null",
        )
        salary = item.get("salary") or {}
        low, high = salary.get("low"), salary.get("high")
        _require(
            isinstance(low, int) and isinstance(high, int) and 0 < low <= high,
            f"{where}: salary needs whole-dollar low ≤ high",
        )
        criteria = item.get("criteria") or {}
        min_competency = criteria.get("min_competency")
        _require(
            min_competency is None or min_competency in (1, 2, 3, 4),
            f"{where}: min_competency must be 1–4 or null",
        )
        levels.append(
            Level(
                id=level_id,
                name=str(item.get("name", "")),
                career_level=career_level,
                typical_years=str(item.get("typical_years", "")),
                salary=Salary(
                    int(low or 0), int(high or 0), bool(salary.get("open_ended")), "typical"
                ),
                description=str(item.get("description", "")),
                criteria=Criteria(
                    min_years=float(criteria.get("min_years", 0)),
                    credentials_any=tuple(criteria.get("credentials_any", [])),
                    min_competency=min_competency,
                    supervises=bool(criteria.get("supervises")),
                    min_supervising_years=float(criteria.get("min_supervising_years", 0)),
                ),
            )
        )
    _require(len(levels) >= 2, "ladder: at least two levels")
    mapped = [lvl.career_level for lvl in levels if lvl.career_level]
    _require(
        sorted(mapped) == sorted(CareerLevel.values),
        "ladder: every career level of staff.models.CareerLevel must have exactly one level",
    )
    return tuple(levels), str(raw.get("salary_note", ""))


@functools.cache
def frameworks() -> Frameworks:
    """The three files, parsed and validated (FrameworkError names the first problem)."""
    levels, note = parse_ladder(_read("ladder.json", "caseload-ladder/1"))
    comp = _read("competencies.json", "caseload-competencies/1")
    scale = tuple((s["value"], s["label"], s.get("description", "")) for s in comp["scale"])
    _require([s[0] for s in scale] == [1, 2, 3, 4], "competencies: the scale is 1 to 4")
    competencies = tuple(
        Competency(c["id"], c["name"], c.get("description", "")) for c in comp["competencies"]
    )
    ids = {c.id for c in competencies}
    _require(len(ids) == len(competencies), "competencies: ids must be unique")
    spec = _read("specialisations.json", "caseload-specialisations/1")
    specialisations = []
    for item in spec["specialisations"]:
        kinds = tuple(item["program_kinds"])
        _require(set(kinds) <= set(PROGRAM_KINDS), f"specialisation {item['id']}: program kinds")
        wanted = tuple(item.get("competencies", []))
        _require(set(wanted) <= ids, f"specialisation {item['id']}: unknown competency")
        specialisations.append(
            Specialisation(item["id"], item["name"], kinds, wanted, tuple(item["next_steps"]))
        )
    return Frameworks(
        levels=levels,
        salary_note=note,
        scale=scale,
        competencies=competencies,
        specialisations=tuple(specialisations),
    )


def with_salaries(base: Frameworks, overrides: dict[str, tuple[int, int, bool]]) -> Frameworks:
    """The ladder with the organisation's own salary bands where it set them."""
    if not overrides:
        return base
    levels = tuple(
        Level(
            id=lvl.id,
            name=lvl.name,
            career_level=lvl.career_level,
            typical_years=lvl.typical_years,
            salary=Salary(*overrides[lvl.id], "organisation")
            if lvl.id in overrides
            else lvl.salary,
            description=lvl.description,
            criteria=lvl.criteria,
        )
        for lvl in base.levels
    )
    return Frameworks(levels, base.salary_note, base.scale, base.competencies, base.specialisations)


# ---------------------------------------------------------------------------------------------
# Readiness for a level


@dataclass(frozen=True)
class Check:
    """One criterion of a level: met or not, the rule, and the facts that decided it."""

    rule: str
    met: bool
    facts: str
    gap: str = ""


@dataclass(frozen=True)
class Facts:
    years: float  # paid case management and supervising experience, full-time years
    supervising_years: float
    supervises_now: int
    credentials: tuple[str, ...]  # current ones
    eligible_for: dict[str, str | None]  # code -> eligible_from (None: no date)
    ratings: dict[str, int]  # the latest supervisor review; empty when none
    review_date: str | None


def readiness(level: Level, facts: Facts, fw: Frameworks) -> list[Check]:
    criteria = level.criteria
    checks = [
        Check(
            rule=f"At least {criteria.min_years:g} years of paid case management "
            "(supervising case managers included), full-time equivalent",
            met=facts.years >= criteria.min_years,
            facts=f"{facts.years:.1f} years counted from the employment history and the job here",
            gap=f"{criteria.min_years - facts.years:.1f} more years of case management",
        )
    ]
    if criteria.credentials_any:
        wanted = " or ".join(criteria.credentials_any)
        held = [code for code in criteria.credentials_any if code in facts.credentials]
        dates = [
            f"{code}: eligible from {facts.eligible_for[code]}"
            for code in criteria.credentials_any
            if facts.eligible_for.get(code)
        ]
        checks.append(
            Check(
                rule=f"A current {wanted}",
                met=bool(held),
                facts=f"holds {', '.join(held)}"
                if held
                else "holds neither" + (f" ({'; '.join(dates)})" if dates else ""),
                gap=f"earn the {wanted}",
            )
        )
    if criteria.supervises:
        checks.append(
            Check(
                rule="Leads others: supervises at least one care manager",
                met=facts.supervises_now > 0 or facts.supervising_years > 0,
                facts=f"supervises {facts.supervises_now} now; "
                f"{facts.supervising_years:.1f} years supervising case managers",
                gap="supervise a care manager (ask about taking a junior)",
            )
        )
    if criteria.min_supervising_years:
        checks.append(
            Check(
                rule=f"At least {criteria.min_supervising_years:g} years supervising case managers",
                met=facts.supervising_years >= criteria.min_supervising_years,
                facts=f"{facts.supervising_years:.1f} years supervising",
                gap=f"{criteria.min_supervising_years - facts.supervising_years:.1f} more years "
                "leading a team",
            )
        )
    if criteria.min_competency:
        label = fw.scale_label(criteria.min_competency)
        if not facts.ratings:
            checks.append(
                Check(
                    rule=f"Every competency rated {label} ({criteria.min_competency}) or better "
                    "in the latest supervisor review",
                    met=False,
                    facts="no supervisor competency review yet",
                    gap="a competency review with your supervisor",
                )
            )
        else:
            below = [
                f"{c.name} {facts.ratings.get(c.id, 0)}"
                for c in fw.competencies
                if facts.ratings.get(c.id, 0) < criteria.min_competency
            ]
            checks.append(
                Check(
                    rule=f"Every competency rated {label} ({criteria.min_competency}) or better "
                    "in the latest supervisor review",
                    met=not below,
                    facts=f"review of {facts.review_date}: "
                    + ("all at or above" if not below else "below: " + ", ".join(below)),
                    gap="raise " + ", ".join(below) if below else "",
                )
            )
    return checks
