"""Template helpers for care plan pages and the chart's care plan section."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.dateformat import format as format_date

from caseload.careplans.models import CarePlan

register = template.Library()


@register.filter
def plan_for_enrolment(enrolment: Any, careplans: Iterable[CarePlan] | None) -> CarePlan | None:
    """The plan of ``enrolment`` among already loaded ``careplans`` (no database query)."""
    for plan in careplans or ():
        if plan.enrolment_id == enrolment.pk:
            return plan
    return None


@register.filter
def iso_date(value: str | None) -> str:
    """An ISO date from a version snapshot shown as '30 September 2026'."""
    if not value:
        return ""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return format_date(day, "j F Y")
