"""The rules engine at every edge: one minute under, at and over each threshold; add-on caps;
each prerequisite; the pairs never billed together; CoCM first and later months; transitional
care with weekends and holidays. Figures from SPEC §5 and rules/2026.json."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from caseload.programrules import engine, rules

READY = {"consent": True, "care_plan": True, "chronic_conditions": 2}


def run(program: str, **fields: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"program": program, "month": "2026-11", **READY, **fields}
    fact = engine.parse_fact(raw)
    return engine.evaluate(fact, calendar=engine.no_holidays).as_json()


def reasons(result: dict[str, Any], code: str) -> list[str]:
    return [m["reason"] for m in result["not_met"] if m["code"] == code]


# -- thresholds, one minute under / at / over --------------------------------------------------

EDGES = [
    # program, minutes field, minutes, extra, codes
    ("CCM", "clinical_staff_minutes", 19, {}, []),
    ("CCM", "clinical_staff_minutes", 20, {}, ["99490"]),
    ("CCM", "clinical_staff_minutes", 21, {}, ["99490"]),
    ("CCM", "clinical_staff_minutes", 39, {}, ["99490"]),
    ("CCM", "clinical_staff_minutes", 40, {}, ["99490", "99439"]),
    ("CCM", "clinical_staff_minutes", 59, {}, ["99490", "99439"]),
    ("CCM", "clinical_staff_minutes", 60, {}, ["99490", "99439", "99439"]),
    ("CCM", "clinical_staff_minutes", 79, {}, ["99490", "99439", "99439"]),
    ("CCM", "clinical_staff_minutes", 80, {}, ["99490", "99439", "99439"]),  # cap: 2
    ("CCM", "clinical_staff_minutes", 200, {}, ["99490", "99439", "99439"]),
    ("CCM", "physician_minutes", 29, {}, []),
    ("CCM", "physician_minutes", 30, {}, ["99491"]),
    ("CCM", "physician_minutes", 31, {}, ["99491"]),
    ("CCM", "physician_minutes", 59, {}, ["99491"]),
    ("CCM", "physician_minutes", 60, {}, ["99491", "99437"]),
    ("CCM", "physician_minutes", 90, {}, ["99491", "99437", "99437"]),
    ("complex-CCM", "clinical_staff_minutes", 59, {}, []),
    ("complex-CCM", "clinical_staff_minutes", 60, {}, ["99487"]),
    ("complex-CCM", "clinical_staff_minutes", 61, {}, ["99487"]),
    ("complex-CCM", "clinical_staff_minutes", 89, {}, ["99487"]),
    ("complex-CCM", "clinical_staff_minutes", 90, {}, ["99487", "99489"]),
    ("complex-CCM", "clinical_staff_minutes", 120, {}, ["99487", "99489", "99489"]),
    ("PCM", "clinical_staff_minutes", 29, {}, []),
    ("PCM", "clinical_staff_minutes", 30, {}, ["99426"]),
    ("PCM", "clinical_staff_minutes", 31, {}, ["99426"]),
    ("PCM", "clinical_staff_minutes", 59, {}, ["99426"]),
    ("PCM", "clinical_staff_minutes", 60, {}, ["99426", "99427"]),
    ("PCM", "physician_minutes", 29, {}, []),
    ("PCM", "physician_minutes", 30, {}, ["99424"]),
    ("PCM", "physician_minutes", 60, {}, ["99424", "99425"]),
    ("BHI", "clinical_staff_minutes", 19, {}, []),
    ("BHI", "clinical_staff_minutes", 20, {}, ["99484"]),
    ("BHI", "clinical_staff_minutes", 21, {}, ["99484"]),
    ("BHI", "clinical_staff_minutes", 200, {}, ["99484"]),
    ("CoCM", "clinical_staff_minutes", 35, {"cocm_month": "first"}, []),
    ("CoCM", "clinical_staff_minutes", 36, {"cocm_month": "first"}, ["99492"]),
    ("CoCM", "clinical_staff_minutes", 37, {"cocm_month": "first"}, ["99492"]),
    ("CoCM", "clinical_staff_minutes", 70, {"cocm_month": "first"}, ["99492"]),
    ("CoCM", "clinical_staff_minutes", 85, {"cocm_month": "first"}, ["99492"]),
    ("CoCM", "clinical_staff_minutes", 86, {"cocm_month": "first"}, ["99492", "99494"]),
    ("CoCM", "clinical_staff_minutes", 87, {"cocm_month": "first"}, ["99492", "99494"]),
    ("CoCM", "clinical_staff_minutes", 115, {"cocm_month": "first"}, ["99492", "99494"]),
    ("CoCM", "clinical_staff_minutes", 116, {"cocm_month": "first"}, ["99492", *["99494"] * 2]),
    ("CoCM", "clinical_staff_minutes", 30, {"cocm_month": "later"}, []),
    ("CoCM", "clinical_staff_minutes", 31, {"cocm_month": "later"}, ["99493"]),
    ("CoCM", "clinical_staff_minutes", 32, {"cocm_month": "later"}, ["99493"]),
    ("CoCM", "clinical_staff_minutes", 75, {"cocm_month": "later"}, ["99493"]),
    ("CoCM", "clinical_staff_minutes", 76, {"cocm_month": "later"}, ["99493", "99494"]),
    ("CoCM", "clinical_staff_minutes", 77, {"cocm_month": "later"}, ["99493", "99494"]),
    ("CoCM", "clinical_staff_minutes", 106, {"cocm_month": "later"}, ["99493", *["99494"] * 2]),
    ("CHI", "auxiliary_minutes", 59, {}, []),
    ("CHI", "auxiliary_minutes", 60, {}, ["G0019"]),
    ("CHI", "auxiliary_minutes", 61, {}, ["G0019"]),
    ("CHI", "auxiliary_minutes", 89, {}, ["G0019"]),
    ("CHI", "auxiliary_minutes", 90, {}, ["G0019", "G0022"]),
    ("CHI", "clinical_staff_minutes", 120, {}, ["G0019", "G0022", "G0022"]),
]


@pytest.mark.parametrize(("program", "field", "minutes", "extra", "codes"), EDGES)
def test_threshold_edges(
    program: str, field: str, minutes: int, extra: dict[str, Any], codes: list[str]
) -> None:
    assert run(program, **{field: minutes}, **extra)["codes"] == codes


def test_the_issue_example_fact() -> None:
    result = run("CCM", clinical_staff_minutes=45, physician_minutes=0)
    assert result["codes"] == ["99490", "99439"]
    assert reasons(result, "99439") == [
        "15 minutes short of a second 99439 (45 of 60 clinical staff minutes)"
    ]
    assert [m["code"] for m in result["not_met"]] == ["99439"]


def test_minutes_short_in_plain_words() -> None:
    result = run("CCM", clinical_staff_minutes=8)
    assert reasons(result, "99490")[0].startswith("12 minutes short of 99490")
    assert reasons(run("CCM", clinical_staff_minutes=19), "99490")[0].startswith(
        "1 minute short of 99490"
    )


def test_no_time_at_all_names_the_first_code() -> None:
    result = run("CCM")
    assert result["codes"] == []
    assert reasons(result, "99490")[0].startswith("20 minutes short of 99490")
    assert [m["code"] for m in result["not_met"]] == ["99490"]  # the first code only


def test_a_single_minute_of_one_kind_names_that_kind_s_code() -> None:
    # One physician minute and no staff time: the month is judged on physician time (99491),
    # not on the first code, 99490.
    result = run("CCM", physician_minutes=1)
    assert [m["code"] for m in result["not_met"]] == ["99491"]
    assert reasons(result, "99491")[0].startswith("29 minutes short of 99491")


def test_add_on_cap_is_explained_once_time_would_earn_another_unit() -> None:
    at_cap = run("CCM", clinical_staff_minutes=79)
    assert reasons(at_cap, "99439") == []
    over = run("CCM", clinical_staff_minutes=85)
    assert reasons(over, "99439") == [
        "99439 is billed at most twice a month; the 25 minutes beyond 60 do not count"
    ]


def test_first_add_on_shortfall_has_no_ordinal() -> None:
    assert reasons(run("CCM", clinical_staff_minutes=25), "99439") == [
        "15 minutes short of 99439 (25 of 40 clinical staff minutes)"
    ]


def test_staff_time_and_physician_time_do_not_pool_for_ccm() -> None:
    assert run("CCM", clinical_staff_minutes=15, physician_minutes=15)["codes"] == []


def test_99491_is_not_billed_in_the_same_month_as_99490() -> None:
    result = run("CCM", clinical_staff_minutes=25, physician_minutes=35)
    assert result["codes"] == ["99490"]
    assert reasons(result, "99491") == ["99491 is not billed in the same month as 99490"]


def test_physician_time_alone_bills_99491() -> None:
    result = run("CCM", clinical_staff_minutes=10, physician_minutes=30)
    assert result["codes"] == ["99491"]
    assert reasons(result, "99490")[0].startswith("10 minutes short of 99490")


def test_complex_ccm_pools_staff_and_physician_time() -> None:
    assert run("complex-CCM", clinical_staff_minutes=40, physician_minutes=20)["codes"] == ["99487"]


def test_auxiliary_time_counts_only_toward_chi() -> None:
    assert run("CCM", auxiliary_minutes=60)["codes"] == []
    assert run("CHI", auxiliary_minutes=60)["codes"] == ["G0019"]


# -- prerequisites --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("program", "missing", "words"),
    [
        ("CCM", {"consent": False}, "no consent on file for chronic care management"),
        ("CCM", {"care_plan": False}, "no care plan on file for chronic care management"),
        (
            "CCM",
            {"chronic_conditions": 1},
            "chronic care management needs at least 2 chronic conditions; 1 on file",
        ),
        ("complex-CCM", {"consent": False}, "no consent on file for complex chronic care"),
        ("complex-CCM", {"mdm": "low"}, "needs moderate or high medical decision-making"),
        ("PCM", {"consent": False}, "no consent on file for principal care management"),
        ("PCM", {"care_plan": False}, "no care plan on file for principal care management"),
        ("PCM", {"chronic_conditions": 0}, "needs at least 1 chronic condition; 0 on file"),
        ("BHI", {"consent": False}, "no consent on file for behavioural health integration"),
        ("CHI", {"consent": False}, "no consent on file for community health integration"),
        ("CCM", {"billing_practitioners": ["Dr A", "Dr B"]}, "2 billing practitioners"),
        ("BHI", {"billing_practitioners": 2}, "one billing practitioner bills a client-month"),
    ],
)
def test_each_prerequisite(program: str, missing: dict[str, Any], words: str) -> None:
    met = run(program, clinical_staff_minutes=200, auxiliary_minutes=60)
    assert met["codes"], "met with every prerequisite"
    result = run(program, clinical_staff_minutes=200, auxiliary_minutes=60, **missing)
    assert result["codes"] == []
    assert any(words in m["reason"] for m in result["not_met"]), result


def test_prerequisites_met_by_a_single_practitioner_named_twice() -> None:
    result = run("CCM", clinical_staff_minutes=20, billing_practitioners=["Dr A", "Dr A "])
    assert result["codes"] == ["99490"]


def test_missing_consent_and_minutes_are_both_said() -> None:
    result = run("CCM", clinical_staff_minutes=8, consent=False)
    assert reasons(result, "99490") == [
        "no consent on file for chronic care management; "
        "12 minutes short of 99490 (8 of 20 clinical staff minutes)"
    ]


def test_complex_ccm_without_recorded_mdm_is_judged_on_time() -> None:
    assert run("complex-CCM", clinical_staff_minutes=60)["codes"] == ["99487"]
    assert run("complex-CCM", clinical_staff_minutes=60, mdm="moderate")["codes"] == ["99487"]


# -- pairs never billed together --------------------------------------------------------------


@pytest.mark.parametrize(
    ("program", "other", "code"),
    [
        ("PCM", "CCM", "99426"),
        ("PCM", "complex-CCM", "99426"),
        ("CCM", "complex-CCM", "99490"),
        ("BHI", "CoCM", "99484"),
        ("CCM", "APCM", "99490"),
        ("PCM", "APCM", "99426"),
    ],
)
def test_exclusive_pairs(program: str, other: str, code: str) -> None:
    alone = run(program, clinical_staff_minutes=60)
    assert alone["codes"]
    result = run(program, clinical_staff_minutes=60, other_programs=[other])
    assert result["codes"] == []
    assert reasons(result, code) == [f"{program} is not billed in a month with {other}"]


def test_pcm_with_ccm_in_plain_words() -> None:
    result = run("PCM", clinical_staff_minutes=40, other_programs=["CCM"])
    assert reasons(result, "99426") == ["PCM is not billed in a month with CCM"]


def test_programs_that_may_go_together_are_not_blocked() -> None:
    assert run("CCM", clinical_staff_minutes=20, other_programs=["BHI", "CHI", "TCM"])["codes"] == [
        "99490"
    ]
    assert run("CHI", auxiliary_minutes=60, other_programs=["CCM"])["codes"] == ["G0019"]


def test_excluded_pairs_are_symmetric_sets() -> None:
    pairs = rules.for_year(2026).excluded_pairs()
    assert frozenset({"CCM", "PCM"}) in pairs
    assert frozenset({"BHI", "CoCM"}) in pairs
    assert frozenset({"CCM", "CHI"}) not in pairs


# -- collaborative care ------------------------------------------------------------------------


def test_cocm_first_and_later_months_use_their_own_codes() -> None:
    assert run("CoCM", clinical_staff_minutes=60, cocm_month="first")["codes"] == ["99492"]
    assert run("CoCM", clinical_staff_minutes=60, cocm_month="later")["codes"] == ["99493"]
    short = run("CoCM", clinical_staff_minutes=35, cocm_month="first")
    assert reasons(short, "99492")[0].startswith("1 minute short of 99492")
    later = run("CoCM", clinical_staff_minutes=60, cocm_month="later")
    assert reasons(later, "99494")[0].startswith("16 minutes short of 99494")


def test_cocm_without_its_month_asks_for_it() -> None:
    result = run("CoCM", clinical_staff_minutes=60)
    assert result["codes"] == []
    assert {m["code"] for m in result["not_met"]} == {"99492", "99493"}
    assert "first or a later month" in result["not_met"][0]["reason"]


# -- advanced primary care management --------------------------------------------------------------


@pytest.mark.parametrize(
    ("conditions", "qmb", "code"),
    [
        (0, False, "G0556"),
        (1, False, "G0556"),
        (2, False, "G0557"),
        (5, True, "G0558"),
        (1, True, "G0556"),
    ],
)
def test_apcm_levels(conditions: int, qmb: bool, code: str) -> None:
    result = run("APCM", chronic_conditions=conditions, qmb=qmb, care_plan=False)
    assert result == {"codes": [code], "not_met": []}


def test_apcm_needs_consent_and_no_time() -> None:
    result = run("APCM", consent=False, chronic_conditions=3)
    assert result["codes"] == []
    assert reasons(result, "G0557") == ["no consent on file for advanced primary care management"]


# -- transitional care ----------------------------------------------------------------------


def tcm(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "program": "TCM",
        "discharge": "2026-11-20",  # a Friday
        "mdm": "high",
        "contact_on": "2026-11-23",
        "visit_on": "2026-11-25",
        "med_rec_on": "2026-11-25",
        "holidays": [],
    }
    base.update(fields)
    return engine.evaluate(engine.parse_fact(base), calendar=engine.no_holidays).as_json()


def test_tcm_high_mdm_within_7_days() -> None:
    result = tcm()
    assert result == {
        "codes": ["99496"],
        "not_met": [],
        "contact_due": "2026-11-24",  # Friday → Monday, Tuesday
        "visit_due": "2026-11-27",
    }


def test_tcm_contact_due_skips_the_weekend_and_a_monday_holiday() -> None:
    result = tcm(holidays=["2026-11-23"], contact_on="2026-11-25")
    assert result["contact_due"] == "2026-11-25"
    assert result["codes"] == ["99496"]


def test_tcm_holidays_replace_the_organisations_calendar() -> None:
    fact = engine.parse_fact(
        {"program": "TCM", "discharge": "2026-11-25", "mdm": "moderate", "holidays": []}
    )
    thanksgiving = {dt.date(2026, 11, 26)}
    with_calendar = engine.evaluate(fact, calendar=lambda start, end: thanksgiving)
    assert with_calendar.contact_due == dt.date(2026, 11, 27)  # the fact's empty list wins
    fact.holidays = None
    assert engine.evaluate(fact, calendar=lambda s, e: thanksgiving).contact_due == dt.date(
        2026, 11, 30
    )


def test_tcm_contact_due_is_exact_across_a_closure_of_many_weeks() -> None:
    # Discharged Friday 2 October 2026; the office is closed every weekday from Monday
    # 5 October to Friday 13 November (six weeks), far beyond the first window read (2 × 7 + 14
    # days). The calendar answers only for the range it is asked about, as the database does.
    closed = {dt.date(2026, 10, 5) + dt.timedelta(days=i) for i in range(40)}
    closed = {day for day in closed if day.weekday() < 5}

    def calendar(start: dt.date, end: dt.date) -> set[dt.date]:
        return {day for day in closed if start <= day <= end}

    fact = engine.parse_fact({"program": "TCM", "discharge": "2026-10-02", "mdm": "high"})
    # Monday 16 November is the first business day after the closure, Tuesday the second.
    assert engine.evaluate(fact, calendar=calendar).contact_due == dt.date(2026, 11, 17)
    # A contact on that Tuesday is on time.
    fact.contact_on = dt.date(2026, 11, 17)
    assert "interactive contact" not in str(engine.evaluate(fact, calendar=calendar).not_met)


def test_tcm_without_a_discharge_date_is_refused_in_words() -> None:
    fact = engine.Fact(program="TCM", month=dt.date(2026, 11, 1))
    with pytest.raises(engine.FactError, match="discharge date"):
        engine.evaluate(fact, calendar=engine.no_holidays)


def test_a_miss_leaves_out_empty_reasons_and_needs_one() -> None:
    result = engine.Result()
    result.miss("99490", ["", "no consent on file", ""])
    result.miss("99439", ["", ""])
    assert result.not_met == [{"code": "99490", "reason": "no consent on file"}]


def test_tcm_contact_one_business_day_late() -> None:
    result = tcm(contact_on="2026-11-25")
    assert result["codes"] == []
    assert "after Tuesday 24 November 2026" in reasons(result, "99496")[0]


def test_tcm_contact_on_the_due_day_counts() -> None:
    assert tcm(contact_on="2026-11-24")["codes"] == ["99496"]


@pytest.mark.parametrize(
    ("mdm", "visit_on", "codes"),
    [
        ("high", "2026-11-26", ["99496"]),  # day 6
        ("high", "2026-11-27", ["99496"]),  # day 7
        ("high", "2026-11-28", ["99495"]),  # day 8: 99496 missed, 99495 still met
        ("moderate", "2026-12-03", ["99495"]),  # day 13
        ("moderate", "2026-12-04", ["99495"]),  # day 14
        ("moderate", "2026-12-05", []),  # day 15
        ("high", "2026-12-05", []),
        ("low", "2026-11-25", []),
    ],
)
def test_tcm_visit_window_by_mdm(mdm: str, visit_on: str, codes: list[str]) -> None:
    result = tcm(mdm=mdm, visit_on=visit_on, med_rec_on=visit_on)
    assert result["codes"] == codes


def test_tcm_high_mdm_late_visit_explains_99496() -> None:
    result = tcm(visit_on="2026-11-28", med_rec_on="2026-11-28")
    assert reasons(result, "99496") == [
        "the face-to-face visit was on day 8 after discharge; 99496 needs it within 7 days "
        "(by Friday 27 November 2026)"
    ]


def test_tcm_moderate_mdm_visit_due_in_14_days() -> None:
    assert tcm(mdm="moderate")["visit_due"] == "2026-12-04"
    assert tcm(mdm="moderate")["codes"] == ["99495"]


def test_tcm_medication_reconciliation_on_the_discharge_day_counts_not_the_day_before() -> None:
    assert tcm(med_rec_on="2026-11-20")["codes"] == ["99496"]
    result = tcm(med_rec_on="2026-11-19")
    assert result["codes"] == []
    assert reasons(result, "99496") == [
        "the medication reconciliation is dated before the discharge"
    ]


def test_tcm_without_recorded_mdm_is_not_billed_and_says_why() -> None:
    # Every other requirement met within 7 days: without the medical decision-making no code is
    # billed, and each code the month could earn says what is missing.
    result = tcm(mdm=None)
    assert result["codes"] == []
    assert {m["code"] for m in result["not_met"]} == {"99495", "99496"}
    for code in ("99495", "99496"):
        assert reasons(result, code) == ["the medical decision-making is not recorded"]


def test_tcm_medication_reconciliation_must_be_by_the_visit() -> None:
    result = tcm(med_rec_on="2026-11-26")
    assert result["codes"] == []
    assert (
        "medication reconciliation on Thursday 26 November 2026 is after"
        in (reasons(result, "99496")[0])
    )
    assert tcm(med_rec_on="2026-11-24")["codes"] == ["99496"]
    assert "no medication reconciliation" in reasons(tcm(med_rec_on=None), "99496")[0]


def test_tcm_nothing_yet_says_what_is_due() -> None:
    result = tcm(contact_on=None, visit_on=None, med_rec_on=None)
    assert result["codes"] == []
    assert "due by Tuesday 24 November 2026" in reasons(result, "99496")[0]


def test_tcm_low_mdm_names_both_codes() -> None:
    result = tcm(mdm="low")
    assert {m["code"] for m in result["not_met"]} == {"99495", "99496"}
    assert (
        "needs moderate or high medical decision-making (low recorded)"
        in (reasons(result, "99495")[0])
    )


def test_tcm_with_apcm_is_not_billed() -> None:
    assert (
        "TCM is not billed in a month with APCM"
        in reasons(tcm(other_programs=["APCM"]), "99496")[0]
    )


# -- reading facts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"program": "XYZ", "month": "2026-11"}, "'program' must be one of"),
        ({"program": "CCM"}, "needs its 'month'"),
        ({"program": "CCM", "month": "Nov"}, "'month' must be a month like 2026-11"),
        ({"program": "TCM"}, "needs the 'discharge' date"),
        ({"program": "CCM", "month": "2026-11", "clinical_staff_minutes": -1}, "whole number"),
        ({"program": "CCM", "month": "2026-11", "clinical_staff_minutes": "20"}, "whole number"),
        ({"program": "TCM", "discharge": "2026-11-20", "holidays": ["soon"]}, "not a date"),
        ({"program": "TCM", "discharge": "2026-11-20", "mdm": "huge"}, "'mdm' must be one of"),
        ({"program": "CoCM", "month": "2026-11", "cocm_month": "third"}, "'first' or 'later'"),
        ([], "must be a JSON object"),
    ],
)
def test_bad_facts_are_refused_in_plain_words(raw: Any, words: str) -> None:
    with pytest.raises(engine.FactError) as caught:
        engine.parse_fact(raw)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"program": "CCM", "month": "2026-1"}, "'month' must be a month like 2026-11"),
        ({"program": "CCM", "month": "2026-11-01"}, "'month' must be a month like 2026-11"),
        ({"program": "CCM", "month": "0999-11"}, "'month' must be a month like 2026-11"),
        ({"program": "CCM", "month": "2026-13"}, "'month' must be a month like 2026-11"),
        ({"program": "CCM", "month": "2026-11", "chronic_conditions": True}, "whole number"),
        ({"program": "CCM", "month": "2026-11", "physician_minutes": 2.5}, "whole number"),
        ({"program": "CCM", "month": "2026-11", "auxiliary_minutes": -1}, "whole number"),
        ({"program": "CCM", "month": "2026-11", "other_programs": "PCM"}, "'other_programs'"),
        ({"program": "CCM", "month": "2026-11", "other_programs": ["XYZ"]}, "'other_programs'"),
        # an object of program keys, or a number, is not a list of programs
        ({"program": "CCM", "month": "2026-11", "other_programs": {"PCM": 1}}, "'other_programs'"),
        ({"program": "CCM", "month": "2026-11", "other_programs": 5}, "'other_programs'"),
        ({"program": "CCM", "month": "2026-11", "billing_practitioners": "2"}, "a number or"),
        ({"program": "CCM", "month": "2026-11", "billing_practitioners": True}, "a number or"),
        ({"program": "TCM", "discharge": "2026-11-20", "holidays": "2026-11-26"}, "a list of"),
        ({"program": "TCM", "discharge": "20 Nov"}, "'discharge' must be a date"),
        ({"program": "TCM", "discharge": "2026-11-20", "visit_on": "soon"}, "'visit_on'"),
        ({"program": "TCM", "discharge": "2026-11-20", "contact_on": "x"}, "'contact_on'"),
        ({"program": "TCM", "discharge": "2026-11-20", "med_rec_on": "x"}, "'med_rec_on'"),
    ],
)
def test_more_bad_facts_are_refused_in_plain_words(raw: Any, words: str) -> None:
    with pytest.raises(engine.FactError) as caught:
        engine.parse_fact(raw)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("month", "first_day"), [("1000-01", "1000-01-01"), ("9999-12", "9999-12-01")]
)
def test_a_month_of_any_four_digit_year_is_read(month: str, first_day: str) -> None:
    fact = engine.parse_fact({"program": "CCM", "month": month})
    assert fact.month == dt.date.fromisoformat(first_day)


def test_every_problem_of_a_fact_is_said_at_once() -> None:
    with pytest.raises(engine.FactError) as caught:
        engine.parse_fact(
            {"program": "XYZ", "month": "Nov", "mdm": "huge", "clinical_staff_minutes": -5}
        )
    assert len(caught.value.problems) == 4
    # a program or month problem is not followed by "needs its month" as well
    assert not any("needs its 'month'" in p for p in caught.value.problems)


def test_a_fact_is_read_field_by_field() -> None:
    fact = engine.parse_fact(
        {
            "program": "TCM",
            "discharge": "2026-11-20",
            "month": "",
            "mdm": "",
            "cocm_month": "",
            "contact_on": "2026-11-23",
            "visit_on": "2026-11-25",
            "med_rec_on": "",
            "holidays": ["2026-11-26", "2026-11-26"],
            "clinical_staff_minutes": None,
            "physician_minutes": 7,
            "chronic_conditions": 3,
            "consent": "yes",
            "care_plan": True,
            "qmb": 1,
            "other_programs": ["CCM", "BHI"],
            "billing_practitioners": [" Dr Lee ", "Dr Lee", "", "Dr Patel"],
        }
    )
    assert fact.month is None and fact.mdm is None and fact.cocm_month is None
    assert fact.discharge == dt.date(2026, 11, 20) and fact.year == 2026
    assert (fact.contact_on, fact.visit_on, fact.med_rec_on) == (
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 25),
        None,
    )
    assert fact.holidays == frozenset({dt.date(2026, 11, 26)})
    assert fact.minutes == {"clinical_staff": 0, "physician": 7, "auxiliary": 0}
    assert fact.chronic_conditions == 3
    # only JSON true is consent (or a care plan, or QMB status)
    assert (fact.consent, fact.care_plan, fact.qmb) == (False, True, False)
    assert fact.other_programs == ("CCM", "BHI")
    assert fact.billing_practitioners == 2  # names trimmed, blanks and repeats dropped
    fact = engine.parse_fact({"program": "CCM", "month": "2026-02", "chronic_conditions": None})
    assert fact.month == dt.date(2026, 2, 1) and fact.chronic_conditions == 0
    assert fact.holidays is None and fact.billing_practitioners == 1
    assert engine.parse_fact({**READY, "program": "CCM", "month": "2026-02"}).consent is True


def test_a_fact_without_a_month_has_no_year() -> None:
    with pytest.raises(engine.FactError, match="no month"):
        _ = engine.Fact(program="CCM").year
    # transitional care's year is its discharge's; others' their month's
    fact = engine.Fact(program="TCM", month=dt.date(2026, 1, 1), discharge=dt.date(2025, 12, 30))
    assert fact.year == 2025
    assert engine.Fact(program="CCM", month=dt.date(2026, 1, 1), discharge=fact.discharge).year == (
        2026
    )


def test_fields_a_program_does_not_use_are_ignored() -> None:
    result = run("BHI", clinical_staff_minutes=20, discharge="2026-11-20", cocm_month="first")
    assert result == {"codes": ["99484"], "not_met": []}


def test_a_later_year_without_its_own_file_uses_the_latest_rules() -> None:
    assert rules.for_year(2031).year == 2026
    with pytest.raises(rules.RulesError):
        rules.for_year(1999)


# -- progress toward the next threshold (the chart, the worklist) -------------------------------

CCM_STAFF = (("99490", 20), ("99439", 40), ("99439", 60))


def progress(**fields: Any) -> list[tuple[Any, ...]]:
    raw: dict[str, Any] = {"program": "CCM", "month": "2026-11", **fields}
    return [
        (p.program, p.label, p.minutes, p.code, p.need, p.short, p.thresholds)
        for p in engine.progress(engine.parse_fact(raw))
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # no time at all: the first track, its base code
        ({}, [("CCM", "clinical staff", 0, "99490", 20, 20, CCM_STAFF)]),
        # between the base and the first add-on
        (
            {"clinical_staff_minutes": 25},
            [("CCM", "clinical staff", 25, "99439", 40, 15, CCM_STAFF)],
        ),
        # exactly at a threshold: the next one is what is still to reach
        (
            {"clinical_staff_minutes": 40},
            [("CCM", "clinical staff", 40, "99439", 60, 20, CCM_STAFF)],
        ),
        # the add-on cap (2) reached: nothing further to reach
        (
            {"clinical_staff_minutes": 60},
            [("CCM", "clinical staff", 60, "99439", None, None, CCM_STAFF)],
        ),
        # an add-on without a cap: always one unit beyond the minutes, at least two shown
        (
            {"physician_minutes": 10},
            [
                (
                    "CCM",
                    "physician or QHP",
                    10,
                    "99491",
                    30,
                    20,
                    (("99491", 30), ("99437", 60), ("99437", 90)),
                )
            ],
        ),
        (
            {"physician_minutes": 95},
            [
                (
                    "CCM",
                    "physician or QHP",
                    95,
                    "99437",
                    120,
                    25,
                    (("99491", 30), ("99437", 60), ("99437", 90), ("99437", 120)),
                )
            ],
        ),
        # both tracks with time: both shown, each against its own thresholds
        (
            {"clinical_staff_minutes": 5, "physician_minutes": 31},
            [
                ("CCM", "clinical staff", 5, "99490", 20, 15, CCM_STAFF),
                (
                    "CCM",
                    "physician or QHP",
                    31,
                    "99437",
                    60,
                    29,
                    (("99491", 30), ("99437", 60), ("99437", 90)),
                ),
            ],
        ),
        # collaborative care: the later month's codes; without the month, the first month's
        (
            {"program": "CoCM", "cocm_month": "later", "clinical_staff_minutes": 40},
            [
                (
                    "CoCM",
                    "behavioural health care manager",
                    40,
                    "99494",
                    76,
                    36,
                    (("99493", 31), ("99494", 76), ("99494", 106)),
                )
            ],
        ),
        (
            {"program": "CoCM", "clinical_staff_minutes": 40},
            [
                (
                    "CoCM",
                    "behavioural health care manager",
                    40,
                    "99494",
                    86,
                    46,
                    (("99492", 36), ("99494", 86), ("99494", 116)),
                )
            ],
        ),
        # programs without time thresholds have no progress
        ({"program": "APCM"}, []),
    ],
)
def test_progress_names_the_next_threshold(fields: dict[str, Any], expected: list[Any]) -> None:
    assert progress(**fields) == expected


# -- `caseload programs evaluate`: a list of facts in, a list of results out --------------------


def test_evaluate_json_answers_each_fact_in_order_and_counts_the_unreadable() -> None:
    facts = [
        {"program": "CCM", "month": "2026-11", **READY, "clinical_staff_minutes": 20},
        {"program": "CCM"},
        "not a fact",
        {"program": "TCM", "discharge": "2026-11-20", "mdm": "high", "holidays": []},
    ]
    out, errors = engine.evaluate_json(facts, calendar=engine.no_holidays)
    assert errors == 2
    assert out[0] == {
        "codes": ["99490"],
        "not_met": [
            {
                "code": "99439",
                "reason": "20 minutes short of 99439 (20 of 40 clinical staff minutes)",
            }
        ],
    }
    assert out[1] == {
        "codes": [],
        "not_met": [],
        "error": "fact 2: the fact needs its 'month', like 2026-11",
    }
    assert out[2]["error"] == "fact 3: each fact must be a JSON object"
    assert out[3]["contact_due"] == "2026-11-24" and out[3]["visit_due"] == "2026-11-27"
    assert "error" not in out[3]
    with pytest.raises(engine.FactError, match="JSON list"):
        engine.evaluate_json({"program": "CCM"}, calendar=engine.no_holidays)


def test_a_year_without_rules_is_an_error_of_that_fact_only() -> None:
    out, errors = engine.evaluate_json(
        [{"program": "CCM", "month": "1999-11"}, {"program": "BHI", "month": "2026-11"}],
        calendar=engine.no_holidays,
    )
    assert errors == 1 and out[0]["error"].startswith("fact 1: ")
    assert "error" not in out[1]


@pytest.mark.parametrize(
    ("n", "minutes", "times"),
    [(1, "1 minute", "once"), (2, "2 minutes", "twice"), (3, "3 minutes", "3 times")],
)
def test_words(n: int, minutes: str, times: str) -> None:
    assert engine.minutes_words(n) == minutes
    assert engine.times_words(n) == times


@pytest.mark.parametrize(
    ("unit", "words"),
    [
        (0, "99439"),
        (1, "99439"),
        (2, "a second 99439"),
        (3, "a third 99439"),
        (4, "a fourth 99439"),
        (5, "a fifth 99439"),
        (6, "a sixth 99439"),
        (7, "a 7th 99439"),
    ],
)
def test_ordinal_code(unit: int, words: str) -> None:
    assert engine.ordinal_code(unit, "99439") == words


def test_date_words() -> None:
    assert engine.date_words(dt.date(2026, 11, 3)) == "Tuesday 3 November 2026"


def test_no_holidays_is_an_empty_calendar() -> None:
    assert engine.no_holidays(dt.date(2026, 12, 24), dt.date(2026, 12, 31)) == frozenset()


def test_a_fact_built_in_code_starts_from_nothing_on_file() -> None:
    # evaluation.py and selectors.py build facts field by field: what they leave out is absent.
    fact = engine.Fact(program="CCM", month=dt.date(2026, 11, 1), minutes={"clinical_staff": 20})
    assert (fact.consent, fact.care_plan, fact.chronic_conditions, fact.qmb) == (
        False,
        False,
        0,
        False,
    )
    assert (fact.billing_practitioners, fact.other_programs, fact.holidays) == (1, (), None)
    assert (fact.cocm_month, fact.mdm, fact.discharge, fact.contact_on) == (None, None, None, None)
    assert engine.evaluate(fact, calendar=engine.no_holidays).as_json()["not_met"] == [
        {
            "code": "99490",
            "reason": "no consent on file for chronic care management; no care plan on file for "
            "chronic care management; chronic care management needs at least 2 chronic "
            "conditions; 0 on file",
        }
    ]
    assert engine.Fact(program="BHI").minutes == {}


def test_a_blocked_month_at_the_threshold_is_not_called_short() -> None:
    result = run("CCM", consent=False, clinical_staff_minutes=20)
    assert reasons(result, "99490") == ["no consent on file for chronic care management"]
    result = run("CCM", consent=False, clinical_staff_minutes=19)
    assert reasons(result, "99490") == [
        "no consent on file for chronic care management; "
        "1 minute short of 99490 (19 of 20 clinical staff minutes)"
    ]


# -- a rule set other than the year's (a draft file, next year's figures) ------------------------


def draft_rules(change: Callable[[dict[str, Any]], Any]) -> rules.RuleSet:
    raw = json.loads((rules.RULES_DIR / "2026.json").read_text())
    change(raw)
    return rules.parse_rules(raw, source="draft.json")


def _program(raw: dict[str, Any], key: str) -> dict[str, Any]:
    return next(p for p in raw["programs"] if p["key"] == key)


def test_the_rule_set_handed_in_is_the_one_applied() -> None:
    # evaluation.py and the worklist pass the month's rule set; a draft with a 25-minute 99490
    # must be judged by its own figures, not the shipped 20 minutes.
    draft = draft_rules(lambda r: _program(r, "CCM")["tracks"][0]["base"].update(minutes=25))
    fact = engine.parse_fact(
        {
            **READY,
            "program": "CCM",
            "month": "2026-11",
            "physician_minutes": 0,
            "clinical_staff_minutes": 20,
        }
    )
    assert engine.evaluate(fact, calendar=engine.no_holidays).codes == ["99490"]
    result = engine.evaluate(fact, calendar=engine.no_holidays, rule_set=draft)
    assert result.codes == []
    assert result.not_met == [
        {"code": "99490", "reason": "5 minutes short of 99490 (20 of 25 clinical staff minutes)"}
    ]
    (step,) = engine.progress(fact, draft)
    assert (step.code, step.need, step.short) == ("99490", 25, 5)


def test_tracks_of_a_program_without_one_track_are_billed_together() -> None:
    # CCM's staff and physician codes are never reported in one month (one_track); a program
    # whose file does not say so bills every track that meets its time.
    draft = draft_rules(lambda r: _program(r, "CCM").update(one_track=False))
    fact = engine.parse_fact(
        {
            **READY,
            "program": "CCM",
            "month": "2026-11",
            "clinical_staff_minutes": 25,
            "physician_minutes": 35,
        }
    )
    result = engine.evaluate(fact, calendar=engine.no_holidays, rule_set=draft)
    assert result.codes == ["99490", "99491"]
    assert [m["code"] for m in result.not_met] == ["99439", "99437"]


def test_progress_of_a_code_without_add_on_once_met_has_nothing_further() -> None:
    assert progress(program="BHI", clinical_staff_minutes=25) == [
        ("BHI", "care management", 25, "99484", None, None, (("99484", 20),))
    ]


# -- transitional care: the discharge day, dates before it, what is still open ----------------


def test_tcm_visit_due_without_a_qualifying_mdm_is_the_longest_window() -> None:
    # Until a medical decision-making that some code accepts is recorded, the visit is shown due
    # by the latest day any code allows (14 days), not the 7 days of 99496.
    assert tcm(mdm=None)["visit_due"] == "2026-12-04"
    assert tcm(mdm="low")["visit_due"] == "2026-12-04"
    assert tcm(mdm="high")["visit_due"] == "2026-11-27"


def test_tcm_contact_on_the_discharge_day_counts_the_day_before_does_not() -> None:
    assert tcm(contact_on="2026-11-20")["codes"] == ["99496"]
    result = tcm(contact_on="2026-11-19")
    assert result["codes"] == []
    assert reasons(result, "99496") == ["the interactive contact is dated before the discharge"]


def test_tcm_visit_on_the_discharge_day_counts_the_day_before_does_not() -> None:
    assert tcm(visit_on="2026-11-20", med_rec_on="2026-11-20")["codes"] == ["99496"]
    result = tcm(visit_on="2026-11-19", med_rec_on="2026-11-20")
    assert result["codes"] == []
    assert reasons(result, "99496") == [
        "medication reconciliation on Friday 20 November 2026 is after the face-to-face visit "
        "on Thursday 19 November 2026; the face-to-face visit is dated before the discharge"
    ]


def test_tcm_medication_reconciled_before_any_visit_names_only_the_visit() -> None:
    result = tcm(visit_on=None, med_rec_on="2026-11-23")
    assert result["codes"] == []
    assert reasons(result, "99496") == [
        "no face-to-face visit recorded (due by Friday 27 November 2026)"
    ]


# -- reading facts: each problem said once ------------------------------------------------------


def test_a_bad_discharge_date_is_not_also_called_missing() -> None:
    with pytest.raises(engine.FactError) as caught:
        engine.parse_fact({"program": "TCM", "discharge": "20 Nov"})
    assert caught.value.problems == ["'discharge' must be a date like 2026-11-20 (got '20 Nov')"]


def test_other_programs_with_one_unknown_among_known_ones_is_refused() -> None:
    with pytest.raises(engine.FactError, match="'other_programs' must list"):
        engine.parse_fact({"program": "CCM", "month": "2026-11", "other_programs": ["PCM", "XYZ"]})


def test_a_pooled_track_counts_only_the_staff_types_with_time() -> None:
    # evaluation.py builds a fact's minutes from the time entries: a staff type without time is
    # absent, and counts as nothing toward a track that pools staff and physician time.
    fact = engine.Fact(
        program="BHI", month=dt.date(2026, 11, 1), minutes={"clinical_staff": 20}, consent=True
    )
    assert engine.evaluate(fact, calendar=engine.no_holidays).codes == ["99484"]


def test_progress_of_a_single_physician_minute_shows_the_physician_track() -> None:
    # As the month's evaluation does: one minute of a kind puts that kind's track on the chart,
    # not the first track with none.
    assert progress(physician_minutes=1) == [
        (
            "CCM",
            "physician or QHP",
            1,
            "99491",
            30,
            29,
            (("99491", 30), ("99437", 60), ("99437", 90)),
        )
    ]


def test_progress_is_empty_for_a_program_billed_by_level_even_with_tracks_in_its_file() -> None:
    # APCM is billed by its level, not by time: a file that also gives it a track (parse_rules
    # does not refuse one) puts no time threshold on the chart.
    track = {
        "label": "clinical staff",
        "staff": ["clinical_staff"],
        "base": {"code": "99401", "minutes": 20},
        "source": "SPEC",
    }
    draft = draft_rules(lambda r: _program(r, "APCM").update(tracks=[track]))
    fact = engine.parse_fact({"program": "APCM", "month": "2026-11", "clinical_staff_minutes": 30})
    assert engine.progress(fact, draft) == []
