"""The base model every Caseload record inherits (a UUID key and creation/update times), and the
organisation's holidays the business-day arithmetic (``core.business_days``) counts on."""

from __future__ import annotations

import uuid

from django.db import models


class BaseModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """Optimistic locking: forms carry the version they loaded; a stale save is a conflict."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class EnteredInError(models.Model):
    """Nothing is hard-deleted: a record entered in error is hidden from normal views with who,
    when and why, and stays in its history (FHIR status 'entered-in-error')."""

    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        "staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_in_error_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None


class Holiday(BaseModel):
    """A day the organisation does not count as a business day (administrators maintain these)."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d})"
