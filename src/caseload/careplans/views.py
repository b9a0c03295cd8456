"""Care plan pages: thin views that parse a form, call one service or selector, and render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.careplans import selectors, services
from caseload.careplans.forms import (
    GOAL_HINT,
    CarePlanCreateForm,
    CarePlanEditForm,
    GoalEditForm,
    GoalForm,
    InterventionEditForm,
    InterventionForm,
    ProblemEditForm,
    ProblemForm,
    PublishForm,
    ReturnForm,
)
from caseload.careplans.models import (
    CarePlan,
    CarePlanStatus,
    CarePlanVersion,
    CosignStatus,
    Goal,
    Intervention,
    Problem,
)
from caseload.core.errors import Conflict, ValidationFailed
from caseload.core.forms import add_service_errors

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User

GET_POST = require_http_methods(["GET", "POST"])

Rows = list[tuple[str, Any]]


def _actor(request: HttpRequest) -> User:
    return cast("User", request.user)


def _date(value: Any) -> str:
    return format_date(value, "j F Y") if value else ""


def _plan_url(plan_id: Any, anchor: str = "") -> str:
    url = reverse("careplans:detail", args=[plan_id])
    return f"{url}#{anchor}" if anchor else url


def _editable(plan: CarePlan) -> bool:
    return plan.status != CarePlanStatus.CLOSED and plan.enrolment.is_open


@dataclass
class FormPage:
    """What a form page shows around its form."""

    title: str
    plan: CarePlan
    submit: str
    cancel_url: str
    intro: str = ""
    parents: Rows = field(default_factory=list)

    @property
    def client(self) -> Client:
        return self.plan.client


def _render_form(
    request: HttpRequest,
    form: forms.Form,
    page: FormPage,
    *,
    status: int = 200,
    conflict: Conflict | None = None,
    conflict_current: Rows | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "page": page,
        "plan": page.plan,
        "client": page.client,
        "editable": _editable(page.plan),
        "conflict": conflict,
        "conflict_current": conflict_current,
        "conflict_reload_url": request.path,
    }
    if request.method == "GET":  # an edit page shows the plan's content: a view of the record
        services.careplan_record_view(actor=request.user, plan=page.plan)  # type: ignore[arg-type]
    return render(request, "careplans/form.html", context, status=status)


def _keep_input_with_version(form: forms.Form, version: int) -> None:
    """After a conflict, keep what the user typed but carry the current version, so saving
    again overwrites deliberately."""
    data = QueryDict(mutable=True)
    data.update(form.data)
    data["version"] = str(version)
    form.data = data


def _error_response(
    request: HttpRequest,
    form: forms.Form,
    page: FormPage,
    error: ValidationFailed | Conflict,
    current: Callable[[], tuple[int, Rows]] | None = None,
) -> HttpResponse:
    if isinstance(error, Conflict) and error.code == services.STALE and current is not None:
        version, rows = current()
        _keep_input_with_version(form, version)
        return _render_form(request, form, page, status=409, conflict=error, conflict_current=rows)
    add_service_errors(form, error)
    return _render_form(request, form, page, status=error.status)


# ---------------------------------------------------------------------------------------------
# The plan


@GET_POST
def create(request: HttpRequest, enrolment_id: Any) -> HttpResponse:
    actor = _actor(request)
    enrolment = selectors.careplan_enrolment_get(actor=actor, enrolment_id=enrolment_id)
    existing = selectors.careplan_for_enrolment(actor=actor, enrolment=enrolment)
    if existing is not None:
        messages.info(request, "This enrolment already has a care plan. Here it is.")
        return redirect(_plan_url(existing.pk))
    context: dict[str, Any] = {"enrolment": enrolment, "client": enrolment.client}
    if not enrolment.is_open:
        return render(request, "careplans/create.html", context)
    if request.method == "POST":
        form = CarePlanCreateForm(request.POST)
        if form.is_valid():
            try:
                plan = services.careplan_create(
                    actor=actor,
                    enrolment=enrolment,
                    title=form.cleaned_data["title"],
                    review_due=form.cleaned_data["review_due"],
                    participants=form.cleaned_data["participants"],
                )
            except (ValidationFailed, Conflict) as error:
                add_service_errors(form, error)
                context["form"] = form
                return render(request, "careplans/create.html", context, status=error.status)
            messages.success(
                request,
                "Care plan started. Add the client's problems and goals, then publish it.",
            )
            return redirect(_plan_url(plan.pk))
        context["form"] = form
        return render(request, "careplans/create.html", context, status=400)
    context["form"] = CarePlanCreateForm(initial={"title": f"{enrolment.program.name} care plan"})
    return render(request, "careplans/create.html", context)


def _render_detail(
    request: HttpRequest,
    plan: CarePlan,
    *,
    publish_form: PublishForm | None = None,
    status: int = 200,
    conflict: Conflict | None = None,
) -> HttpResponse:
    actor = _actor(request)
    versions = list(plan.versions.all())  # prefetched by careplan_get, newest first
    latest = versions[0] if versions else None
    services.careplan_record_view(actor=actor, plan=plan)
    pending = latest is not None and latest.cosign_status == CosignStatus.PENDING
    editable = _editable(plan)
    wants_publish = plan.has_unpublished_changes or plan.status == CarePlanStatus.RETURNED
    context = {
        "plan": plan,
        "client": plan.client,
        "enrolment": plan.enrolment,
        "show_publish": (editable and wants_publish and not pending) or publish_form is not None,
        "versions": versions,
        "latest": latest,
        "is_pending_cosigner": pending and latest is not None and latest.cosigner_id == actor.pk,
        "editable": editable,
        "publish_form": publish_form or PublishForm(initial={"version": plan.version}),
        "next_number": plan.published_number + 1,
        "conflict": conflict,
        "conflict_reload_url": request.path,
    }
    return render(request, "careplans/detail.html", context, status=status)


@require_GET
def detail(request: HttpRequest, plan_id: Any) -> HttpResponse:
    plan = selectors.careplan_get(actor=_actor(request), plan_id=plan_id)
    return _render_detail(request, plan)


def _plan_rows(plan: CarePlan) -> Rows:
    return [
        ("Plan title", plan.title),
        ("Review the plan by", _date(plan.review_due)),
        ("Who took part", plan.participants),
        ("Who agreed to the plan", plan.get_agreed_by_display() if plan.agreed_by else ""),
        ("Date agreed", _date(plan.agreed_on)),
    ]


@GET_POST
def edit(request: HttpRequest, plan_id: Any) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.careplan_header_get(actor=actor, plan_id=plan_id)
    page = FormPage(
        title="Change plan details", plan=plan, submit="Save", cancel_url=_plan_url(plan.pk)
    )
    if request.method != "POST":
        form = CarePlanEditForm(
            initial={
                "title": plan.title,
                "review_due": plan.review_due,
                "participants": plan.participants,
                "agreed_by": plan.agreed_by,
                "agreed_on": plan.agreed_on,
                "version": plan.version,
            }
        )
        return _render_form(request, form, page)
    form = CarePlanEditForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, page, status=400)
    data = form.cleaned_data
    try:
        services.careplan_update(
            actor=actor,
            plan=plan,
            expected_version=data["version"],
            title=data["title"],
            review_due=data["review_due"],
            participants=data["participants"],
            agreed_by=data["agreed_by"],
            agreed_on=data["agreed_on"],
        )
    except (ValidationFailed, Conflict) as error:

        def current() -> tuple[int, Rows]:
            fresh = selectors.careplan_header_get(actor=actor, plan_id=plan.pk)
            return fresh.version, _plan_rows(fresh)

        return _error_response(request, form, page, error, current)
    messages.success(request, "Plan details saved.")
    return redirect(_plan_url(plan.pk))


# ---------------------------------------------------------------------------------------------
# Problems


def _problem_rows(problem: Problem) -> Rows:
    return [
        ("Problem or need", problem.description),
        ("More detail", problem.detail),
        ("Status", problem.get_status_display()),
    ]


@GET_POST
def problem_create(request: HttpRequest, plan_id: Any) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.careplan_header_get(actor=actor, plan_id=plan_id)
    page = FormPage(
        title="Add a problem or need",
        plan=plan,
        submit="Add problem",
        cancel_url=_plan_url(plan.pk),
        intro="Write down one thing the client needs help with. You add the goals for it next.",
    )
    if request.method != "POST":
        return _render_form(request, ProblemForm(), page)
    form = ProblemForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, page, status=400)
    try:
        problem = services.problem_add(
            actor=actor,
            plan=plan,
            description=form.cleaned_data["description"],
            detail=form.cleaned_data["detail"],
        )
    except (ValidationFailed, Conflict) as error:
        return _error_response(request, form, page, error)
    messages.success(request, "Problem added. Now add a measurable goal for it.")
    return redirect(_plan_url(plan.pk, f"problem-{problem.pk}"))


@GET_POST
def problem_edit(request: HttpRequest, problem_id: Any) -> HttpResponse:
    actor = _actor(request)
    problem = selectors.problem_get(actor=actor, problem_id=problem_id)
    plan = problem.careplan
    page = FormPage(
        title="Change a problem or need",
        plan=plan,
        submit="Save",
        cancel_url=_plan_url(plan.pk, f"problem-{problem.pk}"),
    )
    if request.method != "POST":
        form = ProblemEditForm(
            initial={
                "description": problem.description,
                "detail": problem.detail,
                "status": problem.status,
                "version": problem.version,
            }
        )
        return _render_form(request, form, page)
    form = ProblemEditForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, page, status=400)
    data = form.cleaned_data
    try:
        services.problem_update(
            actor=actor,
            problem=problem,
            expected_version=data["version"],
            description=data["description"],
            detail=data["detail"],
            status=data["status"],
        )
    except (ValidationFailed, Conflict) as error:

        def current() -> tuple[int, Rows]:
            fresh = selectors.problem_get(actor=actor, problem_id=problem.pk)
            return fresh.version, _problem_rows(fresh)

        return _error_response(request, form, page, error, current)
    messages.success(request, "Problem saved.")
    return redirect(_plan_url(plan.pk, f"problem-{problem.pk}"))


# ---------------------------------------------------------------------------------------------
# Goals


def _goal_rows(goal: Goal) -> Rows:
    return [
        ("Goal", goal.description),
        ("What will be measured", goal.measure),
        ("Target", goal.target_value),
        ("Reach the target by", _date(goal.target_date)),
        ("Whose goal is it?", goal.get_expressed_by_display()),
        ("Status", goal.get_status_display()),
        ("Progress or outcome", goal.outcome_note),
    ]


def _goal_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": data["description"],
        "measure": data["measure"],
        "target_value": data["target_value"],
        "target_date": data["target_date"],
        "expressed_by": data["expressed_by"],
        "status": data["status"],
    }


@GET_POST
def goal_create(request: HttpRequest, problem_id: Any) -> HttpResponse:
    actor = _actor(request)
    problem = selectors.problem_get(actor=actor, problem_id=problem_id)
    plan = problem.careplan
    page = FormPage(
        title="Add a goal",
        plan=plan,
        submit="Add goal",
        cancel_url=_plan_url(plan.pk, f"problem-{problem.pk}"),
        intro=GOAL_HINT,
        parents=[("Problem or need", problem.description)],
    )
    if request.method != "POST":
        return _render_form(request, GoalForm(), page)
    form = GoalForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, page, status=400)
    try:
        goal = services.goal_add(actor=actor, problem=problem, **_goal_kwargs(form.cleaned_data))
    except (ValidationFailed, Conflict) as error:
        return _error_response(request, form, page, error)
    messages.success(request, "Goal added. Add the interventions that will help reach it.")
    return redirect(_plan_url(plan.pk, f"goal-{goal.pk}"))


@GET_POST
def goal_edit(request: HttpRequest, goal_id: Any) -> HttpResponse:
    actor = _actor(request)
    goal = selectors.goal_get(actor=actor, goal_id=goal_id)
    plan = goal.careplan
    page = FormPage(
        title="Change a goal",
        plan=plan,
        submit="Save",
        cancel_url=_plan_url(plan.pk, f"goal-{goal.pk}"),
        intro=GOAL_HINT,
        parents=[("Problem or need", goal.problem.description)],
    )
    if request.method != "POST":
        form = GoalEditForm(
            initial={
                "description": goal.description,
                "measure": goal.measure,
                "target_value": goal.target_value,
                "target_date": goal.target_date,
                "expressed_by": goal.expressed_by,
                "status": goal.status,
                "outcome_note": goal.outcome_note,
                "version": goal.version,
            }
        )
        return _render_form(request, form, page)
    form = GoalEditForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, page, status=400)
    data = form.cleaned_data
    try:
        services.goal_update(
            actor=actor,
            goal=goal,
            expected_version=data["version"],
            outcome_note=data["outcome_note"],
            **_goal_kwargs(data),
        )
    except (ValidationFailed, Conflict) as error:

        def current() -> tuple[int, Rows]:
            fresh = selectors.goal_get(actor=actor, goal_id=goal.pk)
            return fresh.version, _goal_rows(fresh)

        return _error_response(request, form, page, error, current)
    messages.success(request, "Goal saved.")
    return redirect(_plan_url(plan.pk, f"goal-{goal.pk}"))


# ---------------------------------------------------------------------------------------------
# Interventions


def _intervention_rows(intervention: Intervention) -> Rows:
    return [
        ("What will be done", intervention.description),
        ("Who is responsible", intervention.responsible),
        ("How often", intervention.frequency),
        ("Status", intervention.get_status_display()),
    ]


def _intervention_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": data["description"],
        "responsible": data["responsible"],
        "frequency": data["frequency"],
        "status": data["status"],
    }


@GET_POST
def intervention_create(request: HttpRequest, goal_id: Any) -> HttpResponse:
    actor = _actor(request)
    goal = selectors.goal_get(actor=actor, goal_id=goal_id)
    plan = goal.careplan
    page = FormPage(
        title="Add an intervention",
        plan=plan,
        submit="Add intervention",
        cancel_url=_plan_url(plan.pk, f"goal-{goal.pk}"),
        intro="What will be done to reach the goal, who does it, and how often.",
        parents=[("Problem or need", goal.problem.description), ("Goal", goal.description)],
    )
    if request.method != "POST":
        return _render_form(request, InterventionForm(), page)
    form = InterventionForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, page, status=400)
    try:
        services.intervention_add(actor=actor, goal=goal, **_intervention_kwargs(form.cleaned_data))
    except (ValidationFailed, Conflict) as error:
        return _error_response(request, form, page, error)
    messages.success(request, "Intervention added.")
    return redirect(_plan_url(plan.pk, f"goal-{goal.pk}"))


@GET_POST
def intervention_edit(request: HttpRequest, intervention_id: Any) -> HttpResponse:
    actor = _actor(request)
    intervention = selectors.intervention_get(actor=actor, intervention_id=intervention_id)
    plan = intervention.careplan
    goal = intervention.goal
    page = FormPage(
        title="Change an intervention",
        plan=plan,
        submit="Save",
        cancel_url=_plan_url(plan.pk, f"goal-{goal.pk}"),
        parents=[("Problem or need", goal.problem.description), ("Goal", goal.description)],
    )
    if request.method != "POST":
        form = InterventionEditForm(
            initial={
                "description": intervention.description,
                "responsible": intervention.responsible,
                "frequency": intervention.frequency,
                "status": intervention.status,
                "version": intervention.version,
            }
        )
        return _render_form(request, form, page)
    form = InterventionEditForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, page, status=400)
    data = form.cleaned_data
    try:
        services.intervention_update(
            actor=actor,
            intervention=intervention,
            expected_version=data["version"],
            **_intervention_kwargs(data),
        )
    except (ValidationFailed, Conflict) as error:

        def current() -> tuple[int, Rows]:
            fresh = selectors.intervention_get(actor=actor, intervention_id=intervention.pk)
            return fresh.version, _intervention_rows(fresh)

        return _error_response(request, form, page, error, current)
    messages.success(request, "Intervention saved.")
    return redirect(_plan_url(plan.pk, f"goal-{goal.pk}"))


# ---------------------------------------------------------------------------------------------
# Publishing and co-signing


@require_POST
def publish(request: HttpRequest, plan_id: Any) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.careplan_get(actor=actor, plan_id=plan_id)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, plan, publish_form=form, status=400)
    try:
        version = services.careplan_publish(
            actor=actor,
            plan=plan,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except (ValidationFailed, Conflict) as error:
        if isinstance(error, Conflict) and error.code == services.STALE:
            fresh = selectors.careplan_get(actor=actor, plan_id=plan.pk)
            _keep_input_with_version(form, fresh.version)
            return _render_detail(request, fresh, publish_form=form, status=409, conflict=error)
        add_service_errors(form, error)
        return _render_detail(request, plan, publish_form=form, status=error.status)
    if version.cosign_status == CosignStatus.PENDING:
        messages.success(
            request,
            f"Version {version.number} published and sent to {version.cosigner} for co-sign. "
            "It becomes the active plan once co-signed.",
        )
    else:
        messages.success(request, f"Version {version.number} published. It is now the active plan.")
    return redirect(_plan_url(plan.pk))


def _render_version(
    request: HttpRequest,
    version: CarePlanVersion,
    *,
    return_form: ReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = _actor(request)
    plan = version.careplan
    services.careplan_record_view(actor=actor, plan=plan, number=version.number)
    is_pending_cosigner = (
        version.cosign_status == CosignStatus.PENDING and version.cosigner_id == actor.pk
    )
    context = {
        "version": version,
        "plan": plan,
        "client": plan.client,
        "snapshot": version.snapshot,
        "is_latest": version.number == plan.published_number,
        "is_pending_cosigner": is_pending_cosigner,
        "return_form": return_form or ReturnForm(),
    }
    return render(request, "careplans/version.html", context, status=status)


@require_GET
def version(request: HttpRequest, plan_id: Any, number: int) -> HttpResponse:
    found = selectors.careplan_version_get(actor=_actor(request), plan_id=plan_id, number=number)
    return _render_version(request, found)


def _after_cosign_url(request: HttpRequest) -> str:
    return reverse("notes:cosign_queue")


@require_POST
def cosign(request: HttpRequest, plan_id: Any, number: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.careplan_version_get(actor=actor, plan_id=plan_id, number=number)
    try:
        services.careplan_version_cosign(actor=actor, version=found)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("careplans:version", plan_id=found.careplan_id, number=found.number)
    messages.success(
        request,
        f"Version {found.number} of {found.careplan.client}'s care plan co-signed. "
        "It is now the active plan.",
    )
    return redirect(_after_cosign_url(request))


@require_POST
def return_version(request: HttpRequest, plan_id: Any, number: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.careplan_version_get(actor=actor, plan_id=plan_id, number=number)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _render_version(request, found, return_form=form, status=400)
    try:
        services.careplan_version_return(
            actor=actor, version=found, comment=form.cleaned_data["comment"]
        )
    except ValidationFailed as error:
        add_service_errors(form, error)
        return _render_version(request, found, return_form=form, status=error.status)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("careplans:version", plan_id=found.careplan_id, number=found.number)
    messages.success(
        request,
        f"Version {found.number} returned to {found.author} with your comment.",
    )
    return redirect(_after_cosign_url(request))
