"""Where a confirmed reassignment runs. An ordinary batch runs inline, in the request; a large
one (more than ``settings.REASSIGN_INLINE_LIMIT`` enrolments) is meant for the background job
queue (``caseload.core.jobs``), reporting its progress on the batch's row. Until that queue is
on main every batch runs inline: the page the senior is sent to reads the same row either way."""

from __future__ import annotations

from caseload.team.models import ReassignmentBatch
from caseload.team.services import reassignment_batch_run


def start(batch: ReassignmentBatch, *, inline: bool) -> ReassignmentBatch:
    """Run ``batch`` now (``inline``) or hand it to the job queue; returns its row as it is."""
    return reassignment_batch_run(batch.pk)
