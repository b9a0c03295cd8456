"""Coordination pages: the service directory, referrals, appointments and the calendar feed,
transitional care. Thin: parse with a form, call one service or selector, render.

POST-only actions look the record up first, so a record out of scope is "not found" for every
method; only then is a GET refused with 405.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

from caseload.access import policies
from caseload.appointments.selectors import appointment_list_for_client
from caseload.audit.services import audit_record
from caseload.referrals import selectors as referral_selectors
from caseload.transitions.selectors import episode_list_for_client

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User


def _actor(request: HttpRequest) -> User:
    return cast("User", request.user)


def _post_only(request: HttpRequest) -> HttpResponse | None:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _get_only(request: HttpRequest) -> HttpResponse | None:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return None


def _audit_form_view(actor: User, form: str, client: Client) -> None:
    audit_record(
        actor=actor,
        action="coordination.form_viewed",
        target=client,
        client=client,
        detail={"form": form},
    )


def _with_version(data: Any, version: int) -> Any:
    copy = data.copy()
    copy["version"] = str(version)
    return copy


# ---------------------------------------------------------------------------------------------
# Directory


# ---------------------------------------------------------------------------------------------
# Referrals


# ---------------------------------------------------------------------------------------------
# Client overview (everything coordination holds about one client)


def client_overview(request: HttpRequest, client_id: Any) -> HttpResponse:
    """All of a client's referrals, appointments and transitional-care episodes."""
    actor = _actor(request)
    policies.require_clinical(actor)
    client = policies.require_client(actor, client_id)
    refused = _get_only(request)
    if refused:
        return refused
    referrals = referral_selectors.referral_list_for_client(actor=actor, client=client)
    appointments = appointment_list_for_client(actor=actor, client=client)
    episodes = episode_list_for_client(actor=actor, client=client)
    audit_record(
        actor=actor,
        action="coordination.client_overview_viewed",
        target=client,
        client=client,
    )
    return render(
        request,
        "coordination/client_overview.html",
        {
            "client": client,
            "referrals": referrals,
            "appointments": appointments,
            "episodes": episodes,
        },
    )


# ---------------------------------------------------------------------------------------------
# Appointments


# ---------------------------------------------------------------------------------------------
# Calendar feed


# ---------------------------------------------------------------------------------------------
# Transitions of care
