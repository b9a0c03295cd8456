"""The demo directory: ``fixtures/directory_demo.csv``, imported the way an administrator's CSV
upload is (checked, then each accepted row applied)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from caseload.directory import services
from caseload.directory.csv_import import check_directory_csv

DIRECTORY_CSV = Path(__file__).resolve().parent / "fixtures" / "directory_demo.csv"


def seed_directory() -> int:
    """Import the demo directory; returns the number of services it made."""
    report = check_directory_csv(DIRECTORY_CSV.read_text(encoding="utf-8"))
    for row in report.accepted:
        with transaction.atomic():
            services._apply_row(row)
    return len(report.accepted)
