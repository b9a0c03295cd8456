from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import cast

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from caseload.audit import selectors
from caseload.audit.forms import AuditSearchForm
from caseload.audit.models import AuditEvent
from caseload.audit.services import audit_record
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


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(events: Iterator[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for e in events:
        yield writer.writerow(
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
        response = StreamingHttpResponse(
            _csv_rows(events.iterator(chunk_size=2000)), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="caseload-audit.csv"'
        return response
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/search.html",
        {"form": form, "page": page, "nav": "audit"},
        status=400 if form.errors else 200,
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
