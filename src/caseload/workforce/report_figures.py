"""The month report's credentials section (reports/extensions.py finds this module): licences
and certifications expiring within 90 days of the month's end, and those already lapsed, for the
staff of the programs reported on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caseload.workforce.compliance import FIRST_REMINDER_DAYS
from caseload.workforce.selectors import credentials_expiring_counts


def month_figures(
    *, first_day: dt.date, end: dt.date, program_ids: list[Any] | None, **_: Any
) -> dict[str, Any]:
    expiring, lapsed = credentials_expiring_counts(
        start=end, days=FIRST_REMINDER_DAYS, program_ids=program_ids
    )
    return {
        "title": "Credentials",
        "rows": [
            {
                "label": f"Licences and certifications expiring within {FIRST_REMINDER_DAYS} "
                "days of the month's end",
                "value": sum(expiring.values()),
                "per_care_manager": expiring,
            },
            {
                "label": "Lapsed at the month's end (expired or inactive)",
                "value": sum(lapsed.values()),
                "per_care_manager": lapsed,
            },
        ],
    }
