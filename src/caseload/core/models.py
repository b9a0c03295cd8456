"""The base models Caseload's records build on (a UUID key and creation/update times, the
optimistic lock, entered in error, co-sign), and the organisation's holidays the business-day
arithmetic (``core.business_days``) counts on."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models

from caseload.core.validators import SHORT_TEXT


def text_field(max_length: int, **kwargs: Any) -> models.TextField[str, str]:
    """Free text of at most ``max_length`` characters (``core.validators``' limits): checked by
    the model's validation, and given to its form fields (``maxlength``). Stored as ``text``, so a
    longer value written before the limit still loads and renders."""
    return models.TextField(
        max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )


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
    entered_in_error_reason = text_field(SHORT_TEXT, blank=True)

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


class CosignStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", "Not required"
    PENDING = "pending", "Awaiting co-sign"
    COSIGNED = "cosigned", "Co-signed"
    RETURNED = "returned", "Returned with comment"


class Cosigned(models.Model):
    """A junior's work waits for their supervisor's co-sign (progress notes, care plan versions):
    whether it must, who co-signs, when they did, and their comment when they sent it back.
    The transitions are ``caseload.access.cosign``'s."""

    cosign_status = models.CharField(
        max_length=20, choices=CosignStatus.choices, default=CosignStatus.NOT_REQUIRED
    )
    cosigner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    return_comment = text_field(SHORT_TEXT, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def awaiting_cosign_by(user_id: Any) -> models.Q:
        """The condition for records waiting for ``user_id``'s co-sign (the co-sign queue)."""
        return models.Q(cosigner_id=user_id, cosign_status=CosignStatus.PENDING)
