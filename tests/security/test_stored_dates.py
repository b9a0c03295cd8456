"""Dates stored before the input windows existed (issue 10): an appointment saved for the last
evening of year 9999, a task due on 0001-01-01 … Every date and time of every record is set
to the ends of the calendar directly in the database (times within the day that migration
appointments 0003 leaves them), and every page still renders for the care manager, their
supervisor and a director."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client as HttpClient

from tests.security.test_hostile_input import _urls
from tests.test_access_matrix import PUBLIC

#: The latest and earliest moments Python can hold (year 10000 in UTC is PostgreSQL's alone:
#: see test_a_time_past_year_9999_is_brought_back_by_the_migration).
#: (day, a time, a time an hour later: an end must follow its start).
ENDS = {
    "year 9999": (
        dt.date(9999, 12, 31),
        dt.datetime(9999, 12, 30, 22, 59, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 30, 23, 59, tzinfo=dt.UTC),
    ),
    "year 1": (
        dt.date(1, 1, 1),
        dt.datetime(1, 1, 2, 0, 0, tzinfo=dt.UTC),
        dt.datetime(1, 1, 2, 1, 0, tzinfo=dt.UTC),
    ),
}
#: Pages known to fail at one end, each with its reason: a gap to close, not a decision. The
#: test fails when a listed page renders (take it off) or another page fails.
KNOWN_GAPS: dict[tuple[str, str], str] = {}
SYSTEM_TIMES = {
    "created_at",
    "updated_at",
    "occurred_at",
    "expires_at",
    "last_login",
    "date_joined",
}


def _set_every_date(day: dt.date, moment: dt.datetime, later: dt.datetime) -> int:
    """Every date and time a person enters, on every record of the domain apps, set to
    ``day`` / ``moment`` (ends: ``later``) with an UPDATE: no validation, as an old row."""
    changed = 0
    for model in apps.get_models():
        if not model.__module__.startswith("caseload.") or model._meta.app_label in {
            "audit",
            "staff",
        }:
            continue
        values: dict[str, Any] = {}
        for field in model._meta.concrete_fields:
            if field.name in SYSTEM_TIMES or field.unique or getattr(field, "auto_now", False):
                continue
            if isinstance(field, models.DateTimeField):
                values[field.name] = later if field.name.startswith("ends") else moment
            elif isinstance(field, models.DateField):
                values[field.name] = day
        if values:
            changed += model._default_manager.update(**values)
    return changed


@pytest.mark.django_db
@pytest.mark.parametrize("end", list(ENDS))
def test_every_page_renders_with_dates_at_the_ends_of_the_calendar(org: Any, end: str) -> None:
    urls = _urls(org)
    assert _set_every_date(*ENDS[end]) > 10
    # A director reaches every page; the care manager's worklist and their supervisor's view of
    # it are the pages the probe saw fail.
    visits = [(org.director, name, url) for name, url in urls if name not in PUBLIC]
    visits += [
        (org.junior, "worklist:caseload", "/"),
        (org.supervisor, "worklist:caseload", f"/?view=staff:{org.junior.pk}"),
    ]
    failures, sessions = [], {}
    for user, name, url in visits:
        if user.pk not in sessions:
            sessions[user.pk] = HttpClient(raise_request_exception=False)
            sessions[user.pk].force_login(user)
        http = sessions[user.pk]
        if name == "logout":
            continue
        status = http.get(url).status_code
        if (status >= 500) != ((end, name) in KNOWN_GAPS):
            failures.append(f"{user.username}: {name} {url} -> {status}")
    assert not failures, "\n".join(failures)
