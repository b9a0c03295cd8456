"""One way to write a form view: load the record, fill the form from it, save through a service,
and show what went wrong with the user's input kept.

A view looks its record up in the actor's scope (out of scope is 404 before anything else), then
hands the rest to :func:`form_view`::

    def edit(request, problem_id):
        actor = actor_of(request)
        problem = selectors.problem_get(actor=actor, problem_id=problem_id)
        return form_view(
            request,
            problem,
            form=lambda problem, data: ProblemEditForm(data, initial=_initial(problem)),
            save=lambda form: services.problem_update(
                actor=actor, problem=problem, expected_version=form.cleaned_data["version"], ...
            ),
            render=lambda page: render(
                request, "careplans/form.html", page.context(), status=page.status
            ),
            success=lambda _: success_redirect(request, "Problem saved.", _plan_url(problem)),
            reload=lambda: selectors.problem_get(actor=actor, problem_id=problem.pk),
            current=lambda problem, form: _problem_rows(problem),
        )

What happens:

- GET: the form filled from the record (``form(record, None)``), status 200.
- POST, the form invalid: the form with its errors, 400.
- POST, the service raises ``ValidationFailed``: its field errors on the form, 400.
- POST, the service raises ``VersionConflict`` and ``reload`` is given: someone saved first. The
  record is looked up again, the form rebuilt from the user's submission with the hidden
  ``version`` set to the current one (so saving again overwrites deliberately), and the page is
  rendered against the current record with ``core/partials/conflict.html``'s context: the
  message, ``current(record, form)`` (the saved values beside the user's), and a link that
  discards the user's changes. Status 409.
- POST, any other ``Conflict`` (the record's state forbids the change, e.g. the note was signed
  meanwhile): with ``refused_url``, the message as an error and a redirect there (the form no
  longer applies); without, its message on the form, 409.
- POST, saved: ``success(result)``, usually :func:`success_redirect`.

``PermissionDenied`` and ``NotFound`` are not caught: ``core.middleware.AppErrorMiddleware``
renders them as 403 and 404 pages. A view that must show one on the form translates it in
``save``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect

from caseload.core.errors import Conflict, ValidationFailed, VersionConflict
from caseload.core.forms import add_service_errors

#: (label, value) pairs, as ``core/partials/conflict.html`` lists the current saved values.
Rows = list[tuple[str, Any]]

R = TypeVar("R")  # the record the page is about (for a "create" page, its parent)
F = TypeVar("F", bound=forms.BaseForm)
T = TypeVar("T")  # what the service returns


@dataclass(frozen=True)
class ConflictShown:
    """A version conflict as ``core/partials/conflict.html`` shows it."""

    error: Conflict
    current: Rows
    reload_url: str

    def context(self) -> dict[str, Any]:
        return {
            "conflict": self.error,
            "conflict_current": self.current,
            "conflict_reload_url": self.reload_url,
        }


@dataclass(frozen=True)
class FormPage(Generic[R, F]):
    """What a form view renders: the record (the current one after a version conflict), the
    form, the status, and the conflict to explain, if any."""

    record: R
    form: F
    status: int = 200
    conflict: ConflictShown | None = None

    def context(self) -> dict[str, Any]:
        """``form`` and, after a version conflict, what ``core/partials/conflict.html`` reads."""
        return {"form": self.form, **(self.conflict.context() if self.conflict else {})}


def form_view(
    request: HttpRequest,
    record: R,
    *,
    form: Callable[[R, QueryDict | None], F],
    save: Callable[[F], T],
    render: Callable[[FormPage[R, F]], HttpResponse],
    success: Callable[[T], HttpResponse],
    reload: Callable[[], R] | None = None,
    current: Callable[[R, F], Rows] | None = None,
    reload_url: str | None = None,
    refused_url: str | None = None,
) -> HttpResponse:
    """GET shows ``form(record, None)``; POST validates, calls ``save(form)`` and answers with
    ``success(result)``, or renders the form again as the module docstring describes.

    ``reload`` (the record looked up again, in scope) turns a ``VersionConflict`` into the
    conflict page; ``current`` lists the saved values shown beside the user's input;
    ``reload_url`` is where "discard your changes and reload" goes (default: this page);
    ``refused_url`` is where any other ``Conflict`` sends the user, with its message.
    """
    if request.method != "POST":
        return render(FormPage(record, form(record, None)))
    bound = form(record, request.POST)
    if not bound.is_valid():
        return render(FormPage(record, bound, status=400))
    try:
        result = save(bound)
    except (ValidationFailed, Conflict) as error:
        if isinstance(error, VersionConflict) and reload is not None:
            fresh = reload()
            again = form(fresh, with_version(request.POST, error.current_version))
            again.is_valid()  # the input was valid; this fills cleaned_data for ``current``
            shown = ConflictShown(
                error=error,
                current=current(fresh, again) if current is not None else [],
                reload_url=reload_url or request.path,
            )
            return render(FormPage(fresh, again, status=409, conflict=shown))
        if isinstance(error, Conflict) and refused_url is not None:
            messages.error(request, error.message)
            return redirect(refused_url)
        add_service_errors(bound, error)
        return render(FormPage(record, bound, status=error.status))
    return success(result)


def success_redirect(request: HttpRequest, message: str, url: str) -> HttpResponse:
    """Say what was saved, and go to ``url`` (post/redirect/get)."""
    messages.success(request, message)
    return redirect(url)


def with_version(data: QueryDict, version: int) -> QueryDict:
    """The user's submission with the hidden ``version`` set to ``version``."""
    rebound = data.copy()
    rebound["version"] = str(version)
    return rebound


def shown(value: Any) -> str:
    """A field value as a person reads it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return value.strftime("%-d %B %Y")
    return "" if value is None else str(value)


def field_display(form: forms.BaseForm, name: str, value: Any) -> str:
    """``value`` of the form's field ``name`` as a person reads it (a choice by its label)."""
    field = form.fields[name]
    choices = getattr(field, "choices", None)
    if choices is not None and not isinstance(value, bool):
        for key, label in choices:
            if str(key) == str(value):
                return str(label)
    return shown(value)


def changed_rows(form: forms.BaseForm, saved: dict[str, Any]) -> Rows:
    """(label, saved value) for each of the form's fields whose saved value differs from what the
    user submitted (``form`` validated): the ``current`` of a form over many plain fields."""
    submitted = form.cleaned_data
    rows: Rows = []
    for name, value in saved.items():
        if name not in form.fields:
            continue
        if name in submitted and field_display(form, name, submitted[name]) == field_display(
            form, name, value
        ):
            continue
        rows.append((str(form.fields[name].label), field_display(form, name, value)))
    return rows
