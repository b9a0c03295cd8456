"""`caseload staff_grant USERNAME ...`: grant rights from the server's console.

How the first administrator and the first director are made (nobody in the application may
grant themselves anything). It acts as the system actor and every change is audited like any
other; whoever runs it already operates the server."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseload.access import services
from caseload.core.errors import AppError
from caseload.staff.models import CareerLevel, User
from caseload.staff.services import system_actor


class Command(BaseCommand):
    help = "Grant administrator or privacy-officer rights, or a career level, from the console."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--administrator", action="store_true")
        parser.add_argument("--privacy-officer", action="store_true")
        parser.add_argument("--career-level", choices=CareerLevel.values)
        parser.add_argument("--reason", required=True, help="recorded in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No account {options['username']!r}.") from exc
        changes: dict[str, Any] = {}
        if options["administrator"]:
            changes["is_administrator"] = True
        if options["privacy_officer"]:
            changes["is_privacy_officer"] = True
        if options["career_level"]:
            changes["career_level"] = options["career_level"]
        if not changes:
            raise CommandError(
                "Say what to grant: --administrator, --privacy-officer, --career-level."
            )
        try:
            services.staff_update(
                actor=system_actor(), user=user, changes=changes, reason=options["reason"]
            )
        except AppError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"{user.username}: {', '.join(changes)} granted."))
