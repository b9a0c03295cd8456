"""A bulk reassignment as it runs: what was confirmed, and how far it got (its progress)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caseload.core.models import BaseModel, text_field
from caseload.core.validators import LONG_TEXT, SHORT_TEXT


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    #: Each enrolment checked against the preview, a chunk at a time (``checked`` of ``total``).
    CHECKING = "checking", "Checking the clients"
    #: Every enrolment moved in one transaction: none is moved until all are.
    RUNNING = "running", "Moving the clients"
    DONE = "done", "Done"
    FAILED = "failed", "Nothing was moved"


class ReassignmentBatch(BaseModel):
    """One confirmed bulk reassignment: the moves the senior confirmed on the preview (enrolment,
    the version the preview showed, the receiver) and its progress. A batch first checks its
    enrolments a chunk at a time (``checked`` of ``total``, committed as it goes), then moves
    them in one transaction, all or nothing (``done``: enrolments moved, 0 until that
    transaction commits): it ends ``done`` with every client moved or ``failed`` with none, and
    the reason."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = text_field(SHORT_TEXT)
    #: [{"enrolment": "<uuid>", "version": 3, "to": 17}, …] as confirmed on the preview.
    moves = models.JSONField(default=list)
    status = models.CharField(
        max_length=12, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    checked = models.PositiveIntegerField(default=0, db_default=0)
    done = models.PositiveIntegerField(default=0)
    clients_moved = models.PositiveIntegerField(default=0)
    tasks_moved = models.PositiveIntegerField(default=0)
    error = text_field(LONG_TEXT, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_finished(self) -> bool:
        return self.status in (BatchStatus.DONE, BatchStatus.FAILED)

    @property
    def percent(self) -> int:
        """How far the check has got (the move itself is one step: none, then all)."""
        if self.status == BatchStatus.DONE or not self.total:
            return 100
        return round(100 * self.checked / self.total)
