"""Appointment times that cannot be read back, brought within the calendar (issue 10).

Before the date windows (core/dates.py), an appointment could be saved for 9999-12-31 22:00 in
New York: year 10000 in UTC, which PostgreSQL stores and Python cannot read, so every page
showing it failed. Such times (and any before 2 January of year 1, which cannot be shown in
a time zone west of UTC) are moved to the nearest time every page can show, keeping the hour
between start and end; they stay obviously wrong, and the appointment can now be opened and
corrected. SQLite never held them: Django could not convert them to UTC to write them.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

LATEST = "9999-12-30 23:00:00+00"
EARLIEST = "0001-01-02 00:00:00+00"


def bring_back(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    table = apps.get_model("appointments", "Appointment")._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET ends_at = %s::timestamptz,"  # noqa: S608 - the model's own table
            " starts_at = LEAST(starts_at, %s::timestamptz - interval '1 hour')"
            " WHERE ends_at > %s::timestamptz OR starts_at > %s::timestamptz - interval '1 hour'",
            [LATEST, LATEST, LATEST, LATEST],
        )
        cursor.execute(
            f"UPDATE {table} SET starts_at = %s::timestamptz,"  # noqa: S608
            " ends_at = GREATEST(ends_at, %s::timestamptz + interval '1 hour')"
            " WHERE starts_at < %s::timestamptz OR ends_at < %s::timestamptz + interval '1 hour'",
            [EARLIEST, EARLIEST, EARLIEST, EARLIEST],
        )


class Migration(migrations.Migration):
    dependencies = [("appointments", "0002_text_limits")]

    operations = [migrations.RunPython(bring_back, migrations.RunPython.noop, elidable=True)]
