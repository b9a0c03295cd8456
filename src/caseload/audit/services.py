"""Writing audit events. Called inside the same transaction as the change it records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from caseload.audit.models import AuditEvent
from caseload.core import clock, request_context

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User


def audit_record(
    *,
    actor: User,
    action: str,
    target: models.Model,
    client: Client | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event for ``action`` by ``actor`` on ``target``; returns it."""
    info = request_context.current()
    return AuditEvent.objects.create(
        occurred_at=clock.now(),
        actor=actor,
        actor_label=actor.get_username(),
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        client=client,
        request_id=info.request_id,
        ip_address=info.ip_address,
        detail=detail or {},
    )


def audit_record_many(
    *,
    actor: User,
    action: str,
    targets: list[tuple[models.Model, Client | None]],
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one event per target in a single insert (list pages that show records)."""
    info = request_context.current()
    at = clock.now()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                occurred_at=at,
                actor=actor,
                actor_label=actor.get_username(),
                action=action,
                target_type=target._meta.label_lower,
                target_id=str(target.pk),
                client=client,
                request_id=info.request_id,
                ip_address=info.ip_address,
                detail=detail or {},
            )
            for target, client in targets
        ]
    )
