"""Calendar months in the organisation's time zone: the report's unit of time."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from caseload.core import clock
from caseload.core.errors import ValidationFailed

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """The first day of the next month (the month is [first_day, end))."""
        return self.next().first_day

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def start_at(self) -> dt.datetime:
        """Midnight at the start of the month, in the organisation's time zone."""
        return _midnight(self.first_day)

    @property
    def end_at(self) -> dt.datetime:
        return _midnight(self.end)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return self.first_day.strftime("%B %Y")

    @property
    def short_label(self) -> str:
        return self.first_day.strftime("%b %Y")

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def trailing(self, count: int = 12) -> list[Month]:
        """The ``count`` months ending with this one, oldest first."""
        months = [self]
        while len(months) < count:
            months.insert(0, months[0].previous())
        return months


def _midnight(day: dt.date) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time())
    return timezone.make_aware(naive, timezone.get_default_timezone())


def month_of(day: dt.date) -> Month:
    return Month(day.year, day.month)


def last_complete_month() -> Month:
    """The month before today's (the report a director reads at month end)."""
    return month_of(clock.today()).previous()


def parse_month(text: str | None) -> Month:
    """'2026-11' → Month; empty → the last complete month; anything else → ValidationFailed."""
    if not text:
        return last_complete_month()
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        message = "Enter the month as YYYY-MM, for example 2026-11."
        raise ValidationFailed(message, field_errors={"month": [message]})
    month = Month(int(match.group(1)), int(match.group(2)))
    if month > month_of(clock.today()):
        message = "Choose this month or an earlier one."
        raise ValidationFailed(message, field_errors={"month": [message]})
    return month
