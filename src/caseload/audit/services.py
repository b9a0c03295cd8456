"""Writing audit events. Called inside the same transaction as the change it records.

Appending locks the chain head row, so events get consecutive sequence numbers and each hashes
its predecessor. The lock is held until the surrounding transaction commits; keep audited
transactions short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils.ipv6 import clean_ipv6_address

from caseload.audit.chain import event_hash, hashed_fields
from caseload.audit.models import AuditChainHead, AuditEvent
from caseload.core import clock, request_context

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User


def _append(events: list[AuditEvent]) -> list[AuditEvent]:
    # No savepoint: the event belongs to the caller's transaction and fails or commits with it.
    with transaction.atomic(savepoint=False):
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:  # a database flushed by tests or restored without the head row
            head, _ = AuditChainHead.objects.get_or_create(pk=1)
        for event in events:
            head.sequence += 1
            event.sequence = head.sequence
            event.prev_hash = head.hash
            event.hash = event_hash(hashed_fields(event), event.prev_hash)
            head.hash = event.hash
        AuditEvent.objects.bulk_create(events)
        head.save(update_fields=["sequence", "hash"])
    return events


def _event(
    actor: User,
    action: str,
    target: models.Model,
    client: Client | None,
    detail: dict[str, Any] | None,
) -> AuditEvent:
    info = request_context.current()
    ip = info.ip_address
    if ip and ":" in ip:
        ip = clean_ipv6_address(ip)  # stored normalised; hash what is stored
    at = clock.now()
    return AuditEvent(
        # Millisecond precision: what JSON backups keep, so restored events hash the same.
        occurred_at=at.replace(microsecond=at.microsecond // 1000 * 1000),
        actor=actor,
        actor_label=actor.get_username(),
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        client=client,
        request_id=info.request_id,
        ip_address=ip,
        detail=detail or {},
    )


def audit_record(
    *,
    actor: User,
    action: str,
    target: models.Model,
    client: Client | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event for ``action`` by ``actor`` on ``target``; returns it."""
    return _append([_event(actor, action, target, client, detail)])[0]


def audit_record_many(
    *,
    actor: User,
    action: str,
    targets: list[tuple[models.Model, Client | None]],
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one event per target in a single insert (list pages that show records)."""
    if targets:
        _append([_event(actor, action, target, client, detail) for target, client in targets])
