"""Rule conditions, answer checks and point tables at their edges.

The shipped instruments use only some of what docs/instruments.md offers; an organisation's own
file may use the rest. These tests pin each documented rule on a small in-memory definition, so
mutation testing (docs/testing.md) finds no change to the rules that goes unnoticed.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from caseload.assessments import catalogue
from caseload.assessments.definitions import (
    ITEM_TYPES,
    Instrument,
    InstrumentError,
    clean_answers,
    parse_instrument,
    score_answers,
)

LEVELS = [{"valueCoding": {"code": str(n), "display": f"Level {n}"}, "score": n} for n in range(4)]


def definition(
    *,
    flags: list[dict[str, Any]] | None = None,
    extra_items: list[dict[str, Any]] | None = None,
    total: list[str] | str = "*",
    score_range: list[int] | None = None,
) -> dict[str, Any]:
    """Two required 0-3 questions a and b, their total 0-6, and the given flags."""
    raw = {
        "format": "caseload-instrument/1",
        "code": "rules",
        "version": "1",
        "short_name": "Rules",
        "title": "Rule edges",
        "answerSets": {"levels": LEVELS},
        "questionnaire": {
            "resourceType": "Questionnaire",
            "item": [
                {
                    "linkId": "a",
                    "type": "choice",
                    "required": True,
                    "text": "A",
                    "answerSet": "levels",
                },
                {
                    "linkId": "b",
                    "type": "choice",
                    "required": True,
                    "text": "B",
                    "answerSet": "levels",
                },
                *(extra_items or []),
            ],
        },
        "scoring": {
            "total": {"sum": total},
            "range": score_range or [0, 6],
            "flags": flags or [],
        },
    }
    return copy.deepcopy(raw)


def flagged(instrument: Instrument, answers: dict[str, Any]) -> set[str]:
    clean, errors = clean_answers(instrument, answers, complete=True)
    assert errors == {}
    return {f.code for f in score_answers(instrument, clean).flags}


def problems_of(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(raw)
    return caught.value.problems


# --- every operator docs/instruments.md offers, on a score and on an item ----------------------

# For a value of 2: does the rule hold at 1, 2 and 3?
OPERATORS = [
    ("<", (True, False, False)),
    ("<=", (True, True, False)),
    ("==", (False, True, False)),
    ("!=", (True, False, True)),
    (">", (False, False, True)),
    (">=", (False, True, True)),
]


@pytest.mark.parametrize(("op", "holds"), OPERATORS)
def test_each_operator_on_the_total_holds_exactly_where_it_says(
    op: str, holds: tuple[bool, bool, bool]
) -> None:
    instrument = parse_instrument(
        definition(
            flags=[{"code": "f", "label": "F", "when": {"score": "total", "op": op, "value": 2}}]
        )
    )
    for total, expected in zip((1, 2, 3), holds, strict=True):
        answers = {"a": str(min(total, 3)), "b": "0"}
        assert ("f" in flagged(instrument, answers)) is expected, (op, total)


@pytest.mark.parametrize(("op", "holds"), OPERATORS)
def test_each_operator_on_an_item_holds_exactly_where_it_says(
    op: str, holds: tuple[bool, bool, bool]
) -> None:
    instrument = parse_instrument(
        definition(flags=[{"code": "f", "label": "F", "when": {"item": "b", "op": op, "value": 2}}])
    )
    for points, expected in zip((1, 2, 3), holds, strict=True):
        # a moves the other way, so only b's own points can decide
        answers = {"a": str(3 - points), "b": str(points)}
        assert ("f" in flagged(instrument, answers)) is expected, (op, points)


def test_a_local_rule_total_at_most_2_flags_0_to_2_only() -> None:
    instrument = parse_instrument(
        definition(
            flags=[
                {"code": "low", "label": "Low", "when": {"score": "total", "op": "<=", "value": 2}}
            ]
        )
    )
    fired = [
        total
        for total in range(7)
        if flagged(instrument, {"a": str(min(total, 3)), "b": str(max(total - 3, 0))})
    ]
    assert fired == [0, 1, 2]


# --- "all" and "any" ---------------------------------------------------------------------------


def test_all_holds_only_when_every_part_holds_and_any_when_one_does() -> None:
    parts = [{"item": "a", "op": ">=", "value": 1}, {"item": "b", "op": ">=", "value": 1}]
    instrument = parse_instrument(
        definition(
            flags=[
                {"code": "both", "label": "Both", "when": {"all": parts}},
                {"code": "either", "label": "Either", "when": {"any": parts}},
            ]
        )
    )
    assert flagged(instrument, {"a": "0", "b": "0"}) == set()
    assert flagged(instrument, {"a": "1", "b": "0"}) == {"either"}
    assert flagged(instrument, {"a": "0", "b": "1"}) == {"either"}
    assert flagged(instrument, {"a": "1", "b": "1"}) == {"both", "either"}


def test_all_with_an_empty_or_malformed_list_is_refused() -> None:
    for when in ({"all": []}, {"all": "a"}, {"any": []}):
        found = problems_of(definition(flags=[{"code": "f", "label": "F", "when": when}]))
        assert any("'any'/'all' needs a list of conditions" in p for p in found), when
    nested = {"all": [{"item": "a", "op": ">=", "value": 1}, {"item": "zz", "op": ">", "value": 0}]}
    found = problems_of(definition(flags=[{"code": "f", "label": "F", "when": nested}]))
    assert any("unknown item 'zz'" in p for p in found)


# --- a rule on a blank optional question -------------------------------------------------------

OPTIONAL = {
    "linkId": "c",
    "type": "choice",
    "text": "Optional",
    "answerOption": [
        {"valueCoding": {"code": "x", "display": "X"}, "score": 0},
        {"valueCoding": {"code": "y", "display": "Y"}, "score": 1},
    ],
}


@pytest.mark.parametrize(
    ("when", "fires_on"),
    [
        ({"item": "c", "answer_not_in": ["x"]}, {"y"}),
        ({"item": "c", "answer_in": ["y"]}, {"y"}),
        ({"item": "c", "op": ">", "value": 0}, {"y"}),
        ({"item": "c", "op": "<", "value": 1}, {"x"}),
    ],
)
def test_a_rule_on_a_blank_optional_question_does_not_fire(
    when: dict[str, Any], fires_on: set[str]
) -> None:
    instrument = parse_instrument(
        definition(
            flags=[{"code": "f", "label": "F", "when": when}],
            extra_items=[OPTIONAL],
            total=["a", "b"],
        )
    )
    base = {"a": "0", "b": "0"}
    assert flagged(instrument, base) == set()
    assert flagged(instrument, {**base, "c": ""}) == set()
    for answer in ("x", "y"):
        assert ("f" in flagged(instrument, {**base, "c": answer})) is (answer in fires_on)


def test_a_rule_on_a_subscale_of_no_total_and_a_domain() -> None:
    raw = definition(extra_items=[OPTIONAL], total=["a", "b"])
    raw["scoring"]["subscales"] = [{"code": "sub", "label": "Sub", "sum": ["b"], "range": [0, 3]}]
    raw["scoring"]["domains"] = [
        {"code": "dom", "label": "Dom", "positive_when": {"item": "c", "answer_in": ["y"]}}
    ]
    raw["scoring"]["flags"] = [
        {"code": "s", "label": "S", "when": {"score": "sub", "op": ">=", "value": 2}},
        {"code": "d", "label": "D", "when": {"domain": "dom"}},
    ]
    instrument = parse_instrument(raw)
    assert flagged(instrument, {"a": "3", "b": "1"}) == set()
    assert flagged(instrument, {"a": "0", "b": "2", "c": "y"}) == {"s", "d"}
    result = score_answers(instrument, {"a": "0", "b": "2", "c": "x"})
    assert result.subscales == {"sub": 2}
    assert result.domains == {"dom": False}
    assert score_answers(instrument, {"a": "0", "b": "2"}).domains == {"dom": False}


# --- integer items -----------------------------------------------------------------------------


def test_an_integer_item_without_a_points_table_scores_its_value() -> None:
    count = {
        "linkId": "n",
        "type": "integer",
        "required": True,
        "text": "N",
        "minValue": 0,
        "maxValue": 10,
    }
    instrument = parse_instrument(definition(extra_items=[count], score_range=[0, 16]))
    assert instrument.range == (0, 16)
    clean, errors = clean_answers(instrument, {"a": "1", "b": "2", "n": "7"}, complete=True)
    assert errors == {}
    assert clean == {"a": "1", "b": "2", "n": 7}
    assert score_answers(instrument, clean).total == 10
    assert score_answers(instrument, {"a": "0", "b": "0", "n": 10}).total == 10


def test_an_integer_item_range_counts_from_its_minimum() -> None:
    count = {
        "linkId": "n",
        "type": "integer",
        "required": True,
        "text": "N",
        "minValue": 2,
        "maxValue": 5,
    }
    instrument = parse_instrument(definition(extra_items=[count], score_range=[2, 11]))
    assert instrument.range == (2, 11)
    wrong = problems_of(definition(extra_items=[count], score_range=[0, 11]))
    assert any("which add up to 2-11" in p for p in wrong)


def test_summing_a_display_item_is_refused() -> None:
    note = {"linkId": "note", "type": "display", "text": "Read this first."}
    found = problems_of(definition(extra_items=[note], total=["a", "b", "note"]))
    assert any("sums 'note', which has no score" in p for p in found)


def test_an_integer_item_needs_limits_that_bound_its_score() -> None:
    unbounded = {"linkId": "n", "type": "integer", "required": True, "text": "N", "minValue": 0}
    found = problems_of(definition(extra_items=[unbounded], total=["a", "b"]))
    assert any("needs a maxValue or a points table" in p for p in found)
    # summed into the total as well: refused for the same reason, not crashed on
    found = problems_of(definition(extra_items=[unbounded]))
    assert any("needs a maxValue or a points table" in p for p in found)
    no_min = {"linkId": "n", "type": "integer", "text": "N", "maxValue": 3}
    assert any(
        "needs a whole-number minValue" in p
        for p in problems_of(definition(extra_items=[no_min], total=["a", "b"]))
    )
    upside_down = {"linkId": "n", "type": "integer", "text": "N", "minValue": 4, "maxValue": 3}
    assert any(
        "maxValue below minValue" in p
        for p in problems_of(definition(extra_items=[upside_down], total=["a", "b"]))
    )
    # one value only (minValue = maxValue) is a range like any other
    single = {"linkId": "n", "type": "integer", "required": True, "text": "N"}
    single.update(minValue=3, maxValue=3)
    assert parse_instrument(definition(extra_items=[single], score_range=[3, 9])).item("n")


def lace() -> Instrument:
    instrument = catalogue.get("lace")
    assert instrument is not None
    return instrument


@pytest.mark.parametrize(("link_id", "limit"), [("los", 365), ("charlson", 40), ("ed_visits", 200)])
def test_lace_accepts_each_upper_limit_and_refuses_one_more(link_id: str, limit: int) -> None:
    answers = {"los": 0, "acuity": "elective", "charlson": 0, "ed_visits": 0}
    clean, errors = clean_answers(lace(), {**answers, link_id: limit}, complete=True)
    assert errors == {}
    assert clean[link_id] == limit
    _, errors = clean_answers(lace(), {**answers, link_id: limit + 1}, complete=True)
    assert errors == {link_id: [f"Enter a number of {limit} or less."]}


def test_lace_at_every_upper_limit_scores_the_maximum() -> None:
    answers = {"los": 365, "acuity": "emergent", "charlson": 40, "ed_visits": 200}
    clean, errors = clean_answers(lace(), answers, complete=True)
    assert errors == {}
    result = score_answers(lace(), clean)
    assert result.total == 19
    assert result.band is not None
    assert result.band.code == "high"


def test_lace_lower_limit_is_accepted_and_one_less_refused() -> None:
    answers = {"los": 0, "acuity": "elective", "charlson": 0, "ed_visits": 0}
    clean, errors = clean_answers(lace(), answers, complete=True)
    assert errors == {}
    assert score_answers(lace(), clean).total == 0
    _, errors = clean_answers(lace(), {**answers, "charlson": -1}, complete=True)
    assert errors == {"charlson": ["Enter a number of 0 or more."]}


def test_numbers_sent_as_text_are_read_as_numbers() -> None:
    answers = {"los": "7", "acuity": "emergent", "charlson": "2", "ed_visits": "0"}
    clean, errors = clean_answers(lace(), answers, complete=True)
    assert errors == {}
    assert clean == {"los": 7, "acuity": "emergent", "charlson": 2, "ed_visits": 0}
    assert score_answers(lace(), clean).total == 5 + 3 + 2 + 0
    _, errors = clean_answers(lace(), {**answers, "los": "366"}, complete=True)
    assert errors == {"los": ["Enter a number of 365 or less."]}
    _, errors = clean_answers(lace(), {**answers, "los": "seven"}, complete=True)
    assert errors == {"los": ["Enter a whole number."]}


# --- point tables ------------------------------------------------------------------------------


def points_item(rows: list[dict[str, int]], **limits: int) -> dict[str, Any]:
    return {
        "linkId": "n",
        "type": "integer",
        "required": True,
        "text": "N",
        "points": rows,
        **limits,
    }


def test_a_closed_points_table_must_reach_the_maximum_value() -> None:
    short = points_item(
        [{"min": 0, "max": 3, "score": 0}, {"min": 4, "max": 9, "score": 1}],
        minValue=0,
        maxValue=10,
    )
    found = problems_of(definition(extra_items=[short], total=["a", "b"]))
    assert any("points stop at 9; add rows up to the maximum value" in p for p in found)
    exact = points_item(
        [{"min": 0, "max": 3, "score": 0}, {"min": 4, "max": 10, "score": 1}],
        minValue=0,
        maxValue=10,
    )
    instrument = parse_instrument(definition(extra_items=[exact], score_range=[0, 7]))
    assert score_answers(instrument, {"a": "0", "b": "0", "n": 10}).total == 1
    assert score_answers(instrument, {"a": "0", "b": "0", "n": 3}).total == 0
    assert score_answers(instrument, {"a": "0", "b": "0", "n": 4}).total == 1


def test_a_closed_points_table_without_a_maximum_value_is_refused() -> None:
    closed = points_item([{"min": 0, "max": 3, "score": 0}], minValue=0)
    found = problems_of(definition(extra_items=[closed], total=["a", "b"]))
    assert any("points stop at 3" in p for p in found)


def test_points_rows_out_of_order_overlapping_or_upside_down_are_refused() -> None:
    overlap = points_item(
        [{"min": 0, "max": 3, "score": 0}, {"min": 3, "score": 1}], minValue=0, maxValue=9
    )
    assert any(
        "points do not continue from 4 (next row starts at 3)" in p
        for p in problems_of(definition(extra_items=[overlap], total=["a", "b"]))
    )
    upside = points_item(
        [{"min": 0, "max": 3, "score": 0}, {"min": 4, "max": 2, "score": 1}], minValue=0, maxValue=9
    )
    assert any(
        "max is below its min" in p
        for p in problems_of(definition(extra_items=[upside], total=["a", "b"]))
    )
    open_middle = points_item(
        [{"min": 0, "score": 0}, {"min": 4, "max": 9, "score": 1}], minValue=0, maxValue=9
    )
    assert any(
        "open-ended points row that is not the last" in p
        for p in problems_of(definition(extra_items=[open_middle], total=["a", "b"]))
    )
    shuffled = points_item(
        [{"min": 4, "score": 1}, {"min": 0, "max": 3, "score": 0}], minValue=0, maxValue=9
    )
    instrument = parse_instrument(definition(extra_items=[shuffled], score_range=[0, 7]))
    assert score_answers(instrument, {"a": "0", "b": "0", "n": 5}).total == 1
    # the open row read first does not take a value below its min
    assert score_answers(instrument, {"a": "0", "b": "0", "n": 2}).total == 0


def test_a_points_table_starts_at_the_minimum_value() -> None:
    late = points_item([{"min": 1, "score": 1}], minValue=0, maxValue=9)
    assert any(
        "points do not continue from 0 (next row starts at 1)" in p
        for p in problems_of(definition(extra_items=[late], total=["a", "b"]))
    )
    from_two = points_item(
        [{"min": 2, "max": 2, "score": 0}, {"min": 3, "score": 2}], minValue=2, maxValue=9
    )
    instrument = parse_instrument(definition(extra_items=[from_two], score_range=[0, 8]))
    assert instrument.item("n").score_range() == (0, 2)  # type: ignore[union-attr]


def test_points_rows_need_whole_numbers() -> None:
    for row in ({"min": 0, "max": "3", "score": 0}, {"min": 0.5, "score": 0}, {"min": 0}, "row"):
        item = points_item([row], minValue=0, maxValue=9)  # type: ignore[list-item]
        found = problems_of(definition(extra_items=[item], total=["a", "b"]))
        assert any("points row without whole-number min and score" in p for p in found), row
    # a bad row among good ones is named, and the others still checked
    mixed = points_item(
        [{"min": 0, "max": 3, "score": 0}, {"min": "4", "score": 1}, {"min": 5, "score": 2}],
        minValue=0,
        maxValue=9,
    )
    found = problems_of(definition(extra_items=[mixed], total=["a", "b"]))
    assert found == [
        "item 'n' has a points row without whole-number min and score",
        "item 'n' points do not continue from 4 (next row starts at 5)",
    ]
    empty = points_item([], minValue=0, maxValue=9)
    assert any(
        "'points' must be a non-empty list" in p
        for p in problems_of(definition(extra_items=[empty], total=["a", "b"]))
    )


def test_a_float_that_is_whole_counts_as_a_whole_number() -> None:
    raw = definition()
    raw["scoring"]["range"] = [0.0, 6.0]
    assert parse_instrument(raw).range == (0, 6)
    raw = copy.deepcopy(raw)
    raw["scoring"]["range"] = [0, True]
    assert any("'range' must be [lowest, highest]" in p for p in problems_of(raw))


# --- every refusal names its problem -----------------------------------------------------------


def _item(raw: dict[str, Any], index: int) -> dict[str, Any]:
    item: dict[str, Any] = raw["questionnaire"]["item"][index]
    return item


def _set(path: str, value: Any) -> Any:
    """An edit of the base definition: ``path`` is dotted keys (list indexes as numbers)."""

    def edit(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = raw
        for key in parents:
            node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
        if value is _DELETE:
            del node[int(last) if last.isdigit() else last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return edit


_DELETE = object()
CHOICE_C = {
    "linkId": "c",
    "type": "choice",
    "text": "C",
    "answerOption": [{"valueCoding": {"code": "x", "display": "X"}}],
}
CHOICE_R = {"linkId": "r", "type": "choice", "repeats": True, "text": "R", "answerSet": "levels"}


def _flag(when: Any) -> Any:
    return _set("scoring.flags", [{"code": "f", "label": "F", "when": when}])


def _add_item(item: dict[str, Any]) -> Any:
    def edit(raw: dict[str, Any]) -> None:
        raw["questionnaire"]["item"].append(copy.deepcopy(item))
        raw["scoring"]["total"]["sum"] = ["a", "b"]

    return edit


def _both(*edits: Any) -> Any:
    def edit(raw: dict[str, Any]) -> None:
        for one in edits:
            one(raw)

    return edit


REFUSALS = [
    (
        "format",
        _set("format", "caseload-instrument/2"),
        "'format' must be \"caseload-instrument/1\"",
    ),
    ("code", _set("code", "Bad Code"), "'code' must be 1-40 lowercase letters"),
    ("version", _set("version", " "), "the definition needs a non-empty 'version'"),
    ("short name", _set("short_name", _DELETE), "the definition needs a non-empty 'short_name'"),
    ("title", _set("title", 3), "the definition needs a non-empty 'title'"),
    ("item text", _set("licence", {"item_text": "summary"}), "'licence.item_text' must be"),
    ("panel loinc", _set("loinc", {"panel": "44249"}), "the LOINC panel code '44249' is malformed"),
    ("answer sets", _set("answerSets", ["levels"]), "'answerSets' must be an object"),
    ("no items", _set("questionnaire.item", []), "the questionnaire needs at least one item"),
    ("item object", _set("questionnaire.item.1", "b"), "item 2 is not an object"),
    ("link id", _set("questionnaire.item.1.linkId", " "), "item 2 needs a linkId"),
    (
        "clash",
        _set("questionnaire.item.1.linkId", "a."),
        "item 'a.': its linkId clashes with another once punctuation is removed",
    ),
    ("text", _set("questionnaire.item.1.text", ""), "item 'b' needs a non-empty 'text'"),
    (
        "answer set",
        _set("questionnaire.item.1.answerSet", "nope"),
        "item 'b' names the unknown answer set 'nope'",
    ),
    (
        "options",
        _set("questionnaire.item.1", {**CHOICE_C, "linkId": "b", "answerOption": []}),
        "item 'b' needs at least one answer option",
    ),
    (
        "option coding",
        _set("answerSets.levels.1", {"valueCoding": {"code": "1"}, "score": 1}),
        "item 'a', option 2 needs a valueCoding with a code and a display",
    ),
    (
        "option code",
        _set("answerSets.levels.1", {"valueCoding": {"display": "One"}, "score": 1}),
        "item 'a', option 2 needs a valueCoding with a code and a display",
    ),
    ("option object", _set("answerSets.levels.2", "2"), "item 'a', option 3 needs a valueCoding"),
    (
        "repeated code",
        _set("answerSets.levels.3", {"valueCoding": {"code": "2", "display": "Again"}, "score": 3}),
        "item 'a' repeats the answer code '2'",
    ),
    (
        "option score",
        _set("answerSets.levels.3.score", "3"),
        "item 'a', option '3' has a score that is not a whole number",
    ),
    (
        "max value",
        _add_item({"linkId": "n", "type": "integer", "text": "N", "minValue": 0, "maxValue": "9"}),
        "item 'n' has a maxValue that is not a whole number",
    ),
    (
        "item loinc",
        _set("questionnaire.item.0.code", [{"system": "http://loinc.org", "code": "x1"}]),
        "item 'a' has a malformed LOINC code 'x1'",
    ),
    (
        "total sum",
        _set("scoring.total.sum", []),
        "'scoring.total.sum' must list the items to add up",
    ),
    (
        "total object",
        _set("scoring.total", ["a"]),
        "'scoring.total.sum' must list the items to add up",
    ),
    (
        "no range",
        _set("scoring.range", _DELETE),
        "'scoring.range' must state the total's [lowest, highest]",
    ),
    ("short range", _set("scoring.range", [0]), "the total 'range' must be [lowest, highest]"),
    ("long range", _set("scoring.range", [0, 6, 9]), "the total 'range' must be [lowest, highest]"),
    ("range text", _set("scoring.range", ["0", 6]), "the total 'range' must be [lowest, highest]"),
    (
        "optional summed",
        _both(_add_item(OPTIONAL), _set("scoring.total.sum", ["a", "b", "c"])),
        "the total sums 'c', which is optional",
    ),
    ("scoring", _set("scoring", []), "'scoring' must be an object"),
    (
        "questionnaire",
        _set("questionnaire.resourceType", "Patient"),
        "'questionnaire' must be an object with resourceType",
    ),
    (
        "direction",
        _set("scoring.direction", "up"),
        "'scoring.direction' must be one of lower_is_better, higher_is_better",
    ),
    (
        "subscale code",
        _set("scoring.subscales", [{"code": "total", "label": "T", "sum": ["a"]}]),
        "subscale 'total' needs a unique code (not 'total')",
    ),
    (
        "subscale bad code",
        _set("scoring.subscales", [{"code": "S!", "label": "T", "sum": ["a"]}]),
        "subscale 'S!' needs a unique code",
    ),
    (
        "subscale twice",
        _set(
            "scoring.subscales",
            [{"code": "s", "label": "S", "sum": ["a"]}, {"code": "s", "label": "S", "sum": ["b"]}],
        ),
        "subscale 's' needs a unique code",
    ),
    (
        "subscale sum",
        _set("scoring.subscales", [{"code": "s", "label": "S", "sum": "a"}]),
        "subscale 's' must list the items it adds up",
    ),
    (
        "subscale sum empty",
        _set("scoring.subscales", [{"code": "s", "label": "S", "sum": []}]),
        "subscale 's' must list the items it adds up",
    ),
    (
        "subscale label",
        _set("scoring.subscales", [{"code": "s", "sum": ["a"]}]),
        "subscale 's' needs a non-empty 'label'",
    ),
    (
        "subscale range",
        _set("scoring.subscales", [{"code": "s", "label": "S", "sum": ["a"], "range": [0, 4]}]),
        "subscale 's' declares range (0, 4) but its items add up to (0, 3)",
    ),
    (
        "subscale range shape",
        _set("scoring.subscales", [{"code": "s", "label": "S", "sum": ["a"], "range": [3]}]),
        "subscale 's' 'range' must be [lowest, highest]",
    ),
    (
        "subscale unknown",
        _set("scoring.subscales", [{"code": "s", "label": "S", "sum": ["zz"]}]),
        "subscale 's' sums the unknown item 'zz'",
    ),
    (
        "subscale loinc",
        _set("scoring.subscales", [{"code": "s", "label": "S", "sum": ["a"], "loinc": "1-23"}]),
        "subscale 's' has a malformed LOINC code",
    ),
    (
        "domain code",
        _set("scoring.domains", [{"code": "D", "label": "D", "positive_when": {"domain": "x"}}]),
        "domain 'D' needs a unique code",
    ),
    (
        "domain twice",
        _set(
            "scoring.domains",
            [{"code": "d", "label": "D", "positive_when": {"item": "a", "op": ">", "value": 0}}]
            * 2,
        ),
        "domain 'd' needs a unique code",
    ),
    (
        "domain label",
        _set(
            "scoring.domains",
            [{"code": "d", "positive_when": {"item": "a", "op": ">", "value": 0}}],
        ),
        "domain 'd' needs a non-empty 'label'",
    ),
    (
        "domain condition",
        _set("scoring.domains", [{"code": "d", "label": "D", "positive_when": {}}]),
        "domain 'd' has an empty or malformed condition",
    ),
    ("band object", _set("scoring.bands", ["low"]), "each band must be an object"),
    (
        "band min",
        _set("scoring.bands", [{"code": "all", "label": "All", "min": "0", "max": 6}]),
        "band 'all' needs a code and whole-number min <= max",
    ),
    (
        "band max",
        _set("scoring.bands", [{"code": "all", "label": "All", "min": 0}]),
        "band 'all' needs a code and whole-number min <= max",
    ),
    (
        "band order",
        _set("scoring.bands", [{"code": "all", "label": "All", "min": 6, "max": 0}]),
        "band 'all' needs a code and whole-number min <= max",
    ),
    (
        "band code",
        _set("scoring.bands", [{"code": "", "label": "All", "min": 0, "max": 6}]),
        "band '' needs a code",
    ),
    (
        "band level",
        _set(
            "scoring.bands", [{"code": "all", "label": "All", "min": 0, "max": 6, "level": "red"}]
        ),
        "band 'all' level must be one of none, low, moderate, high, severe",
    ),
    (
        "band label",
        _set("scoring.bands", [{"code": "all", "min": 0, "max": 6}]),
        "band 'all' needs a non-empty 'label'",
    ),
    (
        "band start",
        _set("scoring.bands", [{"code": "all", "label": "All", "min": 1, "max": 6}]),
        "band 'all' starts at 1, expected 0",
    ),
    (
        "band codes",
        _set(
            "scoring.bands",
            [
                {"code": "x", "label": "X", "min": 0, "max": 2},
                {"code": "x", "label": "Y", "min": 3, "max": 6},
            ],
        ),
        "band codes must be unique",
    ),
    (
        "bands without total",
        _both(
            _set("scoring.total", _DELETE),
            _set("scoring.range", _DELETE),
            _set("scoring.bands", [{"code": "all", "label": "All", "min": 0, "max": 6}]),
        ),
        "bands need a total to apply to",
    ),
    (
        "flag code",
        _set(
            "scoring.flags",
            [{"code": "F F", "label": "F", "when": {"score": "total", "op": ">", "value": 0}}],
        ),
        "flag 'F F' needs a unique code",
    ),
    (
        "flag twice",
        _set(
            "scoring.flags",
            [{"code": "f", "label": "F", "when": {"score": "total", "op": ">", "value": 0}}] * 2,
        ),
        "flag 'f' needs a unique code",
    ),
    (
        "flag level",
        _set(
            "scoring.flags",
            [
                {
                    "code": "f",
                    "label": "F",
                    "level": "red",
                    "when": {"score": "total", "op": ">", "value": 0},
                }
            ],
        ),
        "flag 'f' level must be one of info, warning, urgent",
    ),
    (
        "flag action",
        _set(
            "scoring.flags",
            [
                {
                    "code": "f",
                    "label": "F",
                    "action": "call",
                    "when": {"score": "total", "op": ">", "value": 0},
                }
            ],
        ),
        "flag 'f' action must be one of safety_follow_up, referral, falls_prevention_goal",
    ),
    (
        "flag label",
        _set("scoring.flags", [{"code": "f", "when": {"score": "total", "op": ">", "value": 0}}]),
        "flag 'f' needs a non-empty 'label'",
    ),
    ("condition", _flag("total > 2"), "flag 'f' has an empty or malformed condition"),
    ("no condition", _flag(None), "flag 'f' has an empty or malformed condition"),
    ("unknown domain", _flag({"domain": "zz"}), "flag 'f' refers to the unknown domain 'zz'"),
    (
        "unknown score",
        _flag({"score": "zz", "op": ">", "value": 0}),
        "flag 'f' refers to the unknown score 'zz'",
    ),
    (
        "condition kind",
        _flag({"answer": "a", "op": ">", "value": 0}),
        "flag 'f': a condition needs 'item', 'score', 'domain', 'any' or 'all'",
    ),
    (
        "operator",
        _flag({"score": "total", "op": "=>", "value": 0}),
        "flag 'f': 'op' must be one of > >= < <= == !=",
    ),
    ("no operator", _flag({"item": "a", "value": 0}), "flag 'f': 'op' must be one of"),
    (
        "value",
        _flag({"score": "total", "op": ">", "value": "2"}),
        "flag 'f': 'value' must be a whole number",
    ),
    (
        "answer_in list",
        _flag({"item": "a", "answer_in": "1"}),
        "flag 'f': 'answer_in' needs a list of answer codes",
    ),
    (
        "answer_not_in list",
        _flag({"item": "a", "answer_not_in": []}),
        "flag 'f': 'answer_not_in' needs a list of answer codes",
    ),
    (
        "answer_not_in code",
        _flag({"item": "a", "answer_not_in": ["9"]}),
        "flag 'f' refers to the unknown answer '9' of 'a'",
    ),
    (
        "unscored item",
        _both(_add_item(CHOICE_R), _flag({"item": "r", "op": ">", "value": 0})),
        "flag 'f' compares the score of 'r', which has no score",
    ),
    (
        "no questions",
        _set("questionnaire.item", [{"linkId": "note", "type": "display", "text": "Only text"}]),
        "the questionnaire asks no questions",
    ),
]


@pytest.mark.parametrize(
    ("edit", "problem"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_a_broken_definition_is_refused_naming_the_problem(edit: Any, problem: str) -> None:
    raw = definition()
    raw["scoring"]["bands"] = [
        {"code": "low", "label": "Low", "min": 0, "max": 2},
        {"code": "high", "label": "High", "min": 3, "max": 6, "level": "high"},
    ]
    assert parse_instrument(copy.deepcopy(raw)).bands  # the base is valid
    edit(raw)
    found = problems_of(raw)
    assert any(problem in p for p in found), found


def test_a_definition_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(["not", "an", "object"])  # type: ignore[arg-type]
    assert caught.value.problems == ["the file must hold a JSON object"]
    assert str(caught.value) == "<memory>: the file must hold a JSON object"


def test_a_condition_with_answers_needs_no_operator_and_a_summed_unknown_item_only_that() -> None:
    parse_instrument(
        definition(
            flags=[{"code": "f", "label": "F", "when": {"item": "a", "answer_not_in": ["0"]}}]
        )
    )
    raw = definition(total=["a", "zz"])
    assert problems_of(raw) == ["the total sums the unknown item 'zz'"]
    raw = definition(total=["a", "b"], extra_items=[CHOICE_R])
    raw["scoring"]["total"]["sum"] = ["a", "r"]
    assert problems_of(raw) == ["the total sums 'r', which has no score"]


# --- what a valid definition keeps -------------------------------------------------------------


def test_a_valid_definition_keeps_what_it_says() -> None:
    raw = definition(
        flags=[
            {
                "code": "f",
                "label": "F",
                "level": "urgent",
                "action": "referral",
                "domain": "dom",
                "when": {"domain": "dom"},
            },
            {"code": "g", "label": "G", "when": {"score": "total", "op": ">", "value": 5}},
        ],
        extra_items=[
            {
                "linkId": "c.1",
                "type": "choice",
                "text": "C",
                "hint": "Pick one",
                "code": [
                    {"system": "other", "code": "x"},
                    {"system": "http://loinc.org", "code": "12-3"},
                ],
                "answerOption": [
                    {"valueCoding": {"code": "x", "display": "X", "system": "http://loinc.org"}},
                    {"valueCoding": {"code": "y", "display": "Y"}},
                ],
            },
            {"linkId": "note", "type": "display", "text": "Read"},
            {
                "linkId": "n",
                "type": "integer",
                "text": "Days",
                "unit": "days",
                "minValue": 1,
                "maxValue": 9,
            },
        ],
        total=["a", "b"],
    )
    raw.update(
        purpose="Why",
        instructions="How",
        attribution="Who",
        licence={"item_text": "short_labels", "note": "Own wording"},
        loinc={"panel": "", "total": "99-1"},
    )
    raw["questionnaire"]["code"] = [{"system": "http://loinc.org", "code": "77-7"}]
    raw["scoring"]["direction"] = "higher_is_better"
    raw["scoring"]["subscales"] = [{"code": "sa", "label": "A only", "sum": ["a"], "loinc": "55-5"}]
    raw["scoring"]["domains"] = [
        {"code": "dom", "label": "Dom", "positive_when": {"item": "c.1", "answer_in": ["y"]}}
    ]
    raw["scoring"]["bands"] = [
        {"code": "low", "label": "Low", "min": 0, "max": 2},
        {"code": "mid", "label": "Mid", "min": 3, "max": 4, "level": "moderate"},
        {"code": "high", "label": "High", "min": 5, "max": 6, "level": "high"},
    ]
    instrument = parse_instrument(raw, source="own.json")
    assert (instrument.purpose, instrument.instructions, instrument.attribution) == (
        "Why",
        "How",
        "Who",
    )
    assert instrument.licence_note == "Own wording"
    assert instrument.verbatim_text is False
    assert instrument.url == "urn:caseload:questionnaire:rules"
    assert (instrument.panel_loinc, instrument.total_loinc) == ("77-7", "99-1")
    assert instrument.direction == "higher_is_better"
    assert instrument.source == "own.json"
    assert instrument.has_total
    assert instrument.range_label() == "0–6"
    assert instrument.thresholds() == [(3, "Mid"), (5, "High")]
    assert instrument.band_by_code("mid").level == "moderate"  # type: ignore[union-attr]
    assert instrument.band_by_code("none") is None
    assert instrument.band_for(None) is None
    assert [b.code for b in map(instrument.band_for, range(7))] == ["low"] * 3 + ["mid"] * 2 + [
        "high"
    ] * 2  # type: ignore[union-attr]
    assert instrument.band_for(7) is None
    assert [s.range for s in instrument.subscales] == [(0, 3)]
    assert instrument.subscales[0].loinc == "55-5"
    assert [q.link_id for q in instrument.questions] == ["a", "b", "c.1", "n"]
    assert instrument.item("zz") is None
    c = instrument.item("c.1")
    assert c is not None
    assert (c.field_name, c.hint, c.loinc, c.required, c.repeats) == (
        "a_c_1",
        "Pick one",
        "12-3",
        False,
        False,
    )
    assert not c.is_scored  # an option without a score
    assert c.options[0].as_coding() == {"code": "x", "display": "X", "system": "http://loinc.org"}
    assert c.options[1].as_coding() == {"code": "y", "display": "Y"}
    n = instrument.item("n")
    assert n is not None
    assert (n.unit, n.min_value, n.max_value, n.is_scored) == ("days", 1, 9, True)
    assert n.score_range() == (1, 9)
    assert n.display_of(7) == "7 days"
    assert n.display_of(None) == n.display_of("") == n.display_of([]) == ""
    assert c.display_of("y") == "Y"
    assert c.display_of(None) == c.display_of("") == c.display_of([]) == ""
    assert instrument.item("a").display_of("0") == "Level 0"  # type: ignore[union-attr]
    assert instrument.item("note").is_question is False  # type: ignore[union-attr]
    flag = instrument.flags[0]
    assert (flag.level, flag.action, flag.domain) == ("urgent", "referral", "dom")
    assert (instrument.flags[1].level, instrument.flags[1].action) == ("warning", "")
    result = score_answers(instrument, {"a": "3", "b": "3", "c.1": "y"})
    assert result.total == 6
    assert result.subscales == {"sa": 3}
    assert result.domains == {"dom": True}
    assert [f.as_dict() for f in result.flags] == [
        {"code": "f", "label": "F", "level": "urgent", "action": "referral", "domain": "dom"},
        {"code": "g", "label": "G", "level": "warning", "action": "", "domain": ""},
    ]
    assert instrument.bands[0].level == "none"
    assert parse_instrument(raw).sha256 == instrument.sha256
    assert len(instrument.sha256) == 64


def test_a_definition_without_licence_or_loinc_blocks_takes_the_defaults() -> None:
    raw = definition()
    raw["licence"] = "free"
    raw["loinc"] = "none"
    raw["questionnaire"]["url"] = "urn:example:rules"
    instrument = parse_instrument(raw)
    assert instrument.verbatim_text is True
    assert instrument.licence_note == ""
    assert (instrument.panel_loinc, instrument.total_loinc) == ("", "")
    assert instrument.url == "urn:example:rules"
    assert instrument.direction == "lower_is_better"
    assert not parse_instrument({**definition(), "scoring": {}}).has_total


# --- answers -----------------------------------------------------------------------------------


def test_choose_all_that_apply_keeps_each_answer_once_in_the_order_given() -> None:
    instrument = parse_instrument(definition(extra_items=[CHOICE_R], total=["a", "b"]))
    clean, errors = clean_answers(instrument, {"r": ["2", "0", "2"], "a": "1"}, complete=False)
    assert errors == {}
    assert clean == {"r": ["2", "0"], "a": "1"}
    assert instrument.item("r").display_of(["2", "0", "9"]) == "Level 2; Level 0; 9"  # type: ignore[union-attr]
    clean, errors = clean_answers(instrument, {"r": "1"}, complete=False)
    assert clean == {"r": ["1"]}
    _, errors = clean_answers(instrument, {"r": ["1", "7"]}, complete=False)
    assert errors == {"r": ["Choose one of the answers offered."]}


def test_a_draft_may_leave_required_questions_blank_but_not_answer_a_display_item() -> None:
    note = {"linkId": "note", "type": "display", "text": "Read"}
    instrument = parse_instrument(definition(extra_items=[note], total=["a", "b"]))
    clean, errors = clean_answers(instrument, {"a": "", "b": []}, complete=False)
    assert (clean, errors) == ({}, {})
    _, errors = clean_answers(instrument, {"a": None, "b": "1"}, complete=True)
    assert errors == {"a": ["Answer this question."]}
    _, errors = clean_answers(instrument, {"note": "x", "a": "1", "b": "1"}, complete=True)
    assert errors == {"note": ["This is not a question on this form."]}


def test_an_integer_answer_at_the_minimum_is_kept_and_below_it_refused() -> None:
    count = {
        "linkId": "n",
        "type": "integer",
        "required": True,
        "text": "N",
        "minValue": 2,
        "maxValue": 5,
    }
    instrument = parse_instrument(definition(extra_items=[count], score_range=[2, 11]))
    clean, errors = clean_answers(instrument, {"n": 2}, complete=False)
    assert (clean, errors) == ({"n": 2}, {})
    _, errors = clean_answers(instrument, {"n": 1}, complete=False)
    assert errors == {"n": ["Enter a number of 2 or more."]}
    _, errors = clean_answers(instrument, {"n": True}, complete=False)
    assert errors == {"n": ["Enter a whole number."]}
    clean, _ = clean_answers(instrument, {"n": 4.0}, complete=False)
    assert clean == {"n": 4}
    _, errors = clean_answers(instrument, {"n": 4.5}, complete=False)
    assert errors == {"n": ["Enter a whole number."]}


def test_scoring_needs_every_required_answer_and_a_scored_choice() -> None:
    instrument = parse_instrument(definition())
    with pytest.raises(ValueError, match="cannot score: 1 required question"):
        score_answers(instrument, {"a": "1"})
    with pytest.raises(ValueError, match="'7' is not a scored answer to 'a'"):
        score_answers(instrument, {"a": "7", "b": "1"})
    assert [
        i.link_id
        for i in __import__("caseload.assessments.definitions", fromlist=["x"]).missing_required(
            instrument, {"a": "1", "b": ""}
        )
    ] == ["b"]


def test_a_subscale_summing_an_unknown_item_names_only_that() -> None:
    raw = definition()
    raw["scoring"]["subscales"] = [{"code": "s", "label": "S", "sum": ["a", "zz"], "range": [0, 9]}]
    assert problems_of(raw) == ["subscale 's' sums the unknown item 'zz'"]


def test_a_rule_on_a_question_without_options_is_refused_not_crashed() -> None:
    raw = definition(
        flags=[{"code": "f", "label": "F", "when": {"item": "b", "answer_in": ["1"]}}],
        total=["a"],
        score_range=[0, 3],
    )
    raw["questionnaire"]["item"][1]["answerSet"] = "missing"
    assert problems_of(raw) == [
        "item 'b' names the unknown answer set 'missing'",
        "flag 'f' refers to the unknown answer '1' of 'b'",
    ]
    del raw["questionnaire"]["item"][1]["answerSet"]
    raw["questionnaire"]["item"][1]["answerOption"] = []
    assert problems_of(raw) == [
        "item 'b' needs at least one answer option",
        "flag 'f' refers to the unknown answer '1' of 'b'",
    ]


def test_an_item_scores_only_its_scored_answers() -> None:
    partly = {
        "linkId": "c",
        "type": "choice",
        "text": "C",
        "answerOption": [
            {"valueCoding": {"code": "x", "display": "X"}, "score": 2},
            {"valueCoding": {"code": "y", "display": "Y"}},
        ],
    }
    instrument = parse_instrument(definition(extra_items=[partly], total=["a", "b"]))
    item = instrument.item("c")
    assert item is not None
    assert not item.is_scored
    assert item.score_range() == (2, 2)
    assert item.score_of("x") == 2
    with pytest.raises(ValueError, match="'y' is not a scored answer to 'c'"):
        item.score_of("y")


def test_a_refused_answer_is_never_kept_as_clean() -> None:
    count = {"linkId": "n", "type": "integer", "text": "N", "minValue": 2, "maxValue": 5}
    instrument = parse_instrument(definition(extra_items=[count], total=["a", "b"]))
    for answers in ({"a": ["1", "2"]}, {"a": "9"}, {"n": 1}, {"n": 6}, {"n": "x"}):
        clean, errors = clean_answers(instrument, answers, complete=False)
        assert clean == {}, answers
        assert list(errors) == list(answers)


def test_an_integer_item_without_a_minimum_is_refused_without_crashing() -> None:
    no_min = {"linkId": "n", "type": "integer", "required": True, "text": "N", "maxValue": 3}
    assert problems_of(definition(extra_items=[no_min], score_range=[0, 9])) == [
        "item 'n' needs a whole-number minValue"
    ]
    with_points = {**no_min, "points": [{"min": 1, "score": 1}]}
    assert problems_of(definition(extra_items=[with_points], total=["a", "b"])) == [
        "item 'n' needs a whole-number minValue"
    ]


def test_an_open_points_table_needs_no_maximum_value() -> None:
    open_ended = points_item([{"min": 0, "max": 0, "score": 0}, {"min": 1, "score": 2}], minValue=0)
    instrument = parse_instrument(definition(extra_items=[open_ended], score_range=[0, 8]))
    assert instrument.item("n").max_value is None  # type: ignore[union-attr]
    assert score_answers(instrument, {"a": "0", "b": "0", "n": 5000}).total == 2
    # and any number from the minimum up is a valid answer
    assert clean_answers(instrument, {"a": "0", "b": "0", "n": 5000}, complete=True) == (
        {"a": "0", "b": "0", "n": 5000},
        {},
    )


def test_scoring_is_safe_on_an_instrument_whose_rules_name_what_it_lacks() -> None:
    # The loader refuses such files; scoring still never crashes or flags on them.
    import dataclasses

    from caseload.assessments.definitions import Domain, FlagRule

    instrument = parse_instrument(definition(total=["a", "b"]))
    broken = dataclasses.replace(instrument, total_items=("a", "zz"))
    with pytest.raises(ValueError, match="unknown item 'zz'"):
        score_answers(broken, {"a": "1", "b": "1"})
    rules = dataclasses.replace(
        instrument,
        total_items=(),
        flags=(
            FlagRule(code="i", label="I", when={"item": "zz", "op": ">", "value": 0}),
            FlagRule(code="t", label="T", when={"score": "total", "op": "<", "value": 9}),
        ),
    )
    rules = dataclasses.replace(
        rules,
        domains=(
            Domain(code="s", label="S", positive_when={"score": "zz", "op": ">", "value": 0}),
            Domain(code="i", label="I", positive_when={"item": "zz", "answer_in": ["1"]}),
        ),
    )
    result = score_answers(rules, {"a": "1", "b": "1", "zz": "1"})
    assert result.domains == {"s": False, "i": False}
    assert result.total is None
    assert result.band is None
    assert result.flags == ()
    assert rules.range_label() == "0–6"
    assert dataclasses.replace(rules, range=None).range_label() == ""


def test_the_fingerprint_is_the_sha256_of_the_canonical_json() -> None:
    import hashlib

    from caseload.assessments.definitions import fingerprint

    text = '{"a":"é","b":[1,2]}'
    assert fingerprint({"b": [1, 2], "a": "é"}) == hashlib.sha256(text.encode()).hexdigest()
    assert fingerprint({"a": "é", "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": "é"})


def test_items_without_a_loinc_code_have_an_empty_one() -> None:
    instrument = parse_instrument(definition())
    assert [i.loinc for i in instrument.items] == ["", ""]
    assert instrument.panel_loinc == ""


def test_malformed_codings_subscales_and_domains_are_read_without_crashing() -> None:
    # A coding that is not an object is passed over on the way to the LOINC coding.
    raw = definition()
    _item(raw, 0)["code"] = ["12-3", {"system": "http://loinc.org", "code": "45-6"}]
    assert parse_instrument(raw).items[0].loinc == "45-6"
    # "subscales", "domains", "bands" and "flags": null mean none, as absent lists do.
    raw = definition()
    for key in ("subscales", "domains", "bands", "flags"):
        raw["scoring"][key] = None
    instrument = parse_instrument(raw)
    assert (instrument.subscales, instrument.domains) == ((), ())
    assert (instrument.bands, instrument.flags) == ((), ())
    # The definition itself is kept for export, but not spelled out in the instrument's repr.
    assert instrument.raw == raw and "raw=" not in repr(instrument)
    # A domain that is not an object is refused by name, not crashed on.
    raw = definition()
    raw["scoring"]["domains"] = ["dom"]
    assert problems_of(raw) == ["domain '' needs a unique code"]
    # So is a flag.
    assert problems_of(definition(flags=["f"])) == ["flag '' needs a unique code"]  # type: ignore[list-item]


def test_the_panel_loinc_block_wins_over_the_questionnaire_code() -> None:
    raw = definition()
    raw["loinc"] = {"panel": "11-1"}
    raw["questionnaire"]["code"] = [{"system": "http://loinc.org", "code": "77-7"}]
    assert parse_instrument(raw).panel_loinc == "11-1"


def test_a_questionnaire_that_is_not_one_is_the_only_problem_said() -> None:
    for questionnaire in (None, ["item"], {"resourceType": "Patient"}):
        raw = definition()
        raw["questionnaire"] = questionnaire
        assert problems_of(raw) == [
            "'questionnaire' must be an object with resourceType \"Questionnaire\""
        ]


def test_a_choice_code_of_several_characters_reads_as_its_display() -> None:
    raw = definition(
        extra_items=[
            {
                "linkId": "c",
                "type": "choice",
                "text": "C",
                "answerOption": [{"valueCoding": {"code": "yes", "display": "Yes"}}],
            }
        ]
    )
    item = parse_instrument(raw).item("c")
    assert item is not None
    assert item.display_of("yes") == item.display_of(["yes"]) == "Yes"


def test_a_range_that_is_not_a_list_of_two_is_refused_not_crashed_on() -> None:
    for declared in ({"low": 0, "high": 6}, 6, "06"):
        raw = definition()
        raw["scoring"]["range"] = declared
        assert problems_of(raw) == [
            "the total 'range' must be [lowest, highest]",
            "'scoring.range' must state the total's [lowest, highest]",
        ], declared


def test_bands_with_a_gap_are_refused_once() -> None:
    raw = definition()
    raw["scoring"]["bands"] = [
        {"code": "low", "label": "Low", "min": 0, "max": 1},
        {"code": "mid", "label": "Mid", "min": 3, "max": 3},
        {"code": "high", "label": "High", "min": 5, "max": 5},
    ]
    assert problems_of(raw) == [
        "bands must cover the range without gaps or overlaps: band 'mid' starts at 3, expected 2"
    ]


def test_names_a_rule_may_use_exist_only_when_defined() -> None:
    # Without a total there is no score 'total' to test.
    raw = definition(
        flags=[{"code": "f", "label": "F", "when": {"score": "total", "op": ">", "value": 1}}]
    )
    del raw["scoring"]["total"], raw["scoring"]["range"]
    assert problems_of(raw) == ["flag 'f' refers to the unknown score 'total'"]
    # A domain refused for its code is not there for a flag to use either.
    raw = definition(flags=[{"code": "f", "label": "F", "when": {"domain": "Bad Code"}}])
    raw["scoring"]["domains"] = [
        {"code": "Bad Code", "label": "B", "positive_when": {"item": "a", "answer_in": ["1"]}}
    ]
    assert problems_of(raw) == [
        "domain 'Bad Code' needs a unique code",
        "flag 'f' refers to the unknown domain 'Bad Code'",
    ]


def test_a_total_summing_text_is_refused_not_read_letter_by_letter() -> None:
    # "ab" is not the list ["a", "b"]
    assert problems_of(definition(total="ab")) == [
        "'scoring.total.sum' must list the items to add up (or be \"*\")"
    ]


def test_a_malformed_part_is_the_only_problem_said_about_it() -> None:
    # points that are not a list
    text_points = points_item("0-3", minValue=0, maxValue=9)  # type: ignore[arg-type]
    assert problems_of(definition(extra_items=[text_points], total=["a", "b"])) == [
        "item 'n' 'points' must be a non-empty list"
    ]
    # a subscale that is not an object
    raw = definition()
    raw["scoring"]["subscales"] = ["s"]
    assert problems_of(raw) == ["subscale '' needs a unique code (not 'total')"]
    # a subscale that sums nothing
    raw["scoring"]["subscales"] = [{"code": "s", "label": "S"}]
    assert problems_of(raw) == ["subscale 's' must list the items it adds up"]
    # an item without a linkId (nor text): nothing else is said about it
    raw = definition()
    _item(raw, 1)["linkId"] = " "
    del _item(raw, 1)["text"]
    raw["scoring"]["total"]["sum"] = ["a"]
    raw["scoring"]["range"] = [0, 3]
    assert problems_of(raw) == ["item 2 needs a linkId"]


def test_a_total_of_every_item_adds_up_the_scored_ones_only() -> None:
    note = {"linkId": "note", "type": "display", "text": "Read this first"}
    instrument = parse_instrument(definition(extra_items=[note]))
    assert instrument.total_items == ("a", "b")


def test_questionnaire_items_that_are_not_a_list_are_refused_once() -> None:
    raw = definition()
    raw["questionnaire"]["item"] = "ab"
    assert problems_of(raw)[0] == "the questionnaire needs at least one item"
    assert not any("is not an object" in p for p in problems_of(raw))


def test_a_subscale_is_never_called_total_even_without_a_total() -> None:
    raw = definition()
    del raw["scoring"]["total"], raw["scoring"]["range"]
    raw["scoring"]["subscales"] = [{"code": "total", "label": "T", "sum": ["a"]}]
    assert problems_of(raw) == ["subscale 'total' needs a unique code (not 'total')"]


def test_answer_options_that_are_not_a_list_are_refused_once() -> None:
    raw = definition()
    _item(raw, 1).pop("answerSet")
    _item(raw, 1)["answerOption"] = "ab"
    raw["scoring"]["total"]["sum"] = ["a"]
    raw["scoring"]["range"] = [0, 3]
    assert problems_of(raw) == ["item 'b' needs at least one answer option"]


def test_an_item_of_an_unknown_type_is_named_once_and_not_read_further() -> None:
    # Without a text or answers: only its type is named, not what a known type would need.
    raw = definition(total=["a", "b"], extra_items=[{"linkId": "odd", "type": "slider"}])
    assert problems_of(raw) == ["item 'odd' has type 'slider'; use one of " + ", ".join(ITEM_TYPES)]
