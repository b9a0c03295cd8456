"""Transitional-care pages: record a discharge, an episode with its clocks, record a clock as
met, close an episode early. Thin: parse with a form, call one service or selector, render.

POST-only actions look the episode up first, so one out of scope is "not found" for every
method; only then is a GET refused with 405.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caseload.access import policies
from caseload.audit.services import audit_form_viewed, audit_record
from caseload.core import clock
from caseload.core.formviews import ConflictShown, Rows, form_view, shown, success_redirect
from caseload.core.http import get_only, post_only
from caseload.enrolments.selectors import open_enrolments_for
from caseload.staff.http import request_actor
from caseload.transitions import selectors, services
from caseload.transitions.forms import ClockRecordForm, DischargeForm, EpisodeCloseForm
from caseload.transitions.models import ClockKind, EpisodeStatus, TransitionalClock


def _detail_url(episode_id: Any) -> str:
    return reverse("transitions:episode_detail", kwargs={"episode_id": episode_id})


@require_http_methods(["GET", "POST"])
def discharge_record(request: HttpRequest, client_id: Any) -> HttpResponse:
    """Record a hospital or skilled-nursing discharge: opens a transitional-care episode."""
    actor = request_actor(request)
    policies.require_clinical(actor)
    client = policies.require_client(actor, client_id)
    enrolments = open_enrolments_for(actor=actor, client=client)
    if request.method != "POST":
        audit_form_viewed(actor=actor, client=client, form="discharge_record")
    return form_view(
        request,
        client,
        form=lambda _, data: DischargeForm(
            data, enrolments=enrolments, initial={"discharged_on": clock.today()}
        ),
        save=lambda form: services.discharge_record(
            actor=actor,
            client=client,
            enrolment=form.cleaned_data["enrolment"],
            discharged_on=form.cleaned_data["discharged_on"],
            discharged_from=form.cleaned_data["discharged_from"],
            facility_name=form.cleaned_data["facility_name"],
            complexity=form.cleaned_data["complexity"],
            notes=form.cleaned_data["notes"],
        ),
        render=lambda page: render(
            request,
            "transitions/discharge_form.html",
            {**page.context(), "client": client},
            status=page.status,
        ),
        success=lambda episode: success_redirect(
            request,
            "Discharge recorded. The transitional-care clocks have started and their tasks were "
            "added.",
            _detail_url(episode.pk),
        ),
    )


def _render_detail(
    request: HttpRequest,
    view: selectors.EpisodeView,
    *,
    clock_forms: dict[str, ClockRecordForm] | None = None,
    close_form: EpisodeCloseForm | None = None,
    status: int = 200,
    conflict: ConflictShown | None = None,
) -> HttpResponse:
    episode = view.episode
    forms = clock_forms or {}
    rows = []
    for item in view.clocks:
        form = forms.get(item.clock.kind) or ClockRecordForm(
            initial={"kind": item.clock.kind, "version": episode.version, "met_on": clock.today()},
            auto_id=f"id_{item.clock.kind}_%s",
        )
        rows.append((item, form))
    context = {
        "view": view,
        "episode": episode,
        "client": episode.client,
        "rows": rows,
        "is_active": episode.status == EpisodeStatus.ACTIVE,
        "close_form": close_form or EpisodeCloseForm(initial={"version": episode.version}),
        **(conflict.context() if conflict else {}),
    }
    return render(request, "transitions/episode_detail.html", context, status=status)


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
    return _render_detail(request, view)


def _episode_rows(view: selectors.EpisodeView) -> Rows:
    """Where the episode and each of its clocks stand now."""
    episode = view.episode
    status = episode.get_status_display()
    if episode.close_reason:
        status = f"{status}: {episode.get_close_reason_display().lower()}"
    rows: Rows = [("Status", status)]
    for item in view.clocks:
        done = item.clock.met_on
        rows.append(
            (
                item.kind_label,
                f"{item.state_label}, done {shown(done)}" if done else item.state_label,
            )
        )
    return rows


def _recorded_message(done: TransitionalClock) -> str:
    state = "met" if done.met_on and done.met_on <= done.due_on else "done late (missed)"
    return f"{done.get_kind_display()} recorded: {state}."


def episode_record_clock(request: HttpRequest, episode_id: Any) -> HttpResponse:
    """Record the date a clock's requirement (contact, visit, reconciliation) was done."""
    actor = request_actor(request)
    view = selectors.episode_get(actor=actor, episode_id=episode_id)
    refused = post_only(request)
    if refused:
        return refused
    kind = request.POST.get("kind", "")
    kind = kind if kind in ClockKind.values else "clock"
    return form_view(
        request,
        view,
        form=lambda _, data: ClockRecordForm(data, auto_id=f"id_{kind}_%s"),
        save=lambda form: services.clock_record_met(
            actor=actor,
            episode=view.episode,
            kind=form.cleaned_data["kind"],
            met_on=form.cleaned_data["met_on"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        ),
        render=lambda page: _render_detail(
            request,
            page.record,
            clock_forms={kind: page.form},
            status=page.status,
            conflict=page.conflict,
        ),
        success=lambda done: success_redirect(
            request, _recorded_message(done), _detail_url(view.episode.pk)
        ),
        reload=lambda: selectors.episode_get(actor=actor, episode_id=view.episode.pk),
        current=lambda fresh, _: _episode_rows(fresh),
        reload_url=_detail_url(view.episode.pk),
    )


def episode_close(request: HttpRequest, episode_id: Any) -> HttpResponse:
    """Close a transitional-care episode early (readmitted, died, declined, in error)."""
    actor = request_actor(request)
    view = selectors.episode_get(actor=actor, episode_id=episode_id)
    refused = post_only(request)
    if refused:
        return refused
    return form_view(
        request,
        view,
        form=lambda _, data: EpisodeCloseForm(data),
        save=lambda form: services.episode_close(
            actor=actor,
            episode=view.episode,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        ),
        render=lambda page: _render_detail(
            request,
            page.record,
            close_form=page.form,
            status=page.status,
            conflict=page.conflict,
        ),
        success=lambda _: success_redirect(
            request,
            "Transitional-care episode closed; open clock tasks were cancelled.",
            _detail_url(view.episode.pk),
        ),
        reload=lambda: selectors.episode_get(actor=actor, episode_id=view.episode.pk),
        current=lambda fresh, _: _episode_rows(fresh),
        reload_url=_detail_url(view.episode.pk),
    )
