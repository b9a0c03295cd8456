"""The audit search as a CSV export (``caseload.exports``): the events matching the page's
filters, up to the last event before the request (not the events recording the export), with
one ``client.listed`` event per client whose events it holds, as the search page writes for
the clients it shows."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from caseload.access import policies, selectors
from caseload.audit.models import AuditEvent
from caseload.audit.services import audit_record_many
from caseload.clients.models import Client
from caseload.exports.kinds import ExportKind, ExportRows, Filters, Row
from caseload.staff.models import User

KIND = "audit.search"

CSV_COLUMNS = [
    "sequence",
    "occurred_at",
    "actor",
    "action",
    "target_type",
    "target_id",
    "client_id",
    "client_mrn",
    "ip_address",
    "request_id",
    "hash",
]
_TEXT = ("client", "username", "action")


def record_clients_listed(
    actor: User, client_ids: list[uuid.UUID | None], detail: dict[str, Any]
) -> None:
    """The clients whose events a search showed: one ``client.listed`` event each."""
    shown = [Client(id=pk) for pk in dict.fromkeys(client_ids) if pk is not None]
    audit_record_many(
        actor=actor,
        action="client.listed",
        targets=[(client, client) for client in shown],
        detail={"page": "audit_search"} | detail,
    )


def filters_of(query: selectors.AuditQuery) -> Filters:
    """The validated query as the export's stored filters, with the trail's last event now."""
    upto = AuditEvent.objects.aggregate(last=Max("sequence"))["last"] or 0
    return {
        "client": query.client,
        "username": query.username,
        "action": query.action,
        "date_from": query.date_from.isoformat() if query.date_from else "",
        "date_to": query.date_to.isoformat() if query.date_to else "",
        "upto": upto,
    }


def _query(filters: Filters) -> selectors.AuditQuery:
    def day(value: str) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    return selectors.AuditQuery(
        client=filters["client"],
        username=filters["username"],
        action=filters["action"],
        date_from=day(filters["date_from"]),
        date_to=day(filters["date_to"]),
    )


def _check(actor: User, filters: Filters) -> None:
    policies.require_audit_searcher(actor)


def _rows(actor: User, filters: Filters) -> ExportRows:
    events = selectors.audit_search(actor=actor, query=_query(filters)).filter(
        sequence__lte=filters["upto"]
    )

    def rows() -> Iterator[Row]:
        for e in events.iterator(chunk_size=2000):
            yield (
                [
                    e.sequence,
                    timezone.localtime(e.occurred_at).isoformat(),
                    e.actor_label,
                    e.action,
                    e.target_type,
                    e.target_id,
                    e.client_id or "",
                    e.client.mrn if e.client else "",
                    e.ip_address or "",
                    e.request_id,
                    e.hash,
                ],
                e.client_id,
            )

    return ExportRows(header=CSV_COLUMNS, total=events.count(), rows=rows())


def _record_contents(actor: User, filters: Filters, client_ids: list[uuid.UUID]) -> None:
    record_clients_listed(actor, list(client_ids), {"format": "csv"})


def _back(filters: Filters) -> str:
    shown = {name: filters[name] for name in (*_TEXT, "date_from", "date_to") if filters[name]}
    return reverse("audit:search") + (f"?{urlencode(shown)}" if shown else "")


AUDIT_SEARCH = ExportKind(
    name=KIND,
    title="Audit trail search",
    nav="audit",
    check=_check,
    rows=_rows,
    record_contents=_record_contents,
    download_name=lambda actor, filters: "caseload-audit.csv",
    back=_back,
)
