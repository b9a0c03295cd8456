"""Plausible dates: the window each kind of date must fall in, checked where input is read
(forms and query parameters; docs/security.md, V5).

A date outside any sensible range (year 1, year 9999) is a typing slip or an attack, and one
near the ends of the calendar breaks arithmetic later (9999-12-31 22:00 in New York is year
10000 in UTC). So every date a person enters is held to a window around today:

- ``BIRTH``: 1 January 1900 to today.
- ``PLANNED``: appointments, due, review, target and expiry dates — ``DATE_WINDOW_YEARS``
  (setting ``CASELOAD_DATE_WINDOW_YEARS``, default 5) either side of today.
- ``HAPPENED``: contact times and other things that have happened — at most
  ``DATE_WINDOW_YEARS`` back. That they are not in the future (a contact time not even a
  minute ahead) is each service's rule, checked with the form's other rules so every problem
  is named at once; here the window only stops the implausible, ``DATE_WINDOW_YEARS`` ahead.
- ``BROWSING``: dates to look at (calendars, the audit search) — 1900 to ``DATE_WINDOW_YEARS``
  ahead.

``within(window, label)`` is the validator a form field carries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from caseload.core import clock

EARLIEST = dt.date(1900, 1, 1)


def years_from(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole years (29 February becomes the 28th in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _span() -> int:
    return int(settings.DATE_WINDOW_YEARS)


@dataclass(frozen=True)
class DateWindow:
    """The first and last acceptable day, worked out from today when asked."""

    earliest: Callable[[], dt.date]
    latest: Callable[[], dt.date]

    def contains(self, day: dt.date) -> bool:
        return self.earliest() <= day <= self.latest()


BIRTH = DateWindow(earliest=lambda: EARLIEST, latest=clock.today)
PLANNED = DateWindow(
    earliest=lambda: years_from(clock.today(), -_span()),
    latest=lambda: years_from(clock.today(), _span()),
)
HAPPENED = PLANNED
BROWSING = DateWindow(earliest=lambda: EARLIEST, latest=lambda: years_from(clock.today(), _span()))


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def within(window: DateWindow, label: str) -> Callable[[object], None]:
    """A validator for a date or datetime field: the value lies in ``window``; ``label`` starts
    the message ("Date of birth must be …")."""

    def validate(value: object) -> None:
        if isinstance(value, dt.datetime):
            # The day as entered (its own time zone): no conversion that could overflow.
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        else:
            return
        earliest, latest = window.earliest(), window.latest()
        if day < earliest:
            raise ValidationError(
                f"{label} must be on or after {_long(earliest)}.", code="date_too_early"
            )
        if day > latest:
            message = (
                f"{label} must be today or in the past."
                if latest == clock.today()
                else f"{label} must be on or before {_long(latest)}."
            )
            raise ValidationError(message, code="date_too_late")

    return validate


def add_days(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days``, stopping at the ends of the calendar: a date stored before the
    windows existed (9999-12-31) still works in arithmetic rather than overflowing."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min
