"""An export's page (its progress, then the download link), the download, and the list of
the signed-in person's exports. Requesting one is on the page it exports (each app's view
calls ``services.export_request``)."""

from __future__ import annotations

import uuid

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from caseload.core.htmx import wants_fragment
from caseload.exports import services
from caseload.exports.kinds import kind_get
from caseload.exports.models import Export
from caseload.staff.http import request_actor


def redirect_to(export: Export) -> HttpResponse:
    """After a request: the export's page, which follows its progress."""
    return redirect("exports:detail", export_id=export.pk)


def _context(export: Export) -> dict[str, object]:
    kind = kind_get(export.kind)
    return {
        "export": export,
        "kind": kind,
        "back": kind.back(export.filters),
        "downloadable": services.export_is_downloadable(export),
        "nav": kind.nav,
    }


@require_GET
def detail(request: HttpRequest, export_id: uuid.UUID) -> HttpResponse:
    """The requester's export: "Preparing… N of M rows" while the job writes it (htmx asks for
    the progress again every two seconds, or "Check again" without script), then the link."""
    export = services.export_get(actor=request_actor(request), export_id=export_id)
    context = _context(export)
    if wants_fragment(request):
        return render(request, "exports/partials/progress.html", context)
    return render(request, "exports/export.html", context)


@require_GET
def download(request: HttpRequest, export_id: uuid.UUID) -> HttpResponseBase:
    """The finished file, to the requester only, while it has not expired (audited)."""
    actor = request_actor(request)
    export = services.export_get(actor=actor, export_id=export_id)
    if not services.export_is_downloadable(export):
        return redirect(reverse("exports:detail", args=[export.pk]))
    export, stream = services.export_open(actor=actor, export_id=export.pk)
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=export.download_name,
        content_type="text/csv; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's exports, newest first."""
    exports = services.exports_of(actor=request_actor(request))
    rows = [(export, kind_get(export.kind).title) for export in exports]
    return render(request, "exports/mine.html", {"exports": rows})
