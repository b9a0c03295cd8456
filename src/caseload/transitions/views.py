"""Transitional-care pages: record a discharge, an episode with its clocks, record a clock as
met, close an episode early. Thin: parse with a form, call one service or selector, render.

POST-only actions look the episode up first, so one out of scope is "not found" for every
method; only then is a GET refused with 405.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from caseload.access import policies
from caseload.audit.services import audit_form_viewed, audit_record
from caseload.core import clock
from caseload.core.errors import Conflict, ValidationFailed
from caseload.core.forms import add_service_errors
from caseload.core.formviews import with_version
from caseload.core.http import get_only, post_only, request_actor
from caseload.enrolments.selectors import open_enrolments_for
from caseload.transitions import selectors, services
from caseload.transitions.forms import ClockRecordForm, DischargeForm, EpisodeCloseForm
from caseload.transitions.models import ClockKind, EpisodeStatus


@require_http_methods(["GET", "POST"])
def discharge_record(request: HttpRequest, client_id: Any) -> HttpResponse:
    """Record a hospital or skilled-nursing discharge: opens a transitional-care episode."""
    actor = request_actor(request)
    policies.require_clinical(actor)
    client = policies.require_client(actor, client_id)
    enrolments = open_enrolments_for(actor=actor, client=client)
    if request.method == "POST":
        form = DischargeForm(request.POST, enrolments=enrolments)
        if form.is_valid():
            try:
                episode = services.discharge_record(
                    actor=actor,
                    client=client,
                    enrolment=form.cleaned_data.get("enrolment"),
                    discharged_on=form.cleaned_data["discharged_on"],
                    discharged_from=form.cleaned_data["discharged_from"],
                    facility_name=form.cleaned_data["facility_name"],
                    complexity=form.cleaned_data["complexity"],
                    notes=form.cleaned_data.get("notes", ""),
                )
            except ValidationFailed as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    "Discharge recorded. The transitional-care clocks have started and their "
                    "tasks were added.",
                )
                return redirect("transitions:episode_detail", episode_id=episode.pk)
        return render(
            request,
            "transitions/discharge_form.html",
            {"form": form, "client": client},
            status=400,
        )
    form = DischargeForm(enrolments=enrolments, initial={"discharged_on": clock.today()})
    audit_form_viewed(actor=actor, client=client, form="discharge_record")
    return render(request, "transitions/discharge_form.html", {"form": form, "client": client})


def _episode_context(
    view: selectors.EpisodeView,
    *,
    clock_forms: dict[str, ClockRecordForm] | None = None,
    close_form: EpisodeCloseForm | None = None,
) -> dict[str, Any]:
    episode = view.episode
    forms = clock_forms or {}
    rows = []
    for item in view.clocks:
        form = forms.get(item.clock.kind) or ClockRecordForm(
            initial={"kind": item.clock.kind, "version": episode.version, "met_on": clock.today()},
            auto_id=f"id_{item.clock.kind}_%s",
        )
        rows.append((item, form))
    return {
        "view": view,
        "episode": episode,
        "client": episode.client,
        "rows": rows,
        "is_active": episode.status == EpisodeStatus.ACTIVE,
        "close_form": close_form or EpisodeCloseForm(initial={"version": episode.version}),
    }


def episode_detail(request: HttpRequest, episode_id: Any) -> HttpResponse:
    """A transitional-care episode: each clock, its due date and whether it was met."""
    actor = request_actor(request)
    view = selectors.episode_get(actor=actor, episode_id=episode_id)
    refused = get_only(request)
    if refused:
        return refused
    audit_record(
        actor=actor,
        action="transitional_care.viewed",
        target=view.episode,
        client=view.episode.client,
    )
    return render(request, "transitions/episode_detail.html", _episode_context(view))


def episode_record_clock(request: HttpRequest, episode_id: Any) -> HttpResponse:
    """Record the date a clock's requirement (contact, visit, reconciliation) was done."""
    actor = request_actor(request)
    view = selectors.episode_get(actor=actor, episode_id=episode_id)
    refused = post_only(request)
    if refused:
        return refused
    kind = request.POST.get("kind", "")
    kind = kind if kind in ClockKind.values else "clock"
    form = ClockRecordForm(request.POST, auto_id=f"id_{kind}_%s")
    status = 400
    if form.is_valid():
        try:
            done = services.clock_record_met(
                actor=actor,
                episode=view.episode,
                kind=form.cleaned_data["kind"],
                met_on=form.cleaned_data["met_on"],
                note=form.cleaned_data.get("note", ""),
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        except Conflict as error:
            view = selectors.episode_get(actor=actor, episode_id=episode_id)
            form = ClockRecordForm(
                with_version(request.POST, view.episode.version), auto_id=f"id_{kind}_%s"
            )
            form.is_valid()
            form.add_error(None, error.message)
            status = 409
        else:
            state = "met" if done.met_on and done.met_on <= done.due_on else "done late (missed)"
            messages.success(request, f"{done.get_kind_display()} recorded: {state}.")
            return redirect("transitions:episode_detail", episode_id=view.episode.pk)
    return render(
        request,
        "transitions/episode_detail.html",
        _episode_context(view, clock_forms={kind: form}),
        status=status,
    )


def episode_close(request: HttpRequest, episode_id: Any) -> HttpResponse:
    """Close a transitional-care episode early (readmitted, died, declined, in error)."""
    actor = request_actor(request)
    view = selectors.episode_get(actor=actor, episode_id=episode_id)
    refused = post_only(request)
    if refused:
        return refused
    form = EpisodeCloseForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.episode_close(
                actor=actor,
                episode=view.episode,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data.get("note", ""),
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        except Conflict as error:
            view = selectors.episode_get(actor=actor, episode_id=episode_id)
            form = EpisodeCloseForm(with_version(request.POST, view.episode.version))
            form.is_valid()
            form.add_error(None, error.message)
            status = 409
        else:
            messages.success(
                request, "Transitional-care episode closed; open clock tasks were cancelled."
            )
            return redirect("transitions:episode_detail", episode_id=view.episode.pk)
    return render(
        request,
        "transitions/episode_detail.html",
        _episode_context(view, close_form=form),
        status=status,
    )
