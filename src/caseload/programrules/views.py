"""Pages for time toward programs: the chart's timer, correcting time, chronic conditions, and
month end (the report, the billing export, closing and reopening a month)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caseload.access import policies
from caseload.audit.services import audit_record, audit_record_many
from caseload.clients.views import client_subject, record_page_view
from caseload.core import clock
from caseload.core.entered_in_error import confirm_page
from caseload.core.errors import Conflict, PermissionDenied, ValidationFailed
from caseload.core.formviews import FormPage, form_view, success_redirect
from caseload.core.http import post_only
from caseload.exports.services import export_request
from caseload.exports.views import redirect_to
from caseload.programrules import billing_exports, selectors, services
from caseload.programrules.forms import (
    ChronicConditionForm,
    ConditionResolveForm,
    MonthReopenForm,
    TimeEntryEditForm,
    TimerStopForm,
)
from caseload.programrules.models import Activity, RunningTimer, TimeEntry
from caseload.staff.http import request_actor

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.programrules.models import ChronicCondition


def _chart_url(client_id: Any) -> str:
    return reverse("clients:chart", args=[client_id]) + "#program-time"


# -- the timer ----------------------------------------------------------------------------------


def timer_start(request: HttpRequest, client_id: Any) -> HttpResponse:
    """Start timing work on this client (the chart's button): the program and activity start as
    the client's latest; they are chosen when the time is recorded."""
    actor = request_actor(request)
    client = policies.require_clinical_client(actor, client_id)
    if refused := post_only(request):
        return refused
    defaults = selectors.note_time_initial(actor=actor, client=client)
    try:
        services.timer_start(
            actor=actor,
            client=client,
            program=defaults["time_program"],
            activity=Activity.COORDINATION,
        )
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Timer started for {client.full_name}.")
    return redirect(_chart_url(client.pk))


def _timer_or_none(request: HttpRequest) -> RunningTimer | None:
    timer = selectors.running_timer(actor=request_actor(request))
    if timer is None:
        messages.info(request, "No timer is running.")
    return timer


@require_http_methods(["GET", "POST"])
def timer_record(request: HttpRequest) -> HttpResponse:
    """Stop the running timer and record its time: minutes from the timer, editable."""
    actor = request_actor(request)
    policies.require_clinical(actor)
    timer = _timer_or_none(request)
    if timer is None:
        return redirect("worklist:caseload")
    client = timer.client
    defaults = selectors.note_time_initial(actor=actor, client=client)
    record_page_view(
        request, actor, action="client.viewed", target=client, client=client, page="timer_record"
    )
    initial = {
        "minutes": services.timer_minutes(timer),
        "program": timer.program,
        "activity": timer.activity,
        "staff_type": defaults["time_staff_type"],
        "billing_practitioner": defaults["time_billing_practitioner"],
    }

    def save(form: TimerStopForm) -> TimeEntry:
        data = form.cleaned_data
        return services.time_entry_create(
            actor=actor,
            client=client,
            performed_at=timer.started_at,
            minutes=data["minutes"],
            program=data["program"],
            activity=data["activity"],
            staff_type=data["staff_type"],
            billing_practitioner=data["billing_practitioner"],
            description=data["description"],
        )

    def show(page: FormPage[RunningTimer, TimerStopForm]) -> HttpResponse:
        context = {**page.context(), "timer": timer, "client": client}
        return render(request, "programrules/timer_record.html", context, status=page.status)

    return form_view(
        request,
        timer,
        form=lambda _, data: TimerStopForm(data, initial=initial),
        save=save,
        render=show,
        success=lambda entry: success_redirect(
            request,
            f"{entry.minutes} minutes recorded for {client.full_name}"
            f" ({services.program_label(entry.program, entry.month)}).",
            _chart_url(client.pk),
        ),
    )


def timer_discard(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    policies.require_clinical(actor)
    if refused := post_only(request):
        return refused
    timer = _timer_or_none(request)
    if timer is None:
        return redirect("worklist:caseload")
    client_id = timer.client_id
    services.timer_discard(actor=actor)
    messages.success(request, "Timer discarded; no time was recorded.")
    return redirect(_chart_url(client_id))


# -- correcting time ----------------------------------------------------------------------------


def _entry_initial(entry: TimeEntry) -> dict[str, Any]:
    return {
        "version": entry.version,
        "minutes": entry.minutes,
        "program": entry.program,
        "activity": entry.activity,
        "staff_type": entry.staff_type,
        "billing_practitioner": entry.billing_practitioner,
    }


def _entry_rows(entry: TimeEntry) -> list[tuple[str, str]]:
    return [
        ("Minutes", str(entry.minutes)),
        ("Counts toward", services.program_label(entry.program, entry.month)),
        ("Activity", entry.get_activity_display()),
        ("Staff type", entry.get_staff_type_display()),
        ("Billing practitioner", entry.billing_practitioner or "not recorded"),
    ]


@require_http_methods(["GET", "POST"])
def time_entry_edit(request: HttpRequest, time_entry_id: Any) -> HttpResponse:
    """Correct a time entry, with a reason; the page shows every earlier change."""
    actor = request_actor(request)
    entry = selectors.time_entry_get(actor=actor, entry_id=time_entry_id)
    if not policies.can_edit_time_entry(actor, entry.performed_by):
        raise PermissionDenied(
            "Only the person who did the work, their supervisor, a senior care manager or a "
            "director may change this time.",
            code="not_time_editor",
        )
    if entry.note is not None and entry.note.status == "draft":
        messages.info(request, "This time belongs to a draft note: change it on the note.")
        return redirect("notes:edit", note_id=entry.note_id)
    if entry.is_entered_in_error:
        messages.info(request, "This time was entered in error and can no longer be changed.")
        return redirect(_chart_url(entry.client_id))
    record_page_view(
        request,
        actor,
        action="time_entry.viewed",
        target=entry,
        client=entry.client,
        page="edit",
    )

    def save(form: TimeEntryEditForm) -> TimeEntry:
        data = form.cleaned_data
        return services.time_entry_update(
            actor=actor,
            entry=entry,
            expected_version=data["version"],
            minutes=data["minutes"],
            program=data["program"],
            activity=data["activity"],
            staff_type=data["staff_type"],
            billing_practitioner=data["billing_practitioner"],
            reason=data["reason"],
        )

    def show(page: FormPage[TimeEntry, TimeEntryEditForm]) -> HttpResponse:
        context = {
            **page.context(),
            "entry": page.record,
            "client": page.record.client,
            "changes": list(page.record.changes.all()),
            "can_mark_error": page.record.note_id is None,
        }
        return render(request, "programrules/time_entry_edit.html", context, status=page.status)

    return form_view(
        request,
        entry,
        form=lambda record, data: TimeEntryEditForm(data, initial=_entry_initial(record)),
        save=save,
        render=show,
        success=lambda saved: success_redirect(
            request, "Time changed; the reason is kept with it.", _chart_url(saved.client_id)
        ),
        reload=lambda: selectors.time_entry_get(actor=actor, entry_id=entry.pk),
        current=lambda fresh, _: _entry_rows(fresh),
        refused_url=_chart_url(entry.client_id),
    )


def time_entry_entered_in_error(request: HttpRequest, time_entry_id: Any) -> HttpResponse:
    """Confirm, then mark timed work as entered in error (a note's time goes with its note)."""
    actor = request_actor(request)
    entry = selectors.time_entry_get(actor=actor, entry_id=time_entry_id)
    if not policies.can_edit_time_entry(actor, entry.performed_by):
        raise PermissionDenied("You may not change this time.", code="not_time_editor")
    record_page_view(
        request,
        actor,
        action="time_entry.viewed",
        target=entry,
        client=entry.client,
        page="entered_in_error",
    )
    return confirm_page(
        request,
        record=entry,
        subject=client_subject(entry.client),
        what="time",
        summary=_entry_rows(entry),
        action_url=reverse("programrules:time_entered_in_error", args=[entry.pk]),
        back_url=_chart_url(entry.client_id),
        back_label=f"Back to {entry.client.full_name}",
        mark=lambda reason, version: services.time_entry_mark_entered_in_error(
            actor=actor, entry=entry, reason=reason, expected_version=version
        ),
        done_message="Time marked as entered in error; it no longer counts.",
    )


# -- chronic conditions -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def conditions(request: HttpRequest, client_id: Any) -> HttpResponse:
    """A client's chronic conditions (counted by CCM, PCM and APCM), and adding one."""
    actor = request_actor(request)
    client = policies.require_clinical_client(actor, client_id)

    def save(form: ChronicConditionForm) -> ChronicCondition:
        data = form.cleaned_data
        return services.chronic_condition_create(
            actor=actor,
            client=client,
            name=data["name"],
            icd10=data["icd10"],
            high_risk=data["high_risk"],
            noted_on=data["noted_on"],
        )

    def show(page: FormPage[Client, ChronicConditionForm]) -> HttpResponse:
        if request.method == "GET":
            audit_record(
                actor=actor,
                action="chronic_condition.list_viewed",
                target=client,
                client=client,
            )
        conditions = selectors.chronic_conditions_for_client(actor=actor, client=client)
        context = {
            **page.context(),
            "client": client,
            "conditions": [
                (c, _resolve_form(request, c) if c.resolved_on is None else None)
                for c in conditions
            ],
        }
        return render(request, "programrules/conditions.html", context, status=page.status)

    return form_view(
        request,
        client,
        form=lambda _, data: ChronicConditionForm(data, initial={"noted_on": clock.today()}),
        save=save,
        render=show,
        success=lambda condition: success_redirect(
            request,
            f"{condition.name} added to {client.full_name}'s chronic conditions.",
            reverse("programrules:conditions", args=[client.pk]),
        ),
    )


def _resolve_form(request: HttpRequest, condition: ChronicCondition) -> ConditionResolveForm:
    return ConditionResolveForm(
        request.POST if request.method == "POST" else None,
        initial={"resolved_on": clock.today()},
        prefix=f"resolve-{condition.pk}",
    )


def condition_resolve(request: HttpRequest, condition_id: Any) -> HttpResponse:
    """Mark a chronic condition resolved (it no longer counts from the next month)."""
    actor = request_actor(request)
    condition = selectors.chronic_condition_get(actor=actor, condition_id=condition_id)
    if refused := post_only(request):
        return refused
    back = reverse("programrules:conditions", args=[condition.client_id])
    form = _resolve_form(request, condition)
    if not form.is_valid():
        messages.error(request, "Enter the date the condition resolved.")
        return redirect(back)
    try:
        services.chronic_condition_resolve(
            actor=actor, condition=condition, resolved_on=form.cleaned_data["resolved_on"]
        )
    except (ValidationFailed, Conflict) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{condition.name} marked resolved.")
    return redirect(back)


def condition_entered_in_error(request: HttpRequest, condition_id: Any) -> HttpResponse:
    """Confirm, then mark a chronic condition as entered in error (it stops counting)."""
    actor = request_actor(request)
    condition = selectors.chronic_condition_get(actor=actor, condition_id=condition_id)
    record_page_view(
        request,
        actor,
        action="chronic_condition.viewed",
        target=condition,
        client=condition.client,
        page="entered_in_error",
    )
    back = reverse("programrules:conditions", args=[condition.client_id])
    return confirm_page(
        request,
        record=condition,
        subject=client_subject(condition.client),
        what="condition",
        summary=[
            ("Condition", condition.name),
            ("ICD-10", condition.icd10 or "not recorded"),
            ("Noted on", f"{condition.noted_on:%d %B %Y}"),
        ],
        action_url=reverse("programrules:condition_entered_in_error", args=[condition.pk]),
        back_url=back,
        back_label="Back to the chronic conditions",
        mark=lambda reason: services.chronic_condition_mark_entered_in_error(
            actor=actor, condition=condition, reason=reason
        ),
        done_message=f"{condition.name} marked as entered in error; it no longer counts.",
    )


# -- month end ----------------------------------------------------------------------------------


def _month(request: HttpRequest) -> dt.date:
    """The month asked about (``?month=2026-11``); a page asked about a month that cannot be
    shows last month, with a message."""
    try:
        return selectors.parse_month(request.GET.get("month") or request.POST.get("month"))
    except ValidationFailed as error:
        messages.error(request, error.message)
        return selectors.parse_month(None)


def _audit_rows(actor: Any, summary: selectors.ProgramMonthSummary, page: str) -> None:
    clients = {row.client.pk: row.client for row in summary.rows}
    if clients:
        audit_record_many(
            actor=actor,
            action="client.listed",
            targets=[(client, client) for client in clients.values()],
            detail={"page": page, "month": summary.month.isoformat()},
        )


def month_report(request: HttpRequest) -> HttpResponse:
    """Month end: per program and per care manager, the clients and the codes met; every
    client's result with the reasons for codes not met."""
    actor = request_actor(request)
    policies.require_program_reports(actor)
    month = _month(request)
    summary = selectors.program_month_summary(actor=actor, month=month)
    _audit_rows(actor, summary, "program_month")
    context = {
        "nav": "program_month",
        "summary": summary,
        "months": selectors.recent_months(),
        "closings": selectors.month_closings(month),
        "can_close": policies.can_close_months(actor),
        "has_ended": month < selectors.this_month(),
    }
    return render(request, "programrules/month_report.html", context)


def month_csv(request: HttpRequest) -> HttpResponse:
    """Request the billing export (one row per client and program with codes met) for the
    month the page shows: written by a background job, followed on the export's page. A month
    that cannot be is refused (an export is never a guess)."""
    actor = request_actor(request)
    policies.require_program_reports(actor)
    if refused := post_only(request):
        return refused
    try:
        month = selectors.parse_month(request.POST.get("month") or "?")
    except ValidationFailed as error:
        messages.error(request, error.message)
        return redirect("programrules:month")
    export = export_request(
        actor=actor, kind=billing_exports.KIND, filters={"month": f"{month:%Y-%m}"}
    )
    return redirect_to(export)


def month_close(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    policies.require_may_close_months(actor)
    if refused := post_only(request):
        return refused
    try:  # closing is never a guess: an unreadable month closes nothing
        month = selectors.parse_month(request.POST.get("month") or "?")
    except ValidationFailed as error:
        messages.error(request, error.message)
        return redirect("programrules:month")
    try:
        services.month_close(actor=actor, month=month)
    except (ValidationFailed, Conflict) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{services.month_words(month)} closed: its results are frozen.")
    return redirect(reverse("programrules:month") + f"?month={month:%Y-%m}")


@require_http_methods(["GET", "POST"])
def month_reopen(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    policies.require_may_close_months(actor)
    month = _month(request)
    back = reverse("programrules:month") + f"?month={month:%Y-%m}"
    closing = services.closed_month(month)
    if closing is None:
        messages.info(request, f"{services.month_words(month)} is not closed.")
        return redirect(back)

    def show(page: FormPage[Any, MonthReopenForm]) -> HttpResponse:
        context = {**page.context(), "closing": closing, "month": month, "back": back}
        return render(request, "programrules/month_reopen.html", context, status=page.status)

    return form_view(
        request,
        closing,
        form=lambda _, data: MonthReopenForm(data),
        save=lambda form: services.month_reopen(
            actor=actor, month=month, reason=form.cleaned_data["reason"]
        ),
        render=show,
        success=lambda _: success_redirect(
            request, f"{services.month_words(month)} reopened; the reason is kept.", back
        ),
        refused_url=back,
    )
