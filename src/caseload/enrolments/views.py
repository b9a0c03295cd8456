"""Enrolment pages: register a new client with their first enrolment, enrol a client, the
enrolment page, status changes, reassignment, care team."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.clients.views import actor_of, record_page_view
from caseload.core import clock
from caseload.core.errors import Conflict, PermissionDenied, ValidationFailed
from caseload.core.formviews import FormPage, Rows, form_view, success_redirect
from caseload.enrolments import selectors, services
from caseload.enrolments.forms import (
    AcuityForm,
    CareTeamAddForm,
    ClientRegisterForm,
    EnrolmentCreateForm,
    ReassignForm,
    TransitionForm,
)
from caseload.enrolments.models import Enrolment, Program
from caseload.staff.models import User

if TYPE_CHECKING:
    from caseload.clients.models import Client


def _detail_url(enrolment: Enrolment) -> str:
    return reverse("enrolments:detail", args=[enrolment.pk])


def _reassign_choices(actor: User, enrolment: Enrolment) -> Any:
    return selectors.assignable_care_managers(actor=actor, program=enrolment.program).exclude(
        pk=enrolment.care_manager_id
    )


def _team_choices(enrolment: Enrolment) -> Any:
    return selectors.care_team_staff_choices().exclude(pk=enrolment.care_manager_id)


_ReferralForm = TypeVar("_ReferralForm", bound=EnrolmentCreateForm)
_Saved = TypeVar("_Saved")


def _referral_form(
    actor: User, form_class: type[_ReferralForm], data: QueryDict | None, **initial: Any
) -> _ReferralForm:
    """A referral to a program (a new client's first, or another): the programs taking
    enrolments, the care managers ``actor`` may assign, today's date."""
    return form_class(
        data,
        initial={
            "referred_on": clock.today(),
            "care_manager": actor.pk if actor.caseload_cap else None,
            **initial,
        },
        programs=selectors.program_choices(),
        care_managers=selectors.assignable_care_managers(actor=actor),
        actor=actor,
    )


def _care_manager_refusal_on_field(save: Callable[[], _Saved]) -> _Saved:
    """A refusal to assign the chosen care manager is that field's error."""
    try:
        return save()
    except PermissionDenied as error:
        raise ValidationFailed(
            error.message, field_errors={"care_manager": [error.message]}
        ) from error


@require_http_methods(["GET", "POST"])
def client_register(request: HttpRequest) -> HttpResponse:
    """Register a new client and refer them to their first program (/clients/new/)."""
    actor = actor_of(request)
    policies.require_clinical(actor)

    def save(form: ClientRegisterForm) -> tuple[Client, Program]:
        client = _care_manager_refusal_on_field(
            lambda: services.client_register(
                actor=actor, **form.detail_values(), **form.referral_values()
            )
        )
        return client, form.cleaned_data["program"]

    return form_view(
        request,
        None,
        form=lambda _, data: _referral_form(
            actor, ClientRegisterForm, data, preferred_language="English"
        ),
        save=save,
        render=lambda page: render(
            request,
            "enrolments/client_register.html",
            {"nav": "new_client", **page.context()},
            status=page.status,
        ),
        success=lambda saved: success_redirect(
            request,
            f"{saved[0].full_name} is registered and referred to {saved[1].name}.",
            reverse("clients:chart", args=[saved[0].pk]),
        ),
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

    return form_view(
        request,
        client,
        form=lambda _, data: _referral_form(actor, EnrolmentCreateForm, data),
        save=lambda form: _care_manager_refusal_on_field(
            lambda: services.enrolment_create(actor=actor, client=client, **form.referral_values())
        ),
        render=lambda page: render(
            request,
            "enrolments/create.html",
            {"client": client, **page.context()},
            status=page.status,
        ),
        success=lambda enrolment: success_redirect(
            request,
            f"{client.full_name} is referred to {enrolment.program.name}.",
            _detail_url(enrolment),
        ),
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
    request: HttpRequest, template: str, page: FormPage[Enrolment, Any]
) -> HttpResponse:
    """An enrolment's change page: the enrolment as it is now, and the form."""
    enrolment = page.record
    context = {"enrolment": enrolment, "client": enrolment.client, **page.context()}
    return render(request, template, context, status=page.status)


def _current_rows(enrolment: Enrolment, form: object = None) -> Rows:
    """The enrolment as saved now, beside the user's input after a version conflict."""
    return [
        ("Status", str(enrolment.get_status_display())),
        ("Care manager", str(enrolment.care_manager)),
        ("Acuity", str(enrolment.get_acuity_display())),
    ]


@require_http_methods(["GET", "POST"])
def transition(request: HttpRequest, enrolment_id: UUID) -> HttpResponse:
    """Change an enrolment's status along the allowed transitions."""
    actor = actor_of(request)
    enrolment = selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id)
    if not policies.can_manage_enrolment(actor, enrolment):
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

    def save(form: TransitionForm) -> Enrolment:
        data = form.cleaned_data
        return services.enrolment_transition(
            actor=actor,
            enrolment=enrolment,
            to_status=data["to_status"],
            reason=data["reason"],
            discharge_reason=data.get("discharge_reason", ""),
            expected_version=data["version"],
        )

    return form_view(
        request,
        enrolment,
        form=lambda record, data: TransitionForm(
            data,
            initial={"version": record.version},
            allowed=services.allowed_transitions(record.status),
        ),
        save=save,
        render=lambda page: _action_page(request, "enrolments/transition.html", page),
        success=lambda updated: success_redirect(
            request,
            f"{updated.program.name} for {updated.client.full_name} is now "
            f"{updated.get_status_display().lower()}.",
            _detail_url(updated),
        ),
        reload=lambda: selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id),
        current=_current_rows,
        reload_url=_detail_url(enrolment),
    )


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
    return form_view(
        request,
        enrolment,
        form=lambda record, data: ReassignForm(
            data,
            initial={"version": record.version},
            care_managers=_reassign_choices(actor, record),
        ),
        save=lambda form: services.enrolment_reassign(
            actor=actor,
            enrolment=enrolment,
            care_manager=form.cleaned_data["care_manager"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
        render=lambda page: _action_page(request, "enrolments/reassign.html", page),
        success=lambda updated: success_redirect(
            request,
            f"{updated.client.full_name}'s care manager is now {updated.care_manager}.",
            _detail_url(updated),
        ),
        reload=lambda: selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id),
        current=_current_rows,
        reload_url=_detail_url(enrolment),
    )


@require_http_methods(["GET", "POST"])
def acuity(request: HttpRequest, enrolment_id: UUID) -> HttpResponse:
    """Change the acuity of an open enrolment."""
    actor = actor_of(request)
    enrolment = selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id)
    if not policies.can_manage_enrolment(actor, enrolment):
        raise PermissionDenied("Only people who manage this enrolment may change its acuity.")
    record_page_view(
        request,
        actor,
        action="enrolment.viewed",
        target=enrolment,
        client=enrolment.client,
        page="acuity",
    )
    return form_view(
        request,
        enrolment,
        form=lambda record, data: AcuityForm(
            data, initial={"acuity": record.acuity, "version": record.version}
        ),
        save=lambda form: services.enrolment_set_acuity(
            actor=actor,
            enrolment=enrolment,
            acuity=form.cleaned_data["acuity"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
        render=lambda page: _action_page(request, "enrolments/acuity.html", page),
        success=lambda updated: success_redirect(
            request,
            f"Acuity is now {updated.get_acuity_display().lower()}.",
            _detail_url(updated),
        ),
        reload=lambda: selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id),
        current=_current_rows,
        reload_url=_detail_url(enrolment),
    )


@require_http_methods(["GET", "POST"])
def team_add(request: HttpRequest, enrolment_id: UUID) -> HttpResponse:
    """Add a staff member or an outside person to the care team."""
    actor = actor_of(request)
    enrolment = selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id)
    if not policies.can_manage_enrolment(actor, enrolment):
        raise PermissionDenied("Only people who manage this enrolment may change its care team.")
    record_page_view(
        request,
        actor,
        action="enrolment.viewed",
        target=enrolment,
        client=enrolment.client,
        page="team_add",
    )
    staff = _team_choices(enrolment)
    return form_view(
        request,
        enrolment,
        form=lambda _, data: CareTeamAddForm(data, staff=staff),
        save=lambda form: services.care_team_add(
            actor=actor, enrolment=enrolment, **form.cleaned_data
        ),
        render=lambda page: _action_page(request, "enrolments/team_add.html", page),
        success=lambda member: success_redirect(
            request,
            f"{member.name} is added to the care team.",
            _detail_url(enrolment) + "#care-team",
        ),
    )


@require_http_methods(["GET", "POST"])
def team_end(request: HttpRequest, enrolment_id: UUID, member_id: UUID) -> HttpResponse:
    """End a care-team membership (the record is kept); GET asks to confirm."""
    actor = actor_of(request)
    member = selectors.care_team_member_get(
        actor=actor, enrolment_id=enrolment_id, member_id=member_id
    )
    enrolment = member.enrolment
    if request.method != "POST":
        if not policies.can_manage_enrolment(actor, enrolment):
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
