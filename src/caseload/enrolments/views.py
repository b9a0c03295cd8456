"""Enrolment pages: register a new client with their first enrolment, enrol a client, the
enrolment page, status changes, reassignment, care team."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.clients.views import actor_of, rebound_with_version, record_page_view
from caseload.core import clock
from caseload.core.errors import AppError, Conflict, PermissionDenied, ValidationFailed
from caseload.core.forms import add_service_errors
from caseload.enrolments import selectors, services
from caseload.enrolments.forms import (
    AcuityForm,
    CareTeamAddForm,
    ClientRegisterForm,
    EnrolmentCreateForm,
    ReassignForm,
    TransitionForm,
)
from caseload.enrolments.models import Enrolment
from caseload.staff.models import User


def _detail_url(enrolment: Enrolment) -> str:
    return reverse("enrolments:detail", args=[enrolment.pk])


def _current_rows(enrolment: Enrolment) -> list[tuple[str, str]]:
    return [
        ("Status", str(enrolment.get_status_display())),
        ("Care manager", str(enrolment.care_manager)),
        ("Acuity", str(enrolment.get_acuity_display())),
    ]


def _conflict_context(error: Conflict, current: Enrolment) -> dict[str, Any]:
    return {
        "conflict": error,
        "conflict_current": _current_rows(current),
        "conflict_reload_url": _detail_url(current),
    }


def _reassign_choices(actor: User, enrolment: Enrolment) -> Any:
    return selectors.assignable_care_managers(actor=actor, program=enrolment.program).exclude(
        pk=enrolment.care_manager_id
    )


def _team_choices(enrolment: Enrolment) -> Any:
    return selectors.care_team_staff_choices().exclude(pk=enrolment.care_manager_id)


_ReferralForm = TypeVar("_ReferralForm", bound=EnrolmentCreateForm)


def _referral_form(
    request: HttpRequest, actor: User, form_class: type[_ReferralForm], **initial: Any
) -> _ReferralForm:
    """A referral to a program (a new client's first, or another) bound to the POST: the
    programs taking enrolments, the care managers ``actor`` may assign, today's date."""
    return form_class(
        request.POST if request.method == "POST" else None,
        initial={
            "referred_on": clock.today(),
            "care_manager": actor.pk if actor.caseload_cap else None,
            **initial,
        },
        programs=selectors.program_choices(),
        care_managers=selectors.assignable_care_managers(actor=actor),
        actor=actor,
    )


@require_http_methods(["GET", "POST"])
def client_register(request: HttpRequest) -> HttpResponse:
    """Register a new client and refer them to their first program (/clients/new/)."""
    actor = actor_of(request)
    policies.require_clinical(actor)
    form = _referral_form(request, actor, ClientRegisterForm, preferred_language="English")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                client = services.client_register(
                    actor=actor, **form.detail_values(), **form.referral_values()
                )
            except PermissionDenied as error:
                form.add_error("care_manager", error.message)
            except ValidationFailed as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{client.full_name} is registered and referred to "
                    f"{form.cleaned_data['program'].name}.",
                )
                return redirect("clients:chart", client_id=client.pk)
        status = 400
    return render(
        request,
        "enrolments/client_register.html",
        {"form": form, "nav": "new_client"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Enrol a client in a program (as referred)."""
    actor = actor_of(request)
    policies.require_clinical(actor)
    client = policies.require_client(actor, client_id)
    record_page_view(
        request,
        actor,
        action="client.viewed",
        target=client,
        client=client,
        page="enrolment_create",
    )
    form = _referral_form(request, actor, EnrolmentCreateForm)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                enrolment = services.enrolment_create(
                    actor=actor, client=client, **form.referral_values()
                )
            except PermissionDenied as error:
                form.add_error("care_manager", error.message)
            except ValidationFailed as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"{client.full_name} is referred to {enrolment.program.name}."
                )
                return redirect("enrolments:detail", enrolment_id=enrolment.pk)
        status = 400
    return render(
        request, "enrolments/create.html", {"client": client, "form": form}, status=status
    )


def _detail_context(actor: User, enrolment_id: UUID) -> dict[str, Any]:
    detail = selectors.enrolment_detail(actor=actor, enrolment_id=enrolment_id)
    enrolment = detail.enrolment
    context: dict[str, Any] = {
        "detail": detail,
        "enrolment": enrolment,
        "client": enrolment.client,
    }
    if detail.allowed_statuses:
        context["transition_form"] = TransitionForm(
            initial={"version": enrolment.version}, allowed=detail.allowed_statuses
        )
    if detail.can_manage and enrolment.is_open:
        context["acuity_form"] = AcuityForm(
            initial={"acuity": enrolment.acuity, "version": enrolment.version}
        )
        context["team_form"] = CareTeamAddForm(staff=_team_choices(enrolment))
    if detail.can_reassign:
        context["reassign_form"] = ReassignForm(
            initial={"version": enrolment.version},
            care_managers=_reassign_choices(actor, enrolment),
        )
    return context


def detail(request: HttpRequest, enrolment_id: UUID) -> HttpResponse:
    """The enrolment: status, dates, care manager, acuity, history, care team and changes."""
    actor = actor_of(request)
    context = _detail_context(actor, enrolment_id)
    if request.method not in ("GET", "HEAD"):  # after the scope check: out of scope is 404
        return HttpResponseNotAllowed(["GET", "HEAD"])
    enrolment = context["enrolment"]
    audit_record(actor=actor, action="enrolment.viewed", target=enrolment, client=enrolment.client)
    return render(request, "enrolments/detail.html", context)


def _action_page(
    request: HttpRequest,
    template: str,
    enrolment: Enrolment,
    form: Any,
    status: int,
    **extra: Any,
) -> HttpResponse:
    context = {"enrolment": enrolment, "client": enrolment.client, "form": form, **extra}
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def transition(request: HttpRequest, enrolment_id: UUID) -> HttpResponse:
    """Change an enrolment's status along the allowed transitions."""
    actor = actor_of(request)
    enrolment = selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id)
    if not services.can_manage_enrolment(actor, enrolment):
        raise PermissionDenied(
            "Only the care manager, their supervisor, a senior care manager of this program or "
            "a director may change this enrolment's status."
        )
    record_page_view(
        request,
        actor,
        action="enrolment.viewed",
        target=enrolment,
        client=enrolment.client,
        page="transition",
    )
    allowed = services.allowed_transitions(enrolment.status)
    template = "enrolments/transition.html"
    if request.method != "POST":
        form = TransitionForm(initial={"version": enrolment.version}, allowed=allowed)
        return _action_page(request, template, enrolment, form, 200)
    form = TransitionForm(request.POST, allowed=allowed)
    if not form.is_valid():
        return _action_page(request, template, enrolment, form, 400)
    data = form.cleaned_data
    try:
        updated = services.enrolment_transition(
            actor=actor,
            enrolment=enrolment,
            to_status=data["to_status"],
            reason=data["reason"],
            discharge_reason=data.get("discharge_reason", ""),
            expected_version=data["version"],
        )
    except Conflict as error:
        current = selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id)
        form = TransitionForm(
            rebound_with_version(request.POST, current.version),
            allowed=services.allowed_transitions(current.status),
        )
        if error.code != "stale":
            add_service_errors(form, error)
        return _action_page(
            request, template, current, form, 409, **_conflict_context(error, current)
        )
    except ValidationFailed as error:
        add_service_errors(form, error)
        return _action_page(request, template, enrolment, form, 400)
    messages.success(
        request,
        f"{updated.program.name} for {updated.client.full_name} is now "
        f"{updated.get_status_display().lower()}.",
    )
    return redirect(_detail_url(updated))


@require_http_methods(["GET", "POST"])
def reassign(request: HttpRequest, enrolment_id: UUID) -> HttpResponse:
    """Give the case a new care manager (seniors of the program and directors)."""
    actor = actor_of(request)
    enrolment = selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id)
    if not policies.can_reassign(actor, enrolment):
        raise PermissionDenied(
            "Only a senior care manager of this program or a director may reassign a case."
        )
    record_page_view(
        request,
        actor,
        action="enrolment.viewed",
        target=enrolment,
        client=enrolment.client,
        page="reassign",
    )
    template = "enrolments/reassign.html"
    choices = _reassign_choices(actor, enrolment)
    if request.method != "POST":
        form = ReassignForm(initial={"version": enrolment.version}, care_managers=choices)
        return _action_page(request, template, enrolment, form, 200)
    form = ReassignForm(request.POST, care_managers=choices)
    if not form.is_valid():
        return _action_page(request, template, enrolment, form, 400)
    data = form.cleaned_data
    try:
        updated = services.enrolment_reassign(
            actor=actor,
            enrolment=enrolment,
            care_manager=data["care_manager"],
            reason=data["reason"],
            expected_version=data["version"],
        )
    except Conflict as error:
        current = selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id)
        form = ReassignForm(
            rebound_with_version(request.POST, current.version),
            care_managers=_reassign_choices(actor, current),
        )
        if error.code != "stale":
            add_service_errors(form, error)
        return _action_page(
            request, template, current, form, 409, **_conflict_context(error, current)
        )
    except AppError as error:
        add_service_errors(form, error)
        return _action_page(request, template, enrolment, form, error.status)
    messages.success(
        request, f"{updated.client.full_name}'s care manager is now {updated.care_manager}."
    )
    return redirect(_detail_url(updated))


@require_http_methods(["GET", "POST"])
def acuity(request: HttpRequest, enrolment_id: UUID) -> HttpResponse:
    """Change the acuity of an open enrolment."""
    actor = actor_of(request)
    enrolment = selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id)
    if not services.can_manage_enrolment(actor, enrolment):
        raise PermissionDenied("Only people who manage this enrolment may change its acuity.")
    record_page_view(
        request,
        actor,
        action="enrolment.viewed",
        target=enrolment,
        client=enrolment.client,
        page="acuity",
    )
    template = "enrolments/acuity.html"
    if request.method != "POST":
        form = AcuityForm(initial={"acuity": enrolment.acuity, "version": enrolment.version})
        return _action_page(request, template, enrolment, form, 200)
    form = AcuityForm(request.POST)
    if not form.is_valid():
        return _action_page(request, template, enrolment, form, 400)
    try:
        updated = services.enrolment_set_acuity(
            actor=actor,
            enrolment=enrolment,
            acuity=form.cleaned_data["acuity"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except Conflict as error:
        current = selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id)
        form = AcuityForm(rebound_with_version(request.POST, current.version))
        if error.code != "stale":
            add_service_errors(form, error)
        return _action_page(
            request, template, current, form, 409, **_conflict_context(error, current)
        )
    except ValidationFailed as error:
        add_service_errors(form, error)
        return _action_page(request, template, enrolment, form, 400)
    messages.success(request, f"Acuity is now {updated.get_acuity_display().lower()}.")
    return redirect(_detail_url(updated))


@require_http_methods(["GET", "POST"])
def team_add(request: HttpRequest, enrolment_id: UUID) -> HttpResponse:
    """Add a staff member or an outside person to the care team."""
    actor = actor_of(request)
    enrolment = selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id)
    if not services.can_manage_enrolment(actor, enrolment):
        raise PermissionDenied("Only people who manage this enrolment may change its care team.")
    record_page_view(
        request,
        actor,
        action="enrolment.viewed",
        target=enrolment,
        client=enrolment.client,
        page="team_add",
    )
    template = "enrolments/team_add.html"
    staff = _team_choices(enrolment)
    if request.method != "POST":
        return _action_page(request, template, enrolment, CareTeamAddForm(staff=staff), 200)
    form = CareTeamAddForm(request.POST, staff=staff)
    if not form.is_valid():
        return _action_page(request, template, enrolment, form, 400)
    try:
        member = services.care_team_add(actor=actor, enrolment=enrolment, **form.cleaned_data)
    except AppError as error:
        add_service_errors(form, error)
        return _action_page(request, template, enrolment, form, error.status)
    messages.success(request, f"{member.name} is added to the care team.")
    return redirect(_detail_url(enrolment) + "#care-team")


@require_http_methods(["GET", "POST"])
def team_end(request: HttpRequest, enrolment_id: UUID, member_id: UUID) -> HttpResponse:
    """End a care-team membership (the record is kept); GET asks to confirm."""
    actor = actor_of(request)
    member = selectors.care_team_member_get(
        actor=actor, enrolment_id=enrolment_id, member_id=member_id
    )
    enrolment = member.enrolment
    if request.method != "POST":
        if not services.can_manage_enrolment(actor, enrolment):
            raise PermissionDenied(
                "Only people who manage this enrolment may change its care team."
            )
        record_page_view(
            request,
            actor,
            action="enrolment.viewed",
            target=enrolment,
            client=enrolment.client,
            page="team_end",
        )
        return render(
            request,
            "enrolments/team_end.html",
            {"enrolment": enrolment, "client": enrolment.client, "member": member},
        )
    try:
        services.care_team_end(actor=actor, member=member)
    except Conflict as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, f"{member.name} is no longer on the care team.")
    return redirect(_detail_url(enrolment) + "#care-team")
