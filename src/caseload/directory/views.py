"""The service directory's pages: search (every member of staff) and the CSV import
(administrators). Thin: parse with a form, call one service or selector, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from caseload.access import policies
from caseload.core.errors import ValidationFailed
from caseload.core.formviews import form_view
from caseload.core.htmx import wants_fragment
from caseload.directory import selectors, services
from caseload.directory.csv_import import ImportReport
from caseload.directory.forms import DirectoryConfirmForm, DirectorySearchForm, DirectoryUploadForm
from caseload.directory.models import DirectoryImport
from caseload.staff.http import request_actor
from caseload.staff.models import User


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Search and filter the service directory (every member of staff)."""
    actor = request_actor(request)
    form = DirectorySearchForm(request.GET or None)
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    result = selectors.directory_search(
        actor=actor,
        q=values.get("q", ""),
        service_type=values.get("service_type", ""),
        language=values.get("language", ""),
        accepting_only=bool(values.get("accepting")),
        page=_page_number(request.GET.get("page")),
    )
    try:
        for_client = str(uuid.UUID(request.GET.get("for", "")))
    except ValueError:
        for_client = ""
    return render(
        request,
        "directory/directory.html",
        {
            "form": form,
            "result": result,
            "for_client": for_client if policies.is_clinical(actor) else "",
            "is_administrator": policies.is_administrator(actor),
            "nav": "directory",
        },
    )


@require_http_methods(["GET", "POST"])
def directory_import(request: HttpRequest) -> HttpResponse:
    """Administrators: upload a CSV, read the report of each row, then import or discard."""
    actor = request_actor(request)
    policies.require_administrator(actor)
    context: dict[str, Any] = {
        "recent": DirectoryImport.objects.select_related("uploaded_by")[:10],
        "nav": "directory",
    }
    if request.method == "POST" and "decision" in request.POST:
        return _import_decision(request, actor, context)

    def checked(preview: tuple[DirectoryImport, ImportReport]) -> HttpResponse:
        pending, report = preview
        return render(
            request,
            "directory/directory_import.html",
            {
                **context,
                "upload_form": DirectoryUploadForm(),
                "report": report,
                "pending": pending,
                "confirm_form": DirectoryConfirmForm(initial={"import_id": pending.pk}),
            },
        )

    return form_view(
        request,
        None,
        form=lambda _, data: DirectoryUploadForm(data, request.FILES if data is not None else None),
        save=lambda form: services.directory_import_preview(
            actor=actor,
            filename=form.cleaned_data["filename"],
            content=form.cleaned_data["content"],
        ),
        render=lambda page: render(
            request,
            "directory/directory_import.html",
            {**context, "upload_form": page.form},
            status=page.status,
        ),
        success=checked,
    )


def _import_decision(request: HttpRequest, actor: User, context: dict[str, Any]) -> HttpResponse:
    """Import or discard a checked upload (the report's buttons)."""
    confirm = DirectoryConfirmForm(request.POST)
    if not confirm.is_valid():
        messages.error(request, "That import could not be found. Upload the file again.")
        return redirect("directory:directory_import")
    import_id = confirm.cleaned_data["import_id"]
    if confirm.cleaned_data["decision"] == "discard":
        services.directory_import_discard(actor=actor, import_id=import_id)
        messages.success(request, "The upload was discarded. Nothing was imported.")
        return redirect("directory:directory_import")
    try:
        upload = services.directory_import_start(actor=actor, import_id=import_id)
    except ValidationFailed as error:
        messages.error(request, error.message)
        return redirect("directory:directory_import")
    return redirect("directory:directory_import_status", import_id=upload.pk)


@require_GET
def directory_import_status(request: HttpRequest, import_id: uuid.UUID) -> HttpResponse:
    """Administrators: a confirmed import's progress while the background job runs (the page
    asks again every two seconds through htmx, or on "Refresh"), then what it did."""
    actor = request_actor(request)
    upload = selectors.directory_import_get(actor=actor, import_id=import_id)
    context = {"upload": upload, "summary": upload.summary}
    if wants_fragment(request):
        return render(request, "directory/partials/import_progress.html", context)
    return render(request, "directory/directory_import_status.html", context)
