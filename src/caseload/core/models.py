"""The base model every Caseload record inherits: a UUID key and creation/update times."""

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
