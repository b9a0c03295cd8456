"""Forms for time toward programs, chronic conditions and month close: parsing and labels only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms

from caseload.core import clock
from caseload.core.forms import CaseloadForm
from caseload.programrules import rules
from caseload.programrules.models import Activity, StaffType
from caseload.programrules.services import (
    DESCRIPTION_MAX,
    MAX_MINUTES,
    MIN_MINUTES,
    TEXT_MAX,
    TimeDetails,
)

if TYPE_CHECKING:
    from caseload.notes.models import ProgressNote

NO_PROGRAM = ("", "Not counted toward a program")


def program_choices() -> list[tuple[str, str]]:
    """This year's programs, for a time entry's 'counts toward'."""
    rule_set = rules.for_year(clock.today().year)
    return [NO_PROGRAM] + [
        (p.key, f"{p.key} — {p.name[0].upper()}{p.name[1:]}") for p in rule_set.programs.values()
    ]


def minutes_field(label: str = "Minutes", help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "short"}),
        error_messages={
            "required": "Enter the minutes.",
            "invalid": "Enter the minutes as a whole number, for example 12.",
            "min_value": f"Minutes must be at least {MIN_MINUTES}.",
            "max_value": f"Minutes must be {MAX_MINUTES} or fewer.",
        },
    )


def _program_field(name: str = "program") -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Counts toward",
        help_text="The care management program this time counts toward. A minute counts "
        "toward one program only.",
        choices=[NO_PROGRAM],
        required=False,
        error_messages={"invalid_choice": "Choose one of the programs, or no program."},
    )


def _activity_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Activity",
        choices=Activity.choices,
        error_messages={"required": "Choose the activity."},
    )


def _staff_type_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Your staff type for this work",
        choices=StaffType.choices,
        error_messages={"required": "Choose the staff type of the person who did the work."},
    )


def _practitioner_field() -> forms.CharField:
    return forms.CharField(
        label="Billing practitioner",
        help_text="The physician or practitioner who bills this client's month, "
        "e.g. Dr. Priya Nair. One per client and month.",
        max_length=TEXT_MAX,
        required=False,
    )


def _fill_programs(form: forms.Form, *names: str) -> None:
    for name in names:
        cast(forms.ChoiceField, form.fields[name]).choices = program_choices()


class TimeFieldsMixin(CaseloadForm):
    """The time fields a progress note adds: the note gives the minutes and the moment."""

    time_program = _program_field()
    time_activity = _activity_field()
    time_staff_type = _staff_type_field()
    time_billing_practitioner = _practitioner_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fill_programs(self, "time_program")
        # A form posted without them (a script, an older page) gets the usual values.
        self.fields["time_activity"].required = False
        self.fields["time_staff_type"].required = False

    def time_details(self) -> TimeDetails:
        data = self.cleaned_data
        phone = data.get("contact_type") == "phone"
        return TimeDetails(
            program=data.get("time_program") or "",
            activity=data.get("time_activity")
            or (Activity.PHONE_CONTACT if phone else Activity.COORDINATION),
            staff_type=data.get("time_staff_type") or StaffType.CLINICAL_STAFF,
            billing_practitioner=data.get("time_billing_practitioner", ""),
        )

    @staticmethod
    def time_initial_for(note: ProgressNote) -> dict[str, Any]:
        entry = getattr(note, "time_entry", None)
        if entry is None:
            return {}
        return {
            "time_program": entry.program,
            "time_activity": entry.activity,
            "time_staff_type": entry.staff_type,
            "time_billing_practitioner": entry.billing_practitioner,
        }


class TimeEntryEditForm(CaseloadForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    minutes = minutes_field()
    program = _program_field()
    activity = _activity_field()
    staff_type = forms.ChoiceField(
        label="Staff type of the person who did the work",
        choices=StaffType.choices,
        error_messages={"required": "Choose the staff type of the person who did the work."},
    )
    billing_practitioner = _practitioner_field()
    reason = forms.CharField(
        label="Why are you changing this time?",
        help_text="Kept with the change, with the values before and after.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the time is changed."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fill_programs(self, "program")


class TimerStartForm(CaseloadForm):
    program = _program_field()
    activity = _activity_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fill_programs(self, "program")


class TimerStopForm(CaseloadForm):
    minutes = minutes_field(
        "Minutes", "From the timer, rounded down to whole minutes. Correct it if needed."
    )
    program = _program_field()
    activity = _activity_field()
    staff_type = _staff_type_field()
    billing_practitioner = _practitioner_field()
    description = forms.CharField(
        label="What did you do?",
        help_text="A short line, e.g. 'Called the pharmacy about the refill'.",
        max_length=DESCRIPTION_MAX,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fill_programs(self, "program")


class ChronicConditionForm(CaseloadForm):
    name = forms.CharField(
        label="Condition",
        help_text="Expected to last at least 12 months, e.g. Heart failure, Type 2 diabetes.",
        max_length=TEXT_MAX,
        error_messages={"required": "Enter the condition."},
    )
    icd10 = forms.CharField(label="ICD-10 code", max_length=10, required=False)
    high_risk = forms.BooleanField(
        label="High risk",
        help_text="Puts the client at significant risk of hospitalisation, decline or death.",
        required=False,
    )
    noted_on = forms.DateField(
        label="Noted on",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date the condition was noted.",
            "invalid": "Enter a real date, for example 2026-03-02.",
        },
    )


class ConditionResolveForm(CaseloadForm):
    resolved_on = forms.DateField(
        label="Resolved on",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date the condition resolved.",
            "invalid": "Enter a real date, for example 2026-03-02.",
        },
    )


class MonthReopenForm(CaseloadForm):
    reason = forms.CharField(
        label="Why reopen this month?",
        help_text="Kept in the audit trail. The results frozen at closing are kept.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the month is reopened."},
    )
