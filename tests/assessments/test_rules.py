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
    return {
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
