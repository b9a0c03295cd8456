"""The client chart page, and a client's coordination overview (referrals, appointments and
transitional care on one page)."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

from caseload.access import policies
from caseload.appointments.selectors import appointment_list_for_client
from caseload.audit.services import audit_record
from caseload.chart.selectors import client_chart
from caseload.clients.views import actor_of
from caseload.consents.selectors import update_consents_by_person
from caseload.referrals.selectors import referral_list_for_client
from caseload.transitions.selectors import episode_list_for_client


def chart(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """The client chart: header, flags, care plan, notes, tasks, people, enrolments."""
    actor = actor_of(request)
    data = client_chart(actor=actor, client_id=client_id)
    if request.method not in ("GET", "HEAD"):  # after the scope check: out of scope is 404
        return HttpResponseNotAllowed(["GET", "HEAD"])
    audit_record(actor=actor, action="client.viewed", target=data.client, client=data.client)
    update_consents = update_consents_by_person(data.consents)
    return render(
        request,
        "chart/chart.html",
        {
            "chart": data,
            "client": data.client,
            "open_enrolments": data.open_enrolments,
            "careplans": data.careplans,
            "note_page": data.notes,
            "tasks": data.tasks,
            "notes_entered_in_error": data.notes_entered_in_error,
            "tasks_entered_in_error": data.tasks_entered_in_error,
            "consents": data.consents,
            "related_rows": [
                (person, update_consents.get(person.pk)) for person in data.related_people
            ],
        },
    )


def client_overview(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """All of a client's referrals, appointments and transitional-care episodes: one page over
    the referrals, appointments and transitions apps (at /coordination/for/<client>/, where it
    has always been)."""
    actor = actor_of(request)
    client = policies.require_clinical_client(actor, client_id)
    if request.method not in ("GET", "HEAD"):  # after the scope check: out of scope is 404
        return HttpResponseNotAllowed(["GET", "HEAD"])
    referrals = referral_list_for_client(actor=actor, client=client)
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
        "chart/client_overview.html",
        {
            "client": client,
            "referrals": referrals,
            "appointments": appointments,
            "episodes": episodes,
        },
    )
