"""Parsing the worklist's GET parameters: filters, search, sort, page and whose caseload."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms

from caseload.core.errors import NotFound
from caseload.core.forms import CaseloadForm
from caseload.enrolments.models import EnrolmentStatus
from caseload.worklist.selectors import SORT_KEYS

_STAFF_VIEW = re.compile(r"^staff:(\d{1,18})$", re.ASCII)
_PROGRAM_VIEW = re.compile(r"^program:([0-9a-fA-F-]{32,36})$")

STATUS_CHOICES = [
    ("", "Any open status"),
    (EnrolmentStatus.REFERRED.value, EnrolmentStatus.REFERRED.label),
    (EnrolmentStatus.ACTIVE.value, EnrolmentStatus.ACTIVE.label),
    (EnrolmentStatus.ON_HOLD.value, EnrolmentStatus.ON_HOLD.label),
]


class CaseloadFilterForm(CaseloadForm):
    view = forms.CharField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(
        label="Find a client",
        required=False,
        max_length=100,
        help_text=(
            "Name (first letters are enough), date of birth as YYYY-MM-DD or MM/DD/YYYY, or MRN. "
            "Searches every client you can see, not only this caseload."
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    program = forms.UUIDField(
        label="Program", required=False, widget=forms.Select(choices=[("", "All programs")])
    )
    status = forms.ChoiceField(label="Enrolment status", required=False, choices=STATUS_CHOICES)
    overdue = forms.BooleanField(label="Only clients with overdue tasks", required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    page = forms.CharField(required=False, widget=forms.HiddenInput)

    def set_program_choices(self, choices: list[tuple[str, str]]) -> None:
        self.fields["program"].widget.choices = [("", "All programs"), *choices]

    def clean_sort(self) -> str:
        sort: str = self.cleaned_data.get("sort") or "priority"
        return sort if sort.lstrip("-") in SORT_KEYS else "priority"

    def clean_page(self) -> int:
        raw = self.cleaned_data.get("page") or ""
        return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1

    def caseload_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``caseload_page`` (call after is_valid())."""
        data = self.cleaned_data
        owner_id, caseload_program_id = parse_view(data.get("view") or "")
        return {
            "owner_id": owner_id,
            "caseload_program_id": caseload_program_id,
            "program_id": data.get("program"),
            "status": data.get("status") or None,
            "overdue_only": bool(data.get("overdue")),
            "q": data.get("q") or "",
            "sort": data.get("sort") or "priority",
            "page": data.get("page") or 1,
        }


def parse_view(view: str) -> tuple[int | None, uuid.UUID | None]:
    """'' → own caseload; 'staff:<id>' → that person's; 'program:<uuid>' → that program's.

    Anything else names no caseload the actor could have been offered: NotFound.
    """
    if not view or view == "me":
        return None, None
    staff = _STAFF_VIEW.match(view)
    if staff:
        return int(staff.group(1)), None
    program = _PROGRAM_VIEW.match(view)
    if program:
        try:
            return None, uuid.UUID(program.group(1))
        except ValueError as exc:
            raise NotFound("Caseload not found.") from exc
    raise NotFound("Caseload not found.")
