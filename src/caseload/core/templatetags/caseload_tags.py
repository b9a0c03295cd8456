"""Template helpers shared by every page."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils import timezone

from caseload.core import clock

register = template.Library()


@register.filter
def age(born: dt.date | None) -> str:
    if born is None:
        return ""
    day = clock.today()
    return str(day.year - born.year - ((day.month, day.day) < (born.month, born.day)))


@register.filter
def days_ago(value: dt.datetime | dt.date | None) -> str:
    """'today', 'yesterday', 'N days ago' or 'never' for a past moment."""
    if value is None:
        return "never"
    day = timezone.localdate(value) if isinstance(value, dt.datetime) else value
    delta = (clock.today() - day).days
    if delta <= 0:
        return "today"
    if delta == 1:
        return "yesterday"
    return f"{delta} days ago"


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (sorting, paging, filters)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.lists()), doseq=True) if params else "?"
