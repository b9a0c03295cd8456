"""`caseload seed_demo`: a realistic demo organisation to look around in (DEBUG only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from caseload.core.errors import AppError
from caseload.demo import data
from caseload.demo.seed import SeedResult, seed_demo

REFUSAL = (
    "seed_demo creates staff accounts with a published password, so it only runs in a "
    "development setup: DEBUG is off here. Set CASELOAD_DEBUG=1 for a local demo database; "
    "never seed the demo into a database that holds real clients."
)


class Command(BaseCommand):
    help = (
        f"Create the {data.ORGANISATION} demo organisation (programs, staff at every career "
        "level, about 60 clients with plans, notes and tasks) and print the demo sign-ins. "
        "Running it again changes nothing. Refused when DEBUG is off."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(REFUSAL)
        try:
            result = seed_demo()
        except AppError as error:
            raise CommandError(error.message) from error
        self.report(result)

    def report(self, result: SeedResult) -> None:
        if result.created:
            made = result.counts
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created the {data.ORGANISATION} demo organisation: "
                    f"{made['enrolments.Program']} programs, {made['staff.User']} staff, "
                    f"{made['clients.Client']} clients, {made['enrolments.Enrolment']} "
                    f"enrolments, {made['careplans.CarePlan']} care plans, "
                    f"{made['notes.ProgressNote']} notes, {made['tasks.Task']} tasks."
                )
            )
        else:
            self.stdout.write("Demo organisation already present: nothing was changed.")
        rows = [("Username", "Password", "Role", "What to look at")]
        rows += [(s.username, s.password, s.role, s.look_at) for s in result.sign_ins]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (every account uses the password {data.DEMO_PASSWORD}):")
        for number, row in enumerate(rows):
            cells = [row[i].ljust(widths[i]) for i in range(3)]
            self.stdout.write("  " + "  ".join([*cells, row[3]]).rstrip())
            if number == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in [*widths, len(row[3])]))
