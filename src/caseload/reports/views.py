"""The month report (HTML, CSV, PDF) and the clients behind each of its figures. Directors read
the organisation's and every program's, seniors their programs'; to anyone else these pages do
not exist (404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from caseload.access import policies
from caseload.audit.services import audit_record, audit_record_many
from caseload.core.errors import ValidationFailed
from caseload.core.forms import add_service_errors
from caseload.enrolments.models import Program
from caseload.reports import exports, figures, selectors
from caseload.reports.forms import MonthReportForm
from caseload.reports.months import last_complete_month, parse_month
from caseload.staff.http import request_actor
from caseload.staff.models import User

PAGE_SIZE = 100


def _programs(actor: User) -> list[Program]:
    allowed = policies.report_programs(actor)
    rows = Program.objects.filter(is_active=True).order_by("name")
    return list(rows if allowed is None else rows.filter(pk__in=allowed))


@dataclass
class Cell:
    text: str
    href: str | None = None


def _clients_href(link: str, row: selectors.FigureRow, **extra: Any) -> str | None:
    """``link``: the clients page's address with the report's query, reversed once per page
    (the organisation's report links some 20,000 cells)."""
    if row.clients_of is None:
        return None
    more = "".join(f"&{k}={v}" for k, v in extra.items())
    return f"{link}&figure={row.clients_of}{more}"


def _cell(row: selectors.FigureRow, value: Any, href: str | None) -> Cell:
    if value is None and row.kind == "count":
        value = 0
    linked = href if value not in (None, 0) else None
    return Cell(exports.shown(value, row.kind), linked)


def _tables(report: selectors.MonthReport, link: str) -> list[dict[str, Any]]:
    """Each section: its figures for the month (total and per program, linked to their
    clients) and their 12-month trend."""
    tables = []
    for key, label, rows in report.sections():
        tables.append(
            {
                "key": key,
                "label": label,
                "rows": [
                    {
                        "row": row,
                        "total": _cell(row, row.total, _clients_href(link, row)),
                        "programs": [
                            _cell(
                                row,
                                row.by_program.get(p.pk),
                                _clients_href(link, row, program=p.pk)
                                if not report.program
                                else _clients_href(link, row),
                            )
                            for p in report.programs
                        ],
                        "trend": [exports.shown(v, row.kind) for v in row.trend],
                    }
                    for row in rows
                ],
            }
        )
    return tables


#: The per-care-manager table's columns (the caseload and its cap come first).
MANAGER_FIGURES = (
    "active",
    "new",
    "discharged",
    "contacts",
    "contacts_per_client",
    "not_reached",
    "reviews_overdue",
    "reassessments_overdue",
    "goals_achieved",
    "referrals_sent",
    "referrals_closed",
    "responses_overdue",
)


#: Care managers per page of the per-care-manager table (the CSV and PDF have them all).
MANAGERS_PER_PAGE = 100


def _managers(report: selectors.MonthReport, link: str, page_number: Any) -> dict[str, Any]:
    columns = [report.row(k) for k in MANAGER_FIGURES]
    caseload = report.row("open_at_end")
    page = Paginator(report.care_managers, MANAGERS_PER_PAGE).get_page(page_number)
    return {
        "columns": columns,
        "page": page,
        "rows": [
            {
                "person": m,
                "caseload": _cell(
                    caseload,
                    caseload.by_care_manager.get(m.pk, 0),
                    _clients_href(link, caseload, care_manager=m.pk),
                ),
                "cap": m.caseload_cap,
                "over": (caseload.by_care_manager.get(m.pk) or 0) > m.caseload_cap,
                "cells": [
                    _cell(
                        r,
                        r.by_care_manager.get(m.pk),
                        _clients_href(link, r, care_manager=m.pk),
                    )
                    for r in columns
                ],
            }
            for m in page.object_list
        ],
    }


def _chart_data(report: selectors.MonthReport) -> dict[str, Any]:
    return {
        key: {
            "labels": [m.short_label for m in report.months],
            "series": [
                {"label": r.label, "values": r.trend}
                for r in rows
                if r.kind in ("count", "rate", "percent", "days")
            ],
        }
        for key, _, rows in report.sections()
    }


@require_GET
def month(request: HttpRequest) -> HttpResponseBase:
    """The month report; ``format=csv`` or ``format=pdf`` downloads it."""
    actor = request_actor(request)
    programs = _programs(actor)  # NotFound for anyone who does not lead programs
    everyone = policies.is_director(actor)
    form = MonthReportForm(request.GET, programs=programs, everyone=everyone)
    program_id = request.GET.get("program") or (
        None if everyone else str(programs[0].pk) if programs else None
    )
    try:
        chosen = parse_month(request.GET.get("month"))
    except ValidationFailed as error:
        form = MonthReportForm(request.GET, programs=programs, everyone=everyone)
        form.is_valid()
        add_service_errors(form, error)
        chosen = last_complete_month()
    else:
        # The form shows what the report is of: the month and program chosen, or the defaults.
        shown = {"month": chosen.key, "program": program_id or ""}
        form = MonthReportForm(shown, programs=programs, everyone=everyone)
    report = selectors.month_report(actor=actor, month=chosen, program_id=program_id)
    # Only the formats offered; anything else (a NUL byte included) is the page.
    wanted = request.GET.get("format")
    output = wanted if wanted in ("csv", "pdf") else "html"
    audit_record(
        actor=actor,
        action="report.viewed",
        target=report.program or actor,
        detail={
            "report": "month",
            "month": chosen.key,
            "program": str(report.program.pk) if report.program else None,
            "format": output,
        },
    )
    stem = f"month-report-{chosen.key}-{report.program.code if report.program else 'organisation'}"
    if output == "csv" and not form.errors:
        response = StreamingHttpResponse(exports.csv_lines(report), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    if output == "pdf" and not form.errors:
        pdf = HttpResponse(exports.month_report_pdf(report), content_type="application/pdf")
        pdf["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
        return pdf
    link = f"{reverse('reports:figure_clients')}?{_query(chosen.key, report.program)}"
    return render(
        request,
        "reports/month.html",
        {
            "nav": "reports",
            "form": form,
            "report": report,
            "chart_data": _chart_data(report),
            "tables": _tables(report, link),
            "managers": _managers(report, link, request.GET.get("managers_page")),
            "query": _query(chosen.key, report.program),
        },
        status=400 if form.errors else 200,
    )


def _query(month_key: str, program: Program | None) -> str:
    return f"month={month_key}" + (f"&program={program.pk}" if program else "")


@require_GET
def figure_clients(request: HttpRequest) -> HttpResponse:
    """The clients behind one figure (for a program or a care manager), a page at a time."""
    actor = request_actor(request)
    policies.require_leads_programs(actor)
    chosen = parse_month(request.GET.get("month"))
    figure = request.GET.get("figure", "")
    clients = selectors.figure_clients(
        actor=actor,
        month=chosen,
        figure=figure,
        program_id=request.GET.get("program") or None,
        care_manager_id=request.GET.get("care_manager") or None,
    )
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_record_many(
        actor=actor,
        action="client.listed",
        targets=[(c, c) for c in page.object_list],
        detail={"page": "month_report", "figure": figure, "month": chosen.key},
    )
    measure = figures.BY_KEY[figure]
    manager = None
    if (request.GET.get("care_manager") or "").isdigit():
        manager = User.objects.filter(pk=int(request.GET["care_manager"])).first()
    program = None
    if request.GET.get("program"):
        program = Program.objects.filter(pk=request.GET["program"]).first()
    return render(
        request,
        "reports/figure_clients.html",
        {
            "nav": "reports",
            "page": page,
            "measure": measure,
            "month": chosen,
            "manager": manager,
            "program": program,
            "back": _query(chosen.key, program),
            "here": request.GET.urlencode(),
        },
    )
