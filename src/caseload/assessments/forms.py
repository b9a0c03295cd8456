"""Forms for assessments. The response form is built from the instrument's definition."""

from __future__ import annotations

from typing import Any

from django import forms

from caseload.assessments import catalogue
from caseload.assessments.definitions import Instrument, Item
from caseload.assessments.models import Comparator
from caseload.core import clock
from caseload.core.forms import CaseloadForm

CHOOSE_ONE = "Choose one of the answers offered."


class ResponseForm(CaseloadForm):
    """One field per question: radios for single choices, checkboxes for 'choose all that
    apply', a number box for counts. Nothing is required here, so a partial response can be
    saved as a draft; the service decides what completing needs."""

    assessed_on = forms.DateField(
        label="Date given",
        required=False,
        help_text="The day the assessment was given (today unless you change it).",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        self.instrument = instrument
        super().__init__(*args, **kwargs)
        for item in instrument.questions:
            self.fields[item.field_name] = self._field_for(item)

    @staticmethod
    def _field_for(item: Item) -> forms.Field:
        common: dict[str, Any] = {"label": item.text, "required": False, "help_text": item.hint}
        if item.type == "choice":
            choices = [(o.code, o.display) for o in item.options]
            if item.repeats:
                return forms.MultipleChoiceField(
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    error_messages={"invalid_choice": CHOOSE_ONE},
                    **common,
                )
            return forms.ChoiceField(
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": CHOOSE_ONE},
                **common,
            )
        return forms.IntegerField(
            min_value=item.min_value,
            max_value=item.max_value,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            error_messages={
                "invalid": "Enter a whole number.",
                "min_value": "Enter a number of %(limit_value)s or more.",
                "max_value": "Enter a number of %(limit_value)s or less.",
            },
            **common,
        )

    def clean_assessed_on(self) -> Any:
        day = self.cleaned_data.get("assessed_on")
        if day is not None and day > clock.today():
            raise forms.ValidationError("The date given cannot be in the future.")
        return day

    @classmethod
    def initial_from(cls, instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
        return {
            item.field_name: answers[item.link_id]
            for item in instrument.questions
            if item.link_id in answers
        }

    def answers(self) -> dict[str, Any]:
        """The answers keyed by linkId (blank answers left out)."""
        answers: dict[str, Any] = {}
        for item in self.instrument.questions:
            value = self.cleaned_data.get(item.field_name)
            if value not in (None, "", []):
                answers[item.link_id] = value
        return answers

    def add_answer_errors(self, field_errors: dict[str, list[str]]) -> None:
        """Copy a service's errors (keyed by linkId or form field) onto the form."""
        names = {item.link_id: item.field_name for item in self.instrument.questions}
        for key, messages in field_errors.items():
            target = names.get(key, key if key in self.fields else None)
            for message in messages:
                self.add_error(target, message)

    def questions(self) -> list[tuple[int, Item, forms.BoundField]]:
        """(number, item, bound field) for each question, in order."""
        return [
            (number, item, self[item.field_name])
            for number, item in enumerate(self.instrument.questions, start=1)
        ]

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary: each links to the first input it names."""
        links: list[tuple[str, str]] = [("", str(e)) for e in self.non_field_errors()]
        for number, item, bound in self.questions():
            for error in bound.errors:
                anchor = f"{bound.auto_id}_0" if item.type == "choice" else bound.auto_id
                links.append((anchor, f"Question {number}: {error}"))
        for name in ("assessed_on",):
            for error in self[name].errors:
                links.append((self[name].auto_id, f"{self[name].label}: {error}"))
        return links


class ChooseInstrumentForm(CaseloadForm):
    instrument = forms.ChoiceField(
        label="Instrument",
        choices=(),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose an instrument.",
            "invalid_choice": "Choose one of the instruments offered.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = catalogue.choices()  # type: ignore[attr-defined]


class EnteredInErrorForm(CaseloadForm):
    reason = forms.CharField(
        label="Why was this assessment entered in error?",
        help_text="For example: recorded against the wrong client.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why this assessment was entered in error."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class GoalTargetForm(CaseloadForm):
    instrument = forms.ChoiceField(
        label="Instrument",
        choices=(),
        help_text="The goal is measured by this instrument's total score.",
        error_messages={"required": "Choose the instrument that measures this goal."},
    )
    comparator = forms.ChoiceField(
        label="The score should be",
        choices=Comparator.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the score should compare with the target."},
    )
    target_score = forms.IntegerField(
        label="Target score",
        error_messages={
            "required": "Enter the target score.",
            "invalid": "Enter the target score as a whole number.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [  # type: ignore[attr-defined]
            (i.code, f"{i.short_name} (scores {i.range_label()})")
            for i in catalogue.ordered()
            if i.has_total
        ]
