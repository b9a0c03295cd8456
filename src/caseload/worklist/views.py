"""My caseload: the home page, a prioritised worklist of the clients who need attention."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from caseload.access import policies
from caseload.access.forms import BreakGlassForm
from caseload.audit.services import audit_record_many
from caseload.clients.models import Client
from caseload.core.errors import ValidationFailed
from caseload.core.forms import add_service_errors
from caseload.core.htmx import wants_fragment
from caseload.programrules.selectors import program_time_within_reach
from caseload.worklist.forms import CaseloadFilterForm, parse_view
from caseload.worklist.selectors import CaseloadPage, caseload_page, parse_search_date

PAGE_TEMPLATE = "worklist/caseload.html"
TABLE_TEMPLATE = "worklist/partials/table.html"


def _record_shown(actor: Any, result: CaseloadPage) -> None:
    """Which client records this page showed: one audit event each, in one insert."""
    shown = [Client(id=row.client_id) for row in result.rows]  # id=, not pk=: no uuid4() default
    detail: dict[str, Any] = {"page": "caseload", "page_number": result.page}
    if result.view:
        detail["view"] = result.view  # a supervisee's caseload or a whole program
    if result.q:
        detail["search"] = result.q
    audit_record_many(
        actor=actor,
        action="client.listed",
        targets=[(client, client) for client in shown],
        detail=detail,
    )


@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    """The worklist page; an htmx request for the results gets only the results fragment."""
    actor: Any = request.user
    if not policies.is_clinical(actor):
        return render(request, "worklist/no_caseload.html", {"nav": "caseload"})

    partial = wants_fragment(request)

    form = CaseloadFilterForm(request.GET)
    result: CaseloadPage | None = None
    if form.is_valid():
        try:
            result = caseload_page(actor=actor, **form.caseload_arguments())
        except ValidationFailed as error:
            add_service_errors(form, error)
    if result is None:
        # Keep the page useful under the error message: the caseload asked for, unfiltered.
        owner_id, program_id = parse_view(request.GET.get("view", ""))
        result = caseload_page(actor=actor, owner_id=owner_id, caseload_program_id=program_id)
    form.set_program_choices(result.program_choices)
    _record_shown(actor, result)

    within_reach = (
        []
        if partial or result.program is not None or result.is_search
        else program_time_within_reach(actor=actor, care_manager=result.owner or actor)
    )
    if within_reach:
        audit_record_many(
            actor=actor,
            action="client.listed",
            targets=[(row.client, row.client) for row in within_reach],
            detail={"page": "caseload_program_time"},
        )
    context = {
        "nav": "caseload",
        "form": form,
        "result": result,
        "partial": partial,
        "within_reach": within_reach,
        "break_glass_form": _break_glass_offer(actor, result),
        "break_glass_hours": settings.BREAK_GLASS_MINUTES // 60,
    }
    # htmx swaps only 2xx responses, so a fragment carries its error summary with status 200.
    status = 400 if form.errors and not partial else 200
    response = render(request, TABLE_TEMPLATE if partial else PAGE_TEMPLATE, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _break_glass_offer(actor: Any, result: CaseloadPage) -> BreakGlassForm | None:
    """A search that finds no client the actor may see offers emergency access ("break the
    glass") to those allowed it, its form filled from what they searched for. The offer is the
    same whether or not such a client exists: it tells nobody what is outside their scope."""
    if not result.is_search or result.total or not policies.can_break_glass(actor):
        return None
    return BreakGlassForm(initial=_identifiers(result.q), auto_id="break-glass-%s")


def _identifiers(q: str) -> dict[str, Any]:
    """The break-the-glass form's fields as a search term fills them: a date of birth, a
    record number (it has digits), or else a family name (its last word)."""
    try:
        born = parse_search_date(q)
    except ValidationFailed:
        born = None
    if born is not None:
        return {"date_of_birth": born}
    if any(character.isdigit() for character in q):
        return {"mrn": q}
    words = q.split()
    return {"family_name": words[-1]} if words else {}
