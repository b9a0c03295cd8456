from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.consents import selectors, services
from caseload.consents.forms import ConsentForm, RevokeForm
from caseload.core import clock
from caseload.core.errors import ValidationFailed
from caseload.core.forms import add_service_errors


def client_consents(request: HttpRequest, client_id: str) -> HttpResponse:
    """A client's consents, and recording a new one."""
    actor = request.user
    client = policies.require_client(actor, client_id)  # type: ignore[arg-type]
    form = ConsentForm(request.POST or None, client=client, initial={"given_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                actor=actor,  # type: ignore[arg-type]
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
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("consents:client", client_id=client.pk)
    consents = selectors.consent_list_for_client(actor=actor, client=client)  # type: ignore[arg-type]
    audit_record(actor=actor, action="consent.list_viewed", target=client, client=client)  # type: ignore[arg-type]
    return render(
        request,
        "consents/client_consents.html",
        {
            "client": client,
            "consents": consents,
            "form": form,
            "revoke_form": RevokeForm(),
            "today": clock.today(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def revoke(request: HttpRequest, consent_id: str) -> HttpResponse:
    actor = request.user
    consent = selectors.consent_get(actor=actor, consent_id=consent_id)  # type: ignore[arg-type]
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter why consent is revoked.")
    else:
        try:
            services.consent_revoke(
                actor=actor, consent=consent, reason=form.cleaned_data["reason"]
            )  # type: ignore[arg-type]
        except ValidationFailed as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Consent revoked. It no longer allows any sharing.")
    return redirect("consents:client", client_id=consent.client_id)
