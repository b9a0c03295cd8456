"""Every shipped instrument scores exactly as its publisher's rules and worked examples say."""

from __future__ import annotations

from typing import Any

import pytest

from caseload.assessments import catalogue
from caseload.assessments.definitions import Score, clean_answers, score_answers
from tests.assessments.helpers import FREQUENCY, NO, YES, gad7, phq9


def score(code: str, answers: dict[str, Any]) -> Score:
    instrument = catalogue.get(code)
    assert instrument is not None
    clean, errors = clean_answers(instrument, answers, complete=True)
    assert errors == {}
    return score_answers(instrument, clean)


def test_every_shipped_definition_is_valid() -> None:
    report = catalogue.load_all()
    assert report.errors == []
    assert set(report.instruments) == {
        "phq9",
        "phq2",
        "gad7",
        "minicog",
        "steadi",
        "hrsn",
        "lace",
        "katz",
        "lawton",
    }


# --- PHQ-9 (Kroenke, Spitzer & Williams 2001; bands from the PHQ instruction manual) ---------


def test_phq9_lhc_forms_example_response_scores_15_moderately_severe_with_safety_flag() -> None:
    # The answers of the published LHC-Forms PHQ-9 example response (total 15).
    result = score("phq9", phq9(1, 2, 3, 1, 2, 3, 0, 1, 2))
    assert result.total == 15
    assert result.band is not None
    assert result.band.code == "moderately_severe"
    assert [f.code for f in result.flags] == ["self_harm"]
    assert result.flags[0].action == "safety_follow_up"
    assert result.subscales == {"phq2": 3}


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands_at_every_published_cut_point(total: int, band: str) -> None:
    scores, rest = [], total
    for _ in range(8):
        scores.append(min(3, rest))
        rest -= scores[-1]
    result = score("phq9", phq9(*scores, rest))
    assert result.total == total
    assert result.band is not None
    assert result.band.code == band


def test_phq9_item_9_above_zero_flags_safety_whatever_the_total() -> None:
    result = score("phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1))
    assert result.total == 1
    assert result.band is not None
    assert result.band.code == "minimal"
    assert [f.code for f in result.flags] == ["self_harm"]


def test_phq9_scenario_total_17_with_item_9_of_1() -> None:
    result = score("phq9", phq9(3, 3, 2, 2, 2, 2, 1, 1, 1))
    assert result.total == 17
    assert result.band is not None
    assert result.band.label == "Moderately severe depression"
    assert result.flags[0].level == "urgent"


def test_phq9_item_9_zero_raises_no_flag() -> None:
    assert score("phq9", phq9(3, 3, 3, 3, 3, 3, 3, 3, 0)).flags == ()


def test_phq9_difficulty_question_is_optional_and_unscored() -> None:
    answers = {**phq9(1, 1, 1, 1, 1, 1, 1, 1, 0), "difficulty": "LA6575-0"}
    assert score("phq9", answers).total == 8


# --- PHQ-2 (Kroenke 2003: cut point 3) --------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "band"),
    [(1, 1, "negative"), (2, 0, "negative"), (1, 2, "positive"), (3, 3, "positive")],
)
def test_phq2_positive_from_3(a: int, b: int, band: str) -> None:
    result = score("phq2", {"q1": FREQUENCY[a], "q2": FREQUENCY[b]})
    assert result.total == a + b
    assert result.band is not None
    assert result.band.code == band


# --- GAD-7 (Spitzer 2006) -----------------------------------------------------------------------


def test_gad7_hl7_phr_example_scores_3_minimal() -> None:
    # HL7 Personal Health Record IG example: 0,0,1,1,0,1,0.
    result = score("gad7", gad7(0, 0, 1, 1, 0, 1, 0))
    assert result.total == 3
    assert result.band is not None
    assert result.band.code == "minimal"


@pytest.mark.parametrize(
    ("scores", "total", "band"),
    [
        ((1, 1, 1, 1, 0, 0, 0), 4, "minimal"),
        ((1, 1, 1, 1, 1, 0, 0), 5, "mild"),
        ((2, 2, 2, 1, 1, 1, 0), 9, "mild"),
        ((2, 2, 2, 1, 1, 1, 1), 10, "moderate"),
        ((3, 3, 2, 2, 2, 1, 1), 14, "moderate"),
        ((3, 3, 3, 2, 2, 1, 1), 15, "severe"),
        ((3, 3, 3, 3, 3, 3, 3), 21, "severe"),
    ],
)
def test_gad7_bands(scores: tuple[int, ...], total: int, band: str) -> None:
    result = score("gad7", gad7(*scores))
    assert result.total == total
    assert result.band is not None
    assert result.band.code == band


# --- Mini-Cog (Borson 2000: recall 0-3 + clock 0/2; 0-2 positive) -------------------------------


@pytest.mark.parametrize(
    ("recall", "clock", "total", "band"),
    [
        ("3", "normal", 5, "negative"),
        ("1", "normal", 3, "negative"),
        ("3", "abnormal", 3, "negative"),
        ("2", "abnormal", 2, "positive"),
        ("0", "normal", 2, "positive"),
        ("0", "abnormal", 0, "positive"),
    ],
)
def test_minicog_published_scoring(recall: str, clock: str, total: int, band: str) -> None:
    result = score("minicog", {"recall": recall, "clock": clock})
    assert result.total == total
    assert result.band is not None
    assert result.band.code == band


# --- STEADI Stay Independent (CDC: 12 yes/no, items 1-2 worth 2; 4 or more at risk) -----------


def steadi(yes: set[int]) -> dict[str, str]:
    return {f"s{i}": YES if i in yes else NO for i in range(1, 13)}


def test_steadi_fall_and_cane_alone_reach_the_cut_point() -> None:
    result = score("steadi", steadi({1, 2}))
    assert result.total == 4
    assert result.band is not None
    assert result.band.code == "at_risk"
    assert [f.action for f in result.flags] == ["falls_prevention_goal"]


def test_steadi_three_one_point_items_are_not_at_risk() -> None:
    result = score("steadi", steadi({3, 4, 5}))
    assert result.total == 3
    assert result.band is not None
    assert result.band.code == "not_at_risk"
    assert result.flags == ()


def test_steadi_all_yes_scores_14() -> None:
    assert score("steadi", steadi(set(range(1, 13)))).total == 14


# --- AHC HRSN core (CMS 2017: positive per domain; safety items 1-5 summed, > 10 positive) -----

HRSN_NONE = {
    "living": "steady",
    "problems": ["none"],
    "food_worry": "never",
    "food_last": "never",
    "transport": NO,
    "utilities": "no",
    "hurt": "never",
    "insult": "never",
    "threaten": "never",
    "scream": "never",
}


def test_hrsn_no_needs_is_negative_in_every_domain() -> None:
    result = score("hrsn", HRSN_NONE)
    assert result.total is None
    assert result.domains == {
        "living_situation": False,
        "food": False,
        "transportation": False,
        "utilities": False,
        "safety": False,
    }
    assert result.subscales == {"safety": 4}
    assert result.flags == ()


@pytest.mark.parametrize(
    ("changes", "domain"),
    [
        ({"living": "worried"}, "living_situation"),
        ({"living": "no_steady"}, "living_situation"),
        ({"problems": ["mold", "leaks"]}, "living_situation"),
        ({"food_worry": "sometimes"}, "food"),
        ({"food_last": "often"}, "food"),
        ({"transport": YES}, "transportation"),
        ({"utilities": "yes"}, "utilities"),
        ({"utilities": "shut_off"}, "utilities"),
    ],
)
def test_hrsn_each_positive_answer_makes_its_domain_positive(
    changes: dict[str, Any], domain: str
) -> None:
    result = score("hrsn", {**HRSN_NONE, **changes})
    assert [code for code, positive in result.domains.items() if positive] == [domain]
    assert [f.code for f in result.flags] == [domain]
    assert result.flags[0].action == "referral"


def test_hrsn_safety_sum_of_11_is_positive_and_10_is_not() -> None:
    ten = score(
        "hrsn",
        {
            **HRSN_NONE,
            "hurt": "rarely",
            "insult": "sometimes",
            "threaten": "sometimes",
            "scream": "rarely",
        },
    )
    assert ten.subscales["safety"] == 10
    assert ten.domains["safety"] is False
    eleven = score(
        "hrsn",
        {
            **HRSN_NONE,
            "hurt": "rarely",
            "insult": "sometimes",
            "threaten": "sometimes",
            "scream": "sometimes",
        },
    )
    assert eleven.subscales["safety"] == 11
    assert eleven.domains["safety"] is True
    assert eleven.flags[0].level == "urgent"


# --- LACE (van Walraven 2010) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("los", "acuity", "charlson", "ed", "total", "band"),
    [
        (0, "elective", 0, 0, 0, "low"),
        (5, "emergent", 2, 1, 10, "high"),  # 4 + 3 + 2 + 1
        (3, "elective", 1, 0, 4, "low"),  # 3 + 0 + 1 + 0
        (7, "elective", 0, 0, 5, "moderate"),  # 7 days = 5 points
        (13, "emergent", 0, 2, 10, "high"),  # 5 + 3 + 0 + 2
        (14, "emergent", 4, 4, 19, "high"),  # 7 + 3 + 5 + 4, the maximum
        (40, "emergent", 12, 20, 19, "high"),  # open-ended top rows
        (4, "emergent", 3, 3, 13, "high"),  # 4 + 3 + 3 + 3
        (1, "elective", 2, 0, 3, "low"),
        (6, "elective", 3, 0, 7, "moderate"),
    ],
)
def test_lace_points_from_the_published_table(
    los: int, acuity: str, charlson: int, ed: int, total: int, band: str
) -> None:
    result = score("lace", {"los": los, "acuity": acuity, "charlson": charlson, "ed_visits": ed})
    assert result.total == total
    assert result.band is not None
    assert result.band.code == band


# --- Katz ADL and Lawton IADL -------------------------------------------------------------------

KATZ = ("bathing", "dressing", "toileting", "transferring", "continence", "feeding")


@pytest.mark.parametrize(
    ("independent", "band"),
    [(6, "full"), (5, "moderate"), (4, "moderate"), (3, "moderate"), (2, "severe"), (0, "severe")],
)
def test_katz_counts_independent_activities(independent: int, band: str) -> None:
    answers = {
        item: "independent" if index < independent else "dependent"
        for index, item in enumerate(KATZ)
    }
    result = score("katz", answers)
    assert result.total == independent
    assert result.band is not None
    assert result.band.code == band


def test_lawton_fully_independent_scores_8() -> None:
    answers = {
        "telephone": "own",
        "shopping": "all",
        "food": "independent",
        "housekeeping": "alone",
        "laundry": "all",
        "transport": "independent",
        "medication": "responsible",
        "finances": "independent",
    }
    assert score("lawton", answers).total == 8


def test_lawton_scores_each_level_as_published() -> None:
    # Lawton & Brody: only some lower levels keep the point (e.g. answers the phone = 1,
    # shops for small purchases = 0, needs help with all housekeeping = 1).
    answers = {
        "telephone": "answers",
        "shopping": "small",
        "food": "supplied",
        "housekeeping": "help_all",
        "laundry": "small",
        "transport": "accompanied",
        "medication": "prepared",
        "finances": "day_to_day",
    }
    assert score("lawton", answers).total == 5


def test_lawton_fully_dependent_scores_0() -> None:
    answers = {
        "telephone": "none",
        "shopping": "unable",
        "food": "needs",
        "housekeeping": "none",
        "laundry": "others",
        "transport": "none",
        "medication": "unable",
        "finances": "unable",
    }
    assert score("lawton", answers).total == 0


# --- answers outside the definition -------------------------------------------------------------


def test_an_answer_outside_the_options_is_refused() -> None:
    instrument = catalogue.get("phq9")
    assert instrument is not None
    _, errors = clean_answers(instrument, {"q1": "LA9999-9"}, complete=False)
    assert errors == {"q1": ["Choose one of the answers offered."]}


def test_a_number_outside_its_limits_is_refused() -> None:
    instrument = catalogue.get("lace")
    assert instrument is not None
    _, errors = clean_answers(instrument, {"los": -1, "ed_visits": "many"}, complete=False)
    assert errors == {
        "los": ["Enter a number of 0 or more."],
        "ed_visits": ["Enter a whole number."],
    }


@pytest.mark.parametrize("typed", ["1_0", "\u0663", "\uff13", "3.0", "+3", "1e1", "0x3"])
def test_a_number_is_read_from_ascii_digits_only(typed: str) -> None:
    """int() reads "1_0" as 10 and the Arabic-Indic "٣" as 3; an answer must be digits."""
    instrument = catalogue.get("lace")
    assert instrument is not None
    clean, errors = clean_answers(instrument, {"ed_visits": typed}, complete=False)
    assert errors == {"ed_visits": ["Enter a whole number."]}
    assert clean == {}


def test_a_number_typed_with_spaces_around_it_is_read() -> None:
    instrument = catalogue.get("lace")
    assert instrument is not None
    clean, errors = clean_answers(instrument, {"ed_visits": " 3 "}, complete=False)
    assert (clean, errors) == ({"ed_visits": 3}, {})


def test_an_unknown_question_is_refused() -> None:
    instrument = catalogue.get("gad7")
    assert instrument is not None
    _, errors = clean_answers(instrument, {"q8": FREQUENCY[0]}, complete=False)
    assert "q8" in errors


def test_two_answers_to_a_single_choice_question_are_refused() -> None:
    instrument = catalogue.get("gad7")
    assert instrument is not None
    _, errors = clean_answers(instrument, {"q1": [FREQUENCY[0], FREQUENCY[1]]}, complete=False)
    assert errors == {"q1": ["Choose one answer."]}


def test_completing_needs_every_required_question() -> None:
    instrument = catalogue.get("phq9")
    assert instrument is not None
    answers = phq9(1, 1, 1, 1, 1, 1, 1, 1, 1)
    del answers["q5"]
    _, errors = clean_answers(instrument, answers, complete=True)
    assert errors == {"q5": ["Answer this question."]}
    with pytest.raises(ValueError, match="unanswered"):
        score_answers(instrument, answers)
