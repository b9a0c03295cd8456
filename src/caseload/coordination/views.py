"""Coordination pages: the service directory, referrals, appointments and the calendar feed,
transitional care. Thin: parse with a form, call one service or selector, render.

POST-only actions look the record up first, so a record out of scope is "not found" for every
method; only then is a GET refused with 405.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from caseload.access import policies
from caseload.appointments.models import Appointment, AppointmentStatus
from caseload.audit.services import audit_record, audit_record_many
from caseload.coordination import selectors, services
from caseload.coordination.forms import (
    AppointmentForm,
    AppointmentStatusForm,
    CalendarFeedForm,
    ClockRecordForm,
    DischargeForm,
    EpisodeCloseForm,
)
from caseload.coordination.ical import build_calendar
from caseload.core import business_days, clock
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from caseload.core.forms import add_service_errors
from caseload.directory import selectors as directory_selectors
from caseload.referrals import selectors as referral_selectors
from caseload.referrals.models import Referral
from caseload.transitions.models import ClockKind, EpisodeStatus

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User

NEW_FEED_SESSION_KEY = "coordination_new_feed_url"


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
    appointments = list(
        Appointment.objects.filter(client_id=client.pk)
        .select_related("service__organisation", "staff")
        .order_by("-starts_at")[:200]
    )
    episodes = selectors.client_episodes(actor=actor, client=client)
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


def _parse_day(raw: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else clock.today()
    except ValueError:
        return clock.today()


def _calendar_context(actor: User, staff: User, days: list[dt.date]) -> dict[str, Any]:
    start, _ = selectors.local_day_bounds(days[0])
    _, end = selectors.local_day_bounds(days[-1])
    appointments = selectors.appointments_between(actor=actor, staff=staff, start=start, end=end)
    if appointments:
        audit_record_many(
            actor=actor,
            action="appointment.list_viewed",
            targets=[(a, a.client) for a in appointments],
        )
    by_day: dict[dt.date, list[Appointment]] = {day: [] for day in days}
    for appointment in appointments:
        local = timezone.localtime(appointment.starts_at).date()
        by_day.setdefault(max(local, days[0]), []).append(appointment)
    holidays = business_days.holiday_names_between(days[0], days[-1])
    return {
        "staff": staff,
        "is_self": staff.pk == actor.pk,
        "staff_choices": selectors.staff_choices(actor=actor),
        "days": [(day, by_day.get(day, []), holidays.get(day, "")) for day in days],
        "today": clock.today(),
        "nav": "appointments",
    }


@require_GET
def appointment_day(request: HttpRequest) -> HttpResponse:
    """One day of a care manager's appointments."""
    actor = _actor(request)
    staff = selectors.calendar_staff(actor=actor, staff_id=request.GET.get("staff"))
    day = _parse_day(request.GET.get("date"))
    context = _calendar_context(actor, staff, [day])
    context.update(
        day=day,
        previous_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1),
        week_start=day - dt.timedelta(days=day.weekday()),
    )
    return render(request, "coordination/appointment_day.html", context)


@require_GET
def appointment_week(request: HttpRequest) -> HttpResponse:
    """A week (Monday to Sunday) of a care manager's appointments."""
    actor = _actor(request)
    staff = selectors.calendar_staff(actor=actor, staff_id=request.GET.get("staff"))
    day = _parse_day(request.GET.get("start"))
    monday = day - dt.timedelta(days=day.weekday())
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    context = _calendar_context(actor, staff, days)
    context.update(
        week_start=monday,
        week_end=days[-1],
        previous_week=monday - dt.timedelta(days=7),
        next_week=monday + dt.timedelta(days=7),
    )
    return render(request, "coordination/appointment_week.html", context)


def _appointment_form(
    actor: User, client: Client, data: Any = None, **kwargs: Any
) -> AppointmentForm:
    from caseload.staff.models import User as StaffUser

    staff = StaffUser.objects.filter(
        is_active=True, career_level__in=policies.CLINICAL_LEVELS
    ).order_by("last_name", "first_name")
    return AppointmentForm(
        data, services=directory_selectors.referral_service_choices(), staff=staff, **kwargs
    )


def _appointment_kwargs(form: AppointmentForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "purpose": data["purpose"],
        "with_kind": data["with_kind"],
        "service": data.get("service"),
        "provider_name": data.get("provider_name", ""),
        "staff": data.get("staff"),
        "location_kind": data["location_kind"],
        "location": data.get("location", ""),
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "transport_needed": bool(data.get("transport_needed")),
        "transport_note": data.get("transport_note", ""),
        "interpreter_needed": bool(data.get("interpreter_needed")),
        "interpreter_language": data.get("interpreter_language", ""),
        "notes": data.get("notes", ""),
        "owner": data["owner"],
        "allow_double_booking": bool(data.get("book_anyway")),
    }


def _referral_for(actor: User, client: Client, raw: str | None) -> Referral | None:
    if not raw:
        return None
    try:
        referral = referral_selectors.referral_get(actor=actor, referral_id=raw)
    except NotFound:
        return None
    return referral if referral.client_id == client.pk else None


@require_http_methods(["GET", "POST"])
def appointment_create(request: HttpRequest, client_id: Any) -> HttpResponse:
    """Book an appointment for a client (optionally for one of their referrals)."""
    actor = _actor(request)
    policies.require_clinical(actor)
    client = policies.require_client(actor, client_id)
    referral = _referral_for(
        actor, client, request.POST.get("referral") or request.GET.get("referral")
    )
    context: dict[str, Any] = {"client": client, "referral": referral, "creating": True}
    if request.method == "POST":
        form = _appointment_form(actor, client, request.POST)
        context["form"] = form
        if form.is_valid():
            try:
                appointment = services.appointment_create(
                    actor=actor,
                    client=client,
                    referral=referral,
                    enrolment=referral.enrolment if referral else None,
                    **_appointment_kwargs(form),
                )
            except ValidationFailed as error:
                add_service_errors(form, error)
                context["double_booked"] = error.code == services.DOUBLE_BOOKED
            else:
                messages.success(request, "Appointment booked. A reminder task was added.")
                return redirect("coordination:appointment_detail", appointment_id=appointment.pk)
        return render(request, "coordination/appointment_form.html", context, status=400)
    initial: dict[str, Any] = {
        "owner": actor.pk,
        "location_kind": "in_person",
        "interpreter_needed": client.interpreter_needed,
        "interpreter_language": client.preferred_language if client.interpreter_needed else "",
    }
    if referral is not None:
        initial.update(
            purpose=f"Start of service: {referral.recipient_name}",
            with_kind="service" if referral.service_id else "provider",
            service=referral.service_id,
            provider_name=referral.provider_name,
        )
        if referral.scheduled_for:
            start = timezone.localtime(referral.scheduled_for)
            initial.update(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    context["form"] = _appointment_form(actor, client, initial=initial)
    _audit_form_view(actor, "appointment_create", client)
    return render(request, "coordination/appointment_form.html", context)


def appointment_detail(request: HttpRequest, appointment_id: Any) -> HttpResponse:
    """One appointment and, while booked, the form to record what happened."""
    actor = _actor(request)
    appointment = selectors.appointment_get(actor=actor, appointment_id=appointment_id)
    refused = _get_only(request)
    if refused:
        return refused
    audit_record(
        actor=actor, action="appointment.viewed", target=appointment, client=appointment.client
    )
    return render(
        request,
        "coordination/appointment_detail.html",
        _appointment_detail_context(appointment),
    )


def _appointment_detail_context(
    appointment: Appointment, status_form: AppointmentStatusForm | None = None
) -> dict[str, Any]:
    return {
        "appointment": appointment,
        "client": appointment.client,
        "status_form": status_form
        or AppointmentStatusForm(initial={"version": appointment.version}),
        "is_booked": appointment.status == AppointmentStatus.BOOKED,
        "nav": "appointments",
    }


@require_http_methods(["GET", "POST"])
def appointment_edit(request: HttpRequest, appointment_id: Any) -> HttpResponse:
    """Change or move a booked appointment."""
    actor = _actor(request)
    appointment = selectors.appointment_get(actor=actor, appointment_id=appointment_id)
    client = appointment.client
    if appointment.status != AppointmentStatus.BOOKED:
        messages.error(
            request,
            f"This appointment is {appointment.get_status_display().lower()} and can no longer "
            "change.",
        )
        return redirect("coordination:appointment_detail", appointment_id=appointment.pk)
    context: dict[str, Any] = {"client": client, "appointment": appointment, "creating": False}
    if request.method != "POST":
        audit_record(actor=actor, action="appointment.viewed", target=appointment, client=client)
        context["form"] = _appointment_form(
            actor, client, initial=AppointmentForm.initial_from(appointment)
        )
        return render(request, "coordination/appointment_form.html", context)
    form = _appointment_form(actor, client, request.POST)
    context["form"] = form
    if form.is_valid():
        try:
            services.appointment_update(
                actor=actor,
                appointment=appointment,
                expected_version=form.cleaned_data.get("version"),
                **_appointment_kwargs(form),
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
            context["double_booked"] = error.code == services.DOUBLE_BOOKED
        except Conflict as error:
            current = selectors.appointment_get(actor=actor, appointment_id=appointment.pk)
            if error.code != services.STALE:
                messages.error(request, error.message)
                return redirect("coordination:appointment_detail", appointment_id=appointment.pk)
            form = _appointment_form(actor, client, _with_version(request.POST, current.version))
            form.is_valid()
            start = timezone.localtime(current.starts_at)
            end = timezone.localtime(current.ends_at)
            context.update(
                form=form,
                conflict=error,
                conflict_current=[
                    ("What it is for", current.purpose),
                    ("Who it is with", current.with_whom),
                    ("When", f"{start:%a %d %b %Y %H:%M} to {end:%H:%M}"),
                    ("Where", f"{current.get_location_kind_display()} {current.location}"),
                    ("Status", current.get_status_display()),
                ],
                conflict_reload_url=reverse(
                    "coordination:appointment_edit", kwargs={"appointment_id": appointment.pk}
                ),
            )
            return render(request, "coordination/appointment_form.html", context, status=409)
        else:
            messages.success(request, "Appointment saved.")
            return redirect("coordination:appointment_detail", appointment_id=appointment.pk)
    return render(request, "coordination/appointment_form.html", context, status=400)


def appointment_status(request: HttpRequest, appointment_id: Any) -> HttpResponse:
    """Record that an appointment was attended, missed or cancelled."""
    actor = _actor(request)
    appointment = selectors.appointment_get(actor=actor, appointment_id=appointment_id)
    refused = _post_only(request)
    if refused:
        return refused
    form = AppointmentStatusForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            updated = services.appointment_set_status(
                actor=actor,
                appointment=appointment,
                status=form.cleaned_data["status"],
                expected_version=form.cleaned_data.get("version"),
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        except Conflict as error:
            appointment = selectors.appointment_get(actor=actor, appointment_id=appointment.pk)
            form = AppointmentStatusForm(_with_version(request.POST, appointment.version))
            form.is_valid()
            form.add_error(None, error.message)
            status = 409
        else:
            messages.success(
                request, f"Appointment recorded as {updated.get_status_display().lower()}."
            )
            return redirect("coordination:appointment_detail", appointment_id=appointment.pk)
    return render(
        request,
        "coordination/appointment_detail.html",
        _appointment_detail_context(appointment, status_form=form),
        status=status,
    )


# ---------------------------------------------------------------------------------------------
# Calendar feed


@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """The signed-in user's private calendar feed: create, replace, revoke, names opt-in."""
    actor = _actor(request)
    policies.require_clinical(actor)
    if request.method == "POST":
        form = CalendarFeedForm(request.POST)
        if form.is_valid():
            action = form.cleaned_data["action"]
            show = bool(form.cleaned_data.get("show_client_names"))
            if action == "create":
                _, token = services.calendar_feed_create(actor=actor, show_client_names=show)
                url = request.build_absolute_uri(
                    reverse("coordination:calendar_feed", kwargs={"token": token})
                )
                request.session[NEW_FEED_SESSION_KEY] = url
                messages.success(
                    request, "Your calendar address is ready. Any earlier address stopped working."
                )
            elif action == "revoke":
                revoked = services.calendar_feed_revoke(actor=actor)
                messages.success(
                    request,
                    "Your calendar address no longer works."
                    if revoked
                    else "You had no calendar address.",
                )
            else:
                try:
                    services.calendar_feed_set_names(actor=actor, show_client_names=show)
                except NotFound as error:
                    messages.error(request, error.message)
                else:
                    messages.success(
                        request,
                        "Your calendar now shows full names and details."
                        if show
                        else "Your calendar now shows only initials.",
                    )
            return redirect("coordination:calendar_settings")
        messages.error(request, "Choose what to do with your calendar address.")
        return redirect("coordination:calendar_settings")
    feed = selectors.active_calendar_feed(actor=actor)
    new_url = request.session.pop(NEW_FEED_SESSION_KEY, None)
    return render(
        request,
        "coordination/calendar_settings.html",
        {
            "feed": feed,
            "new_url": new_url if feed else None,
            "names_form": CalendarFeedForm(
                initial={
                    "action": "names",
                    "show_client_names": bool(feed and feed.show_client_names),
                }
            ),
            "create_form": CalendarFeedForm(initial={"action": "create"}),
            "nav": "appointments",
        },
    )


@login_not_required
@never_cache
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private iCalendar feed: reachable without signing in (calendar apps cannot), by the
    secret address only; audited; initials only unless its owner opted in."""
    feed, appointments = selectors.calendar_feed_for_token(token)
    clients = list({a.client_id: a.client for a in appointments}.values())
    services.calendar_feed_record_read(feed=feed, clients=clients)
    body = build_calendar(
        appointments,
        show_client_names=feed.show_client_names,
        url_for=lambda a: request.build_absolute_uri(
            reverse("coordination:appointment_detail", kwargs={"appointment_id": a.pk})
        ),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="caseload.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Transitions of care


@require_http_methods(["GET", "POST"])
def discharge_record(request: HttpRequest, client_id: Any) -> HttpResponse:
    """Record a hospital or skilled-nursing discharge: opens a transitional-care episode."""
    actor = _actor(request)
    policies.require_clinical(actor)
    client = policies.require_client(actor, client_id)
    enrolments = selectors.open_enrolments_for(actor=actor, client=client)
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
                return redirect("coordination:episode_detail", episode_id=episode.pk)
        return render(
            request,
            "coordination/discharge_form.html",
            {"form": form, "client": client},
            status=400,
        )
    form = DischargeForm(enrolments=enrolments, initial={"discharged_on": clock.today()})
    _audit_form_view(actor, "discharge_record", client)
    return render(request, "coordination/discharge_form.html", {"form": form, "client": client})


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
    actor = _actor(request)
    view = selectors.episode_get(actor=actor, episode_id=episode_id)
    refused = _get_only(request)
    if refused:
        return refused
    audit_record(
        actor=actor,
        action="transitional_care.viewed",
        target=view.episode,
        client=view.episode.client,
    )
    return render(request, "coordination/episode_detail.html", _episode_context(view))


def episode_record_clock(request: HttpRequest, episode_id: Any) -> HttpResponse:
    """Record the date a clock's requirement (contact, visit, reconciliation) was done."""
    actor = _actor(request)
    view = selectors.episode_get(actor=actor, episode_id=episode_id)
    refused = _post_only(request)
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
                _with_version(request.POST, view.episode.version), auto_id=f"id_{kind}_%s"
            )
            form.is_valid()
            form.add_error(None, error.message)
            status = 409
        else:
            state = "met" if done.met_on and done.met_on <= done.due_on else "done late (missed)"
            messages.success(request, f"{done.get_kind_display()} recorded: {state}.")
            return redirect("coordination:episode_detail", episode_id=view.episode.pk)
    return render(
        request,
        "coordination/episode_detail.html",
        _episode_context(view, clock_forms={kind: form}),
        status=status,
    )


def episode_close(request: HttpRequest, episode_id: Any) -> HttpResponse:
    """Close a transitional-care episode early (readmitted, died, declined, in error)."""
    actor = _actor(request)
    view = selectors.episode_get(actor=actor, episode_id=episode_id)
    refused = _post_only(request)
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
            form = EpisodeCloseForm(_with_version(request.POST, view.episode.version))
            form.is_valid()
            form.add_error(None, error.message)
            status = 409
        else:
            messages.success(
                request, "Transitional-care episode closed; open clock tasks were cancelled."
            )
            return redirect("coordination:episode_detail", episode_id=view.episode.pk)
    return render(
        request,
        "coordination/episode_detail.html",
        _episode_context(view, close_form=form),
        status=status,
    )
