"""Care plan pages: thin views that parse a form, call one service or selector, and render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
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
from caseload.core.errors import Conflict
from caseload.core.formviews import ConflictShown, FormPage, Rows, form_view, success_redirect
from caseload.enrolments.selectors import enrolment_get

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User

GET_POST = require_http_methods(["GET", "POST"])


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
class Frame:
    """What a care plan form page shows around its form."""

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
    request: HttpRequest, page: FormPage[Any, forms.Form], frame: Frame
) -> HttpResponse:
    context = {
        **page.context(),
        "page": frame,
        "plan": frame.plan,
        "client": frame.client,
        "editable": _editable(frame.plan),
    }
    if request.method == "GET":  # an edit page shows the plan's content: a view of the record
        services.careplan_record_view(actor=request.user, plan=frame.plan)  # type: ignore[arg-type]
    return render(request, "careplans/form.html", context, status=page.status)


def _renderer(request: HttpRequest, frame: Frame) -> Callable[[FormPage[Any, Any]], HttpResponse]:
    """form_view's ``render`` for a care plan form page inside ``frame``."""
    return lambda page: _render_form(request, page, frame)


# ---------------------------------------------------------------------------------------------
# The plan


@GET_POST
def create(request: HttpRequest, enrolment_id: Any) -> HttpResponse:
    actor = _actor(request)
    enrolment = enrolment_get(actor=actor, enrolment_id=enrolment_id)
    existing = selectors.careplan_for_enrolment(actor=actor, enrolment=enrolment)
    if existing is not None:
        messages.info(request, "This enrolment already has a care plan. Here it is.")
        return redirect(_plan_url(existing.pk))
    context: dict[str, Any] = {"enrolment": enrolment, "client": enrolment.client}
    if not enrolment.is_open:
        return render(request, "careplans/create.html", context)

    def save(form: CarePlanCreateForm) -> CarePlan:
        return services.careplan_create(
            actor=actor,
            enrolment=enrolment,
            title=form.cleaned_data["title"],
            review_due=form.cleaned_data["review_due"],
            participants=form.cleaned_data["participants"],
        )

    return form_view(
        request,
        enrolment,
        form=lambda record, data: CarePlanCreateForm(
            data, initial={"title": f"{record.program.name} care plan"}
        ),
        save=save,
        render=lambda page: render(
            request, "careplans/create.html", {**context, **page.context()}, status=page.status
        ),
        success=lambda plan: success_redirect(
            request,
            "Care plan started. Add the client's problems and goals, then publish it.",
            _plan_url(plan.pk),
        ),
    )


def _render_detail(
    request: HttpRequest,
    plan: CarePlan,
    *,
    publish_form: PublishForm | None = None,
    status: int = 200,
    conflict: ConflictShown | None = None,
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
        **(conflict.context() if conflict else {}),
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
    frame = Frame(
        title="Change plan details", plan=plan, submit="Save", cancel_url=_plan_url(plan.pk)
    )

    def save(form: CarePlanEditForm) -> CarePlan:
        data = form.cleaned_data
        return services.careplan_update(
            actor=actor,
            plan=plan,
            expected_version=data["version"],
            title=data["title"],
            review_due=data["review_due"],
            participants=data["participants"],
            agreed_by=data["agreed_by"],
            agreed_on=data["agreed_on"],
        )

    return form_view(
        request,
        plan,
        form=lambda record, data: CarePlanEditForm(
            data,
            initial={
                "title": record.title,
                "review_due": record.review_due,
                "participants": record.participants,
                "agreed_by": record.agreed_by,
                "agreed_on": record.agreed_on,
                "version": record.version,
            },
        ),
        save=save,
        render=_renderer(request, frame),
        success=lambda _: success_redirect(request, "Plan details saved.", _plan_url(plan.pk)),
        reload=lambda: selectors.careplan_header_get(actor=actor, plan_id=plan.pk),
        current=lambda fresh, _: _plan_rows(fresh),
    )


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
    frame = Frame(
        title="Add a problem or need",
        plan=plan,
        submit="Add problem",
        cancel_url=_plan_url(plan.pk),
        intro="Write down one thing the client needs help with. You add the goals for it next.",
    )
    return form_view(
        request,
        plan,
        form=lambda _, data: ProblemForm(data),
        save=lambda form: services.problem_add(
            actor=actor,
            plan=plan,
            description=form.cleaned_data["description"],
            detail=form.cleaned_data["detail"],
        ),
        render=_renderer(request, frame),
        success=lambda problem: success_redirect(
            request,
            "Problem added. Now add a measurable goal for it.",
            _plan_url(plan.pk, f"problem-{problem.pk}"),
        ),
    )


@GET_POST
def problem_edit(request: HttpRequest, problem_id: Any) -> HttpResponse:
    actor = _actor(request)
    problem = selectors.problem_get(actor=actor, problem_id=problem_id)
    plan = problem.careplan
    frame = Frame(
        title="Change a problem or need",
        plan=plan,
        submit="Save",
        cancel_url=_plan_url(plan.pk, f"problem-{problem.pk}"),
    )

    def save(form: ProblemEditForm) -> Problem:
        data = form.cleaned_data
        return services.problem_update(
            actor=actor,
            problem=problem,
            expected_version=data["version"],
            description=data["description"],
            detail=data["detail"],
            status=data["status"],
        )

    return form_view(
        request,
        problem,
        form=lambda record, data: ProblemEditForm(
            data,
            initial={
                "description": record.description,
                "detail": record.detail,
                "status": record.status,
                "version": record.version,
            },
        ),
        save=save,
        render=_renderer(request, frame),
        success=lambda _: success_redirect(
            request, "Problem saved.", _plan_url(plan.pk, f"problem-{problem.pk}")
        ),
        reload=lambda: selectors.problem_get(actor=actor, problem_id=problem.pk),
        current=lambda fresh, _: _problem_rows(fresh),
    )


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
    frame = Frame(
        title="Add a goal",
        plan=plan,
        submit="Add goal",
        cancel_url=_plan_url(plan.pk, f"problem-{problem.pk}"),
        intro=GOAL_HINT,
        parents=[("Problem or need", problem.description)],
    )
    return form_view(
        request,
        problem,
        form=lambda _, data: GoalForm(data),
        save=lambda form: services.goal_add(
            actor=actor, problem=problem, **_goal_kwargs(form.cleaned_data)
        ),
        render=_renderer(request, frame),
        success=lambda goal: success_redirect(
            request,
            "Goal added. Add the interventions that will help reach it.",
            _plan_url(plan.pk, f"goal-{goal.pk}"),
        ),
    )


@GET_POST
def goal_edit(request: HttpRequest, goal_id: Any) -> HttpResponse:
    actor = _actor(request)
    goal = selectors.goal_get(actor=actor, goal_id=goal_id)
    plan = goal.careplan
    frame = Frame(
        title="Change a goal",
        plan=plan,
        submit="Save",
        cancel_url=_plan_url(plan.pk, f"goal-{goal.pk}"),
        intro=GOAL_HINT,
        parents=[("Problem or need", goal.problem.description)],
    )
    return form_view(
        request,
        goal,
        form=lambda record, data: GoalEditForm(
            data,
            initial={
                "description": record.description,
                "measure": record.measure,
                "target_value": record.target_value,
                "target_date": record.target_date,
                "expressed_by": record.expressed_by,
                "status": record.status,
                "outcome_note": record.outcome_note,
                "version": record.version,
            },
        ),
        save=lambda form: services.goal_update(
            actor=actor,
            goal=goal,
            expected_version=form.cleaned_data["version"],
            outcome_note=form.cleaned_data["outcome_note"],
            **_goal_kwargs(form.cleaned_data),
        ),
        render=_renderer(request, frame),
        success=lambda _: success_redirect(
            request, "Goal saved.", _plan_url(plan.pk, f"goal-{goal.pk}")
        ),
        reload=lambda: selectors.goal_get(actor=actor, goal_id=goal.pk),
        current=lambda fresh, _: _goal_rows(fresh),
    )


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
    frame = Frame(
        title="Add an intervention",
        plan=plan,
        submit="Add intervention",
        cancel_url=_plan_url(plan.pk, f"goal-{goal.pk}"),
        intro="What will be done to reach the goal, who does it, and how often.",
        parents=[("Problem or need", goal.problem.description), ("Goal", goal.description)],
    )
    return form_view(
        request,
        goal,
        form=lambda _, data: InterventionForm(data),
        save=lambda form: services.intervention_add(
            actor=actor, goal=goal, **_intervention_kwargs(form.cleaned_data)
        ),
        render=_renderer(request, frame),
        success=lambda _: success_redirect(
            request, "Intervention added.", _plan_url(plan.pk, f"goal-{goal.pk}")
        ),
    )


@GET_POST
def intervention_edit(request: HttpRequest, intervention_id: Any) -> HttpResponse:
    actor = _actor(request)
    intervention = selectors.intervention_get(actor=actor, intervention_id=intervention_id)
    plan = intervention.careplan
    goal = intervention.goal
    frame = Frame(
        title="Change an intervention",
        plan=plan,
        submit="Save",
        cancel_url=_plan_url(plan.pk, f"goal-{goal.pk}"),
        parents=[("Problem or need", goal.problem.description), ("Goal", goal.description)],
    )
    return form_view(
        request,
        intervention,
        form=lambda record, data: InterventionEditForm(
            data,
            initial={
                "description": record.description,
                "responsible": record.responsible,
                "frequency": record.frequency,
                "status": record.status,
                "version": record.version,
            },
        ),
        save=lambda form: services.intervention_update(
            actor=actor,
            intervention=intervention,
            expected_version=form.cleaned_data["version"],
            **_intervention_kwargs(form.cleaned_data),
        ),
        render=_renderer(request, frame),
        success=lambda _: success_redirect(
            request, "Intervention saved.", _plan_url(plan.pk, f"goal-{goal.pk}")
        ),
        reload=lambda: selectors.intervention_get(actor=actor, intervention_id=intervention.pk),
        current=lambda fresh, _: _intervention_rows(fresh),
    )


# ---------------------------------------------------------------------------------------------
# Publishing and co-signing


def _published_message(version: CarePlanVersion) -> str:
    if version.cosign_status == CosignStatus.PENDING:
        return (
            f"Version {version.number} published and sent to {version.cosigner} for co-sign. "
            "It becomes the active plan once co-signed."
        )
    return f"Version {version.number} published. It is now the active plan."


@require_POST
def publish(request: HttpRequest, plan_id: Any) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.careplan_get(actor=actor, plan_id=plan_id)
    return form_view(
        request,
        plan,
        form=lambda record, data: PublishForm(data, initial={"version": record.version}),
        save=lambda form: services.careplan_publish(
            actor=actor,
            plan=plan,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
        render=lambda page: _render_detail(
            request,
            page.record,
            publish_form=page.form,
            status=page.status,
            conflict=page.conflict,
        ),
        success=lambda version: success_redirect(
            request, _published_message(version), _plan_url(plan.pk)
        ),
        reload=lambda: selectors.careplan_get(actor=actor, plan_id=plan.pk),
        reload_url=_plan_url(plan.pk),
    )


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
    return form_view(
        request,
        found,
        form=lambda _, data: ReturnForm(data),
        save=lambda form: services.careplan_version_return(
            actor=actor, version=found, comment=form.cleaned_data["comment"]
        ),
        render=lambda page: _render_version(
            request, page.record, return_form=page.form, status=page.status
        ),
        success=lambda _: success_redirect(
            request,
            f"Version {found.number} returned to {found.author} with your comment.",
            _after_cosign_url(request),
        ),
        refused_url=reverse("careplans:version", args=[found.careplan_id, found.number]),
    )
