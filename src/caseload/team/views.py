"""Bulk reassignment pages: choose clients and receivers, preview the proposal, confirm, and
follow the batch until it is done. Seniors (their programs) and directors; to anyone else these
pages do not exist (404)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from caseload.access import policies
from caseload.audit.services import audit_record_many
from caseload.clients.models import Client
from caseload.core.errors import AppError, Conflict, NotFound
from caseload.core.forms import add_service_errors
from caseload.core.htmx import wants_fragment
from caseload.core.http import get_only
from caseload.enrolments.models import Enrolment
from caseload.staff.http import request_actor
from caseload.staff.models import User
from caseload.team import jobs, selectors, team_view
from caseload.team.distribution import distribute
from caseload.team.forms import PreviewForm, ReassignFilterForm, ReassignSelectForm, loads_of
from caseload.team.models import BatchStatus, ReassignmentBatch
from caseload.team.services import reassignment_batch_create


def _listed(actor: User, enrolments: Sequence[Enrolment], page: str) -> None:
    """One ``client.listed`` event per client the page showed."""
    clients = {e.client_id: Client(id=e.client_id) for e in enrolments}
    audit_record_many(
        actor=actor,
        action="client.listed",
        targets=[(c, c) for c in clients.values()],
        detail={"page": page},
    )


def _filters(form: ReassignFilterForm, managers: Sequence[tuple[User, int]]) -> selectors.Filters:
    data = form.cleaned_data
    people = {m.pk: m for m, _ in managers}
    return selectors.Filters(
        care_manager=people.get(data.get("care_manager") or 0),
        program_id=data.get("program") or None,
        acuity=data.get("acuity"),
        language=data.get("language") or "",
        area=data.get("area") or "",
    )


@require_GET
def reassign(request: HttpRequest) -> HttpResponse:
    """Step 1: filter the clients you may move, tick clients and receivers."""
    actor = request_actor(request)
    policies.require_leads_programs(actor)
    managers = selectors.care_managers_with_reassignable(actor)
    filter_form = ReassignFilterForm(
        request.GET or None, managers=managers, choices=selectors.filter_choices(actor)
    )
    enrolments: list[Enrolment] = []
    if filter_form.is_bound and filter_form.is_valid() and filter_form.chosen:
        enrolments = selectors.enrolments_to_offer(
            actor=actor, filters=_filters(filter_form, managers)
        )
    receivers = selectors.receiver_choices(actor)
    leaving = filter_form.cleaned_data.get("care_manager") if filter_form.is_bound else None
    receivers = [p for p in receivers if p.pk != leaving] if filter_form.is_valid() else receivers
    counts = selectors.open_counts(p.pk for p in receivers)
    select_form = ReassignSelectForm(
        None,
        enrolments=enrolments,
        receivers=receivers,
        counts=counts,
        initial={"enrolments": [str(e.pk) for e in enrolments]},
    )
    _listed(actor, enrolments, "reassign")
    status = 400 if filter_form.errors else 200
    return render(
        request,
        "team/reassign.html",
        {
            "nav": "team",
            "filter_form": filter_form,
            "form": select_form,
            "enrolments": enrolments,
            "managers": managers,
        },
        status=status,
    )


def _preview_page(
    request: HttpRequest,
    actor: User,
    *,
    enrolments: list[Enrolment],
    receivers: list[User],
    form: PreviewForm,
    unmet: list[str],
    notes: dict[Any, list[str]],
    status: int = 200,
) -> HttpResponse:
    counts = selectors.open_counts(p.pk for p in receivers)
    loads = loads_of(receivers, counts, form.chosen(), enrolments)
    _listed(actor, enrolments, "reassign_preview")
    return render(
        request,
        "team/preview.html",
        {
            "nav": "team",
            "form": form,
            "rows": [(e, field, notes.get(e.pk, [])) for e, field in form.rows_with_fields()],
            "loads": loads,
            "unmet": unmet,
            "over_cap": any(row["over"] for row in loads),
            "moving": sum(1 for to in form.chosen().values() if to is not None),
        },
        status=status,
    )


def _chosen(actor: User, data: Any) -> tuple[list[Enrolment], list[User]]:
    enrolments = selectors.enrolments_by_id(actor=actor, ids=data.getlist("enrolments"))
    allowed = {p.pk: p for p in selectors.receiver_choices(actor)}
    wanted = []
    for raw in data.getlist("receivers"):
        if raw.isdigit() and int(raw) in allowed and allowed[int(raw)] not in wanted:
            wanted.append(allowed[int(raw)])
    return enrolments, wanted


@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """Step 2: the proposal, every row changeable; "Update totals" posts here again."""
    actor = request_actor(request)
    policies.require_leads_programs(actor)
    enrolments, receivers = _chosen(actor, request.POST)
    recalculating = "recalculate" in request.POST
    if not enrolments or not receivers:
        select_form = ReassignSelectForm(
            request.POST,
            enrolments=enrolments,
            receivers=receivers or selectors.receiver_choices(actor),
            counts={},
        )
        select_form.is_valid()
        return render(
            request,
            "team/reassign.html",
            {
                "nav": "team",
                "filter_form": None,
                "form": select_form,
                "enrolments": enrolments,
                "managers": [],
            },
            status=400,
        )
    proposal = distribute(selectors.clients_for(enrolments), selectors.receivers_for(receivers))
    form = PreviewForm(
        request.POST if recalculating else None,
        enrolments=enrolments,
        receivers=receivers,
        proposed=proposal.placements,
    )
    return _preview_page(
        request,
        actor,
        enrolments=enrolments,
        receivers=receivers,
        form=form,
        unmet=proposal.unmet,
        notes=proposal.notes,
    )


@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Step 3: move them (all or nothing), then follow the batch."""
    actor = request_actor(request)
    policies.require_leads_programs(actor)
    enrolments, receivers = _chosen(actor, request.POST)
    proposal = distribute(selectors.clients_for(enrolments), selectors.receivers_for(receivers))
    # Versions come from the page: what the senior saw is what must still be there.
    form = PreviewForm(request.POST, enrolments=enrolments, receivers=receivers)
    shown = {str(e.pk): request.POST.get(f"version_{e.pk}", "") for e in enrolments}

    def again(error: AppError | None, status: int) -> HttpResponse:
        if error is not None:
            add_service_errors(form, error)
        return _preview_page(
            request,
            actor,
            enrolments=enrolments,
            receivers=receivers,
            form=form,
            unmet=proposal.unmet,
            notes=proposal.notes,
            status=status,
        )

    if not form.is_valid() or not enrolments or not receivers:
        return again(None, 400)
    moves = form.moves()
    stale = [e for e in enrolments if shown[str(e.pk)] and shown[str(e.pk)] != str(e.version)]
    try:
        if stale:
            names = ", ".join(sorted(e.client.full_name for e in stale))
            raise Conflict(
                f"Someone changed the enrolment of {names} since the preview was made: nothing "
                "was moved. The preview now shows what is there; check it and confirm again.",
                code="stale",
            )
        batch = reassignment_batch_create(
            actor=actor, moves=moves, reason=form.cleaned_data["reason"]
        )
    except AppError as error:
        return again(error, error.status)
    batch = jobs.start(batch, inline=len(moves) <= settings.REASSIGN_INLINE_LIMIT)
    if batch.status == BatchStatus.FAILED:
        form.add_error(None, batch.error)
        return again(None, 409 if batch.error_code == "stale" else 400)
    return HttpResponseRedirect(reverse("team:batch", args=[batch.pk]))


def _batch_for(actor: User, batch_id: Any) -> ReassignmentBatch:
    policies.require_leads_programs(actor)
    batch = ReassignmentBatch.objects.filter(pk=batch_id).select_related("actor").first()
    if batch is None or not (batch.actor_id == actor.pk or policies.is_director(actor)):
        raise NotFound("Not found.")
    return batch


def batch_view(request: HttpRequest, batch_id: Any) -> HttpResponse:
    """A batch's progress (polled while it runs) and outcome."""
    actor = request_actor(request)
    batch = _batch_for(actor, batch_id)  # out of scope: 404 whatever the method
    refused = get_only(request)
    if refused is not None:
        return refused
    template = "team/partials/batch_status.html" if wants_fragment(request) else "team/batch.html"
    return render(request, template, {"nav": "team", "batch": batch})


#: The team table's figure columns after the caseload, in order.
ROW_FIGURES = (
    "overdue_tasks",
    "cosign",
    "not_reached_14",
    "not_reached_30",
    "reassessments",
    "returned_plans",
)


def _row_cells(row: team_view.MemberRow, clients_url: str) -> SafeString:
    """The figure cells of one row, each linked to its clients. Built here, not in the
    template: a senior's team is hundreds of rows, and seven template cells a row were half the
    page's CPU. Safe without escaping: every value is an int, and the address is the reversed
    URL with an int id and a figure name from ``ROW_FIGURES``."""
    base = f"{clients_url}?member={int(row.person.pk)}&amp;figure="

    def linked(figure: str, value: int) -> str:
        return f'<a href="{base}{figure}">{int(value)}</a>' if value else "0"

    over = ' <span class="tag tag-danger">over cap</span>' if row.over_cap else ""
    cells = [f"<td>{linked('caseload', row.caseload)} / {int(row.cap)}{over}</td>"]
    for figure in ROW_FIGURES:
        value = row.value(figure)
        more = ""
        if figure == "cosign" and value and row.cosign_oldest_days is not None:
            days = int(row.cosign_oldest_days)
            more = f' <span class="muted">({days} day{"" if days == 1 else "s"})</span>'
        cells.append(f"<td>{linked(figure, value)}{more}</td>")
    return mark_safe("".join(cells))  # noqa: S308 - ints and constants only (see above)


@require_GET
def team(request: HttpRequest) -> HttpResponse:
    """The team view: each supervisee's or program colleague's figures, linked to the clients."""
    actor = request_actor(request)
    # NotFound for anyone without a team.
    page, rows = team_view.team_page(actor=actor, page=request.GET.get("page"))
    clients_url = reverse("team:clients")
    return render(
        request,
        "team/team.html",
        {
            "nav": "team_view",
            "rows": rows,
            "page": page,
            "lines": [(row, _row_cells(row, clients_url)) for row in rows],
            "figures": team_view.FIGURES,
        },
    )


@require_GET
def team_clients(request: HttpRequest) -> HttpResponse:
    """The clients behind one figure of one team member, a page at a time (audited)."""
    actor = request_actor(request)
    member = team_view.team_member(actor=actor, member_id=request.GET.get("member", ""))
    figure = request.GET.get("figure", "")
    clients = team_view.figure_clients(actor=actor, member=member, figure=figure)
    page = Paginator(clients, 100).get_page(request.GET.get("page"))
    audit_record_many(
        actor=actor,
        action="client.listed",
        targets=[(c, c) for c in page.object_list],
        detail={"page": "team", "figure": figure, "member": member.pk},
    )
    return render(
        request,
        "team/team_clients.html",
        {
            "nav": "team_view",
            "page": page,
            "member": member,
            "label": team_view.LABELS[figure],
            "here": request.GET.urlencode(),
        },
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Where signing in lands, by role: a director on the organisation's month report, a senior
    on their program's, a supervisor on the team view, everyone else on their caseload."""
    actor = request_actor(request)
    if policies.leads_programs(actor):
        programs = policies.led_programs_or_all(actor)
        query = f"?program={programs[0]}" if programs else ""
        return HttpResponseRedirect(reverse("reports:month") + query)
    if policies.can_see_team(actor):
        return HttpResponseRedirect(reverse("team:view"))
    return HttpResponseRedirect(reverse("worklist:caseload"))
