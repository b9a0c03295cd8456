"""Audit migrations 0004-0005: a database whose events were hashed with plain SHA-256 keeps
verifying them, new events are signed with the key, and no later event can pass as legacy."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from caseload.audit.chain import verify
from caseload.audit.models import LEGACY_KEY_ID, AuditChainHead, AuditEvent
from caseload.audit.services import audit_record

BEFORE = [("audit", "0003_chain_head")]


def _old_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """Caseload's hash before keyed hashes, spelled out here so the test pins it."""
    payload = json.dumps(
        {**fields, "prev_hash": prev_hash}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _write_old_events(apps: Any, org: Any, count: int) -> None:
    event_model = apps.get_model("audit", "AuditEvent")
    head_model = apps.get_model("audit", "AuditChainHead")
    head, _ = head_model.objects.get_or_create(pk=1)
    for n in range(count):
        head.sequence += 1
        at = timezone.now().replace(microsecond=0)
        fields = {
            "sequence": head.sequence,
            "occurred_at": at.isoformat(),
            "actor_id": org.junior.pk,
            "actor_label": "junior",
            "action": "client.viewed",
            "target_type": "clients.client",
            "target_id": str(org.junior_client.pk),
            "client_id": str(org.junior_client.pk),
            "request_id": "",
            "ip_address": None,
            "detail": {"n": n},
        }
        digest = _old_hash(fields, head.hash)
        event_model.objects.create(
            sequence=head.sequence,
            occurred_at=at,
            actor_id=org.junior.pk,
            actor_label="junior",
            action="client.viewed",
            target_type="clients.client",
            target_id=str(org.junior_client.pk),
            client_id=org.junior_client.pk,
            detail={"n": n},
            prev_hash=head.hash,
            hash=digest,
        )
        head.hash = digest
    head.save()


@contextmanager
def _triggers_lifted() -> Iterator[None]:
    """Edit events as a database superuser could (the append-only trigger lifted)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            connection.cursor().execute("SET LOCAL session_replication_role = replica")
        yield


@pytest.mark.django_db(transaction=True)
def test_legacy_events_still_verify_and_new_ones_are_keyed(org: Any) -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    _write_old_events(executor.loader.project_state(BEFORE).apps, org, 3)
    MigrationExecutor(connection).migrate(latest)

    assert set(AuditEvent.objects.values_list("key_id", flat=True)) == {LEGACY_KEY_ID}
    assert AuditChainHead.objects.get(pk=1).legacy_until == 3
    assert verify().ok
    audit_record(actor=org.junior, action="client.viewed", target=org.junior_client)
    assert AuditEvent.objects.get(sequence=4).key_id != LEGACY_KEY_ID
    result = verify()
    assert (result.ok, result.checked) == (True, 4)

    # A legacy event edited and re-hashed the old way is still caught by the chain ...
    with _triggers_lifted():
        AuditEvent.objects.filter(sequence=2).update(actor_label="mallory")
    assert (verify().ok, verify().broken_at) == (False, 2)
    with _triggers_lifted():
        AuditEvent.objects.filter(sequence=2).update(actor_label="junior")
    # ... and a keyed event cannot be passed off as legacy.
    event = AuditEvent.objects.get(sequence=4)
    fields = {
        "sequence": 4,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": "mallory",
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "client_id": None,
        "request_id": event.request_id,
        "ip_address": event.ip_address,
        "detail": event.detail,
    }
    with _triggers_lifted():
        AuditEvent.objects.filter(sequence=4).update(
            actor_label="mallory", key_id=LEGACY_KEY_ID, hash=_old_hash(fields, event.prev_hash)
        )
    result = verify()
    assert (result.ok, result.broken_at) == (False, 4)
    assert "claims the unkeyed legacy hash" in result.problem
