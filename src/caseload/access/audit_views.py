"""The audit trail's pages: the audit search (with CSV export) and "who has seen this record"."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from caseload.access import selectors
from caseload.access.forms import AuditSearchForm
from caseload.audit.models import AuditEvent
from caseload.audit.services import audit_record, audit_record_many
from caseload.clients.models import Client
from caseload.core.csv import stream_rows
from caseload.staff.models import User

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


def _csv_rows(events: Iterator[AuditEvent]) -> Iterator[str]:
    return stream_rows(
        CSV_COLUMNS,
        (
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
            ]
            for e in events
        ),
    )


def _record_clients_listed(
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


def search(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Audit search for directors and the privacy officer, with CSV export."""
    form = AuditSearchForm(request.GET or None)
    query = selectors.AuditQuery()
    if form.is_bound and form.is_valid():
        query = selectors.AuditQuery(**form.cleaned_data)
    actor = cast(User, request.user)
    events = selectors.audit_search(actor=actor, query=query)
    if request.GET.get("format") == "csv":
        # The export is the trail up to now: not the events recording this export.
        upto = AuditEvent.objects.aggregate(last=Max("sequence"))["last"] or 0
        events = events.filter(sequence__lte=upto)
        audit_record(
            actor=actor,
            action="audit.exported",
            target=actor,
            detail=query.__dict__
            | {
                "date_from": str(query.date_from or ""),
                "date_to": str(query.date_to or ""),
            },
        )
        _record_clients_listed(actor, _exported_client_ids(events), {"format": "csv"})
        response = StreamingHttpResponse(
            _csv_rows(events.iterator(chunk_size=2000)), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="caseload-audit.csv"'
        return response
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # what is shown, before this view's own events
    _record_clients_listed(
        actor, [event.client_id for event in page.object_list], {"page_number": page.number}
    )
    return render(
        request,
        "audit/search.html",
        {"form": form, "page": page, "nav": "audit"},
        status=400 if form.errors else 200,
    )


def _exported_client_ids(events: QuerySet[AuditEvent]) -> list[uuid.UUID | None]:
    return list(
        events.filter(client__isnull=False)
        .order_by()
        .values_list("client_id", flat=True)
        .distinct()
    )


def client_report(request: HttpRequest, client_id: str) -> HttpResponse:
    """ "Who has seen this record": every access to one client's record."""
    report = selectors.client_access_report(actor=request.user, client_id=client_id)  # type: ignore[arg-type]
    audit_record(
        actor=request.user,  # type: ignore[arg-type]
        action="audit.client_report_viewed",
        target=report.client,
        client=report.client,
    )
    return render(request, "audit/client_report.html", {"report": report, "nav": "audit"})
