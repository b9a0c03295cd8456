"""The rules engine: one client-month's facts in, the codes met and the reasons for the rest out.

The pages, the month close and ``caseload programs evaluate`` all call ``evaluate``. It is pure
but for the organisation's holiday calendar, which the caller passes as ``calendar`` (a function
from a date range to the holidays in it); a fact's own ``holidays`` replace the calendar.

A result is ``{"codes": [...], "not_met": [{"code": ..., "reason": ...}]}`` — a code billed
twice appears twice in ``codes`` — and for transitional care also ``contact_due`` and
``visit_due`` (ISO dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from caseload.core.business_days import add_business_days
from caseload.programrules import rules as rules_module
from caseload.programrules.rules import MDM_LEVELS, STAFF_TYPES, Program, RuleSet, Track

Calendar = Callable[[dt.date, dt.date], Collection[dt.date]]

PROGRAM_KEYS = ("CCM", "complex-CCM", "PCM", "BHI", "CoCM", "TCM", "APCM", "CHI")
_ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}


class FactError(ValueError):
    """A fact that cannot be evaluated, with every problem in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Fact:
    """One client-month (or, for transitional care, one discharge) as the engine sees it."""

    program: str
    month: dt.date | None = None  # the first day of the month
    minutes: dict[str, int] = field(default_factory=dict)  # by staff type
    consent: bool = False
    care_plan: bool = False
    chronic_conditions: int = 0
    cocm_month: str | None = None
    mdm: str | None = None
    discharge: dt.date | None = None
    contact_on: dt.date | None = None
    visit_on: dt.date | None = None
    med_rec_on: dt.date | None = None
    holidays: frozenset[dt.date] | None = None
    other_programs: tuple[str, ...] = ()
    billing_practitioners: int = 1
    qmb: bool = False

    @property
    def year(self) -> int:
        day = self.discharge if self.program == "TCM" and self.discharge else self.month
        if day is None:
            raise FactError(["the fact has no month"])
        return day.year


@dataclass
class Result:
    codes: list[str] = field(default_factory=list)
    not_met: list[dict[str, str]] = field(default_factory=list)
    contact_due: dt.date | None = None
    visit_due: dt.date | None = None

    def miss(self, code: str, reasons: Iterable[str]) -> None:
        text = "; ".join(r for r in reasons if r)
        if text:
            self.not_met.append({"code": code, "reason": text})

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"codes": list(self.codes), "not_met": list(self.not_met)}
        if self.contact_due is not None or self.visit_due is not None:
            out["contact_due"] = self.contact_due.isoformat() if self.contact_due else None
            out["visit_due"] = self.visit_due.isoformat() if self.visit_due else None
        return out


# -- reading a fact -------------------------------------------------------------------------


def _date(raw: dict[str, Any], key: str, problems: list[str]) -> dt.date | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"'{key}' must be a date like 2026-11-20 (got {value!r})")
        return None


def _month(raw: dict[str, Any], problems: list[str]) -> dt.date | None:
    value = raw.get("month")
    if value in (None, ""):
        return None
    try:
        year, month = (int(part) for part in str(value).split("-"))
        if not (1000 <= year <= 9999 and len(str(value)) == 7):
            raise ValueError(value)
        return dt.date(year, month, 1)
    except ValueError:
        problems.append(f"'month' must be a month like 2026-11 (got {value!r})")
        return None


def _count(raw: dict[str, Any], key: str, problems: list[str]) -> int:
    value = raw.get(key, 0)
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        problems.append(f"'{key}' must be a whole number, 0 or more (got {value!r})")
        return 0
    return value


def parse_fact(raw: Any) -> Fact:
    """A fact from its JSON object; FactError when it cannot be evaluated. Fields a program
    does not use are ignored."""
    if not isinstance(raw, dict):
        raise FactError(["each fact must be a JSON object"])
    problems: list[str] = []
    program = raw.get("program")
    if program not in PROGRAM_KEYS:
        problems.append(f"'program' must be one of {', '.join(PROGRAM_KEYS)} (got {program!r})")
    month = _month(raw, problems)
    discharge = _date(raw, "discharge", problems)
    if program == "TCM" and discharge is None and not problems:
        problems.append("a TCM fact needs the 'discharge' date")
    elif program != "TCM" and month is None and not problems:
        problems.append("the fact needs its 'month', like 2026-11")
    mdm = raw.get("mdm")
    if mdm in ("", None):
        mdm = None
    elif mdm not in MDM_LEVELS:
        problems.append(f"'mdm' must be one of {', '.join(MDM_LEVELS)} (got {mdm!r})")
        mdm = None
    cocm_month = raw.get("cocm_month") or None
    if cocm_month is not None and cocm_month not in ("first", "later"):
        problems.append(f"'cocm_month' must be 'first' or 'later' (got {cocm_month!r})")
    holidays_raw = raw.get("holidays")
    holidays: frozenset[dt.date] | None = None
    if holidays_raw is not None:
        if not isinstance(holidays_raw, list):
            problems.append("'holidays' must be a list of dates")
        else:
            days = set()
            for item in holidays_raw:
                try:
                    days.add(dt.date.fromisoformat(str(item)))
                except ValueError:
                    problems.append(f"'holidays' has {item!r}, which is not a date like 2026-11-26")
            holidays = frozenset(days)
    others = raw.get("other_programs") or []
    if not isinstance(others, list) or any(o not in PROGRAM_KEYS for o in others):
        problems.append(f"'other_programs' must list programs from {', '.join(PROGRAM_KEYS)}")
        others = []
    practitioners = raw.get("billing_practitioners", 1)
    if isinstance(practitioners, list):
        practitioners = len({str(p).strip() for p in practitioners if str(p).strip()})
    elif not isinstance(practitioners, int) or isinstance(practitioners, bool):
        problems.append("'billing_practitioners' must be a number or a list of names")
        practitioners = 1
    minutes = {
        "clinical_staff": _count(raw, "clinical_staff_minutes", problems),
        "physician": _count(raw, "physician_minutes", problems),
        "auxiliary": _count(raw, "auxiliary_minutes", problems),
    }
    fact = Fact(
        program=str(program),
        month=month,
        minutes=minutes,
        consent=raw.get("consent") is True,
        care_plan=raw.get("care_plan") is True,
        chronic_conditions=_count(raw, "chronic_conditions", problems),
        cocm_month=cocm_month,
        mdm=mdm,
        discharge=discharge,
        contact_on=_date(raw, "contact_on", problems),
        visit_on=_date(raw, "visit_on", problems),
        med_rec_on=_date(raw, "med_rec_on", problems),
        holidays=holidays,
        other_programs=tuple(others),
        billing_practitioners=practitioners,
        qmb=raw.get("qmb") is True,
    )
    if problems:
        raise FactError(problems)
    return fact


# -- words ----------------------------------------------------------------------------------


def minutes_words(n: int) -> str:
    return f"{n} minute" if n == 1 else f"{n} minutes"


def ordinal_code(unit: int, code: str) -> str:
    if unit <= 1:
        return code
    return f"a {_ORDINALS.get(unit, f'{unit}th')} {code}"


def date_words(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def times_words(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _short(code: str, need: int, have: int, label: str) -> str:
    return f"{minutes_words(need - have)} short of {code} ({have} of {need} {label} minutes)"


# -- prerequisites --------------------------------------------------------------------------


def prerequisite_reasons(
    program: Program, fact: Fact, rule_set: RuleSet | None = None
) -> list[str]:
    """Why ``program`` cannot be billed this client-month, whatever the time: plain words."""
    reasons: list[str] = []
    needs = program.requires
    if needs.consent and not fact.consent:
        reasons.append(f"no consent on file for {program.name}")
    if needs.care_plan and not fact.care_plan:
        reasons.append(f"no care plan on file for {program.name}")
    if fact.chronic_conditions < needs.chronic_conditions:
        reasons.append(
            f"{program.name} needs at least {needs.chronic_conditions} chronic "
            f"condition{'s' if needs.chronic_conditions != 1 else ''}; "
            f"{fact.chronic_conditions} on file"
        )
    if needs.mdm and fact.mdm is not None and fact.mdm not in needs.mdm:
        reasons.append(
            f"{program.name} needs {' or '.join(needs.mdm)} medical decision-making "
            f"({fact.mdm} recorded)"
        )
    if fact.billing_practitioners > 1:
        reasons.append(
            f"time this month is under {fact.billing_practitioners} billing practitioners; "
            "one billing practitioner bills a client-month"
        )
    for other in program.not_with:
        if other in fact.other_programs:
            reasons.append(f"{program.key} is not billed in a month with {other}")
    return reasons


# -- time-based programs --------------------------------------------------------------------


def _tracks(program: Program, fact: Fact, result: Result) -> list[Track] | None:
    tracks = list(program.tracks)
    if any(t.month for t in tracks):
        if fact.cocm_month is None:
            for track in tracks:
                result.miss(
                    track.base.code,
                    ["say whether this is the first or a later month of collaborative care"],
                )
            return None
        tracks = [t for t in tracks if t.month == fact.cocm_month]
    return tracks


def _evaluate_time(program: Program, fact: Fact, rule_set: RuleSet) -> Result:
    result = Result()
    tracks = _tracks(program, fact, result)
    if tracks is None:
        return result
    considered = [t for t in tracks if t.minutes(fact.minutes) > 0] or tracks[:1]
    blocked = prerequisite_reasons(program, fact, rule_set)
    if blocked:
        for track in considered:
            minutes = track.minutes(fact.minutes)
            reasons = list(blocked)
            if minutes < track.base.minutes:
                reasons.append(_short(track.base.code, track.base.minutes, minutes, track.label))
            result.miss(track.base.code, reasons)
        return result
    billed: Track | None = None
    for track in considered:
        minutes = track.minutes(fact.minutes)
        if minutes < track.base.minutes:
            result.miss(
                track.base.code, [_short(track.base.code, track.base.minutes, minutes, track.label)]
            )
            continue
        if program.one_track and billed is not None:
            result.miss(
                track.base.code,
                [f"{track.base.code} is not billed in the same month as {billed.base.code}"],
            )
            continue
        billed = track
        result.codes.append(track.base.code)
        _addons(track, minutes, result)
    return result


def _addons(track: Track, minutes: int, result: Result) -> None:
    addon = track.addon
    if addon is None:
        return
    earned = addon.units(minutes)
    units = earned if addon.max is None else min(earned, addon.max)
    result.codes += [addon.code] * units
    if addon.max is not None and units == addon.max:
        if earned > addon.max:
            beyond = addon.threshold(addon.max)
            result.miss(
                addon.code,
                [
                    f"{addon.code} is billed at most {times_words(addon.max)} a month; the "
                    f"{minutes_words(minutes - beyond)} beyond {beyond} do not count"
                ],
            )
        return
    need = addon.threshold(units + 1)
    result.miss(
        addon.code,
        [_short(ordinal_code(units + 1, addon.code), need, minutes, track.label)],
    )


@dataclass(frozen=True)
class Progress:
    """One staff track's minutes this month against its next threshold (the chart, the
    worklist): ``code`` is the next code to reach, ``need`` its total minutes (None once the
    add-on cap is reached)."""

    program: str
    label: str
    minutes: int
    code: str
    need: int | None
    thresholds: tuple[tuple[str, int], ...]

    @property
    def short(self) -> int | None:
        return None if self.need is None else max(0, self.need - self.minutes)


def progress(fact: Fact, rule_set: RuleSet | None = None) -> list[Progress]:
    """The time tracks of ``fact``'s program that have minutes (or the first), with the next
    threshold of each; empty for programs without time thresholds."""
    rule_set = rule_set or rules_module.for_year(fact.year)
    program = rule_set.program(fact.program)
    if program.kind != "time":
        return []
    tracks = [t for t in program.tracks if t.month in (None, fact.cocm_month or "first")]
    considered = [t for t in tracks if t.minutes(fact.minutes) > 0] or tracks[:1]
    out = []
    for track in considered:
        minutes = track.minutes(fact.minutes)
        thresholds = [(track.base.code, track.base.minutes)]
        addon = track.addon
        if addon is not None:
            cap = addon.max if addon.max is not None else max(2, addon.units(minutes) + 1)
            thresholds += [(addon.code, addon.threshold(unit)) for unit in range(1, cap + 1)]
        upcoming = [(code, need) for code, need in thresholds if need > minutes]
        code, need = upcoming[0] if upcoming else (thresholds[-1][0], None)
        out.append(Progress(program.key, track.label, minutes, code, need, tuple(thresholds)))
    return out


# -- transitional care ----------------------------------------------------------------------


def _evaluate_tcm(program: Program, fact: Fact, rule_set: RuleSet, calendar: Calendar) -> Result:
    tcm, discharge = program.tcm, fact.discharge
    if tcm is None or discharge is None:
        raise FactError(["transitional care needs its rules and the discharge date"])
    result = Result()
    # The calendar is read for seven days per business day plus two weeks; should the due day
    # fall beyond that (an office closed for weeks), the window is doubled and the day worked
    # out again, as core.business_days.business_days_after does, so it is exact for any calendar.
    span = tcm.contact_business_days * 7 + 14
    while True:
        window_end = discharge + dt.timedelta(days=span)
        holidays = fact.holidays if fact.holidays is not None else calendar(discharge, window_end)
        result.contact_due = add_business_days(discharge, tcm.contact_business_days, holidays)
        if fact.holidays is not None or result.contact_due <= window_end:
            break
        span *= 2
    applicable = [c for c in tcm.codes if fact.mdm in c.mdm] or list(tcm.codes)
    result.visit_due = discharge + dt.timedelta(
        days=min(c.visit_within_days for c in applicable)
        if fact.mdm in {m for c in tcm.codes for m in c.mdm}
        else max(c.visit_within_days for c in tcm.codes)
    )
    common = prerequisite_reasons(program, fact, rule_set)
    if fact.contact_on is None:
        common.append(
            f"no interactive contact recorded (due by {date_words(result.contact_due)}, "
            f"{tcm.contact_business_days} business days after discharge)"
        )
    elif fact.contact_on < discharge:
        common.append("the interactive contact is dated before the discharge")
    elif fact.contact_on > result.contact_due:
        common.append(
            f"the interactive contact on {date_words(fact.contact_on)} is after "
            f"{date_words(result.contact_due)}, {tcm.contact_business_days} business days "
            "after discharge"
        )
    if fact.mdm is None:
        common.append("the medical decision-making is not recorded")
    if fact.med_rec_on is None:
        common.append("no medication reconciliation recorded")
    elif fact.visit_on is not None and fact.med_rec_on > fact.visit_on:
        common.append(
            f"medication reconciliation on {date_words(fact.med_rec_on)} is after the "
            f"face-to-face visit on {date_words(fact.visit_on)}"
        )
    elif fact.med_rec_on < discharge:
        common.append("the medication reconciliation is dated before the discharge")
    for code in applicable:
        reasons = list(common)
        if fact.mdm is not None and fact.mdm not in code.mdm:
            reasons.append(
                f"{code.code} needs {' or '.join(code.mdm)} medical decision-making "
                f"({fact.mdm} recorded)"
            )
        due = discharge + dt.timedelta(days=code.visit_within_days)
        if fact.visit_on is None:
            reasons.append(f"no face-to-face visit recorded (due by {date_words(due)})")
        elif fact.visit_on < discharge:
            reasons.append("the face-to-face visit is dated before the discharge")
        elif fact.visit_on > due:
            day = (fact.visit_on - discharge).days
            reasons.append(
                f"the face-to-face visit was on day {day} after discharge; {code.code} needs it "
                f"within {code.visit_within_days} days (by {date_words(due)})"
            )
        if reasons:
            result.miss(code.code, reasons)
            continue
        result.codes.append(code.code)
        break  # one transitional care code per 30-day period: the highest met
    return result


# -- monthly levels (APCM) ------------------------------------------------------------------


def _evaluate_level(program: Program, fact: Fact, rule_set: RuleSet) -> Result:
    result = Result()
    level = next(
        (lv for lv in program.levels if lv.fits(fact.chronic_conditions, fact.qmb)),
        program.levels[-1],
    )
    reasons = prerequisite_reasons(program, fact, rule_set)
    if reasons:
        result.miss(level.code, reasons)
    else:
        result.codes.append(level.code)
    return result


# -- entry points ---------------------------------------------------------------------------


def evaluate(fact: Fact, *, calendar: Calendar, rule_set: RuleSet | None = None) -> Result:
    """The codes ``fact`` meets under the year's rules, and why each other code is not met."""
    rule_set = rule_set or rules_module.for_year(fact.year)
    program = rule_set.program(fact.program)
    if program.kind == "tcm":
        return _evaluate_tcm(program, fact, rule_set, calendar)
    if program.kind == "level":
        return _evaluate_level(program, fact, rule_set)
    return _evaluate_time(program, fact, rule_set)


def evaluate_json(raw_facts: Any, *, calendar: Calendar) -> tuple[list[dict[str, Any]], int]:
    """``caseload programs evaluate``: a JSON list of facts → a list of results, in order.

    A fact that cannot be read gives ``{"codes": [], "not_met": [], "error": "…"}`` in its
    place; the second value counts them.
    """
    if not isinstance(raw_facts, list):
        raise FactError(["the file must hold a JSON list of facts"])
    out: list[dict[str, Any]] = []
    errors = 0
    for index, raw in enumerate(raw_facts):
        try:
            fact = parse_fact(raw)
            out.append(evaluate(fact, calendar=calendar).as_json())
        except (FactError, rules_module.RulesError) as exc:
            errors += 1
            out.append({"codes": [], "not_met": [], "error": f"fact {index + 1}: {exc}"})
    return out, errors


def no_holidays(start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """A calendar without holidays (tests and facts that bring their own)."""
    return frozenset()


__all__ = [
    "STAFF_TYPES",
    "Fact",
    "FactError",
    "Result",
    "evaluate",
    "evaluate_json",
    "no_holidays",
    "parse_fact",
]
