"""Forms for transitional-care pages: parsing and labels only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from caseload.core.dates import HAPPENED, within
from caseload.core.forms import CaseloadForm, VersionField
from caseload.core.validators import LONG_TEXT, SHORT_TEXT
from caseload.enrolments.forms import EnrolmentChoiceField
from caseload.enrolments.models import Enrolment
from caseload.enrolments.selectors import enrolments_among
from caseload.transitions.models import ClockKind, Complexity, DischargeSetting, EpisodeCloseReason

DATE_HINT = "For example 2026-03-06."


def _date_field(
    label: str, *, required: bool = True, help_text: str = DATE_HINT
) -> forms.DateField:
    """A day something happened (a discharge, a clock met): within ``core.dates.HAPPENED``."""
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        validators=[within(HAPPENED, label)],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter a real date, for example 2026-03-06.",
        },
    )


class DischargeForm(CaseloadForm):
    enrolment = EnrolmentChoiceField(
        label="Enrolment",
        queryset=Enrolment.objects.none(),
        required=False,
        empty_label="Not part of an enrolment",
        help_text="The clocks' tasks go to this enrolment's care manager.",
    )
    discharged_on = _date_field("Date of discharge")
    discharged_from = forms.ChoiceField(
        label="Discharged from",
        choices=DischargeSetting.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the client was discharged from."},
    )
    facility_name = forms.CharField(
        label="Hospital or facility",
        max_length=200,
        error_messages={"required": "Enter the hospital's or facility's name."},
    )
    complexity = forms.ChoiceField(
        label="Complexity of medical decision making",
        choices=Complexity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the complexity of medical decision making."},
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, enrolments: list[Enrolment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enrolment_field: Any = self.fields["enrolment"]
        enrolment_field.queryset = enrolments_among(enrolments)
        if enrolments and not self.is_bound:
            self.initial.setdefault("enrolment", enrolments[0].pk)


class ClockRecordForm(CaseloadForm):
    kind = forms.ChoiceField(choices=ClockKind.choices, widget=forms.HiddenInput)
    met_on = _date_field("Date done")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()


class EpisodeCloseForm(CaseloadForm):
    reason = forms.ChoiceField(
        label="Why is the episode closing early",
        choices=EpisodeCloseReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the episode is closing."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()
