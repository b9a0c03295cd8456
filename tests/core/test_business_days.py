"""Business-day arithmetic across weekends and holidays."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseload.core import business_days, clock
from caseload.core.models import Holiday

D = dt.date.fromisoformat
NONE: set[dt.date] = set()


@pytest.mark.parametrize(
    ("start", "days", "holidays", "expected"),
    [
        ("2026-03-02", 1, [], "2026-03-03"),  # Monday + 1 → Tuesday
        ("2026-03-02", 2, [], "2026-03-04"),  # Monday + 2 → Wednesday
        ("2026-03-05", 2, [], "2026-03-09"),  # Thursday + 2 → Monday
        ("2026-03-06", 1, [], "2026-03-09"),  # Friday + 1 → Monday
        ("2026-03-06", 2, [], "2026-03-10"),  # Friday + 2 → Tuesday (the Friday 16:45 scenario)
        ("2026-03-07", 2, [], "2026-03-10"),  # Saturday + 2 → Tuesday
        ("2026-03-08", 2, [], "2026-03-10"),  # Sunday + 2 → Tuesday
        ("2026-03-06", 5, [], "2026-03-13"),  # a whole working week
        # Friday before a Monday holiday (Memorial Day 2026): + 2 → Wednesday
        ("2026-05-22", 2, ["2026-05-25"], "2026-05-27"),
        ("2026-05-22", 1, ["2026-05-25"], "2026-05-26"),
        # Wednesday before Thanksgiving: Thursday is off → Friday, then Monday
        ("2026-11-25", 2, ["2026-11-26"], "2026-11-30"),
        # Christmas and New Year 2027 (both Fridays): + 3 from Thursday 24 Dec
        ("2026-12-24", 3, ["2026-12-25", "2027-01-01"], "2026-12-30"),
        ("2026-12-30", 2, ["2026-12-25", "2027-01-01"], "2027-01-04"),
        # two holidays back to back after a weekend
        ("2026-03-06", 2, ["2026-03-09", "2026-03-10"], "2026-03-12"),
        # a holiday on a weekend changes nothing
        ("2026-07-02", 1, ["2026-07-04"], "2026-07-03"),
    ],
)
def test_add_business_days_skips_weekends_and_holidays(
    start: str, days: int, holidays: list[str], expected: str
) -> None:
    assert business_days.add_business_days(D(start), days, {D(h) for h in holidays}) == D(expected)


def test_zero_business_days_is_the_day_itself_or_the_next_business_day() -> None:
    assert business_days.add_business_days(D("2026-03-04"), 0, NONE) == D("2026-03-04")
    assert business_days.add_business_days(D("2026-03-07"), 0, NONE) == D("2026-03-09")
    assert business_days.add_business_days(D("2026-03-07"), 0, {D("2026-03-09")}) == D("2026-03-10")


def test_negative_business_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        business_days.add_business_days(D("2026-03-04"), -1, NONE)


@pytest.mark.parametrize(
    ("day", "holidays", "expected"),
    [
        ("2026-03-10", [], "2026-03-09"),  # Tuesday → Monday
        ("2026-03-09", [], "2026-03-06"),  # Monday → Friday
        ("2026-05-26", ["2026-05-25"], "2026-05-22"),  # Tuesday after Memorial Day → Friday
        ("2026-03-08", [], "2026-03-06"),  # Sunday → Friday
    ],
)
def test_previous_business_day(day: str, holidays: list[str], expected: str) -> None:
    assert business_days.previous_business_day(D(day), {D(h) for h in holidays}) == D(expected)


@pytest.mark.django_db
def test_the_holiday_table_holds_only_the_organisations_own_days_after_migrate() -> None:
    """The 2026-2027 federal holidays coordination/0002 once seeded are removed by core/0002:
    they come from the holidays library now (so a restored backup no longer collides)."""
    assert not Holiday.objects.exists()
    days = business_days.holidays_between(D("2026-01-01"), D("2027-12-31"))
    weekdays = sorted(d for d in days if d.weekday() < 5)
    assert len([d for d in weekdays if d.year == 2026]) == 11
    assert len([d for d in weekdays if d.year == 2027]) == 12  # 31 Dec: New Year 2028 observed
    assert D("2026-11-26") in days and D("2027-07-05") in days


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "days", "expected", "why"),
    [
        # 2028: Friday 26 May + 2 → Wednesday 31 May (Memorial Day, Monday 29 May)
        ("2028-05-26", 2, "2028-05-31", "Memorial Day 2028"),
        # Thursday 9 Nov 2028 + 1 → Monday 13 Nov (Veterans Day on a Saturday, observed Friday)
        ("2028-11-09", 1, "2028-11-13", "Veterans Day 2028 observed"),
        # Wednesday 22 Nov 2028 + 1 → Friday 24 Nov (Thanksgiving, Thursday 23 Nov)
        ("2028-11-22", 1, "2028-11-24", "Thanksgiving 2028"),
        # 2030: Friday 28 Jun + 4 → Friday 5 Jul (Independence Day, Thursday 4 Jul)
        ("2030-06-28", 4, "2030-07-05", "Independence Day 2030"),
        # Tuesday 24 Dec 2030 + 1 → Thursday 26 Dec (Christmas, Wednesday)
        ("2030-12-24", 1, "2030-12-26", "Christmas 2030"),
        # Friday 31 Aug 2029 + 1 → Tuesday 4 Sep (Labor Day, Monday 3 Sep)
        ("2029-08-31", 1, "2029-09-04", "Labor Day 2029"),
    ],
)
def test_business_days_count_public_holidays_in_any_year(
    start: str, days: int, expected: str, why: str
) -> None:
    assert business_days.business_days_after(D(start), days) == D(expected), why


@pytest.mark.django_db
def test_the_organisations_closure_days_count_too_and_keep_their_name() -> None:
    Holiday.objects.create(date=D("2030-07-05"), name="Agency closure")
    # Independence Day (Thursday) and the agency's Friday closure: + 1 → Monday 8 July
    assert business_days.business_days_after(D("2030-07-03"), 1) == D("2030-07-08")
    names = business_days.holiday_names_between(D("2030-07-01"), D("2030-07-07"))
    assert names == {D("2030-07-04"): "Independence Day", D("2030-07-05"): "Agency closure"}


@pytest.mark.django_db
def test_a_state_adds_its_own_holidays(settings: Any) -> None:
    friday_before_patriots_day = D("2028-04-14")
    assert business_days.business_days_after(friday_before_patriots_day, 1) == D("2028-04-17")
    settings.CASELOAD_HOLIDAYS_SUBDIV = "MA"  # Patriots' Day, Monday 17 April 2028
    assert business_days.business_days_after(friday_before_patriots_day, 1) == D("2028-04-18")


@pytest.mark.django_db
def test_without_a_country_only_the_organisations_days_count(settings: Any) -> None:
    settings.CASELOAD_HOLIDAYS_COUNTRY = ""
    assert business_days.business_days_after(D("2028-05-26"), 2) == D("2028-05-30")


@pytest.mark.django_db
def test_the_system_check_warns_of_a_year_without_holidays(settings: Any) -> None:
    from caseload.core.checks import holidays_check

    assert holidays_check() == []
    settings.CASELOAD_HOLIDAYS_COUNTRY = ""
    year = clock.today().year
    [warning] = holidays_check()
    assert warning.id == "caseload.W002"
    assert f"No holidays in {year} and {year + 1}" in warning.msg
    Holiday.objects.create(date=dt.date(year, 12, 24), name="Agency closure")
    [warning] = holidays_check()
    assert f"No holidays in {year + 1}:" in warning.msg
    Holiday.objects.create(date=dt.date(year + 1, 12, 24), name="Agency closure")
    assert holidays_check() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "subdiv", "message"),
    [
        ("XX", "", "'XX' is not a country"),
        ("US", "ZZ", "'ZZ' is not a state or region of US"),
        ("", "MA", "SUBDIV is set without"),
    ],
)
def test_the_system_check_refuses_an_unknown_country_or_state(
    settings: Any, country: str, subdiv: str, message: str
) -> None:
    from caseload.core.checks import holidays_check

    settings.CASELOAD_HOLIDAYS_COUNTRY = country
    settings.CASELOAD_HOLIDAYS_SUBDIV = subdiv
    [error] = holidays_check()
    assert error.id == "caseload.E001" and message in error.msg


@pytest.mark.django_db
def test_business_days_after_reads_configured_holidays() -> None:
    Holiday.objects.create(date=D("2026-03-09"), name="Agency training day")
    assert business_days.business_days_after(D("2026-03-06"), 2) == D("2026-03-11")
    # Memorial Day (from the holidays library) counts without being passed in
    assert business_days.business_days_after(D("2026-05-22"), 2) == D("2026-05-27")


def test_business_day_before_uses_holidays(db: None) -> None:
    assert business_days.business_day_before(D("2026-05-26")) == D("2026-05-22")


def test_holidays_between_includes_holidays_on_both_end_dates(db: None) -> None:
    Holiday.objects.all().delete()
    for day, name in [
        ("2030-03-04", "Before the range"),
        ("2030-03-05", "First day"),
        ("2030-03-07", "Middle"),
        ("2030-03-11", "Last day"),
        ("2030-03-12", "After the range"),
    ]:
        Holiday.objects.create(date=D(day), name=name)
    start, end = D("2030-03-05"), D("2030-03-11")
    assert business_days.holidays_between(start, end) == {
        D("2030-03-05"),
        D("2030-03-07"),
        D("2030-03-11"),
    }
    assert business_days.holiday_names_between(start, end) == {
        D("2030-03-05"): "First day",
        D("2030-03-07"): "Middle",
        D("2030-03-11"): "Last day",
    }
    assert business_days.holidays_between(end, end) == {end}


def _close(first: str, last: str) -> None:
    """Every weekday from ``first`` to ``last`` a holiday (an office closed for weeks)."""
    day = D(first)
    while day <= D(last):
        if day.weekday() < 5:
            Holiday.objects.get_or_create(date=day, defaults={"name": "Closure"})
        day += dt.timedelta(days=1)


def test_business_days_after_is_exact_across_a_closure_of_many_weeks(db: None) -> None:
    # Six weeks closed from Monday 2 September 2030: the first business day after is
    # Monday 14 October, far beyond the first window read (1 × 7 + 14 days).
    _close("2030-09-02", "2030-10-11")
    assert business_days.business_days_after(D("2030-08-30"), 1) == D("2030-10-14")
    assert business_days.business_days_after(D("2030-08-30"), 2) == D("2030-10-15")
    # the answer on the last day of the first window is read within it
    assert business_days.business_days_after(D("2030-10-04"), 0) == D("2030-10-14")


def test_business_day_before_is_exact_across_a_closure_of_many_weeks(db: None) -> None:
    # Closed from Monday 2 September to Friday 11 October 2030: the business day before
    # Monday 14 October is Friday 30 August, six weeks back.
    _close("2030-09-02", "2030-10-11")
    assert business_days.business_day_before(D("2030-10-14")) == D("2030-08-30")
    # a holiday on that answer too: the day before it, read from a window further back
    Holiday.objects.create(date=D("2030-08-30"), name="Closure")
    assert business_days.business_day_before(D("2030-10-14")) == D("2030-08-29")
