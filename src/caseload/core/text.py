"""Plain words the services and pages share: trimmed input, lists joined with "or", days
said the way people say them."""

from __future__ import annotations

import datetime as dt


def clean(value: str | None) -> str:
    """Text as typed, without surrounding spaces ("" for nothing)."""
    return (value or "").strip()


def or_list(words: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def day_words(day: dt.date, today: dt.date) -> str:
    """'today', 'tomorrow', 'yesterday', a weekday within the coming week, else 'Fri 6 Mar'."""
    if day == today:
        return "today"
    if day == today + dt.timedelta(days=1):
        return "tomorrow"
    if day == today - dt.timedelta(days=1):
        return "yesterday"
    if today < day < today + dt.timedelta(days=7):
        return day.strftime("%A")
    return f"{day:%a} {day.day} {day:%b}"
