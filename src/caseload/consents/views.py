from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.clients.entered_in_error import confirm_page
from caseload.consents import selectors, services
from caseload.consents.forms import ConsentForm, RevokeForm
from caseload.consents.models import ConsentKind, ShareCategory
from caseload.core import clock
from caseload.core.errors import ValidationFailed
from caseload.core.formviews import FormPage, form_view, success_redirect

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.consents.models import Consent
    from caseload.staff.models import User


def _initial(request: HttpRequest, client: Client) -> dict[str, Any]:
    """The record form's starting values; ``?person=<id>`` or ``?provider=<name>`` (links from
    the chart and a referral) start a consent to share with that person or provider."""
    initial: dict[str, Any] = {"given_on": clock.today()}
    person_id = request.GET.get("person", "")
    provider = request.GET.get("provider", "").replace("\x00", "").strip()[:200]
    if person_id:
        with contextlib.suppress(ValueError, ValidationError):
            person = client.related_people.filter(
                pk=person_id, is_active=True, entered_in_error_at__isnull=True
            ).first()
            if person is not None:
                initial.update(
                    kind=ConsentKind.SHARE_RELATED_PERSON,
                    related_person=person.pk,
                    categories=[ShareCategory.NOTES],
                )
    elif provider:
        initial.update(kind=ConsentKind.SHARE_PROVIDER, provider_name=provider)
    return initial


def client_consents(request: HttpRequest, client_id: str) -> HttpResponse:
    """A client's consents, and recording a new one."""
    actor = cast("User", request.user)
    client = policies.require_client(actor, client_id)

    def save(form: ConsentForm) -> Consent:
        data = form.cleaned_data
        return services.consent_record(
            actor=actor,
            client=client,
            kind=data["kind"],
            method=data["method"],
            given_on=data["given_on"],
            expires_on=data["expires_on"],
            program=data["program"],
            billing_program=data["billing_program"],
            related_person=data["related_person"],
            provider_name=data["provider_name"],
            categories=data["categories"],
            note=data["note"],
        )

    def show(page: FormPage[Client, ConsentForm]) -> HttpResponse:
        consents = selectors.consent_list_for_client(actor=actor, client=client)
        audit_record(actor=actor, action="consent.list_viewed", target=client, client=client)
        context = {
            **page.context(),
            "client": client,
            "consents": consents,
            "revoke_form": RevokeForm(),
            "today": clock.today(),
        }
        return render(request, "consents/client_consents.html", context, status=page.status)

    return form_view(
        request,
        client,
        form=lambda record, data: ConsentForm(
            data, client=record, initial=_initial(request, record)
        ),
        save=save,
        render=show,
        success=lambda _: success_redirect(
            request, "Consent recorded.", reverse("consents:client", args=[client.pk])
        ),
    )


def revoke(request: HttpRequest, consent_id: str) -> HttpResponse:
    actor = cast("User", request.user)
    consent = selectors.consent_get(actor=actor, consent_id=consent_id)
    if request.method != "POST":  # after the scope check: out of scope is 404 for any method
        return HttpResponseNotAllowed(["POST"])
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter why consent is revoked.")
    else:
        try:
            services.consent_revoke(
                actor=actor, consent=consent, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Consent revoked. It no longer allows any sharing.")
    return redirect("consents:client", client_id=consent.client_id)


def consent_entered_in_error(request: HttpRequest, consent_id: str) -> HttpResponse:
    """Confirm, then mark a consent as entered in error with a reason (it stays on the list)."""
    actor = cast("User", request.user)
    policies.require_clinical(actor)
    consent = selectors.consent_get(actor=actor, consent_id=consent_id)
    if request.method not in ("GET", "POST"):  # after the scope check: out of scope is 404
        return HttpResponseNotAllowed(["GET", "POST"])
    return confirm_page(
        request,
        actor,
        record=consent,
        client=consent.client,
        what="consent",
        summary=[
            ("Consent", consent.get_kind_display()),
            ("With", consent.party),
            ("Given", f"{consent.given_on:%-d %b %Y} ({consent.get_method_display().lower()})"),
            ("Recorded by", consent.recorded_by.display_name),
            ("Revoked", "Yes" if consent.revoked_at else "No"),
        ],
        action_url=reverse("consents:consent_entered_in_error", kwargs={"consent_id": consent.pk}),
        back_url=reverse("consents:client", kwargs={"client_id": consent.client_id}),
        back_label="Back to the consents",
        viewed_action="consent.viewed",
        mark=lambda reason: services.consent_mark_entered_in_error(
            actor=actor, consent=consent, reason=reason
        ),
        done_message=(
            "Consent marked as entered in error. It no longer allows any sharing and stays on "
            "the list."
        ),
    )
