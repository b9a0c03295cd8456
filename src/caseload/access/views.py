from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caseload.access import policies, selectors, services
from caseload.access.forms import BreakGlassForm, ReviewForm
from caseload.access.models import BreakGlassGrant
from caseload.audit.services import audit_record_many
from caseload.core.errors import NotFound, ValidationFailed
from caseload.core.formviews import form_view

if TYPE_CHECKING:
    from caseload.staff.models import User


def break_glass(request: HttpRequest) -> HttpResponse:
    """Emergency access to a client outside one's caseload, with a stated reason."""
    if not policies.can_break_glass(request.user):
        raise NotFound("Not found.")
    actor = cast("User", request.user)
    hours = settings.BREAK_GLASS_MINUTES // 60

    def save(form: BreakGlassForm) -> BreakGlassGrant:
        data = form.cleaned_data
        try:
            return services.break_glass_open(
                actor=actor,
                mrn=data["mrn"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                reason=data["reason"],
            )
        except NotFound as error:  # no such client: said at the record number, not a 404
            raise ValidationFailed(error.message, field_errors={"mrn": [error.message]}) from error

    def granted(grant: BreakGlassGrant) -> HttpResponse:
        messages.warning(
            request,
            f"Emergency access granted for {hours} hours. "
            "Everything you open is recorded and will be reviewed.",
        )
        return redirect("clients:chart", client_id=grant.client_id)

    return form_view(
        request,
        None,
        form=lambda _, data: BreakGlassForm(data),
        save=save,
        render=lambda page: render(
            request,
            "access/break_glass.html",
            {**page.context(), "hours": hours},
            status=page.status,
        ),
        success=granted,
    )


def review_queue(request: HttpRequest) -> HttpResponse:
    reviewed = request.GET.get("show") == "reviewed"
    items = selectors.break_glass_queue(actor=request.user, reviewed=reviewed)  # type: ignore[arg-type]
    # Each grant shown names its client and what was done to the record: one event per grant.
    audit_record_many(
        actor=request.user,  # type: ignore[arg-type]
        action="break_glass.listed",
        targets=[(item.grant, item.grant.client) for item in items],
        detail={"page": "break_glass_review", "reviewed": reviewed},
    )
    return render(
        request,
        "access/review_queue.html",
        {"items": items, "reviewed": reviewed, "form": ReviewForm(), "nav": "break_glass"},
    )


@require_POST
def review(request: HttpRequest, grant_id: str) -> HttpResponse:
    grant = selectors.break_glass_grant_get(actor=request.user, grant_id=grant_id)  # type: ignore[arg-type]
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.break_glass_review(
                actor=request.user,  # type: ignore[arg-type]
                grant=grant,
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Review recorded.")
    else:
        messages.error(request, "Enter a review note.")
    return redirect("access:review_queue")
