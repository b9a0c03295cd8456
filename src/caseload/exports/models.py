"""An export asked for on a page: its record while a background job writes the file, then
where the file is until it expires (docs/architecture.md, "Exports")."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caseload.core.models import BaseModel, text_field
from caseload.core.validators import SHORT_TEXT


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Preparing"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


class Export(BaseModel):
    """One requested export: who asked, what kind with which filters, how far the job is, and
    the file it wrote (a name in Django's default storage) until ``expires_at``."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=60)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_written = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    error = text_field(SHORT_TEXT, blank=True)
    file_name = models.CharField(max_length=255, blank=True)  # in default_storage
    download_name = models.CharField(max_length=120)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} export ({self.get_status_display()})"

    @property
    def in_progress(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
