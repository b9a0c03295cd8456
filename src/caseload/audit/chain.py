"""The audit hash chain: how an event's hash is computed, and verifying the whole chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from caseload.audit.models import GENESIS_HASH, AuditEvent


def event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 over the event's content in canonical JSON, chained to the previous hash."""
    payload = json.dumps(
        {**fields, "prev_hash": prev_hash}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "client_id": str(event.client_id) if event.client_id else None,
        "request_id": event.request_id,
        "ip_address": event.ip_address,
        "detail": event.detail,
    }


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None  # sequence number of the first event that does not fit
    problem: str = ""


def verify(events: Iterable[AuditEvent] | None = None) -> VerifyResult:
    """Walk the chain in sequence order; report the first changed, missing or inserted event."""
    rows = (
        events
        if events is not None
        else AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000)
    )
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in rows:
        if event.sequence != expected_sequence:
            problem = (
                f"event {expected_sequence} is missing (next present is {event.sequence})"
                if event.sequence > expected_sequence
                else f"event {event.sequence} appears out of order or twice"
            )
            return VerifyResult(False, checked, expected_sequence, problem)
        if event.prev_hash != expected_prev:
            return VerifyResult(
                False,
                checked,
                event.sequence,
                f"event {event.sequence} does not follow its predecessor",
            )
        if event_hash(hashed_fields(event), event.prev_hash) != event.hash:
            return VerifyResult(
                False,
                checked,
                event.sequence,
                f"event {event.sequence} was changed after it was written",
            )
        expected_prev = event.hash
        expected_sequence += 1
        checked += 1
    return VerifyResult(True, checked)
