"""Program rules as data: one JSON file per calendar year in ``programrules/rules/``.

``load_year(2026)`` reads and validates ``rules/2026.json`` (cached); ``check_all`` validates
every file and reports the problems in plain words (``caseload programs check``). A rule set
for a year without its own file is the latest earlier year's (the figures carry forward until
next year's file is added: docs/programs.md).

Nothing here touches the database: the engine and the command share these objects.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parent / "rules"

STAFF_TYPES = ("clinical_staff", "physician", "auxiliary")
MDM_LEVELS = ("straightforward", "low", "moderate", "high")
KINDS = ("time", "tcm", "level")
COCM_MONTHS = ("first", "later")
CODE_PATTERN = re.compile(r"^(\d{5}|G\d{4})$")


class RulesError(Exception):
    """A rules file that cannot be used, with every problem found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems


@dataclass(frozen=True)
class Base:
    code: str
    minutes: int
    nominal: int | None = None
    upto: int | None = None


@dataclass(frozen=True)
class Addon:
    code: str
    start: int  # total minutes at which the first unit is reached
    every: int  # minutes for each further unit
    max: int | None  # units a month at most (None: no cap)

    def units(self, minutes: int) -> int:
        """Units earned by ``minutes`` before the cap."""
        if minutes < self.start:
            return 0
        return 1 + (minutes - self.start) // self.every

    def threshold(self, unit: int) -> int:
        """Total minutes needed for the ``unit``-th unit (1-based)."""
        return self.start + (unit - 1) * self.every


@dataclass(frozen=True)
class Track:
    label: str
    staff: tuple[str, ...]
    base: Base
    addon: Addon | None
    month: str | None  # CoCM: "first" or "later"; None: every month
    source: str

    def minutes(self, minutes_by_staff: dict[str, int]) -> int:
        return sum(minutes_by_staff.get(staff, 0) for staff in self.staff)

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.base.code, self.addon.code) if self.addon else (self.base.code,)


@dataclass(frozen=True)
class Requires:
    consent: bool = False
    care_plan: bool = False
    chronic_conditions: int = 0
    mdm: tuple[str, ...] = ()


@dataclass(frozen=True)
class TcmCode:
    code: str
    mdm: tuple[str, ...]
    visit_within_days: int


@dataclass(frozen=True)
class Tcm:
    contact_business_days: int
    period_days: int
    codes: tuple[TcmCode, ...]
    source: str


@dataclass(frozen=True)
class Level:
    code: str
    chronic_conditions_min: int = 0
    chronic_conditions_max: int | None = None
    qmb: bool = False

    def fits(self, chronic_conditions: int, qmb: bool) -> bool:
        if chronic_conditions < self.chronic_conditions_min:
            return False
        if self.chronic_conditions_max is not None and (
            chronic_conditions > self.chronic_conditions_max
        ):
            return False
        return qmb or not self.qmb


@dataclass(frozen=True)
class Program:
    key: str
    name: str
    kind: str
    requires: Requires
    not_with: tuple[str, ...]
    one_track: bool = False
    tracks: tuple[Track, ...] = ()
    tcm: Tcm | None = None
    levels: tuple[Level, ...] = ()

    @property
    def staff(self) -> frozenset[str]:
        """The staff types whose time counts toward this program (none: no time threshold)."""
        return frozenset(s for track in self.tracks for s in track.staff)

    @property
    def codes(self) -> tuple[str, ...]:
        found: list[str] = []
        for track in self.tracks:
            found += [c for c in track.codes if c not in found]
        if self.tcm:
            found += [c.code for c in self.tcm.codes]
        found += [level.code for level in self.levels]
        return tuple(found)


@dataclass(frozen=True)
class RuleSet:
    year: int
    title: str
    sources: dict[str, str]
    programs: dict[str, Program] = field(default_factory=dict)
    source_file: str = ""

    def program(self, key: str) -> Program:
        return self.programs[key]

    def excluded_pairs(self) -> set[frozenset[str]]:
        """Pairs of programs that are never billed for the same client-month."""
        return {
            frozenset((program.key, other))
            for program in self.programs.values()
            for other in program.not_with
        }


# -- parsing --------------------------------------------------------------------------------


class _Reader:
    """Collects problems while reading one file, so a check reports all of them at once."""

    def __init__(self, sources: dict[str, str]) -> None:
        self.problems: list[str] = []
        self.sources = sources

    def fail(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}")

    def integer(self, raw: dict[str, Any], key: str, where: str, *, minimum: int = 1) -> int:
        value = raw.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.fail(where, f"'{key}' must be a whole number of at least {minimum}")
            return minimum
        return value

    def code(self, raw: dict[str, Any], where: str) -> str:
        value = raw.get("code")
        if not isinstance(value, str) or not CODE_PATTERN.match(value):
            self.fail(where, "'code' must be a CPT code (5 digits) or a HCPCS G code")
            return "?"
        return value

    def source(self, raw: dict[str, Any], key: str, where: str) -> str:
        value = raw.get(key)
        if value not in self.sources:
            self.fail(where, f"'{key}' must name one of the file's sources (got {value!r})")
            return ""
        return str(value)

    def base(self, raw: Any, where: str) -> Base:
        if not isinstance(raw, dict):
            self.fail(where, "'base' must be an object with a code and minutes")
            return Base("?", 1)
        base = Base(
            code=self.code(raw, where),
            minutes=self.integer(raw, "minutes", where),
            nominal=self.integer(raw, "nominal", where) if "nominal" in raw else None,
            upto=self.integer(raw, "upto", where) if "upto" in raw else None,
        )
        if base.upto is not None and base.upto < base.minutes:
            self.fail(where, "'upto' must not be below 'minutes'")
        return base

    def addon(self, raw: Any, base: Base, where: str) -> Addon | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            self.fail(where, "'addon' must be an object")
            return None
        cap = raw.get("max")
        if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 1):
            self.fail(where, "'max' must be a whole number of at least 1, or null for no cap")
            cap = None
        addon = Addon(
            code=self.code(raw, where),
            start=self.integer(raw, "from", where),
            every=self.integer(raw, "every", where),
            max=cap,
        )
        if addon.start <= base.minutes:
            self.fail(where, f"the add-on must start above the base code's {base.minutes} minutes")
        if base.upto is not None and addon.start != base.upto + 1:
            self.fail(where, f"the add-on must start at {base.upto + 1} (after 'upto')")
        return addon

    def track(self, raw: Any, where: str) -> Track:
        if not isinstance(raw, dict):
            self.fail(where, "each track must be an object")
            raw = {}
        staff = raw.get("staff")
        if not isinstance(staff, list) or not staff or any(s not in STAFF_TYPES for s in staff):
            self.fail(where, f"'staff' must list staff types from {', '.join(STAFF_TYPES)}")
            staff = []
        month = raw.get("month")
        if month is not None and month not in COCM_MONTHS:
            self.fail(where, "'month' must be 'first' or 'later'")
        base = self.base(raw.get("base"), where)
        return Track(
            label=str(raw.get("label") or "care management"),
            staff=tuple(staff),
            base=base,
            addon=self.addon(raw.get("addon"), base, where),
            month=month,
            source=self.source(raw, "source", where),
        )

    def requires(self, raw: Any, where: str) -> Requires:
        if not isinstance(raw, dict):
            self.fail(where, "'requires' must be an object")
            return Requires()
        unknown = set(raw) - {"consent", "care_plan", "chronic_conditions", "mdm"}
        if unknown:
            self.fail(where, f"unknown requirement(s) {', '.join(sorted(unknown))}")
        mdm = raw.get("mdm", [])
        if not isinstance(mdm, list) or any(m not in MDM_LEVELS for m in mdm):
            self.fail(where, f"'mdm' must list levels from {', '.join(MDM_LEVELS)}")
            mdm = []
        return Requires(
            consent=raw.get("consent") is True,
            care_plan=raw.get("care_plan") is True,
            chronic_conditions=(
                self.integer(raw, "chronic_conditions", where, minimum=0)
                if "chronic_conditions" in raw
                else 0
            ),
            mdm=tuple(mdm),
        )

    def tcm(self, raw: Any, where: str) -> Tcm | None:
        if not isinstance(raw, dict):
            self.fail(where, "a 'tcm' program needs a 'tcm' object")
            return None
        codes = []
        for i, item in enumerate(raw.get("codes") or []):
            at = f"{where} code {i + 1}"
            if not isinstance(item, dict):
                self.fail(at, "each code must be an object")
                continue
            mdm = item.get("mdm")
            if not isinstance(mdm, list) or not mdm or any(m not in MDM_LEVELS for m in mdm):
                self.fail(at, f"'mdm' must list levels from {', '.join(MDM_LEVELS)}")
                mdm = []
            codes.append(
                TcmCode(
                    code=self.code(item, at),
                    mdm=tuple(mdm),
                    visit_within_days=self.integer(item, "visit_within_days", at),
                )
            )
        if not codes:
            self.fail(where, "'codes' must list the transitional care codes")
        return Tcm(
            contact_business_days=self.integer(raw, "contact_business_days", where),
            period_days=self.integer(raw, "period_days", where),
            codes=tuple(codes),
            source=self.source(raw, "source", where),
        )

    def levels(self, raw: Any, where: str) -> tuple[Level, ...]:
        if not isinstance(raw, list) or not raw:
            self.fail(where, "a 'level' program needs a list of 'levels'")
            return ()
        levels = []
        for i, item in enumerate(raw):
            at = f"{where} level {i + 1}"
            if not isinstance(item, dict):
                self.fail(at, "each level must be an object")
                continue
            levels.append(
                Level(
                    code=self.code(item, at),
                    chronic_conditions_min=(
                        self.integer(item, "chronic_conditions_min", at, minimum=0)
                        if "chronic_conditions_min" in item
                        else 0
                    ),
                    chronic_conditions_max=(
                        self.integer(item, "chronic_conditions_max", at, minimum=0)
                        if "chronic_conditions_max" in item
                        else None
                    ),
                    qmb=item.get("qmb") is True,
                )
            )
        if len(levels) == len(raw):
            self.levels_cover(levels, where)
        return tuple(levels)

    def levels_cover(self, levels: list[Level], where: str) -> None:
        """Every client-month fits some level: with a gap, the engine would have no code to bill.

        A QMB client fits every level a client who is not QMB fits, so checking the latter is
        enough; and the bounds are constant past the largest number a level names, so counting
        up to one more than it tries every case."""
        bounds = [lv.chronic_conditions_min for lv in levels] + [
            lv.chronic_conditions_max for lv in levels if lv.chronic_conditions_max is not None
        ]
        for conditions in range(max(bounds) + 2):
            if not any(lv.fits(conditions, False) for lv in levels):
                self.fail(
                    where,
                    f"no level fits a client who is not QMB with {conditions} chronic "
                    "condition(s): the levels must cover every count",
                )
                return

    def program(self, raw: Any, index: int) -> Program | None:
        where = f"program {index + 1}"
        if not isinstance(raw, dict):
            self.fail(where, "must be an object")
            return None
        key = raw.get("key")
        if not isinstance(key, str) or not key:
            self.fail(where, "'key' must name the program (CCM, PCM, …)")
            return None
        where = f"program {key}"
        kind = raw.get("kind")
        if kind not in KINDS:
            self.fail(where, f"'kind' must be one of {', '.join(KINDS)}")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            self.fail(where, "'name' must be the program's name in words")
            name = key
        not_with = raw.get("not_with", [])
        if not isinstance(not_with, list) or not all(isinstance(k, str) for k in not_with):
            self.fail(where, "'not_with' must list program keys")
            not_with = []
        self.source(raw, "requires_source", where)
        tracks = tuple(
            self.track(t, f"{where} track {i + 1}") for i, t in enumerate(raw.get("tracks") or [])
        )
        if kind == "time" and not tracks:
            self.fail(where, "a 'time' program needs at least one track")
        if any(t.month for t in tracks) and {t.month for t in tracks} != set(COCM_MONTHS):
            self.fail(where, "tracks by month need one 'first' and one 'later' track")
        levels = self.levels(raw.get("levels"), where) if kind == "level" else ()
        if kind == "level":
            self.source(raw, "levels_source", where)
        return Program(
            key=key,
            name=name.strip(),
            kind=str(kind),
            requires=self.requires(raw.get("requires", {}), where),
            not_with=tuple(not_with),
            one_track=raw.get("one_track") is True,
            tracks=tracks,
            tcm=self.tcm(raw.get("tcm"), where) if kind == "tcm" else None,
            levels=levels,
        )


def parse_rules(raw: Any, *, source: str, year: int | None = None) -> RuleSet:
    """A rule set from a file's JSON; RulesError naming every problem found."""
    if not isinstance(raw, dict):
        raise RulesError(source, ["the file must hold one JSON object"])
    sources = raw.get("sources")
    if not isinstance(sources, dict) or not all(
        isinstance(v, str) and v.strip() for v in sources.values()
    ):
        raise RulesError(source, ["'sources' must map each source key to its citation"])
    reader = _Reader(sources)
    file_year = raw.get("year")
    if not isinstance(file_year, int) or not 2000 <= file_year <= 2200:
        reader.fail("file", "'year' must be the calendar year, e.g. 2026")
        file_year = 0
    elif year is not None and file_year != year:
        reader.fail("file", f"'year' is {file_year} but the file is named for {year}")
    raw_programs = raw.get("programs")
    if not isinstance(raw_programs, list) or not raw_programs:
        reader.fail("file", "'programs' must list the programs")
        raw_programs = []
    programs: dict[str, Program] = {}
    for index, item in enumerate(raw_programs):
        program = reader.program(item, index)
        if program is None:
            continue
        if program.key in programs:
            reader.fail(f"program {program.key}", "appears twice")
        programs[program.key] = program
    for program in programs.values():
        for other in program.not_with:
            if other not in programs:
                reader.fail(f"program {program.key}", f"'not_with' names unknown program {other}")
    codes: dict[str, str] = {}
    for program in programs.values():
        for code in program.codes:
            if codes.setdefault(code, program.key) != program.key:
                reader.fail(f"program {program.key}", f"code {code} also belongs to {codes[code]}")
    if reader.problems:
        raise RulesError(source, reader.problems)
    return RuleSet(
        year=file_year,
        title=str(raw.get("title") or ""),
        sources=dict(sources),
        programs=programs,
        source_file=source,
    )


def load_file(path: Path) -> RuleSet:
    """One rules file, validated; RulesError if it is unreadable or invalid."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RulesError(str(path), [f"cannot read the file as JSON ({exc})"]) from exc
    year = int(path.stem) if path.stem.isdigit() else None
    return parse_rules(raw, source=str(path), year=year)


def rule_files(directory: Path = RULES_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.json") if p.stem.isdigit())


@functools.cache
def _load_year(year: int) -> RuleSet:
    return load_file(RULES_DIR / f"{year}.json")


def years() -> list[int]:
    return [int(p.stem) for p in rule_files()]


def for_year(year: int) -> RuleSet:
    """The rules in force in ``year``: its own file, else the latest earlier year's."""
    available = [y for y in years() if y <= year]
    if not available:
        raise RulesError(str(RULES_DIR), [f"no program rules for {year} or any earlier year"])
    return _load_year(max(available))


def check_all(directory: Path = RULES_DIR) -> tuple[list[RuleSet], list[RulesError]]:
    """Every rules file in ``directory``, validated: the good ones and the problems."""
    good: list[RuleSet] = []
    bad: list[RulesError] = []
    for path in rule_files(directory):
        try:
            good.append(load_file(path))
        except RulesError as exc:
            bad.append(exc)
    return good, bad
