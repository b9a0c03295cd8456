"""``caseload jobs``: the background jobs at a glance, for the IT administrator.

- ``caseload jobs list``: the periodic jobs with their next run, how many jobs wait in the
  queue, and the jobs that failed in the last seven days (newest first).
- ``caseload jobs sync``: write the periodic jobs' schedules (``caseload migrate`` does it too).

The worker and scheduler itself is ``caseload qcluster`` (django-q2's command).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caseload.core import clock, jobs


class Command(BaseCommand):
    help = "List the background jobs (periodic, queued, failed) or write the periodic schedules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "sync"])

    def handle(self, *args: Any, **options: Any) -> None:
        from django_q.models import Failure, OrmQ, Schedule

        if options["action"] == "sync":
            jobs.sync_schedules()
            self.stdout.write(f"{len(jobs.periodic_jobs())} periodic jobs scheduled.")
            return
        self.stdout.write("Periodic jobs:")
        schedules = {
            s.name: s for s in Schedule.objects.filter(name__startswith=jobs.SCHEDULE_PREFIX)
        }
        for job in jobs.periodic_jobs():
            schedule = schedules.get(jobs.SCHEDULE_PREFIX + job.name)
            next_run = (
                f"{schedule.next_run:%Y-%m-%d %H:%M} UTC"
                if schedule
                else "not scheduled (run caseload jobs sync)"
            )
            self.stdout.write(
                f"  {job.name}: every {job.minutes} min, next {next_run} — {job.description}"
            )
        self.stdout.write(f"Queued: {OrmQ.objects.count()}")
        since = clock.now() - dt.timedelta(days=7)
        failed = Failure.objects.filter(stopped__gte=since).order_by("-stopped")
        self.stdout.write(f"Failed in the last 7 days: {failed.count()}")
        for failure in failed[:20]:
            first_line = str(failure.result).splitlines()[0] if failure.result else ""
            self.stdout.write(f"  {failure.stopped:%Y-%m-%d %H:%M} {failure.name}: {first_line}")
