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
from caseload.core.http import request_actor
from caseload.directory import selectors, services
from caseload.directory.csv_import import decode_upload
from caseload.directory.forms import DirectoryConfirmForm, DirectorySearchForm, DirectoryUploadForm
from caseload.directory.models import DirectoryImport


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
            report = services.directory_import_apply(actor=actor, import_id=import_id)
        except ValidationFailed as error:
            messages.error(request, error.message)
            return redirect("directory:directory_import")
        context.update(upload_form=DirectoryUploadForm(), report=report, applied=True)
        return render(request, "directory/directory_import.html", context)
    if request.method == "POST":
        form = DirectoryUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                content = decode_upload(upload.read())
            except ValueError as error:
                form.add_error("file", str(error))
            else:
                pending, report = services.directory_import_preview(
                    actor=actor, filename=upload.name or "", content=content
                )
                context.update(
                    upload_form=DirectoryUploadForm(),
                    report=report,
                    pending=pending,
                    confirm_form=DirectoryConfirmForm(initial={"import_id": pending.pk}),
                )
                return render(request, "directory/directory_import.html", context)
        context["upload_form"] = form
        return render(request, "directory/directory_import.html", context, status=400)
    context["upload_form"] = DirectoryUploadForm()
    return render(request, "directory/directory_import.html", context)
