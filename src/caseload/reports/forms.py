"""The month report's choices: which month, which program."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from caseload.core.forms import CaseloadForm
from caseload.enrolments.models import Program


class MonthReportForm(CaseloadForm):
    month = forms.CharField(
        label="Month",
        required=False,
        max_length=7,
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text="For example 2026-11. Months are the organisation's time zone.",
    )
    program = forms.ChoiceField(label="Program", required=False)

    def __init__(self, data: object, *, programs: Sequence[Program], everyone: bool) -> None:
        super().__init__(data)
        first = [("", "Whole organisation")] if everyone else []
        self.fields["program"].choices = [  # type: ignore[attr-defined]
            *first,
            *((str(p.pk), p.name) for p in programs),
        ]
