"""System checks for running Caseload in production (`caseload check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning


def data_dir_check(**kwargs: Any) -> list[CheckMessage]:
    """Warns when an installed Caseload keeps its files in var/ of whatever directory the
    command runs in, because CASELOAD_DATA_DIR is not set."""
    if getattr(settings, "DATA_DIR_ORIGIN", "") != "current directory":
        return []
    return [
        Warning(
            f"CASELOAD_DATA_DIR is not set, so Caseload keeps its files (static files, and the "
            f"SQLite database unless DATABASE_URL names another) in var/ of the current "
            f"directory: {settings.DATA_DIR}.",
            hint="Set CASELOAD_DATA_DIR to a directory of its own, e.g. /var/lib/caseload.",
            id="caseload.W001",
        )
    ]


def holidays_check(**kwargs: Any) -> list[CheckMessage]:
    """Errors for a country or state the holidays library does not know; a warning when this
    year or next has no holiday at all (business-day clocks would count every weekday)."""
    import holidays as holiday_calendars
    from django.db import DatabaseError

    from caseload.core import business_days, clock
    from caseload.core.models import Holiday

    country = settings.CASELOAD_HOLIDAYS_COUNTRY
    subdiv = settings.CASELOAD_HOLIDAYS_SUBDIV
    if country:
        supported = holiday_calendars.list_supported_countries()
        if country not in supported:
            return [
                Error(
                    f"CASELOAD_HOLIDAYS_COUNTRY={country!r} is not a country the holidays "
                    "library knows.",
                    hint="Use an ISO 3166 code such as US, CA, GB; or empty for none.",
                    id="caseload.E001",
                )
            ]
        if subdiv and subdiv not in supported[country]:
            return [
                Error(
                    f"CASELOAD_HOLIDAYS_SUBDIV={subdiv!r} is not a state or region of {country}.",
                    hint=f"One of: {', '.join(supported[country])}; or empty for none.",
                    id="caseload.E001",
                )
            ]
    elif subdiv:
        return [
            Error(
                "CASELOAD_HOLIDAYS_SUBDIV is set without CASELOAD_HOLIDAYS_COUNTRY.",
                id="caseload.E001",
            )
        ]
    this_year = clock.today().year
    missing = []
    for year in (this_year, this_year + 1):
        if business_days.public_holidays([year]):
            continue
        try:
            if Holiday.objects.filter(date__year=year).exists():
                continue
        except DatabaseError:  # not migrated yet: the organisation's days cannot be read
            pass
        missing.append(year)
    if not missing:
        return []
    years = " and ".join(str(year) for year in missing)
    return [
        Warning(
            f"No holidays in {years}: business-day clocks (transitional care, referral "
            "deadlines, reminders) will count every weekday.",
            hint="Set CASELOAD_HOLIDAYS_COUNTRY (and CASELOAD_HOLIDAYS_SUBDIV), or add the "
            "organisation's closure days in /admin/ → Holidays.",
            id="caseload.W002",
        )
    ]
