"""Instruments as data: load, validate and score FHIR-Questionnaire-shaped definition files.

A definition file (see docs/instruments.md) holds a Questionnaire-shaped ``questionnaire`` (items,
answer options with their scores, LOINC codes) and a declarative ``scoring`` block: sums, point
tables for numeric items, subscales, positive domains, bands and flags. Nothing here knows any
particular instrument; PHQ-9 and the LACE index are both just files.

Validation happens when a file is loaded, so a broken definition is refused with every problem
named rather than mis-scoring a client later.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from caseload.core.validators import parse_ascii_integer

FORMAT = "caseload-instrument/1"
LOINC_SYSTEM = "http://loinc.org"

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_LOINC = re.compile(r"^\d{1,7}-\d$", re.ASCII)
_OPS = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
ITEM_TYPES = ("display", "choice", "integer")
BAND_LEVELS = ("none", "low", "moderate", "high", "severe")
FLAG_LEVELS = ("info", "warning", "urgent")
ACTIONS = ("", "safety_follow_up", "referral", "falls_prevention_goal")
DIRECTIONS = ("lower_is_better", "higher_is_better")


class InstrumentError(ValueError):
    """A definition is invalid; ``problems`` lists every reason, each a plain sentence."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems


# ---------------------------------------------------------------------------------------------
# The parsed definition


@dataclass(frozen=True)
class AnswerOption:
    code: str
    display: str
    system: str = ""
    score: int | None = None

    def as_coding(self) -> dict[str, str]:
        coding = {"code": self.code, "display": self.display}
        if self.system:
            coding["system"] = self.system
        return coding


@dataclass(frozen=True)
class PointBand:
    """For numeric items: values from ``min`` to ``max`` (None = no upper limit) score ``score``."""

    min: int
    max: int | None
    score: int

    def contains(self, value: int) -> bool:
        return value >= self.min and (self.max is None or value <= self.max)


@dataclass(frozen=True)
class Item:
    link_id: str
    type: str
    text: str
    field_name: str
    required: bool = False
    repeats: bool = False
    hint: str = ""
    unit: str = ""
    loinc: str = ""
    options: tuple[AnswerOption, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    points: tuple[PointBand, ...] = ()

    @property
    def is_question(self) -> bool:
        return self.type != "display"

    @property
    def is_scored(self) -> bool:
        if self.type == "choice":
            return (
                bool(self.options)
                and not self.repeats
                and all(o.score is not None for o in self.options)
            )
        return self.type == "integer"

    def option(self, code: str) -> AnswerOption | None:
        for option in self.options:
            if option.code == code:
                return option
        return None

    def score_range(self) -> tuple[int, int]:
        if self.type == "choice":
            scores = [o.score for o in self.options if o.score is not None]
            return min(scores), max(scores)
        if self.points:
            scores = [p.score for p in self.points]
            return min(scores), max(scores)
        low = self.min_value if self.min_value is not None else 0
        return low, self.max_value if self.max_value is not None else low

    def score_of(self, value: Any) -> int:
        """The points this item's answer contributes (the answer is already validated)."""
        if self.type == "choice":
            option = self.option(str(value))
            if option is None or option.score is None:
                raise ValueError(f"{value!r} is not a scored answer to '{self.link_id}'")
            return option.score
        number = int(value)
        for band in self.points:
            if band.contains(number):
                return band.score
        return number

    def display_of(self, value: Any) -> str:
        """How an answer reads to a person."""
        if value is None or value == "" or value == []:
            return ""
        if self.type == "choice":
            values = value if isinstance(value, list) else [value]
            labels = []
            for code in values:
                option = self.option(str(code))
                labels.append(option.display if option else str(code))
            return "; ".join(labels)
        return f"{value} {self.unit}".strip()


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    min: int
    max: int
    level: str = "none"

    def contains(self, value: int) -> bool:
        return self.min <= value <= self.max


@dataclass(frozen=True)
class Subscale:
    code: str
    label: str
    items: tuple[str, ...]
    range: tuple[int, int]
    loinc: str = ""


@dataclass(frozen=True)
class Domain:
    code: str
    label: str
    positive_when: Mapping[str, Any]


@dataclass(frozen=True)
class FlagRule:
    code: str
    label: str
    when: Mapping[str, Any]
    level: str = "warning"
    action: str = ""
    domain: str = ""


@dataclass(frozen=True)
class Instrument:
    """One instrument, validated. ``raw`` is the file's content, ``sha256`` its fingerprint."""

    code: str
    version: str
    short_name: str
    title: str
    purpose: str
    attribution: str
    licence_note: str
    verbatim_text: bool
    url: str
    panel_loinc: str
    total_loinc: str
    instructions: str
    items: tuple[Item, ...]
    total_items: tuple[str, ...]
    range: tuple[int, int] | None
    subscales: tuple[Subscale, ...]
    domains: tuple[Domain, ...]
    bands: tuple[Band, ...]
    flags: tuple[FlagRule, ...]
    direction: str
    source: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    sha256: str = ""

    @property
    def has_total(self) -> bool:
        return bool(self.total_items)

    @property
    def questions(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.is_question)

    def item(self, link_id: str) -> Item | None:
        for item in self.items:
            if item.link_id == link_id:
                return item
        return None

    def band_for(self, total: int | None) -> Band | None:
        if total is None:
            return None
        for band in self.bands:
            if band.contains(total):
                return band
        return None

    def band_by_code(self, code: str) -> Band | None:
        for band in self.bands:
            if band.code == code:
                return band
        return None

    def thresholds(self) -> list[tuple[int, str]]:
        """(score, label) where each band above the lowest begins: the chart's threshold lines."""
        ordered = sorted(self.bands, key=lambda b: b.min)
        return [(b.min, b.label) for b in ordered[1:]]

    def range_label(self) -> str:
        return f"{self.range[0]}–{self.range[1]}" if self.range else ""


# ---------------------------------------------------------------------------------------------
# Loading and validating


def _field_name(link_id: str) -> str:
    return "a_" + re.sub(r"[^A-Za-z0-9_]", "_", link_id).strip("_")


def fingerprint(raw: Mapping[str, Any]) -> str:
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _text(data: Mapping[str, Any], key: str, problems: _Problems, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(f"{where} needs a non-empty '{key}'")
        return ""
    return value.strip()


def _loinc_of(codes: Any) -> str:
    if isinstance(codes, list):
        for coding in codes:
            if isinstance(coding, dict) and coding.get("system") == LOINC_SYSTEM:
                return str(coding.get("code", ""))
    return ""


def _parse_options(raw_options: Any, where: str, problems: _Problems) -> tuple[AnswerOption, ...]:
    if not isinstance(raw_options, list) or not raw_options:
        problems.add(f"{where} needs at least one answer option")
        return ()
    options: list[AnswerOption] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_options, start=1):
        coding = raw.get("valueCoding") if isinstance(raw, dict) else None
        if not isinstance(coding, dict) or not coding.get("code") or not coding.get("display"):
            problems.add(f"{where}, option {index} needs a valueCoding with a code and a display")
            continue
        code = str(coding["code"])
        if code in seen:
            problems.add(f"{where} repeats the answer code '{code}'")
        seen.add(code)
        score = raw.get("score")
        parsed_score = _as_int(score)
        if score is not None and parsed_score is None:
            problems.add(f"{where}, option '{code}' has a score that is not a whole number")
        options.append(
            AnswerOption(
                code=code,
                display=str(coding["display"]),
                system=str(coding.get("system", "")),
                score=parsed_score,
            )
        )
    return tuple(options)


def _parse_points(raw: Any, where: str, problems: _Problems) -> tuple[PointBand, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        problems.add(f"{where} 'points' must be a non-empty list")
        return ()
    bands: list[PointBand] = []
    for entry in raw:
        low = _as_int(entry.get("min")) if isinstance(entry, dict) else None
        high = _as_int(entry.get("max")) if isinstance(entry, dict) else None
        score = _as_int(entry.get("score")) if isinstance(entry, dict) else None
        if (
            low is None
            or score is None
            or (isinstance(entry, dict) and "max" in entry and high is None)
        ):
            problems.add(f"{where} has a points row without whole-number min and score")
            continue
        bands.append(PointBand(min=low, max=high, score=score))
    return tuple(bands)


def _check_points(item: Item, where: str, problems: _Problems) -> None:
    """Point rows must cover min_value..max_value (or upwards) without gaps or overlaps."""
    expected = item.min_value if item.min_value is not None else 0
    ordered = sorted(item.points, key=lambda p: p.min)
    for index, band in enumerate(ordered):
        if band.min != expected:
            problems.add(
                f"{where} points do not continue from {expected} (next row starts at {band.min})"
            )
            return
        if band.max is None:
            if index != len(ordered) - 1:
                problems.add(f"{where} has an open-ended points row that is not the last")
            return
        if band.max < band.min:
            problems.add(f"{where} has a points row whose max is below its min")
            return
        expected = band.max + 1
    if item.max_value is None or expected <= item.max_value:
        problems.add(f"{where} points stop at {expected - 1}; add rows up to the maximum value")


def _parse_items(
    questionnaire: Mapping[str, Any], answer_sets: Mapping[str, Any], problems: _Problems
) -> tuple[Item, ...]:
    raw_items = questionnaire.get("item")
    if not isinstance(raw_items, list) or not raw_items:
        problems.add("the questionnaire needs at least one item")
        return ()
    items: list[Item] = []
    link_ids: set[str] = set()
    field_names: set[str] = set()
    for index, raw in enumerate(raw_items, start=1):
        if not isinstance(raw, dict):
            problems.add(f"item {index} is not an object")
            continue
        link_id = str(raw.get("linkId", "")).strip()
        where = f"item '{link_id or index}'"
        if not link_id:
            problems.add(f"item {index} needs a linkId")
            continue
        if link_id in link_ids:
            problems.add(f"the linkId '{link_id}' is used twice")
        link_ids.add(link_id)
        name = _field_name(link_id)
        if name in field_names:
            problems.add(f"{where}: its linkId clashes with another once punctuation is removed")
        field_names.add(name)
        item_type = raw.get("type")
        if item_type not in ITEM_TYPES:
            problems.add(f"{where} has type {item_type!r}; use one of {', '.join(ITEM_TYPES)}")
            continue
        text = _text(raw, "text", problems, where)
        options: tuple[AnswerOption, ...] = ()
        if item_type == "choice":
            if "answerSet" in raw:
                set_name = raw["answerSet"]
                if set_name not in answer_sets:
                    problems.add(f"{where} names the unknown answer set '{set_name}'")
                else:
                    options = _parse_options(answer_sets[set_name], where, problems)
            else:
                options = _parse_options(raw.get("answerOption"), where, problems)
        min_value = _as_int(raw.get("minValue"))
        max_value = _as_int(raw.get("maxValue"))
        points: tuple[PointBand, ...] = ()
        if item_type == "integer":
            if min_value is None:
                problems.add(f"{where} needs a whole-number minValue")
            if "maxValue" in raw and max_value is None:
                problems.add(f"{where} has a maxValue that is not a whole number")
            if min_value is not None and max_value is not None and max_value < min_value:
                problems.add(f"{where} has maxValue below minValue")
            points = _parse_points(raw.get("points"), where, problems)
            if not points and max_value is None:
                problems.add(
                    f"{where} needs a maxValue or a points table (the score must be bounded)"
                )
        item = Item(
            link_id=link_id,
            type=item_type,
            text=text,
            field_name=name,
            required=bool(raw.get("required", False)),
            repeats=bool(raw.get("repeats", False)),
            hint=str(raw.get("hint", "")),
            unit=str(raw.get("unit", "")),
            loinc=_loinc_of(raw.get("code")),
            options=options,
            min_value=min_value,
            max_value=max_value,
            points=points,
        )
        if item_type == "integer" and points and min_value is not None:
            _check_points(item, where, problems)
        if item.loinc and not _LOINC.match(item.loinc):
            problems.add(f"{where} has a malformed LOINC code '{item.loinc}'")
        items.append(item)
    return tuple(items)


def _sum_range(
    link_ids: Iterable[str], items: Mapping[str, Item], where: str, problems: _Problems
) -> tuple[int, int] | None:
    low = high = 0
    ok = True
    for link_id in link_ids:
        item = items.get(link_id)
        if item is None:
            problems.add(f"{where} sums the unknown item '{link_id}'")
            ok = False
            continue
        if not item.is_scored:
            problems.add(f"{where} sums '{link_id}', which has no score")
            ok = False
            continue
        if not item.required:
            problems.add(
                f"{where} sums '{link_id}', which is optional (a missing answer has no score)"
            )
        item_low, item_high = item.score_range()
        low += item_low
        high += item_high
    return (low, high) if ok else None


def _declared_range(raw: Any, where: str, problems: _Problems) -> tuple[int, int] | None:
    if raw is None:
        return None
    if (
        not isinstance(raw, list)
        or len(raw) != 2
        or _as_int(raw[0]) is None
        or _as_int(raw[1]) is None
    ):
        problems.add(f"{where} 'range' must be [lowest, highest]")
        return None
    return (int(raw[0]), int(raw[1]))


def _check_condition(
    condition: Any,
    items: Mapping[str, Item],
    scores: set[str],
    domains: set[str],
    where: str,
    problems: _Problems,
) -> None:
    if not isinstance(condition, dict) or not condition:
        problems.add(f"{where} has an empty or malformed condition")
        return
    if "any" in condition or "all" in condition:
        parts = condition.get("any", condition.get("all"))
        if not isinstance(parts, list) or not parts:
            problems.add(f"{where}: 'any'/'all' needs a list of conditions")
            return
        for part in parts:
            _check_condition(part, items, scores, domains, where, problems)
        return
    if "domain" in condition:
        if condition["domain"] not in domains:
            problems.add(f"{where} refers to the unknown domain '{condition['domain']}'")
        return
    if "item" in condition:
        item = items.get(str(condition["item"]))
        if item is None:
            problems.add(f"{where} refers to the unknown item '{condition['item']}'")
            return
        for key in ("answer_in", "answer_not_in"):
            if key in condition:
                codes = condition[key]
                if not isinstance(codes, list) or not codes:
                    problems.add(f"{where}: '{key}' needs a list of answer codes")
                    return
                for code in codes:
                    if item.option(str(code)) is None:
                        problems.add(
                            f"{where} refers to the unknown answer '{code}' of '{item.link_id}'"
                        )
                return
        if not item.is_scored:
            problems.add(f"{where} compares the score of '{item.link_id}', which has no score")
    elif "score" in condition:
        if condition["score"] not in scores:
            problems.add(f"{where} refers to the unknown score '{condition['score']}'")
    else:
        problems.add(f"{where}: a condition needs 'item', 'score', 'domain', 'any' or 'all'")
        return
    if condition.get("op") not in _OPS:
        problems.add(f"{where}: 'op' must be one of {' '.join(_OPS)}")
    if _as_int(condition.get("value")) is None:
        problems.add(f"{where}: 'value' must be a whole number")


def parse_instrument(raw: Mapping[str, Any], *, source: str = "<memory>") -> Instrument:
    """A validated Instrument from a definition's JSON content; InstrumentError lists problems."""
    problems = _Problems()
    if not isinstance(raw, Mapping):
        raise InstrumentError(source, ["the file must hold a JSON object"])
    if raw.get("format") != FORMAT:
        problems.add(f"'format' must be \"{FORMAT}\"")
    code = str(raw.get("code", ""))
    if not _CODE.match(code):
        problems.add("'code' must be 1-40 lowercase letters, digits, '-' or '_'")
    version = _text(raw, "version", problems, "the definition")
    short_name = _text(raw, "short_name", problems, "the definition")
    title = _text(raw, "title", problems, "the definition")
    attribution = str(raw.get("attribution", ""))
    licence = raw.get("licence") or {}
    item_text = licence.get("item_text", "verbatim") if isinstance(licence, dict) else "verbatim"
    if item_text not in ("verbatim", "short_labels"):
        problems.add("'licence.item_text' must be 'verbatim' or 'short_labels'")
    loinc = raw.get("loinc") or {}
    panel = str(loinc.get("panel", "")) if isinstance(loinc, dict) else ""
    total_loinc = str(loinc.get("total", "")) if isinstance(loinc, dict) else ""
    for label, value in (("panel", panel), ("total", total_loinc)):
        if value and not _LOINC.match(value):
            problems.add(f"the LOINC {label} code '{value}' is malformed")
    questionnaire = raw.get("questionnaire")
    if not isinstance(questionnaire, dict) or questionnaire.get("resourceType") != "Questionnaire":
        problems.add("'questionnaire' must be an object with resourceType \"Questionnaire\"")
        raise InstrumentError(source, problems.messages)
    answer_sets = raw.get("answerSets") or {}
    if not isinstance(answer_sets, dict):
        problems.add("'answerSets' must be an object")
        answer_sets = {}
    items = _parse_items(questionnaire, answer_sets, problems)
    by_id = {item.link_id: item for item in items}

    scoring = raw.get("scoring")
    if not isinstance(scoring, dict):
        problems.add("'scoring' must be an object")
        raise InstrumentError(source, problems.messages)
    direction = scoring.get("direction", "lower_is_better")
    if direction not in DIRECTIONS:
        problems.add(f"'scoring.direction' must be one of {', '.join(DIRECTIONS)}")

    total_items: tuple[str, ...] = ()
    total_range: tuple[int, int] | None = None
    total = scoring.get("total")
    if total is not None:
        sums = total.get("sum") if isinstance(total, dict) else None
        if sums == "*":
            sums = [i.link_id for i in items if i.is_scored]
        if not isinstance(sums, list) or not sums:
            problems.add("'scoring.total.sum' must list the items to add up (or be \"*\")")
        else:
            total_items = tuple(str(s) for s in sums)
            computed = _sum_range(total_items, by_id, "the total", problems)
            declared = _declared_range(scoring.get("range"), "the total", problems)
            if declared is None:
                problems.add("'scoring.range' must state the total's [lowest, highest]")
            elif computed is not None and computed != declared:
                problems.add(
                    f"the declared range {declared[0]}-{declared[1]} does not match the items, "
                    f"which add up to {computed[0]}-{computed[1]}"
                )
            total_range = declared

    subscales: list[Subscale] = []
    score_names = {"total"} if total_items else set()
    for raw_sub in scoring.get("subscales", []) or []:
        sub_code = str(raw_sub.get("code", "")) if isinstance(raw_sub, dict) else ""
        where = f"subscale '{sub_code}'"
        if not _CODE.match(sub_code) or sub_code == "total" or sub_code in score_names:
            problems.add(f"{where} needs a unique code (not 'total')")
            continue
        sums = raw_sub.get("sum")
        if not isinstance(sums, list) or not sums:
            problems.add(f"{where} must list the items it adds up")
            continue
        computed = _sum_range([str(s) for s in sums], by_id, where, problems)
        declared = _declared_range(raw_sub.get("range"), where, problems)
        if declared is not None and computed is not None and declared != computed:
            problems.add(f"{where} declares range {declared} but its items add up to {computed}")
        sub_loinc = str(raw_sub.get("loinc", ""))
        if sub_loinc and not _LOINC.match(sub_loinc):
            problems.add(f"{where} has a malformed LOINC code")
        score_names.add(sub_code)
        subscales.append(
            Subscale(
                code=sub_code,
                label=_text(raw_sub, "label", problems, where),
                items=tuple(str(s) for s in sums),
                range=computed or declared or (0, 0),
                loinc=sub_loinc,
            )
        )

    domains: list[Domain] = []
    domain_codes: set[str] = set()
    raw_domains = scoring.get("domains", []) or []
    for raw_domain in raw_domains:
        dom_code = str(raw_domain.get("code", "")) if isinstance(raw_domain, dict) else ""
        if not _CODE.match(dom_code) or dom_code in domain_codes:
            problems.add(f"domain '{dom_code}' needs a unique code")
            continue
        domain_codes.add(dom_code)
    for raw_domain in raw_domains:
        if not isinstance(raw_domain, dict):
            continue
        dom_code = str(raw_domain.get("code", ""))
        where = f"domain '{dom_code}'"
        condition = raw_domain.get("positive_when")
        _check_condition(condition, by_id, score_names, set(), where, problems)
        domains.append(
            Domain(
                code=dom_code,
                label=_text(raw_domain, "label", problems, where),
                positive_when=condition if isinstance(condition, dict) else {},
            )
        )

    bands: list[Band] = []
    for raw_band in scoring.get("bands", []) or []:
        if not isinstance(raw_band, dict):
            problems.add("each band must be an object")
            continue
        band_code = str(raw_band.get("code", ""))
        low, high = _as_int(raw_band.get("min")), _as_int(raw_band.get("max"))
        level = raw_band.get("level", "none")
        if not _CODE.match(band_code) or low is None or high is None or high < low:
            problems.add(f"band '{band_code}' needs a code and whole-number min <= max")
            continue
        if level not in BAND_LEVELS:
            problems.add(f"band '{band_code}' level must be one of {', '.join(BAND_LEVELS)}")
        bands.append(
            Band(
                code=band_code,
                label=_text(raw_band, "label", problems, f"band '{band_code}'"),
                min=low,
                max=high,
                level=str(level),
            )
        )
    if bands:
        if total_range is None:
            problems.add("bands need a total to apply to")
        else:
            expected = total_range[0]
            for band in sorted(bands, key=lambda b: b.min):
                if band.min != expected:
                    problems.add(
                        f"bands must cover the range without gaps or overlaps: band "
                        f"'{band.code}' starts at {band.min}, expected {expected}"
                    )
                    break
                expected = band.max + 1
            else:
                if expected - 1 != total_range[1]:
                    problems.add(
                        f"bands stop at {expected - 1} but the range ends at {total_range[1]}"
                    )
        if len({b.code for b in bands}) != len(bands):
            problems.add("band codes must be unique")

    flags: list[FlagRule] = []
    for raw_flag in scoring.get("flags", []) or []:
        flag_code = str(raw_flag.get("code", "")) if isinstance(raw_flag, dict) else ""
        where = f"flag '{flag_code}'"
        if not _CODE.match(flag_code) or any(f.code == flag_code for f in flags):
            problems.add(f"{where} needs a unique code")
            continue
        condition = raw_flag.get("when")
        _check_condition(condition, by_id, score_names, domain_codes, where, problems)
        level = raw_flag.get("level", "warning")
        if level not in FLAG_LEVELS:
            problems.add(f"{where} level must be one of {', '.join(FLAG_LEVELS)}")
        action = raw_flag.get("action", "")
        if action not in ACTIONS:
            problems.add(f"{where} action must be one of {', '.join(a for a in ACTIONS if a)}")
        flags.append(
            FlagRule(
                code=flag_code,
                label=_text(raw_flag, "label", problems, where),
                when=condition if isinstance(condition, dict) else {},
                level=str(level),
                action=str(action),
                domain=str(raw_flag.get("domain", "")),
            )
        )

    if not any(item.is_question for item in items):
        problems.add("the questionnaire asks no questions")
    if problems.messages:
        raise InstrumentError(source, problems.messages)
    url = str(questionnaire.get("url") or f"urn:caseload:questionnaire:{code}")
    return Instrument(
        code=code,
        version=version,
        short_name=short_name,
        title=title,
        purpose=str(raw.get("purpose", "")),
        attribution=attribution,
        licence_note=str(licence.get("note", "")) if isinstance(licence, dict) else "",
        verbatim_text=item_text == "verbatim",
        url=url,
        panel_loinc=panel or _loinc_of(questionnaire.get("code")),
        total_loinc=total_loinc,
        instructions=str(raw.get("instructions", "")),
        items=items,
        total_items=total_items,
        range=total_range,
        subscales=tuple(subscales),
        domains=tuple(domains),
        bands=tuple(bands),
        flags=tuple(flags),
        direction=str(direction),
        source=source,
        raw=raw,
        sha256=fingerprint(raw),
    )


# ---------------------------------------------------------------------------------------------
# Answers and scoring


@dataclass(frozen=True)
class FlagResult:
    code: str
    label: str
    level: str
    action: str
    domain: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "label": self.label,
            "level": self.level,
            "action": self.action,
            "domain": self.domain,
        }


@dataclass(frozen=True)
class Score:
    """The outcome of scoring a complete response."""

    total: int | None
    subscales: dict[str, int]
    domains: dict[str, bool]
    band: Band | None
    flags: tuple[FlagResult, ...]


def clean_answers(
    instrument: Instrument, answers: Mapping[str, Any], *, complete: bool
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Answers keyed by linkId, checked against the definition; (clean answers, errors by linkId).

    Blank answers are dropped (a draft may be partial). Any answer outside the defined options
    or limits is an error. With ``complete``, every required question must be answered.
    """
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for link_id in answers:
        if instrument.item(link_id) is None or not instrument.item(link_id).is_question:  # type: ignore[union-attr]
            errors.setdefault(link_id, []).append("This is not a question on this form.")
    for item in instrument.questions:
        value = answers.get(item.link_id)
        if value is None or value == "" or value == []:
            if complete and item.required:
                errors.setdefault(item.link_id, []).append("Answer this question.")
            continue
        if item.type == "choice":
            values = value if isinstance(value, list) else [value]
            if not item.repeats and len(values) > 1:
                errors.setdefault(item.link_id, []).append("Choose one answer.")
                continue
            codes = [str(v) for v in values]
            unknown = [c for c in codes if item.option(c) is None]
            if unknown:
                errors.setdefault(item.link_id, []).append("Choose one of the answers offered.")
                continue
            clean[item.link_id] = sorted(set(codes), key=codes.index) if item.repeats else codes[0]
        else:
            # Strictly ASCII digits: int() would read "1_0" as 10 and "٣" as 3.
            number = _as_int(value) if not isinstance(value, str) else parse_ascii_integer(value)
            if number is None:
                errors.setdefault(item.link_id, []).append("Enter a whole number.")
                continue
            if item.min_value is not None and number < item.min_value:
                errors.setdefault(item.link_id, []).append(
                    f"Enter a number of {item.min_value} or more."
                )
                continue
            if item.max_value is not None and number > item.max_value:
                errors.setdefault(item.link_id, []).append(
                    f"Enter a number of {item.max_value} or less."
                )
                continue
            clean[item.link_id] = number
    return clean, errors


def missing_required(instrument: Instrument, answers: Mapping[str, Any]) -> list[Item]:
    return [
        item
        for item in instrument.questions
        if item.required and answers.get(item.link_id) in (None, "", [])
    ]


def _compare(op: str, left: int, right: int) -> bool:
    return bool(_OPS[op](left, right))


def _holds(
    condition: Mapping[str, Any],
    instrument: Instrument,
    answers: Mapping[str, Any],
    scores: Mapping[str, int],
    domains: Mapping[str, bool],
) -> bool:
    if "any" in condition:
        return any(_holds(c, instrument, answers, scores, domains) for c in condition["any"])
    if "all" in condition:
        return all(_holds(c, instrument, answers, scores, domains) for c in condition["all"])
    if "domain" in condition:
        return bool(domains.get(str(condition["domain"])))
    if "item" in condition:
        item = instrument.item(str(condition["item"]))
        value = answers.get(str(condition["item"]))
        if item is None or value in (None, "", []):
            return False
        chosen = {str(v) for v in (value if isinstance(value, list) else [value])}
        if "answer_in" in condition:
            return bool(chosen & {str(c) for c in condition["answer_in"]})
        if "answer_not_in" in condition:
            return bool(chosen - {str(c) for c in condition["answer_not_in"]})
        return _compare(condition["op"], item.score_of(value), int(condition["value"]))
    score = scores.get(str(condition["score"]))
    if score is None:
        return False
    return _compare(condition["op"], score, int(condition["value"]))


def score_answers(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """Score a complete, clean set of answers: total, subscales, domains, band and flags."""
    missing = missing_required(instrument, answers)
    if missing:
        raise ValueError(f"cannot score: {len(missing)} required question(s) unanswered")

    def add_up(link_ids: Iterable[str]) -> int:
        total = 0
        for link_id in link_ids:
            item = instrument.item(link_id)
            if item is None:  # cannot happen: sums are checked when the file is loaded
                raise ValueError(f"unknown item '{link_id}'")
            total += item.score_of(answers[link_id])
        return total

    total = add_up(instrument.total_items) if instrument.has_total else None
    subscales = {sub.code: add_up(sub.items) for sub in instrument.subscales}
    scores: dict[str, int] = dict(subscales)
    if total is not None:
        scores["total"] = total
    domains = {
        domain.code: _holds(domain.positive_when, instrument, answers, scores, {})
        for domain in instrument.domains
    }
    flags = tuple(
        FlagResult(
            code=rule.code,
            label=rule.label,
            level=rule.level,
            action=rule.action,
            domain=rule.domain,
        )
        for rule in instrument.flags
        if _holds(rule.when, instrument, answers, scores, domains)
    )
    return Score(
        total=total,
        subscales=subscales,
        domains=domains,
        band=instrument.band_for(total),
        flags=flags,
    )
