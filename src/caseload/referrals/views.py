"""Referral pages: the actor's referrals, make and change one, move it along the loop, reopen
it, print its letter. Thin: parse with a form, call one service or selector, render.

POST-only actions look the referral up first, so one out of scope is "not found" for every
method; only then is a GET refused with 405.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from caseload.access import policies
from caseload.audit.services import audit_form_viewed, audit_record, audit_record_many
from caseload.consents.selectors import provider_consents
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from caseload.core.formviews import ConflictShown, FormPage, Rows, form_view, success_redirect
from caseload.core.http import get_only, post_only
from caseload.directory import selectors as directory_selectors
from caseload.enrolments.selectors import open_enrolments_for
from caseload.referrals import selectors, services
from caseload.referrals.forms import (
    ReferralEditForm,
    ReferralForm,
    ReferralReopenForm,
    ReferralTransitionForm,
)
from caseload.referrals.letters import reference_of, referral_letter_pdf
from caseload.referrals.models import CLOSED_STATUSES, Referral, ReferralStatus
from caseload.staff.http import request_actor

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User


@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    """Open referrals on the signed-in care manager's caseload, unanswered ones first."""
    actor = request_actor(request)
    include_closed = request.GET.get("closed") == "1"
    referrals = selectors.referral_list_for_actor(actor=actor, include_closed=include_closed)
    if referrals:
        audit_record_many(
            actor=actor,
            action="referral.list_viewed",
            targets=[(r, r.client) for r in referrals],
        )
    return render(
        request,
        "referrals/referral_list.html",
        {"referrals": referrals, "include_closed": include_closed, "nav": "referrals"},
    )


def _detail_url(referral_id: Any) -> str:
    return reverse("referrals:referral_detail", kwargs={"referral_id": referral_id})


def _referral_form(
    actor: User,
    client: Client,
    data: QueryDict | None,
    initial: dict[str, Any] | None = None,
    form_class: type[ReferralForm] = ReferralForm,
) -> ReferralForm:
    return form_class(
        data,
        initial=initial,
        enrolments=open_enrolments_for(actor=actor, client=client),
        services=directory_selectors.referral_service_choices(),
        link_groups=selectors.care_plan_links(actor=actor, client=client),
    )


def _referral_kwargs(actor: User, form: ReferralForm, client: Client) -> dict[str, Any]:
    data = form.cleaned_data
    try:
        problem, goal, intervention = selectors.resolve_care_plan_link(
            actor=actor, client=client, value=data.get("care_plan_link") or ""
        )
    except NotFound as exc:
        raise ValidationFailed(
            "Choose a problem, goal or intervention of this client.",
            field_errors={"care_plan_link": ["Choose a problem, goal or intervention."]},
        ) from exc
    return {
        "enrolment": data["enrolment"],
        "service": data.get("service"),
        "provider_name": data.get("provider_name", ""),
        "provider_contact": data.get("provider_contact", ""),
        "reason": data["reason"],
        "urgency": data["urgency"],
        "problem": problem,
        "goal": goal,
        "intervention": intervention,
        "shared_fields": list(data.get("shared_fields") or []),
    }


def _render_form(
    request: HttpRequest,
    client: Client,
    page: FormPage[Any, ReferralForm],
    referral: Referral | None = None,
) -> HttpResponse:
    context = {
        **page.context(),
        "client": client,
        "referral": referral,
        "creating": referral is None,
        "provider_consents": provider_consents(actor=request_actor(request), client=client),
    }
    return render(request, "referrals/referral_form.html", context, status=page.status)


def _create_initial(request: HttpRequest) -> dict[str, Any]:
    """What the links that lead here choose beforehand: a service, a care plan item."""
    initial: dict[str, Any] = {}
    service_id = request.GET.get("service")
    if service_id:
        with contextlib.suppress(NotFound):
            initial["service"] = directory_selectors.service_get(service_id=service_id).pk
    link = request.GET.get("link", "")
    if link:
        initial["care_plan_link"] = link
    return initial


@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, client_id: Any) -> HttpResponse:
    """Start a referral (saved as a draft) from one of the client's open enrolments."""
    actor = request_actor(request)
    policies.require_clinical(actor)
    client = policies.require_client(actor, client_id)
    if request.method != "POST":
        audit_form_viewed(actor=actor, client=client, form="referral_create")
    return form_view(
        request,
        client,
        form=lambda _, data: _referral_form(
            actor, client, data, initial=_create_initial(request) if data is None else None
        ),
        save=lambda form: services.referral_create(
            actor=actor, client=client, **_referral_kwargs(actor, form, client)
        ),
        render=lambda page: _render_form(request, client, page),
        success=lambda referral: success_redirect(
            request,
            "Referral saved as a draft. Send it when it is ready.",
            _detail_url(referral.pk),
        ),
    )


def _referral_initial(referral: Referral) -> dict[str, Any]:
    return {
        "enrolment": referral.enrolment_id,
        "service": referral.service_id,
        "provider_name": referral.provider_name,
        "provider_contact": referral.provider_contact,
        "reason": referral.reason,
        "care_plan_link": selectors.care_plan_link_value(referral),
        "urgency": referral.urgency,
        "shared_fields": list(referral.shared_fields),
        "version": referral.version,
    }


def _referral_rows(referral: Referral) -> Rows:
    return [
        ("Recipient", referral.recipient_name),
        ("Reason", referral.reason),
        ("Urgency", referral.get_urgency_display()),
        ("Shared", ", ".join(referral.shared_field_labels)),
    ]


@require_http_methods(["GET", "POST"])
def referral_edit(request: HttpRequest, referral_id: Any) -> HttpResponse:
    """Change a draft referral (consent, what is shared, recipient, reason)."""
    actor = request_actor(request)
    referral = selectors.referral_get(actor=actor, referral_id=referral_id)
    client = referral.client
    if referral.status != ReferralStatus.DRAFT:
        messages.error(
            request,
            f"This referral is {referral.get_status_display().lower()}: only a draft can be "
            "changed.",
        )
        return redirect(_detail_url(referral.pk))
    if request.method != "POST":
        audit_record(actor=actor, action="referral.viewed", target=referral, client=client)
    return form_view(
        request,
        referral,
        form=lambda record, data: _referral_form(
            actor, client, data, initial=_referral_initial(record), form_class=ReferralEditForm
        ),
        save=lambda form: services.referral_update(
            actor=actor,
            referral=referral,
            expected_version=form.cleaned_data["version"],
            **_referral_kwargs(actor, form, client),
        ),
        render=lambda page: _render_form(request, client, page, referral=page.record),
        success=lambda _: success_redirect(request, "Referral saved.", _detail_url(referral.pk)),
        reload=lambda: selectors.referral_get(actor=actor, referral_id=referral.pk),
        current=lambda fresh, _: _referral_rows(fresh),
        refused_url=_detail_url(referral.pk),
    )


def _referral_detail_context(
    referral: Referral,
    *,
    transition_form: ReferralTransitionForm | None = None,
    reopen_form: ReferralReopenForm | None = None,
) -> dict[str, Any]:
    allowed = services.allowed_referral_transitions(referral.status)
    transition_form = transition_form or ReferralTransitionForm(
        initial={"version": referral.version}
    )
    transition_form.offer(allowed)
    share_consent, share_refusal = None, ""
    try:
        share_consent = services.referral_share_consent(referral)
    except ValidationFailed as refusal:
        share_refusal = refusal.message
    return {
        "share_consent": share_consent,
        "share_refusal": share_refusal,
        "referral": referral,
        "client": referral.client,
        "events": list(referral.events.all()),
        "allowed": [(s, ReferralStatus(s).label) for s in allowed],
        "transition_form": transition_form,
        "reopen_form": reopen_form or ReferralReopenForm(initial={"version": referral.version}),
        "is_closed": referral.status in CLOSED_STATUSES,
        "reference": reference_of(referral),
        "can_add_appointment": referral.status
        in (ReferralStatus.ACCEPTED, ReferralStatus.SCHEDULED),
        "nav": "referrals",
    }


def _render_detail(
    request: HttpRequest,
    referral: Referral,
    *,
    status: int = 200,
    conflict: ConflictShown | None = None,
    **forms: Any,
) -> HttpResponse:
    context = {
        **_referral_detail_context(referral, **forms),
        **(conflict.context() if conflict else {}),
    }
    return render(request, "referrals/referral_detail.html", context, status=status)


def referral_detail(request: HttpRequest, referral_id: Any) -> HttpResponse:
    """A referral: recipient, consent, deadline, history, and what can happen next."""
    actor = request_actor(request)
    referral = selectors.referral_get(actor=actor, referral_id=referral_id)
    refused = get_only(request)
    if refused:
        return refused
    audit_record(actor=actor, action="referral.viewed", target=referral, client=referral.client)
    return _render_detail(request, referral)


def _status_rows(referral: Referral) -> Rows:
    return [("Status", referral.get_status_display()), ("Outcome", referral.outcome_note)]


def _transitioned(request: HttpRequest, referral: Referral) -> HttpResponse:
    if referral.writeback_note and referral.status in CLOSED_STATUSES:
        messages.info(request, referral.writeback_note)
    return success_redirect(
        request,
        f"Referral is now {referral.get_status_display().lower()}.",
        _detail_url(referral.pk),
    )


def referral_transition(request: HttpRequest, referral_id: Any) -> HttpResponse:
    """Record the referral's next status (sent, received, accepted ... closed with outcome)."""
    actor = request_actor(request)
    referral = selectors.referral_get(actor=actor, referral_id=referral_id)
    refused = post_only(request)
    if refused:
        return refused
    return form_view(
        request,
        referral,
        form=lambda record, data: ReferralTransitionForm(data, initial={"version": record.version}),
        save=lambda form: services.referral_transition(
            actor=actor,
            referral=referral,
            to_status=form.cleaned_data["to_status"],
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
            scheduled_for=form.cleaned_data["scheduled_for"],
        ),
        render=lambda page: _render_detail(
            request,
            page.record,
            status=page.status,
            conflict=page.conflict,
            transition_form=page.form,
        ),
        success=lambda updated: _transitioned(request, updated),
        reload=lambda: selectors.referral_get(actor=actor, referral_id=referral.pk),
        current=lambda fresh, _: _status_rows(fresh),
        reload_url=_detail_url(referral.pk),
    )


def referral_reopen(request: HttpRequest, referral_id: Any) -> HttpResponse:
    """Reopen a closed referral with a reason."""
    actor = request_actor(request)
    referral = selectors.referral_get(actor=actor, referral_id=referral_id)
    refused = post_only(request)
    if refused:
        return refused
    return form_view(
        request,
        referral,
        form=lambda record, data: ReferralReopenForm(data, initial={"version": record.version}),
        save=lambda form: services.referral_reopen(
            actor=actor,
            referral=referral,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
        render=lambda page: _render_detail(
            request,
            page.record,
            status=page.status,
            conflict=page.conflict,
            reopen_form=page.form,
        ),
        success=lambda updated: success_redirect(
            request,
            f"Referral reopened: it is {updated.get_status_display().lower()} again.",
            _detail_url(referral.pk),
        ),
        reload=lambda: selectors.referral_get(actor=actor, referral_id=referral.pk),
        current=lambda fresh, _: _status_rows(fresh),
        reload_url=_detail_url(referral.pk),
    )


def referral_letter(request: HttpRequest, referral_id: Any) -> HttpResponse:
    """The printable referral letter (PDF) with only what the client agreed to share."""
    actor = request_actor(request)
    referral = selectors.referral_get(actor=actor, referral_id=referral_id)
    refused = get_only(request)
    if refused:
        return refused
    try:
        consent = services.referral_record_letter(actor=actor, referral=referral)
    except Conflict as refusal:
        messages.error(request, f"The letter was not printed. {refusal.message}")
        return redirect(_detail_url(referral.pk))
    response = HttpResponse(referral_letter_pdf(referral, consent), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="referral-{reference_of(referral)}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
