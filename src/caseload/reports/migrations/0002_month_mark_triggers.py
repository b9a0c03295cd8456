"""PostgreSQL triggers that mark the months a write changes (``reports/marks.py``); nothing on
SQLite. Adds a statement-level trigger per write kind to eleven tables; no table is rewritten."""

from django.db import migrations

from caseload.reports import marks


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("enrolments", "0004_team_view_index"),
        ("notes", "0007_report_month_indexes"),
        ("careplans", "0004_team_view_indexes"),
        ("referrals", "0002_text_limits"),
        ("assessments", "0002_response_series_index"),
        ("transitions", "0002_text_limits"),
    ]

    operations = [migrations.RunPython(marks.install, marks.uninstall, elidable=False)]
