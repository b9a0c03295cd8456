"""Append-only, hash-chained audit events: who did what to which record, when, from where.

Each event stores the hash of the event before it (by ``sequence``), so a changed, deleted or
inserted event breaks the chain at a point `caseload audit verify` names. The hash is an
HMAC-SHA256 under a key kept outside the database (``key_id`` names it), so the chain cannot be
recomputed after an edit by someone who can only write to the database; events written before
keyed hashes (``key_id`` "sha256-legacy") keep their plain SHA-256. The head row holds the last
sequence and hash, signed, so deleting the tail is detected too. On PostgreSQL the database
refuses UPDATE, DELETE (migration 0002) and TRUNCATE (migration 0006) of events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64
#: The key id of events hashed with plain SHA-256, before keyed hashes (migration 0004).
LEGACY_KEY_ID = "sha256-legacy"


class AuditEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    sequence = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64)
    client = models.ForeignKey(
        "clients.Client",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=40)

    class Meta:
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["client", "-occurred_at"]),
            models.Index(fields=["actor", "-occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class AuditChainHead(models.Model):
    """The single row holding the chain's tip; writers lock it to append in order.

    ``signature`` is an HMAC of (sequence, hash, legacy_until) under ``key_id``: the head cannot
    be moved back to hide deleted events without the key. ``legacy_until`` is the last event
    hashed with plain SHA-256 (set when keyed hashes arrived); no later event may claim it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    legacy_until = models.BigIntegerField(default=0)
    key_id = models.CharField(max_length=40, blank=True)
    signature = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit chain at {self.sequence}"
