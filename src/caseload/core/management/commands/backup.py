"""`caseload backup FILE`: a logical dump of every Caseload record, restorable anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

# Derived or transient tables: rebuilt by migrations (content types, permissions, the periodic
# job schedules), worthless after a restore (sessions, sign-in attempt counters and lockouts),
# operational (the job queue and its results) or a cache (the month report's kept months and
# their marks: computed again from the restored rows). README's "What a backup leaves out".
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "axes",
    "django_q",
    "reports.monthfigures",
    "reports.monthmark",
]


class Command(BaseCommand):
    help = (
        "Write a logical backup (JSON, gzip-compressed when FILE ends in .gz) of every record. "
        "On PostgreSQL, pg_dump is the faster nightly tool; this works on any database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="for example caseload-2026-11-25.json.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if path.exists():
            raise CommandError(f"{path} exists; choose a new file name.")
        call_command(
            "dumpdata",
            natural_foreign=True,
            exclude=EXCLUDED,
            output=str(path),
            verbosity=0,
        )
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}."))
