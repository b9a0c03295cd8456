"""Task pages: "My tasks", add and change a task, mark done in place (htmx), cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from caseload.access import policies
from caseload.audit.services import audit_record, audit_record_many
from caseload.careplans.selectors import goal_choices_for_client
from caseload.clients.views import client_subject, record_page_view
from caseload.core.entered_in_error import confirm_page
from caseload.core.errors import Conflict, NotFound
from caseload.core.forms import query_form
from caseload.core.formviews import FormPage, Rows, form_view, success_redirect
from caseload.tasks import services
from caseload.tasks.forms import CancelForm, CompleteForm, OwnerQueryForm, TaskEditForm, TaskForm
from caseload.tasks.models import Task, TaskStatus
from caseload.tasks.selectors import (
    task_get,
    task_list_for_owner,
    task_owner_choices,
)

if TYPE_CHECKING:
    from caseload.staff.models import User

# Above this many staff the "show tasks of" switcher is left out (directors see everyone).
SWITCHER_LIMIT = 100


def _actor(request: HttpRequest) -> User:
    return cast("User", request.user)


def _method_not_allowed(request: HttpRequest, *allowed: str) -> HttpResponse | None:
    """405 for another method, checked after the record is found so that out-of-scope ids
    answer 404 whatever the method (the access matrix treats GET and POST alike)."""
    if request.method not in allowed:
        return HttpResponseNotAllowed(allowed)
    return None


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: redirect() would read any other word as a URL name to reverse.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _chart_tasks_url(client_id: Any) -> str:
    return reverse("clients:chart", kwargs={"client_id": client_id}) + "#tasks"


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """Open tasks grouped Overdue / Due today / Later; supervisors may pick a supervisee."""
    actor = _actor(request)
    policies.require_clinical(actor)
    owner = actor
    requested = query_form(request.GET, OwnerQueryForm).cleaned_data["owner"]
    if requested is not None and requested != actor.pk:
        found = policies.caseload_owner_choices(actor).filter(pk=requested).first()
        if found is None:
            raise NotFound("Staff member not found.")
        owner = found
    choices: list[User] = []
    if not actor.is_junior:
        choices = list(policies.caseload_owner_choices(actor)[: SWITCHER_LIMIT + 1])
    tasks = task_list_for_owner(actor=actor, owner=owner)
    shown = [*tasks.overdue, *tasks.today, *tasks.later]
    audit_record_many(
        actor=actor,
        action="task.listed",
        targets=[(task, task.client) for task in shown],
        detail={"page": "my_tasks", "owner": owner.pk},
    )
    return render(
        request,
        "tasks/mine.html",
        {
            "my": tasks,
            "owner": owner,
            "is_self": owner.pk == actor.pk,
            "owner_choices": choices if 1 < len(choices) <= SWITCHER_LIMIT else [],
            "next": request.get_full_path(),
            "nav": "tasks",
        },
    )


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, client_id: Any) -> HttpResponse:
    """Add a task for a client; the owner defaults to the signed-in care manager."""
    actor = _actor(request)
    policies.require_clinical(actor)
    client = policies.require_client(actor, client_id)
    owners = task_owner_choices(actor=actor, client=client)
    goals = goal_choices_for_client(actor=actor, client=client)
    if request.method != "POST":
        audit_record(
            actor=actor,
            action="client.viewed",
            target=client,
            client=client,
            detail={"page": "task_create"},
        )
    initial: dict[str, Any] = {"owner": actor.pk, "priority": 3}
    if request.GET.get("goal"):
        initial["goal"] = request.GET["goal"]
    return form_view(
        request,
        client,
        form=lambda _, data: TaskForm(data, initial=initial, owners=owners, goals=goals),
        save=lambda form: services.task_create(actor=actor, client=client, **form.service_kwargs()),
        render=lambda page: render(
            request,
            "tasks/create.html",
            {**page.context(), "client": client, "next": _safe_next(request, "")},
            status=page.status,
        ),
        success=lambda task: success_redirect(
            request,
            f"Task added{_for_whom(task, actor)}: {task.title}.",
            _safe_next(request, _chart_tasks_url(client.pk)),
        ),
    )


def _for_whom(task: Task, actor: User) -> str:
    return "" if task.owner_id == actor.pk else f" for {task.owner.display_name}"


def _edit_context(
    actor: User,
    task: Task,
    form: TaskForm | None = None,
    cancel_form: CancelForm | None = None,
    complete_form: CompleteForm | None = None,
) -> dict[str, Any]:
    if form is None and task.is_open and not task.is_entered_in_error:
        form = TaskEditForm(
            initial=TaskForm.initial_for(task),
            owners=task_owner_choices(actor=actor, client=task.client, include=task.owner_id),
            goals=goal_choices_for_client(actor=actor, client=task.client, include=task.goal_id),
        )
    return {
        "task": task,
        "client": task.client,
        "form": form,
        "cancel_form": cancel_form or CancelForm(initial={"version": task.version}),
        "complete_form": complete_form or CompleteForm(initial={"version": task.version}),
    }


def _task_rows(task: Task) -> Rows:
    rows: Rows = [
        ("What needs to be done", task.title),
        ("Details", task.description),
        ("Due date", f"{task.due_on:%Y-%m-%d}"),
        ("Priority", task.get_priority_display()),
        ("Who does it", task.owner.display_name),
        ("Status", task.get_status_display()),
    ]
    if not task.is_open and task.completed_at is not None:
        by = f" by {task.completed_by.display_name}" if task.completed_by else ""
        closed = "Done" if task.status == TaskStatus.DONE else "Cancelled"
        rows.append((closed, f"{timezone.localtime(task.completed_at):%-d %b %Y, %H:%M}{by}"))
        rows.append(("Outcome" if task.status == TaskStatus.DONE else "Reason", task.outcome_note))
    return rows


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, task_id: Any) -> HttpResponse:
    """Change an open task; done, cancelled and entered-in-error tasks are shown read-only."""
    actor = _actor(request)
    policies.require_clinical(actor)
    task = task_get(actor=actor, task_id=task_id)
    if request.method != "POST":
        audit_record(
            actor=actor,
            action="task.viewed",
            target=task,
            client=task.client,
            detail={"page": "edit"},
        )
    if not task.is_open or task.is_entered_in_error:
        return render(request, "tasks/edit.html", _edit_context(actor, task))
    owners = task_owner_choices(actor=actor, client=task.client, include=task.owner_id)
    goals = goal_choices_for_client(actor=actor, client=task.client, include=task.goal_id)
    return form_view(
        request,
        task,
        form=lambda record, data: TaskEditForm(
            data, initial=TaskForm.initial_for(record), owners=owners, goals=goals
        ),
        save=lambda form: services.task_update(
            actor=actor,
            task=task,
            expected_version=form.cleaned_data["version"],
            **form.service_kwargs(),
        ),
        render=lambda page: render(
            request,
            "tasks/edit.html",
            {**_edit_context(actor, page.record, form=page.form), **page.context()},
            status=page.status,
        ),
        success=lambda _: success_redirect(
            request,
            f"Task saved: {task.title}.",
            _safe_next(request, _chart_tasks_url(task.client_id)),
        ),
        reload=lambda: task_get(actor=actor, task_id=task.pk),
        current=lambda fresh, _: _task_rows(fresh),
        refused_url=reverse("tasks:edit", kwargs={"task_id": task.pk}),
    )


def complete(request: HttpRequest, task_id: Any) -> HttpResponse:
    """Mark a task done, against the version the user saw. With htmx (the "Mark done" button of
    a list), answer with the row; otherwise the task page's form: whoever loses a race to
    complete it is told who closed it and gets their outcome back (409), not "already done"."""
    actor = _actor(request)
    policies.require_clinical(actor)
    task = task_get(actor=actor, task_id=task_id)
    if refused := _method_not_allowed(request, "POST"):
        return refused
    if _is_htmx(request):
        return _complete_row(request, actor, task)
    return _close(
        request,
        actor,
        task,
        form_class=CompleteForm,
        text="outcome_note",
        close=lambda version, text: services.task_complete(
            actor=actor, task=task, expected_version=version, outcome_note=text
        ),
        kept_heading="Your outcome (not saved)",
        done=f"Done: {task.title}.",
        done_url=_safe_next(request, reverse("tasks:mine")),
    )


def _close(
    request: HttpRequest,
    actor: User,
    task: Task,
    *,
    form_class: type[CompleteForm] | type[CancelForm],
    text: str,
    close: Callable[[int, str], Task],
    kept_heading: str,
    done: str,
    done_url: str,
) -> HttpResponse:
    """Complete or cancel ``task`` from the form of that name on the task page (``text`` is
    its outcome or reason field), against the version the page showed; a task closed meanwhile
    shows the text back under ``kept_heading``."""
    form_name = "complete_form" if form_class is CompleteForm else "cancel_form"
    return form_view(
        request,
        task,
        form=lambda record, data: form_class(data, initial={"version": record.version}),
        save=lambda form: close(form.cleaned_data["version"], form.cleaned_data[text]),
        render=lambda page: render(
            request,
            "tasks/edit.html",
            {
                **_edit_context(actor, page.record, **cast("Any", {form_name: page.form})),
                **page.context(),
                **_kept(page, text, kept_heading),
            },
            status=page.status,
        ),
        success=lambda _: success_redirect(request, done, done_url),
        reload=lambda: task_get(actor=actor, task_id=task.pk),
        current=lambda fresh, _: _task_rows(fresh),
        refused_url=reverse("tasks:edit", kwargs={"task_id": task.pk}),
    )


def _kept(page: FormPage[Task, Any], field: str, heading: str) -> dict[str, Any]:
    """After a conflict on a task closed meanwhile: what the user wrote in ``field``, shown
    back under ``heading`` (the task's form no longer applies)."""
    if page.conflict is None or (page.record.is_open and not page.record.is_entered_in_error):
        return {}
    text = page.form.cleaned_data.get(field, "")
    # The closed task's page lists who closed it and their outcome: no second list above it.
    return {
        "conflict_current": [],
        "conflict_kept": "copy" if text else "nothing",
        "kept_text": text,
        "kept_heading": heading,
    }


def _complete_row(request: HttpRequest, actor: User, task: Task) -> HttpResponse:
    """The list's "Mark done" button (no outcome to lose): the row done, already closed by
    someone else, or shown again when the task changed since the list was loaded."""
    form = CompleteForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return HttpResponse(first, status=400)
    fragment = {
        "task": task,
        "show_client": request.POST.get("show_client") == "1",
        "show_owner": request.POST.get("show_owner") == "1",
        "next": request.POST.get("next", ""),
    }
    try:
        services.task_complete(
            actor=actor,
            task=task,
            expected_version=form.cleaned_data["version"],
            outcome_note=form.cleaned_data["outcome_note"],
        )
    except Conflict:
        fresh = task_get(actor=actor, task_id=task.pk)
        fragment["task"] = fresh
        if fresh.is_open and not fresh.is_entered_in_error:
            return render(request, "tasks/partials/task_row.html", {**fragment, "changed": True})
        return render(request, "tasks/partials/task_done_row.html", {**fragment, "already": True})
    return render(request, "tasks/partials/task_done_row.html", fragment)


def cancel(request: HttpRequest, task_id: Any) -> HttpResponse:
    """Cancel an open task against the version the user saw; a reason is required and kept,
    also when someone else closed the task meanwhile (409, the reason shown back)."""
    actor = _actor(request)
    policies.require_clinical(actor)
    task = task_get(actor=actor, task_id=task_id)
    if refused := _method_not_allowed(request, "POST"):
        return refused
    return _close(
        request,
        actor,
        task,
        form_class=CancelForm,
        text="reason",
        close=lambda version, text: services.task_cancel(
            actor=actor, task=task, expected_version=version, reason=text
        ),
        kept_heading="Your reason for cancelling (not saved)",
        done=f"Task cancelled: {task.title}.",
        done_url=_safe_next(request, _chart_tasks_url(task.client_id)),
    )


def task_entered_in_error(request: HttpRequest, task_id: Any) -> HttpResponse:
    """Confirm, then mark a task as entered in error with a reason (it stays in the history)."""
    actor = _actor(request)
    policies.require_clinical(actor)
    task = task_get(actor=actor, task_id=task_id)
    if refused := _method_not_allowed(request, "GET", "POST"):
        return refused
    record_page_view(
        request,
        actor,
        action="task.viewed",
        target=task,
        client=task.client,
        page="entered_in_error",
    )
    return confirm_page(
        request,
        record=task,
        subject=client_subject(task.client),
        what="task",
        summary=[
            ("What needs to be done", task.title),
            ("Details", task.description),
            ("Due date", f"{task.due_on:%-d %b %Y}"),
            ("Who does it", task.owner.display_name),
            ("Status", task.get_status_display()),
        ],
        action_url=reverse("tasks:task_entered_in_error", kwargs={"task_id": task.pk}),
        back_url=reverse("tasks:edit", kwargs={"task_id": task.pk}),
        back_label="Back to the task",
        mark=lambda reason, version: services.task_mark_entered_in_error(
            actor=actor, task=task, reason=reason, expected_version=version
        ),
        done_message=(
            f"Task marked as entered in error: {task.title}. It is out of every list and "
            "stays in the client's history."
        ),
        done_url=_chart_tasks_url(task.client_id),
    )
