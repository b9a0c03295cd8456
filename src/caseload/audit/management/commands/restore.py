"""`caseload restore FILE`: load a `caseload backup` into an empty database, then verify it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from caseload.audit.chain import verify


class Command(BaseCommand):
    help = "Restore a backup into an empty database (migrations are applied first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if get_user_model().objects.exists():
            raise CommandError(
                "This database already holds records. Restore only into an empty database "
                "(create a new one and point DATABASE_URL at it)."
            )
        with transaction.atomic():
            call_command("loaddata", options["file"], verbosity=0)
        result = verify()
        if not result.ok:
            raise CommandError(
                f"Restored, but the audit chain is broken at event {result.broken_at}: "
                f"{result.problem}. Do not use this copy; investigate the backup."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {options['file']}; audit chain intact ({result.checked} events)."
            )
        )
