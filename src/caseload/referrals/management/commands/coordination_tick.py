"""``caseload coordination_tick``: the scheduled check for coordination deadlines.

Run it from a scheduler (cron, a systemd timer, Kubernetes CronJob) at least once each business
morning; every 15 minutes is fine too, because it is idempotent: a referral gets at most one
follow-up task per response deadline, however often the command runs. Example crontab line:

    */15 7-19 * * 1-5  cd /srv/caseload && .venv/bin/caseload coordination_tick

Pages never create these tasks as a side effect of being looked at; the worklist and the chart
derive "overdue" from the deadline itself, so they are right even if the job has not run yet.

It lives in referrals, which owns the follow-ups; it keeps its name because operators' crontabs
and the README use it. Nothing else needs ticking: an appointment's reminder task is set when it
is booked, and a discharge's clock tasks when it is recorded.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from caseload.referrals.services import referral_followups_create
from caseload.staff.services import system_actor


class Command(BaseCommand):
    help = (
        "Create follow-up tasks for referrals whose response deadline has passed unanswered. "
        "Idempotent: safe to run as often as you like."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        touched = referral_followups_create(actor=system_actor())
        self.stdout.write(
            f"coordination_tick: {len(touched)} referral follow-up task"
            f"{'s' if len(touched) != 1 else ''} created."
        )
