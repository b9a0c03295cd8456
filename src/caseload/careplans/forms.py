"""Forms for care plans: parsing, labels and hints only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from caseload.careplans.models import (
    AgreementBy,
    ExpressedBy,
    GoalStatus,
    InterventionStatus,
    ProblemStatus,
)
from caseload.core.dates import HAPPENED, PLANNED, DateWindow, within
from caseload.core.forms import CaseloadForm, VersionField
from caseload.core.validators import LONG_TEXT, SHORT_TEXT

DATE_FORMAT = "%Y-%m-%d"
DATE_ERRORS = {"invalid": "Enter a real date, for example 2026-09-30."}


def _date_field(
    label: str, help_text: str = "", *, window: DateWindow, required: bool, missing: str = ""
) -> Any:
    errors = dict(DATE_ERRORS)
    if missing:
        errors["required"] = missing
    return forms.DateField(
        label=label,
        help_text=help_text,
        required=required,
        input_formats=[DATE_FORMAT, "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
        error_messages=errors,
        validators=[within(window, label)],
    )


def _choices(choices: list[tuple[str, str]], prompt: str) -> list[tuple[str, str]]:
    return [("", prompt), *[(value, label) for value, label in choices if value]]


class _PlanForm(CaseloadForm):
    """CaseloadForm already links each input to its hint and error text."""


class CarePlanCreateForm(_PlanForm):
    title = forms.CharField(
        label="Plan title",
        max_length=200,
        help_text="A short name the client would recognise, e.g. 'Staying safe and well at home'.",
        error_messages={"required": "Enter a title for the plan."},
    )
    review_due = _date_field(
        "Review the plan by",
        "When you will next review the plan with the client. It shows on your caseload when due.",
        window=PLANNED,
        required=True,
        missing="Enter the date you will review the plan.",
    )
    participants = forms.CharField(
        max_length=SHORT_TEXT,
        label="Who took part",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The client, family members and team members who helped write the plan.",
    )


class CarePlanEditForm(CarePlanCreateForm):
    agreed_by = forms.ChoiceField(
        label="Who agreed to the plan",
        required=False,
        choices=AgreementBy.choices,
        help_text="Record agreement once the client, or their family or representative, has "
        "agreed to the plan.",
    )
    agreed_on = _date_field("Date agreed", window=HAPPENED, required=False)
    version = VersionField()


class ProblemForm(_PlanForm):
    description = forms.CharField(
        label="Problem or need",
        max_length=300,
        help_text="In plain words, e.g. 'Has fallen twice at home since March'.",
        error_messages={"required": "Describe the problem or need."},
    )
    detail = forms.CharField(
        max_length=LONG_TEXT,
        label="More detail",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Background, and what the client says about it in their own words.",
    )


class ProblemEditForm(ProblemForm):
    status = forms.ChoiceField(
        label="Status",
        choices=ProblemStatus.choices,
        error_messages={"required": "Choose the problem's status."},
    )
    version = VersionField()


GOAL_HINT = (
    "A measurable goal says what will change, how you will know (what you measure and the "
    "target), and by when. For example: 'Walk to the shop without help' — measure: days a week "
    "walking outside alone; target: 3; by 30 September."
)


class GoalForm(_PlanForm):
    description = forms.CharField(
        label="Goal",
        max_length=300,
        help_text="What the client wants to achieve, in their own words where you can.",
        error_messages={"required": "Describe the goal."},
    )
    measure = forms.CharField(
        label="What will be measured",
        max_length=200,
        help_text="What you will count or check, e.g. 'falls per month', 'PHQ-9 score'.",
        error_messages={"required": "Say what will be measured, so everyone can tell progress."},
    )
    target_value = forms.CharField(
        label="Target",
        max_length=100,
        help_text="The value that means the goal is met, e.g. '0', 'below 10', '3 days a week'.",
        error_messages={"required": "Enter the target to reach."},
    )
    target_date = _date_field(
        "Reach the target by",
        window=PLANNED,
        required=True,
        missing="Enter the date the goal should be reached by.",
    )
    expressed_by = forms.ChoiceField(
        label="Whose goal is it?",
        choices=_choices(ExpressedBy.choices, "Choose who expressed it"),
        help_text="Who put this goal into words: the client, their family, or a clinician.",
        error_messages={"required": "Choose who expressed this goal."},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=GoalStatus.choices,
        initial=GoalStatus.ACTIVE,
        error_messages={"required": "Choose the goal's status."},
    )


class GoalEditForm(GoalForm):
    outcome_note = forms.CharField(
        max_length=SHORT_TEXT,
        label="Progress or outcome",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What has happened so far, or why the goal was achieved, not achieved or "
        "cancelled.",
    )
    version = VersionField()


class InterventionForm(_PlanForm):
    description = forms.CharField(
        label="What will be done",
        max_length=300,
        help_text="e.g. 'Home safety assessment', 'Weekly check-in call'.",
        error_messages={"required": "Describe what will be done."},
    )
    responsible = forms.CharField(
        label="Who is responsible",
        max_length=200,
        help_text="A person, a role or a service, e.g. 'Occupational therapist', 'Daughter'.",
        error_messages={"required": "Say who is responsible for it."},
    )
    frequency = forms.CharField(
        label="How often",
        max_length=100,
        help_text="e.g. 'once', 'weekly', 'twice a day'.",
        error_messages={"required": "Say how often it happens."},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=InterventionStatus.choices,
        initial=InterventionStatus.PLANNED,
        error_messages={"required": "Choose the intervention's status."},
    )


class InterventionEditForm(InterventionForm):
    version = VersionField()


class PublishForm(_PlanForm):
    reason = forms.CharField(
        max_length=SHORT_TEXT,
        label="What changed and why?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the version for everyone who reads the plan later, e.g. 'First "
        "plan, agreed with the client and her daughter' or 'New goal after the fall on 3 May'.",
        error_messages={"required": "Say what changed and why."},
    )
    version = VersionField()


class ReturnForm(_PlanForm):
    comment = forms.CharField(
        max_length=SHORT_TEXT,
        label="What needs to change?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The author sees this comment on the plan, e.g. 'Goal 2 is not measurable: "
        "add a target'.",
        error_messages={"required": "Say what the author needs to change."},
    )
