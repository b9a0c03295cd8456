"""The audit trail's pages: the audit search (its CSV export written by a background job:
``audit_exports``) and "who has seen this record"."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caseload.access import audit_exports, policies, selectors
from caseload.access.forms import AuditSearchForm
from caseload.audit.services import audit_record
from caseload.core.http import post_only
from caseload.exports.services import export_request
from caseload.exports.views import redirect_to
from caseload.staff.http import request_actor


def search(request: HttpRequest) -> HttpResponse:
    """Audit search for directors and the privacy officer; "Export CSV" posts to ``export``."""
    return _search_page(request, AuditSearchForm(request.GET or None))


def export(request: HttpRequest) -> HttpResponse:
    """Request the search's events as CSV with the page's filters (validated as the page
    validates them): written by a background job, followed on the export's page."""
    actor = request_actor(request)
    policies.require_audit_searcher(actor)
    if refused := post_only(request):
        return refused
    form = AuditSearchForm(request.POST)
    if not form.is_valid():
        return _search_page(request, form)
    query = selectors.AuditQuery(**form.cleaned_data)
    with transaction.atomic():
        record = export_request(
            actor=actor, kind=audit_exports.KIND, filters=audit_exports.filters_of(query)
        )
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
    return redirect_to(record)


def _search_page(request: HttpRequest, form: AuditSearchForm) -> HttpResponse:
    query = selectors.AuditQuery()
    if form.is_bound and form.is_valid():
        query = selectors.AuditQuery(**form.cleaned_data)
    actor = request_actor(request)
    events = selectors.audit_search(actor=actor, query=query)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # what is shown, before this view's own events
    audit_exports.record_clients_listed(
        actor, [event.client_id for event in page.object_list], {"page_number": page.number}
    )
    fields = [(name, form.data.get(name, "")) for name in form.fields if form.data.get(name)]
    return render(
        request,
        "audit/search.html",
        {"form": form, "page": page, "nav": "audit", "export_fields": fields},
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
