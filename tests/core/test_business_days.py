"""Business-day arithmetic across weekends and holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from caseload.core import business_days
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
def test_us_federal_holidays_for_2026_and_2027_are_seeded_on_weekdays() -> None:
    days = list(Holiday.objects.filter(date__year__in=[2026, 2027]).values_list("date", flat=True))
    assert len([d for d in days if d.year == 2026]) == 11
    assert len([d for d in days if d.year == 2027]) == 12  # includes 31 Dec for New Year 2028
    assert all(d.weekday() < 5 for d in days)  # observed dates, never a Saturday or Sunday
    assert D("2026-11-26") in days  # Thanksgiving
    assert D("2027-07-05") in days  # Independence Day observed on Monday


@pytest.mark.django_db
def test_business_days_after_reads_configured_holidays() -> None:
    Holiday.objects.create(date=D("2026-03-09"), name="Agency training day")
    assert business_days.business_days_after(D("2026-03-06"), 2) == D("2026-03-11")
    # The seeded Memorial Day counts without being passed in
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
