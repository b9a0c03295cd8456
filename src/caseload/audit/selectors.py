"""Reads of the audit trail that other apps need without reading its table themselves."""

from __future__ import annotations

from typing import Any

from caseload.audit.models import AuditEvent


def staff_account_changes(staff_pk: Any, actions: tuple[str, ...]) -> list[dict[str, Any]]:
    """The audit events ``actions`` of one staff account (its career level and supervisor
    changes), oldest first, as dicts with ``occurred_at``, ``action`` and ``detail``. About a
    member of staff, not a client: the workforce profile derives their job here from them."""
    rows = (
        AuditEvent.objects.filter(
            target_type="staff.user", target_id=str(staff_pk), action__in=actions
        )
        .order_by("sequence")
        .values("occurred_at", "action", "detail")
    )
    return [dict(row) for row in rows]
