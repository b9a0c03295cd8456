"""Writing audit events. Called inside the same transaction as the change it records.

Appending locks the chain head row, so events get consecutive sequence numbers and each hashes
its predecessor (HMAC under the current key, ``chain.signing_key``); the head is signed again.
The lock is held until the surrounding transaction commits; keep audited transactions short.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from django.db import connection, models, transaction
from django.utils.ipv6 import clean_ipv6_address

from caseload.audit.chain import event_hash, hashed_fields, sign_head, signing_key
from caseload.audit.models import AuditChainHead, AuditEvent
from caseload.core import clock, request_context

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # a database flushed by tests or restored without the head row
        head, _ = AuditChainHead.objects.get_or_create(pk=1)
    return head


def _append(events: list[AuditEvent]) -> list[AuditEvent]:
    # No savepoint: the event belongs to the caller's transaction and fails or commits with it.
    key_id, key = signing_key()
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        for event in events:
            head.sequence += 1
            event.sequence = head.sequence
            event.prev_hash = head.hash
            event.key_id = key_id
            event.hash = event_hash(hashed_fields(event), event.prev_hash, key_id=key_id, key=key)
            head.hash = event.hash
        AuditEvent.objects.bulk_create(events)
        _save_head(head)
    return events


def _save_head(head: AuditChainHead) -> None:
    sign_head(head)
    head.save(update_fields=["sequence", "hash", "key_id", "signature"])


def _now() -> datetime.datetime:
    # In UTC, as the database hands it back, so the hash (over its ISO form) verifies whatever
    # time zone the clock answered in; to the millisecond, as JSON backups keep it.
    at = clock.now().astimezone(datetime.UTC)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def _ip_address() -> str | None:
    ip = request_context.current().ip_address
    if ip and ":" in ip:
        ip = clean_ipv6_address(ip)  # stored normalised; hash what is stored
    return ip


def _event(
    actor: User,
    action: str,
    target: models.Model,
    client: Client | None,
    detail: dict[str, Any] | None,
) -> AuditEvent:
    return AuditEvent(
        occurred_at=_now(),
        actor=actor,
        actor_label=actor.get_username(),
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        client=client,
        request_id=request_context.current().request_id,
        ip_address=_ip_address(),
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


# The columns audit_record_many() writes, in order (``id`` is the database's).
_COLUMNS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "client_id",
    "request_id",
    "ip_address",
    "detail",
    "prev_hash",
    "hash",
    "key_id",
)


def audit_record_many(
    *,
    actor: User,
    action: str,
    targets: list[tuple[models.Model, Client | None]],
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one event per target in a single insert (list pages that show records).

    List pages call this on every view, so it skips the ORM's per-object work: the events of
    one call share actor, action, time, request and detail, which are prepared for the
    database once; each row adds only its target, client, sequence and hashes. The hash is
    ``chain.hashed_fields`` of the same values, as the verifier reads them back.
    """
    if not targets:
        return
    meta = AuditEvent._meta
    at, ip, detail = _now(), _ip_address(), detail or {}
    label, request_id = actor.get_username(), request_context.current().request_id
    key_id, key = signing_key()
    db = connection
    client_field = meta.get_field("client")
    occurred_at = meta.get_field("occurred_at").get_db_prep_save(at, db)
    ip_address = meta.get_field("ip_address").get_db_prep_save(ip, db)
    detail_value = meta.get_field("detail").get_db_prep_save(detail, db)
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        rows: list[tuple[Any, ...]] = []
        for target, client in targets:
            head.sequence += 1
            event = SimpleNamespace(
                sequence=head.sequence,
                occurred_at=at,
                actor_id=actor.pk,
                actor_label=label,
                action=action,
                target_type=target._meta.label_lower,
                target_id=str(target.pk),
                client_id=client.pk if client is not None else None,
                request_id=request_id,
                ip_address=ip,
                detail=detail,
            )
            row_hash = event_hash(
                hashed_fields(cast("AuditEvent", event)), head.hash, key_id=key_id, key=key
            )
            rows.append(
                (
                    event.sequence,
                    occurred_at,
                    event.actor_id,
                    label,
                    action,
                    event.target_type,
                    event.target_id,
                    client_field.get_db_prep_save(event.client_id, db),
                    request_id,
                    ip_address,
                    detail_value,
                    head.hash,
                    row_hash,
                    key_id,
                )
            )
            head.hash = row_hash
        _insert_rows(rows)
        _save_head(head)


def _insert_rows(rows: list[tuple[Any, ...]]) -> None:
    """Multi-row INSERTs of prepared rows, as few as the database's parameter limit allows."""
    meta = AuditEvent._meta
    quote = connection.ops.quote_name
    fields = [cast("models.Field[Any, Any]", meta.get_field(name)) for name in _COLUMNS]
    columns = ", ".join(quote(field.column) for field in fields)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, connection.ops.bulk_batch_size(fields, rows))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 - names from the model
                f"VALUES {', '.join([placeholder] * len(batch))}",
                [value for row in batch for value in row],
            )


def audit_form_viewed(*, actor: User, client: Client, form: str) -> AuditEvent:
    """A blank form naming ``client`` was shown to ``actor`` (referral, appointment, discharge):
    action "coordination.form_viewed", the name these forms have always been audited under."""
    return audit_record(
        actor=actor,
        action="coordination.form_viewed",
        target=client,
        client=client,
        detail={"form": form},
    )
