"""Forms for tasks: parsing and labels only; the rules live in services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from caseload.careplans.models import Goal
from caseload.core.dates import PLANNED, within
from caseload.core.forms import CaseloadForm, VersionField
from caseload.core.validators import LONG_TEXT, SHORT_TEXT
from caseload.staff.models import User
from caseload.tasks.models import Priority, Task


class OwnerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        return f"{user.display_name} ({user.get_career_level_display().lower()})"


class GoalChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        goal: Goal = obj
        return f"{goal.description} ({goal.careplan.enrolment.program.name})"


class TaskForm(CaseloadForm):
    title = forms.CharField(
        label="What needs to be done",
        max_length=200,
        error_messages={"required": "Enter what needs to be done."},
    )
    description = forms.CharField(
        max_length=LONG_TEXT,
        label="Details",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    due_on = forms.DateField(
        validators=[within(PLANNED, "The due date")],
        label="Due date",
        help_text="For example 2026-03-06.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date the task is due.",
            "invalid": "Enter a real date, for example 2026-03-06.",
        },
    )
    priority = forms.TypedChoiceField(
        label="Priority",
        choices=Priority.choices,
        coerce=int,
        initial=Priority.NORMAL,
        error_messages={"required": "Choose a priority.", "invalid_choice": "Choose a priority."},
    )
    owner = OwnerChoiceField(
        label="Who does it",
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Choose who owns this task.",
            "invalid_choice": "Choose a member of staff who works with this client.",
        },
    )
    goal = GoalChoiceField(
        label="Care plan goal it serves",
        queryset=Goal.objects.none(),
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose a goal from this client's care plan."},
    )

    def __init__(
        self,
        *args: Any,
        owners: QuerySet[User],
        goals: QuerySet[Goal],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(OwnerChoiceField, self.fields["owner"]).queryset = owners
        cast(GoalChoiceField, self.fields["goal"]).queryset = goals
        if not goals.exists():
            del self.fields["goal"]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data.get("description", ""),
            "due_on": data["due_on"],
            "priority": data["priority"],
            "owner": data["owner"],
            "goal": data.get("goal"),
        }

    @staticmethod
    def initial_for(task: Task) -> dict[str, Any]:
        return {
            "title": task.title,
            "description": task.description,
            "due_on": task.due_on,
            "priority": task.priority,
            "owner": task.owner_id,
            "goal": task.goal_id,
            "version": task.version,
        }


class TaskEditForm(TaskForm):
    version = VersionField()


class CompleteForm(CaseloadForm):
    outcome_note = forms.CharField(
        max_length=SHORT_TEXT,
        label="Outcome",
        help_text="What came of it, if worth recording.",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
    version = VersionField()


class CancelForm(CaseloadForm):
    reason = forms.CharField(
        max_length=SHORT_TEXT,
        label="Why is this task cancelled?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the task is cancelled."},
    )
    version = VersionField()
