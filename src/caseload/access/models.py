"""Break the glass: time-limited access to a client outside one's scope, with a stated reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caseload.core.models import BaseModel, text_field
from caseload.core.validators import SHORT_TEXT


class BreakGlassGrant(BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    reason = text_field(SHORT_TEXT)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = text_field(SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "client", "expires_at"])]

    def __str__(self) -> str:
        return f"break the glass: {self.user_id} → {self.client_id}"
