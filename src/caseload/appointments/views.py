"""Appointment pages: a day's and a week's calendar, book, change and record an appointment,
and the private calendar feed (its settings page, and the feed itself at its secret address).
Thin: parse with a form, call one service or selector, render.

POST-only actions look the appointment up first, so one out of scope is "not found" for every
method; only then is a GET refused with 405.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from caseload.access import policies
from caseload.appointments import selectors, services
from caseload.appointments.forms import (
    AppointmentEditForm,
    AppointmentForm,
    AppointmentStatusForm,
    CalendarFeedForm,
    CalendarQueryForm,
)
from caseload.appointments.ical import build_calendar
from caseload.appointments.models import Appointment, AppointmentStatus
from caseload.audit.services import audit_form_viewed, audit_record, audit_record_many
from caseload.core import business_days, clock
from caseload.core.errors import NotFound
from caseload.core.forms import query_form
from caseload.core.formviews import ConflictShown, FormPage, Rows, form_view, success_redirect
from caseload.core.http import get_only, post_only
from caseload.directory.selectors import referral_service_choices
from caseload.referrals.models import Referral
from caseload.referrals.selectors import referral_get
from caseload.staff.http import request_actor
from caseload.staff.models import User

if TYPE_CHECKING:
    from caseload.clients.models import Client

NEW_FEED_SESSION_KEY = "coordination_new_feed_url"


def _calendar_query(request: HttpRequest, actor: User, day_param: str) -> tuple[User, dt.date]:
    """Whose calendar and which day the address names (400 for a value that is not one)."""
    query = query_form(request.GET, CalendarQueryForm).cleaned_data
    staff = selectors.calendar_staff(actor=actor, staff_id=query["staff"])
    return staff, query[day_param] or clock.today()


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
    actor = request_actor(request)
    staff, day = _calendar_query(request, actor, "date")
    context = _calendar_context(actor, staff, [day])
    context.update(
        day=day,
        previous_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1),
        week_start=day - dt.timedelta(days=day.weekday()),
    )
    return render(request, "appointments/appointment_day.html", context)


@require_GET
def appointment_week(request: HttpRequest) -> HttpResponse:
    """A week (Monday to Sunday) of a care manager's appointments."""
    actor = request_actor(request)
    staff, day = _calendar_query(request, actor, "start")
    monday = day - dt.timedelta(days=day.weekday())
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    context = _calendar_context(actor, staff, days)
    context.update(
        week_start=monday,
        week_end=days[-1],
        previous_week=monday - dt.timedelta(days=7),
        next_week=monday + dt.timedelta(days=7),
    )
    return render(request, "appointments/appointment_week.html", context)


def _appointment_form(
    data: QueryDict | None, form_class: type[AppointmentForm] = AppointmentForm, **kwargs: Any
) -> AppointmentForm:
    staff = User.objects.filter(is_active=True, career_level__in=policies.CLINICAL_LEVELS).order_by(
        "last_name", "first_name"
    )
    return form_class(data, services=referral_service_choices(), staff=staff, **kwargs)


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


def _render_form(
    request: HttpRequest, page: FormPage[Any, AppointmentForm], **context: Any
) -> HttpResponse:
    """The booking form; a double-booking refusal also offers "Book anyway"."""
    context.update(
        page.context(),
        double_booked=page.form.has_error("starts_at", code=services.DOUBLE_BOOKED),
    )
    return render(request, "appointments/appointment_form.html", context, status=page.status)


def _referral_for(actor: User, client: Client, raw: str | None) -> Referral | None:
    if not raw:
        return None
    try:
        referral = referral_get(actor=actor, referral_id=raw)
    except NotFound:
        return None
    return referral if referral.client_id == client.pk else None


def _create_initial(client: Client, referral: Referral | None, owner: User) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "owner": owner.pk,
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
    return initial


def _detail_url(appointment_id: Any) -> str:
    return reverse("appointments:appointment_detail", kwargs={"appointment_id": appointment_id})


@require_http_methods(["GET", "POST"])
def appointment_create(request: HttpRequest, client_id: Any) -> HttpResponse:
    """Book an appointment for a client (optionally for one of their referrals)."""
    actor = request_actor(request)
    policies.require_clinical(actor)
    client = policies.require_client(actor, client_id)
    referral = _referral_for(
        actor, client, request.POST.get("referral") or request.GET.get("referral")
    )
    if request.method != "POST":
        audit_form_viewed(actor=actor, client=client, form="appointment_create")
    return form_view(
        request,
        client,
        form=lambda _, data: _appointment_form(
            data, initial=_create_initial(client, referral, actor) if data is None else None
        ),
        save=lambda form: services.appointment_create(
            actor=actor,
            client=client,
            referral=referral,
            enrolment=referral.enrolment if referral else None,
            **_appointment_kwargs(form),
        ),
        render=lambda page: _render_form(
            request, page, client=client, referral=referral, creating=True
        ),
        success=lambda appointment: success_redirect(
            request, "Appointment booked. A reminder task was added.", _detail_url(appointment.pk)
        ),
    )


def appointment_detail(request: HttpRequest, appointment_id: Any) -> HttpResponse:
    """One appointment and, while booked, the form to record what happened."""
    actor = request_actor(request)
    appointment = selectors.appointment_get(actor=actor, appointment_id=appointment_id)
    refused = get_only(request)
    if refused:
        return refused
    audit_record(
        actor=actor, action="appointment.viewed", target=appointment, client=appointment.client
    )
    return _render_detail(request, appointment)


def _render_detail(
    request: HttpRequest,
    appointment: Appointment,
    *,
    status_form: AppointmentStatusForm | None = None,
    status: int = 200,
    conflict: ConflictShown | None = None,
) -> HttpResponse:
    context = {
        "appointment": appointment,
        "client": appointment.client,
        "status_form": status_form
        or AppointmentStatusForm(initial={"version": appointment.version}),
        "is_booked": appointment.status == AppointmentStatus.BOOKED,
        "nav": "appointments",
        **(conflict.context() if conflict else {}),
    }
    return render(request, "appointments/appointment_detail.html", context, status=status)


def _appointment_rows(appointment: Appointment) -> Rows:
    start = timezone.localtime(appointment.starts_at)
    end = timezone.localtime(appointment.ends_at)
    return [
        ("What it is for", appointment.purpose),
        ("Who it is with", appointment.with_whom),
        ("When", f"{start:%a %d %b %Y %H:%M} to {end:%H:%M}"),
        ("Where", f"{appointment.get_location_kind_display()} {appointment.location}"),
        ("Status", appointment.get_status_display()),
    ]


@require_http_methods(["GET", "POST"])
def appointment_edit(request: HttpRequest, appointment_id: Any) -> HttpResponse:
    """Change or move a booked appointment."""
    actor = request_actor(request)
    appointment = selectors.appointment_get(actor=actor, appointment_id=appointment_id)
    client = appointment.client
    if appointment.status != AppointmentStatus.BOOKED:
        messages.error(
            request,
            f"This appointment is {appointment.get_status_display().lower()} and can no longer "
            "change.",
        )
        return redirect(_detail_url(appointment.pk))
    if request.method != "POST":
        audit_record(actor=actor, action="appointment.viewed", target=appointment, client=client)
    return form_view(
        request,
        appointment,
        form=lambda record, data: _appointment_form(
            data, AppointmentEditForm, initial=AppointmentForm.initial_from(record)
        ),
        save=lambda form: services.appointment_update(
            actor=actor,
            appointment=appointment,
            expected_version=form.cleaned_data["version"],
            **_appointment_kwargs(form),
        ),
        render=lambda page: _render_form(
            request, page, client=client, appointment=page.record, creating=False
        ),
        success=lambda _: success_redirect(
            request, "Appointment saved.", _detail_url(appointment.pk)
        ),
        reload=lambda: selectors.appointment_get(actor=actor, appointment_id=appointment.pk),
        current=lambda fresh, _: _appointment_rows(fresh),
        refused_url=_detail_url(appointment.pk),
    )


def appointment_status(request: HttpRequest, appointment_id: Any) -> HttpResponse:
    """Record that an appointment was attended, missed or cancelled."""
    actor = request_actor(request)
    appointment = selectors.appointment_get(actor=actor, appointment_id=appointment_id)
    refused = post_only(request)
    if refused:
        return refused
    return form_view(
        request,
        appointment,
        form=lambda record, data: AppointmentStatusForm(data, initial={"version": record.version}),
        save=lambda form: services.appointment_set_status(
            actor=actor,
            appointment=appointment,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        ),
        render=lambda page: _render_detail(
            request,
            page.record,
            status_form=page.form,
            status=page.status,
            conflict=page.conflict,
        ),
        success=lambda updated: success_redirect(
            request,
            f"Appointment recorded as {updated.get_status_display().lower()}.",
            _detail_url(appointment.pk),
        ),
        reload=lambda: selectors.appointment_get(actor=actor, appointment_id=appointment.pk),
        current=lambda fresh, _: [*_appointment_rows(fresh), ("Status note", fresh.status_note)],
        reload_url=_detail_url(appointment.pk),
    )


# ---------------------------------------------------------------------------------------------
# Calendar feed


@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """The signed-in user's private calendar feed: create, replace, revoke, names opt-in."""
    actor = request_actor(request)
    policies.require_clinical(actor)
    if request.method == "POST":
        form = CalendarFeedForm(request.POST)
        if form.is_valid():
            action = form.cleaned_data["action"]
            show = bool(form.cleaned_data.get("show_client_names"))
            if action == "create":
                _, token = services.calendar_feed_create(actor=actor, show_client_names=show)
                url = request.build_absolute_uri(
                    reverse("appointments:calendar_feed", kwargs={"token": token})
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
            return redirect("appointments:calendar_settings")
        messages.error(request, "Choose what to do with your calendar address.")
        return redirect("appointments:calendar_settings")
    feed = selectors.active_calendar_feed(actor=actor)
    new_url = request.session.pop(NEW_FEED_SESSION_KEY, None)
    return render(
        request,
        "appointments/calendar_settings.html",
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
            reverse("appointments:appointment_detail", kwargs={"appointment_id": a.pk})
        ),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="caseload.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
