"""The credential engine against CCMC's and NACCM's published rules, with dated edge cases."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from fractions import Fraction

import pytest

from caseload.workforce import engine, rules
from tests.workforce.helpers import LPN, RN, SHIPPED, advise, degree, job


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2025-01-10", 12, "2026-01-10"),
        ("2024-01-31", 1, "2024-02-29"),  # clamped to the month's end, leap year
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2025-03-31", -1, "2025-02-28"),
        ("2025-12-15", 1, "2026-01-15"),
        ("2025-11-30", 36, "2028-11-30"),
    ],
)
def test_add_months_is_the_same_day_of_the_month_clamped(start, months, expected):
    assert engine.add_months(d(start), months) == d(expected)


def test_months_between_counts_whole_months_then_a_fraction():
    assert engine.months_between(d("2025-01-10"), d("2026-01-10")) == 12
    assert engine.months_between(d("2025-01-10"), d("2025-02-10")) == 1
    assert engine.months_between(d("2025-01-10"), d("2025-01-25")) == Fraction(15, 31)
    assert engine.months_between(d("2025-01-10"), d("2025-01-01")) == 0


# --------------------------------------------------------------------------------- CCM


def ccm(as_of: str, **parts):
    return advise(as_of, ("CCM",), **parts)["CCM"]


def test_ccm_category_1_day_before_and_on_the_eligibility_date():
    parts = {"licences": [RN], "employment": [job("2025-01-10", ccm=True)]}
    before = ccm("2026-01-09", **parts)
    on = ccm("2026-01-10", **parts)
    assert before["eligible"] is False
    assert before["eligible_from"] == "2026-01-10"
    assert before["route"].startswith("Category 1")
    assert before["missing"] and "supervised by a CCM" in before["missing"][0]
    assert on["eligible"] is True
    assert on["eligible_from"] == "2026-01-10"
    assert on["missing"] == []
    assert any("RN licence" in line for line in on["why"])


def test_ccm_start_on_leap_day_clamps_to_the_end_of_february():
    result = ccm("2025-01-01", licences=[RN], employment=[job("2024-02-29", ccm=True)])
    assert result["eligible_from"] == "2025-02-28"


def test_ccm_category_2_without_ccm_supervision_takes_24_months():
    parts = {"education": [degree("bachelor", "2019-05-15")], "employment": [job("2024-03-01")]}
    assert ccm("2026-02-28", **parts)["eligible"] is False
    result = ccm("2026-03-01", **parts)
    assert result["eligible"] is True
    assert result["eligible_from"] == "2026-03-01"
    assert result["route"].startswith("Category 2")


def test_ccm_category_3_supervising_case_managers():
    parts = {
        "education": [degree("master", "2010-05-15")],
        "employment": [job("2025-06-30", kind="supervising_case_managers", title="Team lead")],
    }
    assert ccm("2026-06-29", **parts)["eligible"] is False
    result = ccm("2026-06-30", **parts)
    assert result["eligible"] is True
    assert result["route"].startswith("Category 3")


def test_ccm_the_earliest_route_decides():
    # Supervised by a CCM for the first 6 months only, then not: category 1 never completes
    # (6 of 12), category 2 does at 24 months.
    parts = {
        "licences": [RN],
        "employment": [
            job("2024-01-01", "2024-06-30", ccm=True),
            job("2024-07-01", ccm=False),
        ],
    }
    result = ccm("2025-01-01", **parts)
    assert result["eligible_from"] == "2026-01-01"
    assert result["route"].startswith("Category 2")


def test_ccm_part_time_is_prorated_against_a_35_hour_week():
    # 17.5 hours a week is half of full time: 12 months' worth takes 730 days.
    result = ccm("2025-06-01", licences=[RN], employment=[job("2025-01-10", hours=17.5, ccm=True)])
    assert result["eligible_from"] == "2027-01-10"
    assert any("17.5/35 of full time" in line for line in result["why"])


def test_ccm_more_than_full_time_counts_as_full_time():
    result = ccm("2025-06-01", licences=[RN], employment=[job("2025-01-10", hours=60, ccm=True)])
    assert result["eligible_from"] == "2026-01-10"


def test_ccm_two_half_time_jobs_on_the_same_days_make_full_time():
    jobs = [job("2025-01-10", hours=17.5, ccm=True), job("2025-01-10", hours=17.5, ccm=True)]
    assert ccm("2025-06-01", licences=[RN], employment=jobs)["eligible_from"] == "2026-01-10"


def test_ccm_a_gap_between_jobs_postpones_the_date():
    # 2024-01-01..2024-06-30 is 182 days of the 366 needed; the rest from 2025-01-01.
    jobs = [job("2024-01-01", "2024-06-30", ccm=True), job("2025-01-01", ccm=True)]
    result = ccm("2025-02-01", licences=[RN], employment=jobs)
    assert result["eligible_from"] == "2025-07-04"


def test_ccm_past_experience_that_ended_still_counts():
    jobs = [job("2020-01-01", "2020-12-31", ccm=True)]
    result = ccm("2026-12-05", licences=[RN], employment=jobs)
    assert result["eligible"] is True
    assert result["eligible_from"] == "2021-01-01"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"volunteer": True}, "internships and volunteering are not accepted"),
        ({"paid": False}, "only paid employment counts"),
    ],
)
def test_ccm_volunteer_and_unpaid_work_never_count(overrides, reason):
    result = ccm("2026-12-05", licences=[RN], employment=[job("2020-01-01", ccm=True, **overrides)])
    assert result["eligible"] is False
    assert result["eligible_from"] is None
    assert any(reason in line for line in result["why"])


def test_ccm_needs_a_licence_allowing_independent_assessment_or_a_related_degree():
    parts = {
        "education": [
            degree("associate", "2018-05-15"),
            degree("bachelor", "2019-05-15", related=False),
        ],
        "licences": [LPN],
        "employment": [job("2020-01-01", ccm=True)],
    }
    result = ccm("2026-12-05", **parts)
    assert result["eligible"] is False
    assert result["eligible_from"] is None
    assert result["route"] == "none"
    assert "licence or degree" in result["missing"][0]


def test_ccm_an_inactive_licence_does_not_qualify():
    lapsed = {**RN, "active": False}
    result = ccm("2026-12-05", licences=[lapsed], employment=[job("2020-01-01", ccm=True)])
    assert result["eligible_from"] is None


def test_ccm_experience_before_the_degree_counts_and_eligibility_starts_at_the_degree():
    # CCMC's published categories do not ask that experience follows the degree: two years of
    # case management before a degree completed in the future make the person eligible the day
    # the degree is completed.
    parts = {"education": [degree("bachelor", "2027-05-15")], "employment": [job("2024-01-01")]}
    result = ccm("2026-12-05", **parts)
    assert result["eligible"] is False
    assert result["eligible_from"] == "2027-05-15"
    assert any("expected 2027-05-15" in m for m in result["missing"])


def test_ccm_current_work_that_cannot_count_gives_no_date():
    parts = {"licences": [RN], "employment": [job("2024-01-01", kind="direct_client")]}
    result = ccm("2026-12-05", **parts)
    assert result["eligible_from"] is None
    assert any("would not meet" in line for line in result["why"])


# --------------------------------------------------------------------------------- CMC


def cmc(as_of: str, **parts):
    return advise(as_of, ("CMC",), **parts)["CMC"]


def test_cmc_criterion_1_counts_care_management_only_after_the_degree():
    parts = {
        "education": [degree("master", "2023-06-01")],
        "employment": [job("2023-01-01", supervision=52)],
    }
    before = cmc("2025-05-31", **parts)
    on = cmc("2025-06-01", **parts)
    assert before["eligible"] is False and before["eligible_from"] == "2025-06-01"
    assert on["eligible"] is True and on["eligible_from"] == "2025-06-01"
    assert on["criterion"] == "I"
    assert any("from 2023-06-01 (the eligibility degree) only" in line for line in on["why"])


def test_cmc_experience_ended_before_the_degree_does_not_count():
    parts = {
        "education": [degree("master", "2023-06-01")],
        "employment": [job("2020-01-01", "2023-05-31", supervision=60)],
    }
    result = cmc("2026-12-05", **parts)
    assert result["eligible"] is False
    assert result["eligible_from"] is None
    assert any("ended before the eligibility degree" in line for line in result["why"])


def test_cmc_too_little_supervision_does_not_count():
    parts = {
        "education": [degree("master", "2015-06-01")],
        "employment": [job("2016-01-01", supervision=49)],
    }
    result = cmc("2026-12-05", **parts)
    assert result["eligible"] is False
    assert result["eligible_from"] is None
    assert any("49 hours of supervision a year is below the 50" in line for line in result["why"])
    # exactly 50 hours a year is enough
    parts["employment"] = [job("2016-01-01", supervision=50)]
    assert cmc("2026-12-05", **parts)["eligible"] is True


def test_cmc_criterion_2_two_years_plus_a_year_of_direct_client_work():
    parts = {
        "education": [degree("bachelor", "2018-05-15")],
        "employment": [
            job("2018-06-01", "2019-05-31", kind="direct_client", title="Social work assistant"),
            job("2019-06-01", supervision=52),
        ],
    }
    assert cmc("2021-05-31", **parts)["eligible"] is False
    result = cmc("2021-06-01", **parts)
    assert result["eligible"] is True
    assert result["eligible_from"] == "2021-06-01"
    assert result["criterion"] == "II"


def test_cmc_criterion_2_further_care_management_is_the_additional_direct_client_year():
    parts = {"education": [degree("bachelor", "2018-05-15")], "employment": [job("2019-06-01")]}
    result = cmc("2021-06-01", **parts)
    assert result["eligible"] is False
    assert result["criterion"] == "II"
    assert result["eligible_from"] == "2022-06-01"
    assert any("direct work with clients" in m for m in result["missing"])


def test_cmc_direct_client_work_before_the_degree_counts_but_care_management_does_not():
    parts = {
        "education": [degree("bachelor", "2018-05-15")],
        "employment": [
            job("2016-01-01", "2016-12-31", kind="direct_client"),
            job("2017-01-01", "2018-05-14"),  # care management before the degree
            job("2018-06-01"),
        ],
    }
    result = cmc("2020-06-01", **parts)
    # care management after the degree: 24 months from 2018-06-01 → 2020-06-01; the direct
    # client year (and earlier care management) more than covers the additional year.
    assert result["eligible"] is True
    assert result["eligible_from"] == "2020-06-01"
    assert result["criterion"] == "II"


def test_cmc_criterion_3_associate_degree_three_plus_two_years():
    parts = {
        "education": [degree("associate", "2015-06-01")],
        "employment": [
            job("2015-07-01", "2017-06-30", kind="direct_client", title="Home health aide"),
            job("2017-07-01", supervision=52),
        ],
    }
    assert cmc("2020-06-30", **parts)["eligible"] is False
    result = cmc("2020-07-01", **parts)
    assert result["eligible"] is True
    assert result["criterion"] == "III"
    assert result["eligible_from"] == "2020-07-01"


@pytest.mark.parametrize(
    "education",
    [
        degree("rn_diploma", "2015-06-01", related=True, field="nursing"),
        degree("bachelor", "2015-06-01", related=False, field="accounting"),
    ],
)
def test_cmc_rn_diploma_and_an_unrelated_degree_are_criterion_3(education):
    result = cmc("2026-12-05", education=[education], employment=[job("2015-07-01")])
    assert result["criterion"] == "III"
    assert result["eligible"] is True
    # 3 years of care management and 2 more of direct client work: 5 years of care management.
    assert result["eligible_from"] == "2020-07-01"


def test_cmc_part_time_care_management_takes_proportionally_longer():
    parts = {
        "education": [degree("master", "2020-01-01")],
        "employment": [job("2021-01-01", hours=17.5, supervision=52)],
    }
    # 24 months from 2021-01-01 is 730 full-time days; at half time, 1460 days.
    result = cmc("2022-01-01", **parts)
    assert result["eligible_from"] == (d("2021-01-01") + dt.timedelta(days=1460)).isoformat()


def test_cmc_internships_and_volunteering_are_excluded():
    parts = {
        "education": [degree("master", "2015-06-01")],
        "employment": [job("2016-01-01", volunteer=True)],
    }
    result = cmc("2026-12-05", **parts)
    assert result["eligible_from"] is None
    assert any("internships and volunteering" in line for line in result["why"])


def test_cmc_only_counts_the_last_ten_years():
    parts = {
        "education": [degree("master", "2000-06-01")],
        "employment": [job("2001-01-01", "2003-12-31")],
    }
    assert cmc("2005-01-01", **parts)["eligible"] is True
    result = cmc("2026-12-05", **parts)
    assert result["eligible"] is False
    assert result["eligible_from"] is None


def test_jordan_home_health_aide_with_an_associate_degree():
    parts = {
        "education": [degree("associate", "2022-05-20", field="health sciences")],
        "employment": [job("2023-09-01", kind="direct_client", title="Home health aide")],
    }
    result = advise("2026-12-05", **parts)
    assert result["CMC"]["criterion"] == "III"
    assert result["CMC"]["eligible_from"] is None  # aide work never becomes care management
    assert any("care management" in m for m in result["CMC"]["missing"])
    assert result["CCM"]["route"] == "none"
    assert result["CCM"]["eligible_from"] is None


def test_no_qualifying_education_has_no_cmc_criterion():
    result = cmc("2026-12-05", employment=[job("2015-07-01")])
    assert result["criterion"] is None
    assert result["eligible_from"] is None


# --------------------------------------------------------------------------------- renewals


def test_issue_example_profile_output_shape():
    result = advise(
        "2026-12-05",
        education=[degree("bachelor", "2020-05-15")],
        licences=[RN],
        employment=[job("2025-01-10", supervision=52)],
        certifications=[{"code": "CCM", "issued": "2022-01-01", "valid_through": "2026-12-31"}],
        ce=[{"completed": "2023-03-01", "hours": 20, "ethics": False}],
    )
    assert set(result) == {"CCM", "CMC", "renewals"}
    assert set(result["CCM"]) == {"eligible", "eligible_from", "route", "missing", "why"}
    assert set(result["CMC"]) == {
        "eligible",
        "eligible_from",
        "route",
        "missing",
        "why",
        "criterion",
    }
    assert result["renewals"] == [
        {
            "credential": "CCM",
            "valid_through": "2026-12-31",
            "ce_hours": 20,
            "ce_required": 80,
            "hours_missing": 60,
            "ethics_hours": 0,
            "ethics_required": 8,
            "ethics_missing": 8,
        }
    ]


def test_ccm_renewal_counts_only_ce_inside_the_five_year_period():
    ce = [
        {"completed": "2021-12-31", "hours": 10, "ethics": True},  # before the period
        {"completed": "2022-01-01", "hours": 5, "ethics": True},  # first day
        {"completed": "2026-12-31", "hours": 3, "ethics": False},  # last day
        {"completed": "2027-01-01", "hours": 7, "ethics": False},  # next period
    ]
    cert = {"code": "CCM", "issued": "2017-01-01", "valid_through": "2026-12-31"}
    (renewal,) = advise("2027-01-15", (), certifications=[cert], ce=ce)["renewals"]
    assert renewal["ce_hours"] == 8
    assert renewal["ethics_hours"] == 5
    assert renewal["hours_missing"] == 72
    assert renewal["ethics_missing"] == 3


def test_ce_after_the_as_of_date_is_not_counted_yet():
    ce = [{"completed": "2026-12-20", "hours": 10}]
    cert = {"code": "CCM", "issued": "2022-01-01", "valid_through": "2026-12-31"}
    (renewal,) = advise("2026-12-05", (), certifications=[cert], ce=ce)["renewals"]
    assert renewal["ce_hours"] == 0


def test_daniel_71_of_80_and_7_of_8_ethics():
    ce = [
        {"completed": "2023-04-01", "hours": 40},
        {"completed": "2024-09-12", "hours": 24, "ethics_hours": 4},
        {"completed": "2025-10-02", "hours": 7, "ethics_hours": 3},
    ]
    cert = {"code": "CCM", "issued": "2022-01-01", "valid_through": "2027-01-31"}
    (renewal,) = advise("2026-12-05", (), certifications=[cert], ce=ce)["renewals"]
    assert (renewal["ce_hours"], renewal["hours_missing"]) == (71, 9)
    assert (renewal["ethics_hours"], renewal["ethics_missing"]) == (7, 1)


def test_cmc_renewal_is_three_years_and_45_hours_without_an_ethics_minimum():
    cert = {"code": "CMC", "issued": "2018-04-01", "valid_through": "2027-03-31"}
    ce = [{"completed": "2024-03-31", "hours": 10}, {"completed": "2024-04-01", "hours": 12}]
    (renewal,) = advise("2026-12-05", (), certifications=[cert], ce=ce)["renewals"]
    assert renewal["ce_hours"] == 12
    assert renewal["ce_required"] == 45
    assert renewal["ethics_required"] == 0
    assert renewal["ethics_missing"] == 0


def test_a_certification_without_rules_has_no_renewal_line():
    cert = {"code": "ACM-RN", "issued": "2022-01-01", "valid_through": "2026-12-31"}
    assert advise("2026-12-05", (), certifications=[cert])["renewals"] == []


def test_hours_a_month_needed_to_renew():
    profile = engine.profile_from_json(
        {
            "as_of": "2026-09-01",
            "certifications": [{"code": "CCM", "valid_through": "2026-12-31"}],
            "ce": [{"completed": "2023-01-01", "hours": 60}],
        }
    )
    (renewal,) = engine.advise(profile, SHIPPED).renewals
    # 20 hours in the 4 months from 2026-09-01 to the end of 2026-12-31.
    assert renewal.hours_per_month_needed(d("2026-09-01")) == 5
    assert renewal.hours_per_month_needed(d("2027-01-01")) is None


# --------------------------------------------------------------------------------- input


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({}, "profile.as_of"),
        ({"as_of": "2026-13-01"}, "not a date"),
        ({"as_of": "2026-12-05", "education": [{"level": "diploma"}]}, "education[0].level"),
        (
            {"as_of": "2026-12-05", "employment": [{"kind": "job", "start": "2020-01-01"}]},
            "employment[0].kind",
        ),
        (
            {
                "as_of": "2026-12-05",
                "employment": [{"kind": "other", "start": "2020-01-01", "end": "2019-01-01"}],
            },
            "before its start",
        ),
        ({"as_of": "2026-12-05", "ce": [{"completed": "2020-01-01"}]}, "ce[0].hours"),
        ({"as_of": "2026-12-05", "employment": "none"}, "employment: must be a list"),
    ],
)
def test_a_malformed_profile_names_the_problem(raw, problem):
    with pytest.raises(engine.ProfileError) as caught:
        engine.profile_from_json(raw)
    assert problem in str(caught.value)


def test_profile_round_trips_through_its_json_shape():
    raw = {
        "as_of": "2026-12-05",
        "education": [degree("bachelor", "2020-05-15")],
        "licences": [RN],
        "employment": [job("2025-01-10")],
        "certifications": [{"code": "CCM", "issued": "2022-01-01", "valid_through": "2026-12-31"}],
        "ce": [{"completed": "2023-03-01", "hours": 20, "ethics_hours": 2}],
    }
    profile = engine.profile_from_json(raw)
    assert engine.profile_from_json(engine.profile_to_json(profile)) == profile


def test_both_shipped_rules_load():
    assert set(SHIPPED) == {"CCM", "CMC"}
    assert SHIPPED["CCM"].renewal.ce_hours == 80
    assert SHIPPED["CMC"].renewal.cycle_years == 3


# ------------------------------------------------------------ reading a profile, field by field

AS_OF = {"as_of": "2026-12-05"}


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ([], "the profile must be one JSON object"),
        ({"as_of": 20261205}, "profile.as_of: must be a date written YYYY-MM-DD"),
        ({"as_of": "5 Dec 2026"}, "profile.as_of: '5 Dec 2026' is not a date written YYYY-MM-DD"),
        ({**AS_OF, "education": ["a degree"]}, "education[0]: must be an object"),
        ({**AS_OF, "education": {"level": "master"}}, "education: must be a list"),
        (
            {**AS_OF, "education": [{"level": "master", "related_to_care_management": "yes"}]},
            "education[0].related_to_care_management: must be true or false",
        ),
        (
            {**AS_OF, "education": [{"level": "master", "field": 3}]},
            "education[0].field: must be text",
        ),
        (
            {**AS_OF, "licences": [{"kind": "  "}]},
            "licences[0].kind: the kind of licence is required",
        ),
        (
            {**AS_OF, "licences": [{"kind": "RN", "active": 1}]},
            "licences[0].active: must be true or false",
        ),
        ({**AS_OF, "licences": [{"kind": "RN", "expires": "soon"}]}, "licences[0].expires: 'soon'"),
        (
            {**AS_OF, "employment": [{"kind": "other"}]},
            "employment[0].start: a date (YYYY-MM-DD) is required",
        ),
        (
            {
                **AS_OF,
                "employment": [{"kind": "other", "start": "2020-01-01", "hours_per_week": 168.5}],
            },
            "employment[0].hours_per_week: must be a number from 0 to 168",
        ),
        (
            {
                **AS_OF,
                "employment": [{"kind": "other", "start": "2020-01-01", "hours_per_week": -1}],
            },
            "employment[0].hours_per_week: must be a number from 0 to 168",
        ),
        (
            {
                **AS_OF,
                "employment": [{"kind": "other", "start": "2020-01-01", "hours_per_week": True}],
            },
            "employment[0].hours_per_week: must be a number from 0 to 168",
        ),
        (
            {
                **AS_OF,
                "employment": [{"kind": "other", "start": "2020-01-01", "hours_per_week": "40"}],
            },
            "employment[0].hours_per_week: must be a number from 0 to 168",
        ),
        (
            {
                **AS_OF,
                "employment": [
                    {"kind": "other", "start": "2020-01-01", "supervision_hours_per_year": 8761}
                ],
            },
            "employment[0].supervision_hours_per_year: must be a number from 0 to 8760",
        ),
        (
            {**AS_OF, "certifications": [{"code": ""}]},
            "certifications[0].code: the credential's code is required",
        ),
        ({**AS_OF, "certifications": [{"code": "CCM", "issued": "x"}]}, "certifications[0].issued"),
        ({**AS_OF, "ce": [{"hours": 2}]}, "ce[0].completed: a date (YYYY-MM-DD) is required"),
        (
            {**AS_OF, "ce": [{"completed": "2025-01-01", "hours": 1000.5}]},
            "ce[0].hours: must be a number from 0 to 1000",
        ),
        (
            {**AS_OF, "ce": [{"completed": "2025-01-01", "hours": 2, "ethics_hours": 3}]},
            "ce[0].ethics_hours: cannot exceed the entry's hours",
        ),
        (
            {**AS_OF, "ce": [{"completed": "2025-01-01", "hours": 2, "ethics": "yes"}]},
            "ce[0].ethics: must be true or false",
        ),
    ],
)
def test_each_field_of_a_profile_is_checked(raw, problem):
    with pytest.raises(engine.ProfileError) as caught:
        engine.profile_from_json(raw)
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_a_profile_names_every_problem_once():
    with pytest.raises(engine.ProfileError) as caught:
        engine.profile_from_json(
            {
                "as_of": "2026-12-05",
                "education": [{"level": "phd"}],
                "employment": [{"kind": "other", "start": "2021-01-01", "end": "2020-12-31"}],
                "ce": [{"completed": "2025-01-01"}],
            }
        )
    assert caught.value.problems == [
        "education[0].level: must be one of associate, bachelor, master, doctorate, rn_diploma",
        "employment[0].end: is before its start",
        "ce[0].hours: the number of hours is required",
    ]


def test_a_profile_is_read_field_by_field_with_its_defaults():
    profile = engine.profile_from_json(
        {
            "as_of": "2026-12-05",
            "extra": "ignored",
            "education": [
                {"level": "master", "field": "  social work  ", "completed": "2019-06-01"},
                {"level": "associate", "field": None, "related_to_care_management": None},
            ],
            "licences": [
                {"kind": " RN ", "expires": "2027-01-31"},
                {"kind": "LCSW", "active": False},
            ],
            "employment": [
                {"kind": "case_management", "start": "2020-01-01", "end": "2020-01-01"},
                {
                    "kind": "other",
                    "title": "Aide",
                    "start": "2021-02-01",
                    "hours_per_week": 168,
                    "paid": False,
                    "internship_or_volunteer": True,
                    "supervised_by_ccm": True,
                    "supervision_hours_per_year": 8760,
                },
                {
                    "kind": "other",
                    "start": "2022-01-01",
                    "hours_per_week": 0,
                    "supervision_hours_per_year": None,
                },
            ],
            "certifications": [{"code": " ccm ", "valid_through": "2026-12-31"}],
            "ce": [
                {"completed": "2025-01-01", "hours": 3, "ethics": True},
                {"completed": "2025-02-01", "hours": 4, "ethics_hours": 4, "activity": " Ethics "},
                {"completed": "2025-03-01", "hours": 0},
                {"completed": "2025-04-01", "hours": 1000},
            ],
            "licences_extra": None,
        }
    )
    assert profile.as_of == d("2026-12-05")
    assert profile.education == (
        engine.Education("master", "social work", False, d("2019-06-01")),
        engine.Education("associate", "", False, None),
    )
    assert profile.licences == (
        engine.Licence("RN", False, True, True, d("2027-01-31")),
        engine.Licence("LCSW", False, False, True, None),
    )
    assert profile.employment == (
        engine.Employment(
            "", "case_management", d("2020-01-01"), d("2020-01-01"), None, True, False, False, 0
        ),
        engine.Employment("Aide", "other", d("2021-02-01"), None, 168.0, False, True, True, 8760.0),
        engine.Employment("", "other", d("2022-01-01"), None, 0.0, True, False, False, 0),
    )
    assert profile.certifications == (engine.Certification("CCM", None, d("2026-12-31")),)
    assert profile.ce == (
        engine.CEEntry(d("2025-01-01"), 3.0, 3.0, ""),
        engine.CEEntry(d("2025-02-01"), 4.0, 4.0, "Ethics"),
        engine.CEEntry(d("2025-03-01"), 0.0, 0, ""),
        engine.CEEntry(d("2025-04-01"), 1000.0, 0, ""),
    )
    empty = engine.profile_from_json(
        {"as_of": "2026-12-05", "education": None, "licences": None, "employment": None, "ce": None}
    )
    assert empty == engine.Profile(as_of=d("2026-12-05"))
    assert (
        engine.profile_from_json(
            {"as_of": "2026-12-05", "education": [{"level": "bachelor", "field": "x" * 300}]}
        )
        .education[0]
        .field
        == "x" * 200
    )


@pytest.mark.parametrize(
    ("value", "figure"),
    [(None, 0), (35, 35), (37.5, 37.5), (Fraction(1, 3), 0.33), (2.999, 3), (0.005, 0.01)],
)
def test_figures_for_people_have_no_needless_decimals(value, figure):
    assert engine._num(value) == figure
    assert type(engine._num(value)) is type(figure)


CCM_QUALIFICATION = (
    "a qualifying licence or degree: a current, active and unrestricted licence or certification "
    "in a health or human services discipline that allows its holder to assess clients "
    "independently or a bachelor's or graduate degree in a health or human services field"
)


def test_eligibility_is_looked_for_fifteen_years_ahead():
    # Category 2 (24 months) at 4.66 of 35 hours a week, begun before as_of: from 23 November
    # 2026 it is met on 5 December 2041, the last day looked at (15 years after as_of); from a
    # day later, a day after it, so never as far as the engine looks.
    parts = {"education": [degree("bachelor", "2019-05-15")]}
    result = ccm("2026-12-05", **parts, employment=[job("2026-11-23", hours=4.66)])
    assert result["eligible_from"] == "2041-12-05"
    assert result["route"].startswith("Category 2")
    result = ccm("2026-12-05", **parts, employment=[job("2026-11-24", hours=4.66)])
    assert result["eligible_from"] is None
    assert any("would not meet" in line for line in result["why"])


def one_month_rule():
    """CCM with Category 2 only, and one month of case management instead of 24."""
    rule = SHIPPED["CCM"]
    route = next(r for r in rule.routes if r.id == "category_2")
    (requirement,) = route.requirements
    short = dataclasses.replace(route, requirements=(dataclasses.replace(requirement, months=1),))
    return dataclasses.replace(rule, routes=(short,))


def test_the_walk_forward_skips_no_day_a_short_month_could_be_met_on():
    # One month from 1 February 2027 is 28 days: met on 1 March, the very first day the
    # walk forward may skip to (no month is shorter than 28 days).
    raw = {
        "as_of": "2027-01-15",
        "education": [degree("bachelor", "2019-05-15")],
        "employment": [job("2027-02-01")],
    }
    result = engine.evaluate_credential(one_month_rule(), engine.profile_from_json(raw))
    assert (result.eligible, result.eligible_from) == (False, d("2027-03-01"))
    # A day before the first credited one, and on it: the same answer.
    for as_of in ("2027-01-31", "2027-02-01", "2027-02-27"):
        profile = engine.profile_from_json({**raw, "as_of": as_of})
        assert engine.evaluate_credential(one_month_rule(), profile).eligible_from == d(
            "2027-03-01"
        )


def test_without_a_qualification_the_missing_experience_of_the_closest_route_is_named():
    # Six months of case management, not supervised by a CCM: Category 2 (24 months) is closest.
    result = ccm("2026-12-05", employment=[job("2026-06-05")])
    assert result["missing"] == [
        CCM_QUALIFICATION,
        "18 more months of full-time case management (6 of 24 counted)",
    ]
    # Experience enough for Category 2: only the qualification is missing.
    result = ccm("2026-12-05", employment=[job("2024-01-01")])
    assert result["missing"] == [CCM_QUALIFICATION]
    assert result["eligible"] is False and result["eligible_from"] is None


def test_what_records_and_the_public_page_leave_out_takes_the_documented_default():
    # records.py and public.py build these field by field.
    job_ = engine.Employment("Aide", "other", d("2020-01-01"))
    assert (job_.end, job_.hours_per_week, job_.paid, job_.internship_or_volunteer) == (
        None,
        None,
        True,
        False,
    )
    assert (job_.supervised_by_ccm, job_.supervision_hours_per_year) == (False, 0)
    licence = engine.Licence("RN")
    assert (licence.independent_assessment, licence.active, licence.unrestricted) == (
        False,
        True,
        True,
    )
    assert licence.expires is None
    education = engine.Education("bachelor")
    assert (education.field, education.related_to_care_management, education.completed) == (
        "",
        False,
        None,
    )
    assert engine.CEEntry(d("2025-01-01"), 2.0) == engine.CEEntry(d("2025-01-01"), 2.0, 0, "")
    assert engine.Certification("CCM") == engine.Certification("CCM", None, None)


def test_work_starting_on_the_degree_day_counts_whole():
    parts = {"education": [degree("master", "2023-06-01")]}
    on = cmc("2025-06-01", **parts, employment=[job("2023-06-01", supervision=52)])
    assert not any("(the eligibility degree) only" in line for line in on["why"])
    day_before = cmc("2025-06-01", **parts, employment=[job("2023-05-31", supervision=52)])
    assert any(
        "from 2023-06-01 (the eligibility degree) only" in line for line in day_before["why"]
    )
    # ended the day before the degree: not counted at all; ended on the degree day: counted
    ended = cmc("2025-06-01", **parts, employment=[job("2022-01-01", "2023-05-31")])
    assert any(
        "it ended before the eligibility degree (2023-06-01)" in line for line in ended["why"]
    )
    ended_on = cmc("2025-06-01", **parts, employment=[job("2022-01-01", "2023-06-01")])
    assert not any("ended before the eligibility degree" in line for line in ended_on["why"])


# ------------------------------------------------------------------ what mutation testing found
# Each test below pins a behaviour the rest of the suite left open (docs/testing.md, issue 14).


def test_months_between_steps_back_when_the_day_of_the_month_is_not_reached():
    # 10 January to 5 March: one whole month (to 10 February), then 23 of February's 28 days.
    assert engine.months_between(d("2025-01-10"), d("2025-03-05")) == 1 + Fraction(23, 28)
    # Years apart: five years are 60 months, not 5 + 12.
    assert engine.months_between(d("2020-01-10"), d("2025-01-10")) == 60
    assert engine.months_between(d("2020-01-10"), d("2025-01-09")) == 59 + Fraction(30, 31)
    # Within the first month: no whole month.
    assert engine.months_between(d("2025-01-10"), d("2025-02-05")) == Fraction(26, 31)


def test_profile_facts_are_described_as_they_are():
    bare = engine.Education("bachelor")
    assert bare.describe() == (
        "bachelor's degree (not in a field related to care management; not completed)"
    )
    related = engine.Education("master", "nursing", True, d("2020-05-15"))
    assert related.describe() == (
        "master's degree in nursing (related to care management; completed 2020-05-15)"
    )
    lpn = engine.Licence("LPN", False, False, False, d("2027-01-31"))
    assert lpn.describe() == (
        "LPN licence (does not allow independent assessment, not active, restricted, "
        "expires 2027-01-31)"
    )
    rn = engine.Licence("RN", True)
    assert rn.describe() == "RN licence (allows independent assessment, active, unrestricted)"
    ended = engine.Employment("Aide", "other", d("2020-01-01"), d("2020-12-31"))
    assert ended.describe() == "Aide (other work, 2020-01-01 – 2020-12-31)"
    ongoing = engine.Employment("", "case_management", d("2021-01-01"), None, 20)
    assert ongoing.describe() == (
        "case management (case management, 2021-01-01 – ongoing, 20 h/week)"
    )


def test_a_licence_is_held_through_its_expiry_day():
    licence = engine.Licence("RN", True, expires=d("2026-01-10"))
    assert licence.held_on(d("2026-01-10")) is True
    assert licence.held_on(d("2026-01-11")) is False
    assert engine.Licence("RN", True).held_on(d("2090-01-01")) is True
    assert engine.Licence("RN", True, active=False).held_on(d("2025-01-01")) is False
    # The engine agrees: eligible on the expiry day, not after it.
    expiring = {**RN, "expires": "2026-01-10"}
    parts = {"licences": [expiring], "employment": [job("2025-01-10", ccm=True)]}
    on = ccm("2026-01-10", **parts)
    assert (on["eligible"], on["eligible_from"]) == (True, "2026-01-10")
    after = ccm("2026-01-11", **parts)
    assert (after["eligible"], after["eligible_from"]) == (False, None)


def test_a_licence_expiring_later_qualifies_until_then():
    later = {**RN, "expires": "2030-12-31"}
    result = ccm("2026-12-05", licences=[later], employment=[job("2025-01-10", ccm=True)])
    assert (result["eligible"], result["eligible_from"]) == (True, "2026-01-10")


def test_a_null_flag_takes_its_default_and_a_code_that_is_not_text_is_refused():
    profile = engine.profile_from_json(
        {
            "as_of": "2026-12-05",
            "employment": [{"kind": "other", "start": "2020-01-01", "paid": None}],
        }
    )
    assert profile.employment[0].paid is True
    with pytest.raises(engine.ProfileError) as caught:
        engine.profile_from_json({"as_of": "2026-12-05", "certifications": [{"code": 5}]})
    assert caught.value.problems == [
        "certifications[0].code: must be text",
        "certifications[0].code: the credential's code is required (CCM, CMC …)",
    ]


def test_a_thousand_ethics_hours_is_the_limit():
    entry = {"completed": "2025-01-01", "hours": 1000, "ethics_hours": 1000}
    profile = engine.profile_from_json({"as_of": "2026-12-05", "ce": [entry]})
    assert profile.ce[0].ethics_hours == 1000
    with pytest.raises(engine.ProfileError, match="ethics_hours: must be a number from 0 to 1000"):
        engine.profile_from_json({"as_of": "2026-12-05", "ce": [{**entry, "ethics_hours": 1000.5}]})


def test_a_rule_that_accepts_volunteering_counts_it():
    rule = SHIPPED["CCM"]
    welcoming = dataclasses.replace(
        rule,
        experience=dataclasses.replace(rule.experience, exclude_internship_or_volunteer=False),
    )
    raw = {
        "as_of": "2026-12-05",
        "licences": [RN],
        "employment": [job("2025-01-10", ccm=True, volunteer=True)],
    }
    result = engine.evaluate_credential(welcoming, engine.profile_from_json(raw))
    assert (result.eligible, result.eligible_from) == (True, d("2026-01-10"))
    assert not any("not counted" in line for line in result.why)


def test_a_job_without_weekly_hours_counts_as_full_time():
    full = job("2025-01-10", ccm=True)
    full["hours_per_week"] = None
    result = ccm("2025-06-01", licences=[RN], employment=[full])
    assert result["eligible_from"] == "2026-01-10"
    assert not any("of full time" in line for line in result["why"])


def test_the_degree_completed_first_opens_the_route():
    # Two related degrees: the bachelor's of 2015 qualifies; the master's of 2024 is listed
    # after it and would postpone eligibility to its own date.
    parts = {
        "education": [degree("bachelor", "2015-05-15"), degree("master", "2024-06-01")],
        "employment": [job("2020-01-01")],
    }
    result = ccm("2026-12-05", **parts)
    assert (result["eligible"], result["eligible_from"]) == (True, "2022-01-01")
    assert any(line.startswith("Qualification: bachelor's degree") for line in result["why"])


def test_the_qualification_held_earliest_is_described_whatever_the_route_lists_first():
    # Criterion III lists the associate's degree before a degree in any field: the bachelor's
    # of 2010 is held earlier, so it is the one named (and experience counts from it).
    parts = {
        "education": [
            degree("associate", "2020-05-15"),
            degree("bachelor", "2010-05-15", related=False),
        ],
        "employment": [job("2012-01-01")],
    }
    result = cmc("2016-12-05", **parts)
    assert result["criterion"] == "III"
    assert any(
        line.startswith("Qualification: bachelor's degree in history") for line in result["why"]
    )


def test_an_additional_requirement_listed_before_its_base_still_adds_the_base():
    raw = json.loads((rules.SHIPPED_DIR / "cmc.json").read_text())
    for route in raw["routes"]:
        route["requirements"].reverse()  # "direct_client" (additional) first
    rule = rules.parse_rule(raw, source="reordered")
    parts = {"education": [degree("bachelor", "2018-05-15")], "employment": [job("2019-06-01")]}
    profile = engine.profile_from_json({"as_of": "2021-06-01", **parts})
    result = engine.evaluate_credential(rule, profile)
    # 24 months of care management plus 12 more: 36 in all, as with the shipped order.
    assert result.eligible_from == d("2022-06-01")
    months = {r.requirement.id: r.months_required for r in result.decisive.requirements}
    assert months == {"direct_client": 36, "cm_supervised": 24}


def test_eligible_from_is_the_first_day_whatever_the_day_asked_about():
    parts = {"licences": [RN], "employment": [job("2025-01-10", ccm=True)]}
    for as_of in ("2026-01-11", "2026-01-12", "2026-03-01"):
        result = ccm(as_of, **parts)
        assert (result["eligible"], result["eligible_from"]) == (True, "2026-01-10"), as_of


def test_work_ended_before_a_degree_counts_where_the_rule_does_not_ask_for_it_after():
    # CCM's categories count experience from before the degree.
    parts = {
        "education": [degree("bachelor", "2024-05-15")],
        "employment": [job("2021-01-01", "2023-12-31")],
    }
    result = ccm("2026-12-05", **parts)
    assert result["eligible_from"] == "2024-05-15"
    assert any(
        line.startswith("Care manager (case management, 2021-01-01") and line.endswith(": counts")
        for line in result["why"]
    )
    assert not any("ended before" in line for line in result["why"])


def test_the_fifteen_years_are_counted_from_a_degree_expected_later_too():
    # A master's expected in 2040: criterion I (24 months after it) is met in 2042, more than
    # 15 years after as_of but within 15 years of the degree.
    parts = {"education": [degree("master", "2040-01-01")], "employment": [job("2025-01-01")]}
    result = cmc("2026-12-05", **parts)
    assert result["eligible_from"] == "2042-01-01"


def test_the_route_met_soonest_decides_whatever_its_place_in_the_file():
    # Category 3 (supervising, from June) is met before category 1 (CCM-supervised, from
    # September), though the file lists category 1 first.
    parts = {
        "licences": [RN],
        "employment": [
            job("2026-06-01", kind="supervising_case_managers", title="Team lead"),
            job("2026-09-01", ccm=True),
        ],
    }
    result = ccm("2026-12-05", **parts)
    assert result["route"].startswith("Category 3")
    assert result["eligible_from"] == "2027-06-01"


def test_the_explanation_names_each_requirement_the_jobs_and_the_rules_notes():
    parts = {"education": [degree("bachelor", "2018-05-15")], "employment": [job("2019-06-01")]}
    result = cmc("2021-06-01", **parts)
    assert (
        "Experience: 24 of 36 months of additional paid, full-time direct work with clients "
        "(social work, nursing, counselling or care management) in total (24 months of the "
        "requirement above plus 12 more) counted as of 2021-06-01."
    ) in result["why"]
    assert (
        "Experience: 24 of 24 months of paid, full-time care management after the eligibility "
        "degree with at least 50 hours of supervision a year counted as of 2021-06-01."
    ) in result["why"]
    assert result["why"][0] == (
        "Route: Criterion II: bachelor's degree + 2 years of supervised care management + 1 year "
        "of additional direct client work (National Academy of Certified Care Managers (NACCM))."
    )
    assert result["why"][-1] == SHIPPED["CMC"].notes[-1]
    counts = [line for line in result["why"] if line.endswith(": counts")]
    assert len(counts) == 2  # the job, once under each requirement
    # Only the requirement not met yet is missing.
    assert result["missing"] == [
        "12 more months of additional paid, full-time direct work with clients (social work, "
        "nursing, counselling or care management) (24 of 36 counted)"
    ]


def test_a_first_certification_period_starts_on_the_day_it_was_issued():
    cert = {"code": "CCM", "issued": "2023-01-15", "valid_through": "2027-12-31"}
    ce = [{"completed": "2023-01-05", "hours": 10}, {"completed": "2023-01-15", "hours": 4}]
    (renewal,) = advise("2026-12-05", (), certifications=[cert], ce=ce)["renewals"]
    assert renewal["ce_hours"] == 4


def test_renewal_counts_the_entries_inside_and_outside_the_period():
    profile = engine.profile_from_json(
        {
            "as_of": "2026-12-05",
            "certifications": [
                {"code": "CCM", "issued": "2022-01-01", "valid_through": "2026-12-31"},
                {"code": "CMC", "issued": "2020-01-01"},
            ],
            "ce": [
                {"completed": "2021-06-01", "hours": 5},
                {"completed": "2022-06-01", "hours": 6},
                {"completed": "2023-06-01", "hours": 7},
            ],
        }
    )
    ccm_, cmc_ = engine.advise(profile, SHIPPED, ()).renewals
    assert (ccm_.entries_counted, ccm_.entries_outside, ccm_.ce_hours) == (2, 1, 13)
    # Without a valid-through date the period runs from the issue date to as_of.
    assert (cmc_.valid_through, cmc_.period_start) == (None, d("2020-01-01"))
    assert (cmc_.entries_counted, cmc_.entries_outside, cmc_.ce_hours) == (3, 0, 18)


def test_experience_years_count_paid_work_of_the_kinds_asked_before_as_of():
    profile = engine.profile_from_json(
        {
            "as_of": "2026-01-01",
            "employment": [
                job("2024-01-01", "2024-12-31", hours=35),  # 366 days full time
                job("2025-01-01", hours=17.5),  # 365 days at half time, ongoing
                job("2025-01-01", kind="direct_client"),  # another kind
                job("2020-01-01", "2022-12-31", volunteer=True),
                job("2020-01-01", "2022-12-31", paid=False),
                job("2026-02-01"),  # after as_of
            ],
        }
    )
    expected = (366 + 365 / 2) / 365.25
    assert engine.experience_years(profile, ["case_management"]) == pytest.approx(expected)
    both = engine.experience_years(profile, ["case_management", "direct_client"])
    assert both == pytest.approx((366 + 365) / 365.25)
    assert engine.experience_years(profile, ["other"]) == 0.0
    unhoured = job("2025-07-01")
    unhoured["hours_per_week"] = None
    only = engine.profile_from_json({"as_of": "2026-01-01", "employment": [unhoured]})
    assert engine.experience_years(only, ["case_management"]) == pytest.approx(184 / 365.25)


def test_an_entry_of_an_unknown_kind_is_named_once_and_not_read_further():
    with pytest.raises(engine.ProfileError) as caught:
        engine.profile_from_json({"as_of": "2026-12-05", "employment": [{"kind": "job"}]})
    assert caught.value.problems == [
        "employment[0].kind: must be one of "
        "case_management, supervising_case_managers, direct_client, other"
    ]


def test_hours_a_month_needed_when_nothing_or_exactly_one_hour_is_missing():
    def renewal(hours: float, as_of: str) -> engine.RenewalResult:
        profile = engine.profile_from_json(
            {
                "as_of": as_of,
                "certifications": [{"code": "CCM", "valid_through": "2026-12-31"}],
                "ce": [{"completed": "2023-01-01", "hours": hours, "ethics_hours": 8}],
            }
        )
        (found,) = engine.advise(profile, SHIPPED, ()).renewals
        return found

    # Done, even after the period ended: nothing more is needed (not "no time left").
    assert renewal(80, "2027-02-01").hours_per_month_needed(d("2027-02-01")) == 0.0
    # One hour over the 4 months to the end of 2026.
    assert renewal(79, "2026-09-01").hours_per_month_needed(d("2026-09-01")) == 0.25


def test_experience_before_the_degree_is_not_credited_where_the_rule_says_after():
    parts = {"education": [degree("master", "2023-06-01")], "employment": [job("2022-06-01")]}
    result = cmc("2024-06-01", **parts)
    assert result["eligible"] is False
    assert any(line.startswith("Experience: 12 of 24 months of paid") for line in result["why"])
    assert result["missing"][0].startswith("12 more months of paid, full-time care management")


def test_no_experience_is_none_credited():
    result = ccm("2026-12-05", education=[degree("bachelor", "2015-05-15")])
    experience = [line for line in result["why"] if line.startswith("Experience:")]
    assert experience == [
        "Experience: 0 of 12 months of full-time case management supervised by a CCM counted "
        "as of 2026-12-05."
    ]


def test_the_route_met_first_decides_among_those_met_today():
    parts = {
        "licences": [RN],
        "employment": [
            job("2020-01-01", kind="supervising_case_managers", title="Team lead"),
            job("2024-01-01", ccm=True),
        ],
    }
    result = ccm("2026-12-05", **parts)
    assert result["route"].startswith("Category 3")
    assert (result["eligible"], result["eligible_from"]) == (True, "2021-01-01")


def test_without_a_qualification_what_is_held_is_listed():
    parts = {
        "education": [degree("bachelor", "2019-05-15", related=False)],
        "licences": [LPN],
        "employment": [job("2020-01-01")],
    }
    result = ccm("2026-12-05", **parts)
    assert (
        "Held: bachelor's degree in history (not in a field related to care management; "
        "completed 2019-05-15); LPN licence (does not allow independent assessment, active, "
        "unrestricted)."
    ) in result["why"]
    assert not any(line.startswith("Held:") for line in ccm("2026-12-05")["why"])


def test_a_certification_past_its_valid_through_date_has_lapsed():
    def lapsed(as_of: str, cert: dict) -> bool:
        profile = engine.profile_from_json({"as_of": as_of, "certifications": [cert]})
        (renewal,) = engine.advise(profile, SHIPPED, ()).renewals
        return renewal.lapsed

    cert = {"code": "CCM", "issued": "2022-01-01", "valid_through": "2026-12-31"}
    assert lapsed("2026-12-31", cert) is False
    assert lapsed("2027-01-01", cert) is True
    assert lapsed("2040-01-01", {"code": "CCM", "issued": "2022-01-01"}) is False


def test_a_profile_error_reads_as_its_problems():
    with pytest.raises(engine.ProfileError) as caught:
        engine.profile_from_json({"education": "none"})
    assert caught.value.problems == [
        "profile.as_of: a date (YYYY-MM-DD) is required",
        "education: must be a list",
    ]
    assert str(caught.value) == (
        "profile.as_of: a date (YYYY-MM-DD) is required; education: must be a list"
    )


def test_an_end_without_a_start_is_named_not_crashed_on():
    with pytest.raises(engine.ProfileError) as caught:
        engine.profile_from_json(
            {"as_of": "2026-12-05", "employment": [{"kind": "other", "end": "2020-01-01"}]}
        )
    assert caught.value.problems == ["employment[0].start: a date (YYYY-MM-DD) is required"]


def test_with_no_route_reachable_the_one_furthest_along_is_explained():
    # One month supervised by a CCM (1 of Category 1's 12 months) and ten more not (11 of
    # Category 2's 24): Category 2 is further along, so it is the one explained.
    parts = {
        "licences": [RN],
        "employment": [
            job("2020-01-01", "2020-01-31", ccm=True),
            job("2020-02-01", "2020-11-30"),
        ],
    }
    result = ccm("2026-12-05", **parts)
    assert result["route"].startswith("Category 2")
    assert result["eligible_from"] is None


def test_work_of_another_kind_is_not_listed_under_a_requirement():
    parts = {"licences": [RN], "employment": [job("2024-01-01", kind="direct_client")]}
    result = ccm("2026-12-05", **parts)
    assert not any("direct client work" in line for line in result["why"])


def test_a_degree_completed_on_the_day_asked_about_is_held():
    parts = {"education": [degree("bachelor", "2026-12-05")], "employment": [job("2024-01-01")]}
    result = ccm("2026-12-05", **parts)
    assert (result["eligible"], result["eligible_from"], result["missing"]) == (
        True,
        "2026-12-05",
        [],
    )
    assert not any(line.startswith("If the current work continues") for line in result["why"])
    assert not any(line.startswith("Continuing the current work") for line in result["why"])


def test_a_certification_without_dates_counts_every_entry_up_to_as_of():
    profile = engine.profile_from_json(
        {
            "as_of": "2026-12-05",
            "certifications": [{"code": "CCM"}],
            "ce": [
                {"completed": "2001-01-01", "hours": 3},
                {"completed": "2027-01-01", "hours": 4},
            ],
        }
    )
    (renewal,) = engine.advise(profile, SHIPPED, ()).renewals
    assert (renewal.period_start, renewal.valid_through) == (None, None)
    assert (renewal.ce_hours, renewal.entries_counted, renewal.entries_outside) == (3, 1, 1)


def test_without_a_valid_through_date_no_monthly_pace_can_be_given():
    profile = engine.profile_from_json(
        {
            "as_of": "2026-12-05",
            "certifications": [{"code": "CCM", "issued": "2022-01-01"}],
            "ce": [{"completed": "2023-01-01", "hours": 10}],
        }
    )
    (renewal,) = engine.advise(profile, SHIPPED, ()).renewals
    assert renewal.months_left(d("2026-12-05")) == 0
    assert renewal.hours_per_month_needed(d("2026-12-05")) is None


def test_a_full_time_week_is_not_called_a_share_of_full_time():
    result = ccm("2026-12-05", licences=[RN], employment=[job("2025-01-10", hours=35, ccm=True)])
    assert (
        "Care manager (case management, 2025-01-10 – ongoing, 35 h/week): counts" in (result["why"])
    )


def test_work_ended_before_the_degree_is_only_listed_as_not_counted():
    parts = {"education": [degree("master", "2023-06-01")]}
    ended = cmc("2025-06-01", **parts, employment=[job("2022-01-01", "2023-05-31")])
    about_it = [line for line in ended["why"] if line.startswith("Care manager (")]
    assert about_it == [
        "Care manager (case management, 2022-01-01 – 2023-05-31, 40 h/week): not counted, it "
        "ended before the eligibility degree (2023-06-01)"
    ]


def test_without_a_qualification_the_explanation_starts_with_what_is_asked():
    result = ccm("2026-12-05")
    assert result["why"][0] == (
        "CCM (Commission for Case Manager Certification (CCMC)) asks for "
        f"{CCM_QUALIFICATION.removeprefix('a qualifying licence or degree: ')}"
        "; the profile has none of these."
    )


def test_a_job_without_weekly_hours_is_exported_without_them():
    raw = {"as_of": "2026-12-05", "employment": [{"kind": "other", "start": "2020-01-01"}]}
    exported = engine.profile_to_json(engine.profile_from_json(raw))
    assert exported["employment"][0]["hours_per_week"] is None


def test_half_a_month_left_still_gives_a_monthly_pace():
    profile = engine.profile_from_json(
        {
            "as_of": "2026-12-17",
            "certifications": [{"code": "CCM", "valid_through": "2026-12-31"}],
            "ce": [{"completed": "2023-01-01", "hours": 75, "ethics_hours": 8}],
        }
    )
    (renewal,) = engine.advise(profile, SHIPPED, ()).renewals
    # 5 hours in the 15 days (15/31 of a month) to the end of December.
    assert renewal.hours_per_month_needed(d("2026-12-17")) == pytest.approx(5 * 31 / 15)


def test_a_renewal_without_a_valid_through_date_reads_as_json():
    cert = {"code": "CMC", "issued": "2020-01-01"}
    (renewal,) = advise("2026-12-05", (), certifications=[cert])["renewals"]
    assert renewal["valid_through"] is None
    assert renewal["ce_required"] == 45


def test_a_licence_opens_a_route_that_counts_work_after_the_qualification():
    # A rule may ask for experience after a licence: a licence is held from before any record,
    # so all of the work counts.
    rule = SHIPPED["CCM"]
    route = rule.routes[0]
    (requirement,) = route.requirements
    after = dataclasses.replace(requirement, after_qualification=True)
    rule = dataclasses.replace(rule, routes=(dataclasses.replace(route, requirements=(after,)),))
    raw = {"as_of": "2026-12-05", "licences": [RN], "employment": [job("2025-01-10", ccm=True)]}
    result = engine.evaluate_credential(rule, engine.profile_from_json(raw))
    assert (result.eligible, result.eligible_from) == (True, d("2026-01-10"))


def test_a_degree_not_completed_yet_does_not_open_a_route():
    parts = {
        "education": [
            degree("bachelor", "2015-05-15"),
            {"level": "master", "field": "social work", "related_to_care_management": True},
        ],
        "employment": [job("2020-01-01")],
    }
    result = ccm("2026-12-05", **parts)
    assert (result["eligible"], result["eligible_from"]) == (True, "2022-01-01")
    assert any(line.startswith("Qualification: bachelor's degree") for line in result["why"])


def test_the_earliest_degree_opens_the_route_whatever_the_order_listed():
    parts = {
        "education": [degree("master", "2024-06-01"), degree("bachelor", "2015-05-15")],
        "employment": [job("2020-01-01")],
    }
    result = ccm("2026-12-05", **parts)
    assert (result["eligible"], result["eligible_from"]) == (True, "2022-01-01")
    # Two completed the same day: the first listed is the one named.
    same_day = {
        "education": [degree("master", "2015-05-15"), degree("bachelor", "2015-05-15")],
        "employment": [job("2020-01-01")],
    }
    result = ccm("2026-12-05", **same_day)
    assert any(line.startswith("Qualification: master's degree") for line in result["why"])


def test_months_are_written_with_one_decimal_when_not_whole():
    assert engine._months_text(Fraction(21, 2)) == "10.5"
    assert engine._months_text(Fraction(10)) == "10"
    assert engine._months_text(11.96) == "12"


def test_a_route_not_met_today_says_so_and_when_it_will_be():
    parts = {"licences": [RN], "employment": [job("2025-01-10", ccm=True)]}
    result = ccm("2026-01-09", **parts)
    assert "If the current work continues, the requirement is met on 2026-01-10." in (result["why"])
    profile = engine.profile_from_json({"as_of": "2026-01-09", **parts})
    routes = engine.evaluate_credential(SHIPPED["CCM"], profile).routes
    assert [route.eligible_today for route in routes] == [False, False, False]
    assert [route.eligible_from for route in routes] == [d("2026-01-10"), d("2027-01-10"), None]


def test_work_that_does_not_count_is_not_also_listed_as_counting():
    result = ccm("2026-12-05", licences=[RN], employment=[job("2020-01-01", volunteer=True)])
    about_it = [line for line in result["why"] if line.startswith("Care manager (")]
    assert about_it and all(
        line.endswith("not counted, internships and volunteering are not accepted")
        for line in about_it
    )


def test_a_rule_that_accepts_unpaid_work_counts_it():
    rule = SHIPPED["CCM"]
    generous = dataclasses.replace(
        rule, experience=dataclasses.replace(rule.experience, paid_only=False)
    )
    raw = {
        "as_of": "2026-12-05",
        "licences": [RN],
        "employment": [job("2025-01-10", ccm=True, paid=False)],
    }
    result = engine.evaluate_credential(generous, engine.profile_from_json(raw))
    assert (result.eligible, result.eligible_from) == (True, d("2026-01-10"))


def test_with_nothing_held_the_qualification_and_all_the_experience_are_missing():
    assert ccm("2026-12-05")["missing"] == [
        CCM_QUALIFICATION,
        "12 more months of full-time case management supervised by a CCM (0 of 12 counted)",
    ]


def test_the_criterion_is_given_when_any_route_names_one():
    rule = SHIPPED["CMC"]
    mixed = dataclasses.replace(
        rule, routes=(*rule.routes[:-1], dataclasses.replace(rule.routes[-1], criterion=None))
    )
    profile = engine.profile_from_json({"as_of": "2026-12-05"})
    assert engine.evaluate_credential(mixed, profile).as_json()["criterion"] is None
    assert "criterion" not in engine.evaluate_credential(SHIPPED["CCM"], profile).as_json()


def test_an_entry_ending_before_it_starts_is_named_once_and_not_read_further():
    entry = {"kind": "other", "start": "2020-01-01", "end": "2019-01-01", "hours_per_week": 200}
    with pytest.raises(engine.ProfileError) as caught:
        engine.profile_from_json({"as_of": "2026-12-05", "employment": [entry]})
    assert caught.value.problems == ["employment[0].end: is before its start"]


def test_an_eligible_person_is_told_nothing_is_missing():
    # Criterion III's care management alone. The bachelor's of 2010 is described (held
    # earliest), but from it one hour of work on 28 February 2020 starts the 36 months, which
    # then need a day more (a leap day) than they do from the associate's degree of 1 March
    # 2020, through which the route is met on 1 March 2023: eligible, and nothing is missing.
    rule = SHIPPED["CMC"]
    route = rule.routes[2]
    rule = dataclasses.replace(
        rule, routes=(dataclasses.replace(route, requirements=route.requirements[:1]),)
    )
    raw = {
        "as_of": "2023-03-01",
        "education": [
            degree("associate", "2020-03-01"),
            degree("bachelor", "2010-05-15", related=False),
        ],
        "employment": [job("2020-02-28", "2020-02-28", hours=1), job("2020-03-01")],
    }
    result = engine.evaluate_credential(rule, engine.profile_from_json(raw))
    assert (result.eligible, result.eligible_from, result.missing) == (True, d("2023-03-01"), [])
