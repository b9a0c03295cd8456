"""Running the queued background jobs in the test process, as `caseload qcluster` would."""

from __future__ import annotations

from typing import Any

from django_q.models import OrmQ

from caseload.core import jobs


def run_queued_jobs() -> list[Any]:
    """Run every queued job (and any it queues) in order; return their results."""
    results = []
    while row := OrmQ.objects.order_by("id").first():
        task = row.task
        row.delete()
        assert task["func"] == "caseload.core.jobs.run", task["func"]
        results.append(jobs.run(*task["args"], **task["kwargs"]))
    return results
