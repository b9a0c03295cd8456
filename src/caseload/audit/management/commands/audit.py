"""`caseload audit verify`: check the audit hash chain and name the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseload.audit.chain import verify


class Command(BaseCommand):
    help = "Audit trail tools. `verify` checks the hash chain end to end."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify()
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at event {result.broken_at}: {result.problem}. "
                f"{result.checked} events before it are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} events."))
