"""'Entered in error': what every app's mark-as-entered-in-error service and page share.

Nothing is hard-deleted. A record entered in error keeps every field it had, gains who, when and
why, and is left out of every normal list; its own page still shows it, marked.

It sits beside ``caseload.core.models.EnteredInError`` and imports nothing but core: the page
is told whose record it shows (``PageSubject``) and its callers audit the read themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from caseload.core import clock
from caseload.core.errors import STALE, Conflict, ValidationFailed, VersionConflict
from caseload.core.forms import CaseloadForm, add_service_errors
from caseload.core.validators import SHORT_TEXT, too_long_message

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest, HttpResponse

    from caseload.core.models import EnteredInError

REASON_MAX = SHORT_TEXT
REASON_REQUIRED = "Say why this record is entered in error."
NUL_MESSAGE = "Remove the invalid control character from this text."
#: The fields a service saves when it marks a record (with ``updated_at``).
FIELDS = ["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason", "updated_at"]


def clean_reason(reason: str) -> str:
    """The reason, trimmed; ValidationFailed on the field ``reason`` if empty, too long or NUL."""
    reason = (reason or "").strip()
    if "\x00" in reason:
        raise ValidationFailed(NUL_MESSAGE, field_errors={"reason": [NUL_MESSAGE]})
    if not reason:
        raise ValidationFailed(REASON_REQUIRED, field_errors={"reason": [REASON_REQUIRED]})
    if len(reason) > REASON_MAX:
        message = too_long_message(REASON_MAX)
        raise ValidationFailed(message, field_errors={"reason": [message]})
    return reason


def refuse_if_entered_in_error(record: EnteredInError, what: str = "record") -> None:
    """Conflict for any change to a record already entered in error (it is final)."""
    if record.is_entered_in_error:
        raise Conflict(
            f"This {what} was entered in error. It stays in the history and can no longer be "
            "changed.",
            code="entered_in_error",
        )


def mark(record: EnteredInError, *, actor: Any, reason: str) -> list[str]:
    """Set who, when and why on ``record`` (already locked and checked); returns the fields.

    ``actor`` is the staff member (a ``staff.User``; core names no app above it)."""
    record.entered_in_error_at = clock.now()
    record.entered_in_error_by = actor
    record.entered_in_error_reason = reason
    return list(FIELDS)


class EnteredInErrorForm(CaseloadForm):
    reason = forms.CharField(
        label="Why is this entered in error?",
        help_text=(
            "For example: written in the wrong client's record, or a duplicate of another "
            "record. Everyone who opens the record will see this."
        ),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": REASON_REQUIRED,
            "max_length": too_long_message(REASON_MAX),
        },
    )


@dataclass(frozen=True)
class PageSubject:
    """Whose record a page shows: ``name`` ends the page title; ``template``, rendered with
    ``context``, is the line above the heading (e.g. the client's name, birth date and MRN)."""

    name: str
    template: str
    context: Mapping[str, object] = field(default_factory=dict)


def _posted_version(request: HttpRequest, record: Model, what: str) -> int:
    """The version the confirmation page showed; a form without one (a page from before) is
    treated as out of date."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise VersionConflict(
            f"This page no longer shows the {what} as it is now.",
            code=STALE,
            current_version=getattr(record, "version", 0),
        ) from None


def confirm_page(
    request: HttpRequest,
    *,
    record: Model,
    subject: PageSubject,
    what: str,
    summary: list[tuple[str, str]],
    action_url: str,
    back_url: str,
    back_label: str,
    mark: Callable[..., Any],
    done_message: str,
    done_url: str | None = None,
) -> HttpResponse:
    """The page every "entered in error" action shares. GET: the record's summary and the reason
    form (the caller audits the read); POST: ``mark(reason)``, then to ``done_url`` (default
    ``back_url``) with ``done_message``. A record with a ``version`` is marked only as the page
    showed it: the form carries the version and the POST calls ``mark(reason, version)``, whose
    service checks it under its lock; changed meanwhile (or a form without it), the page comes
    back with the record as it is now. A record marked meanwhile is a Conflict: back with its
    message. A missing or bad reason: the form again, 400."""
    status = 200
    version = getattr(record, "version", None)
    if request.method == "POST":
        form = EnteredInErrorForm(request.POST)
        if form.is_valid():
            try:
                if version is None:
                    mark(form.cleaned_data["reason"])
                else:
                    mark(form.cleaned_data["reason"], _posted_version(request, record, what))
            except VersionConflict as error:
                messages.info(request, f"{error.message} Check it again before you mark it.")
                return redirect(action_url)
            except Conflict as error:
                messages.info(request, error.message)
                return redirect(back_url)
            except ValidationFailed as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done_message)
                return redirect(done_url or back_url)
        status = 400
    else:
        form = EnteredInErrorForm()
    return render(
        request,
        "core/entered_in_error_confirm.html",
        {
            **subject.context,
            "subject": subject,
            "record": record,
            "what": what,
            "summary": summary,
            "form": form,
            "action_url": action_url,
            "version": version,
            "back_url": back_url,
            "back_label": back_label,
        },
        status=status,
    )
