"""The audit hash chain: how events, the head and checkpoints are signed, and verifying it all.

An event's hash is an HMAC-SHA256, under the key its ``key_id`` names, of its content in
canonical JSON chained to the previous event's hash. Keys come from settings (the environment),
never from the database: someone who can write to the database but does not hold the key cannot
recompute the chain after editing, deleting or inserting an event. Events written before keyed
hashes carry ``key_id`` "sha256-legacy" and a plain SHA-256; only events up to the head's signed
``legacy_until`` may.

The head (last sequence and hash) is signed too, so removing the tail of the chain is detected;
a checkpoint is the signed head written outside the database (`caseload audit checkpoint`), so
even rolling the whole database back to an earlier copy is detected by
`caseload audit verify --checkpoints FILE`.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db.models import Max

from caseload.audit.models import GENESIS_HASH, LEGACY_KEY_ID, AuditChainHead, AuditEvent


def audit_keys() -> dict[str, bytes]:
    """Every key id this server holds, current and retired, with its key."""
    return {key_id: key.encode() for key_id, key in settings.AUDIT_HMAC_KEYS.items()}


def signing_key() -> tuple[str, bytes]:
    """The id and key that sign new events, the head and checkpoints."""
    key_id: str = settings.AUDIT_HMAC_KEY_ID
    return key_id, audit_keys()[key_id]


def event_hash(fields: dict[str, Any], prev_hash: str, *, key_id: str, key: bytes | None) -> str:
    """The event's hash: HMAC-SHA256 under ``key`` (its id is part of what is signed), or the
    plain SHA-256 of the legacy scheme."""
    content = {**fields, "prev_hash": prev_hash}
    if key_id != LEGACY_KEY_ID:
        content["key_id"] = key_id
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()
    if key_id == LEGACY_KEY_ID:
        return hashlib.sha256(payload).hexdigest()
    if key is None:
        raise ValueError(f"no key for audit key id {key_id!r}")
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


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


def _mac(key: bytes, *parts: Any) -> str:
    message = ":".join(["caseload-audit", *(str(part) for part in parts)])
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def head_signature(head: AuditChainHead, key: bytes) -> str:
    return _mac(key, "head", head.sequence, head.hash, head.legacy_until)


def sign_head(head: AuditChainHead) -> None:
    """Sign the head (not saved) with the current key."""
    head.key_id, key = signing_key()
    head.signature = head_signature(head, key)


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at a moment, signed: one line of the operator's checkpoint file."""

    sequence: int
    hash: str
    at: str
    key_id: str
    signature: str

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    def expected_signature(self, key: bytes) -> str:
        return _mac(key, "checkpoint", self.sequence, self.hash, self.at)


def checkpoint_of(head: AuditChainHead, at: datetime.datetime) -> Checkpoint:
    key_id, key = signing_key()
    unsigned = Checkpoint(head.sequence, head.hash, at.isoformat(), key_id, "")
    return Checkpoint(**(asdict(unsigned) | {"signature": unsigned.expected_signature(key)}))


def read_checkpoints(lines: Iterable[str]) -> list[Checkpoint]:
    """Checkpoints from the lines of a checkpoint file (blank lines skipped); ValueError names
    a line that is not one."""
    checkpoints = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            checkpoints.append(
                Checkpoint(
                    sequence=int(data["sequence"]),
                    hash=str(data["hash"]),
                    at=str(data["at"]),
                    key_id=str(data["key_id"]),
                    signature=str(data["signature"]),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"line {number} is not a checkpoint") from exc
    return checkpoints


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None  # sequence number of the first event that does not fit
    problem: str = ""


def _missing_key(key_id: str) -> str:
    return (
        f"signed with key {key_id!r}, which this server does not hold "
        "(add it to CASELOAD_AUDIT_RETIRED_KEYS)"
    )


def head_problem(head: AuditChainHead | None, keys: dict[str, bytes] | None = None) -> str:
    """What is wrong with the chain head (missing, unsigned, forged), or ""."""
    keys = audit_keys() if keys is None else keys
    if head is None:
        return "the chain head is missing"
    key = keys.get(head.key_id)
    if key is None:
        return "the chain head is unsigned" if not head.key_id else _missing_key(head.key_id)
    if not hmac.compare_digest(head_signature(head, key), head.signature):
        return "the chain head was changed outside Caseload (its signature does not match)"
    return ""


def _checkpoint_problem(checkpoint: Checkpoint, keys: dict[str, bytes]) -> str:
    key = keys.get(checkpoint.key_id)
    if key is None:
        return f"the checkpoint of event {checkpoint.sequence} is " + _missing_key(
            checkpoint.key_id
        )
    if not hmac.compare_digest(checkpoint.expected_signature(key), checkpoint.signature):
        return f"the checkpoint of event {checkpoint.sequence} ({checkpoint.at}) is not genuine"
    return ""


def _event_problem(
    event: AuditEvent, head: AuditChainHead, keys: dict[str, bytes], expected: tuple[int, str]
) -> str:
    expected_sequence, expected_prev = expected
    if event.sequence != expected_sequence:
        if event.sequence > expected_sequence:
            return f"event {expected_sequence} is missing (next present is {event.sequence})"
        return f"event {event.sequence} appears out of order or twice"
    if event.prev_hash != expected_prev:
        return f"event {event.sequence} does not follow its predecessor"
    if event.key_id == LEGACY_KEY_ID:
        if event.sequence > head.legacy_until:
            return (
                f"event {event.sequence} claims the unkeyed legacy hash but was written after "
                "keyed hashes began"
            )
    elif event.key_id not in keys:
        return f"event {event.sequence} is " + _missing_key(event.key_id)
    computed = event_hash(
        hashed_fields(event), event.prev_hash, key_id=event.key_id, key=keys.get(event.key_id)
    )
    if not hmac.compare_digest(computed, event.hash):
        return f"event {event.sequence} was changed after it was written"
    return ""


def verify(*, checkpoints: Sequence[Checkpoint] = ()) -> VerifyResult:
    """Walk the chain up to its head; report the first changed, missing, inserted or unkeyed
    event, a tail shorter than the head, and any checkpointed head the database no longer
    holds."""
    keys = audit_keys()
    head = AuditChainHead.objects.filter(pk=1).first()
    problem = head_problem(head, keys)
    if head is None or problem:
        return VerifyResult(False, 0, None, problem)
    for checkpoint in checkpoints:
        problem = _checkpoint_problem(checkpoint, keys)
        if problem:
            return VerifyResult(False, 0, checkpoint.sequence, problem)
    pinned = {checkpoint.sequence: checkpoint for checkpoint in checkpoints}
    # Only up to the head read above: events appended since are checked next time.
    rows = (
        AuditEvent.objects.filter(sequence__lte=head.sequence)
        .order_by("sequence")
        .iterator(chunk_size=2000)
    )
    expected_prev, checked = GENESIS_HASH, 0
    for event in rows:
        problem = _event_problem(event, head, keys, (checked + 1, expected_prev))
        if problem:
            return VerifyResult(False, checked, checked + 1, problem)
        pin = pinned.get(event.sequence)
        if pin is not None and not hmac.compare_digest(pin.hash, event.hash):
            return VerifyResult(
                False,
                checked,
                event.sequence,
                f"event {event.sequence} differs from the checkpoint of {pin.at}: the chain "
                "was rewritten",
            )
        expected_prev = event.hash
        checked += 1
    return _compare_with_head(head, checked, expected_prev, pinned)


def _compare_with_head(
    head: AuditChainHead, checked: int, last_hash: str, pinned: dict[int, Checkpoint]
) -> VerifyResult:
    if checked < head.sequence:
        return VerifyResult(
            False,
            checked,
            checked + 1,
            f"the chain ends at event {checked} but its head is at event {head.sequence}: "
            f"events {checked + 1} to {head.sequence} were removed",
        )
    if not hmac.compare_digest(last_hash, head.hash):
        return VerifyResult(
            False, checked, checked, f"event {checked} is not the event the chain head names"
        )
    beyond = [sequence for sequence in pinned if sequence > head.sequence]
    if beyond:
        at = pinned[min(beyond)].at
        return VerifyResult(
            False,
            checked,
            checked + 1,
            f"the checkpoint of {at} names event {min(beyond)}, past the chain's end at "
            f"event {checked}: events were removed and the head moved back",
        )
    fresh = AuditChainHead.objects.filter(pk=1).values_list("sequence", flat=True).first() or 0
    latest = AuditEvent.objects.aggregate(latest=Max("sequence"))["latest"] or 0
    if latest > max(fresh, head.sequence):
        return VerifyResult(
            False,
            checked,
            max(fresh, head.sequence) + 1,
            f"event {max(fresh, head.sequence) + 1} lies beyond the chain head",
        )
    return VerifyResult(True, checked)
