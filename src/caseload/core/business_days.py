"""Business-day arithmetic: Monday to Friday, less the holidays.

The holidays are the public holidays of the organisation's country and state, from the
``holidays`` library (``CASELOAD_HOLIDAYS_COUNTRY``, ``CASELOAD_HOLIDAYS_SUBDIV``; observed
dates included, for any year), plus the organisation's own closure days, which administrators
keep in the Holiday table (Django admin → Holidays).

The pure functions take the holidays as a set so rules can be tested without a database;
``holidays_between`` reads them once for a whole range.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Iterable

import holidays as holiday_calendars
from django.conf import settings

from caseload.core.models import Holiday

SATURDAY = 5


def public_holidays(years: Iterable[int]) -> dict[dt.date, str]:
    """The public holidays of the configured country (and state) in ``years``, by date."""
    found: dict[dt.date, str] = {}
    for year in years:
        found.update(
            _public_holidays(
                settings.CASELOAD_HOLIDAYS_COUNTRY, settings.CASELOAD_HOLIDAYS_SUBDIV, year
            )
        )
    return found


@functools.lru_cache(maxsize=256)
def _public_holidays(country: str, subdiv: str, year: int) -> dict[dt.date, str]:
    if not country:
        return {}
    calendar = holiday_calendars.country_holidays(country, subdiv=subdiv or None, years=year)
    return dict(calendar.items())


def is_business_day(day: dt.date, holidays: Collection[dt.date]) -> bool:
    return day.weekday() < SATURDAY and day not in holidays


def add_business_days(start: dt.date, days: int, holidays: Collection[dt.date]) -> dt.date:
    """The ``days``-th business day after ``start`` (``start`` itself never counts).

    Discharged on Friday, 2 business days → Tuesday; with Monday a holiday → Wednesday.
    ``days`` = 0 gives ``start`` if it is a business day, else the next business day.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    if days == 0:
        while not is_business_day(day, holidays):
            day += dt.timedelta(days=1)
        return day
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_business_day(day, holidays):
            counted += 1
    return day


def previous_business_day(day: dt.date, holidays: Collection[dt.date]) -> dt.date:
    """The last business day strictly before ``day``."""
    day -= dt.timedelta(days=1)
    while not is_business_day(day, holidays):
        day -= dt.timedelta(days=1)
    return day


def holidays_between(start: dt.date, end: dt.date) -> set[dt.date]:
    """Public holidays and the organisation's closure days from ``start`` to ``end`` inclusive
    (one query)."""
    return set(holiday_names_between(start, end))


def business_days_after(start: dt.date, days: int) -> dt.date:
    """``add_business_days`` with the holidays from the database.

    Holidays are read for a window of seven calendar days per business day plus two weeks (one
    query for any realistic calendar); should the answer fall beyond it (a closure of weeks),
    the window is doubled and the answer worked out again, so it is exact for any calendar.
    """
    span = days * 7 + 14
    while True:
        window_end = start + dt.timedelta(days=span)
        answer = add_business_days(start, days, holidays_between(start, window_end))
        if answer <= window_end:
            return answer
        span *= 2


def business_day_before(day: dt.date) -> dt.date:
    """``previous_business_day`` with the holidays from the database.

    Reads three weeks of holidays, and further back only when every day in them is off.
    """
    span = 21
    while True:
        window_start = day - dt.timedelta(days=span)
        answer = previous_business_day(day, holidays_between(window_start, day))
        if answer >= window_start:
            return answer
        span *= 2


def holiday_names_between(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Public holidays and the organisation's closure days from ``start`` to ``end`` inclusive,
    by date, each with its name (the organisation's name for a day it also lists; one query)."""
    names = {
        day: name
        for day, name in public_holidays(range(start.year, end.year + 1)).items()
        if start <= day <= end
    }
    names.update(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", "name"))
    return names
