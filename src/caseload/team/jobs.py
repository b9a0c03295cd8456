"""Where a confirmed reassignment runs: inline, in the request, for an ordinary batch; as a
background job (``caseload.core.jobs``) for a large one (more than
``settings.REASSIGN_INLINE_LIMIT`` enrolments). Either way the batch's row is its progress and
outcome, which the page the senior is sent to reads (and polls until it is finished)."""

from __future__ import annotations

from caseload.core import jobs
from caseload.team.models import ReassignmentBatch
from caseload.team.services import reassignment_batch_run

JOB = "caseload.team.jobs.reassignment_batch_job"


def start(batch: ReassignmentBatch, *, inline: bool) -> ReassignmentBatch:
    """Run ``batch`` now (``inline``) or queue it for a worker; returns its row as it is."""
    if inline:
        return reassignment_batch_run(batch.pk)
    jobs.enqueue(JOB, str(batch.pk))
    return batch


def reassignment_batch_job(batch_id: str) -> str:
    """The job: run the queued batch (a batch already run is left as it is)."""
    batch = reassignment_batch_run(batch_id)
    if batch.error:
        return f"{batch.get_status_display()}: {batch.error}"
    return f"{batch.get_status_display()}: {batch.clients_moved} clients moved"
