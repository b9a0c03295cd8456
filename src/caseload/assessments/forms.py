"""Forms for assessments. The response form is built from the instrument's definition."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.text import capfirst

from caseload.assessments import catalogue
from caseload.assessments.definitions import Instrument, Item
from caseload.assessments.models import Comparator
from caseload.core import clock
from caseload.core.dates import HAPPENED, within
from caseload.core.forms import CaseloadBoundField, CaseloadForm, VersionField

CHOOSE_ONE = "Choose one of the answers offered."


class ResponseForm(CaseloadForm):
    """One field per question: radios for single choices, checkboxes for 'choose all that
    apply', a number box for counts. Nothing is required here, so a partial response can be
    saved as a draft; the service decides what completing needs."""

    assessed_on = forms.DateField(
        validators=[within(HAPPENED, "The date given")],
        label="Date given",
        required=False,
        help_text="The day the assessment was given (today unless you change it).",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date."},
    )
    version = VersionField(required=False)  # a new response has none yet

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        self.instrument = instrument
        self.items = {item.field_name: item for item in instrument.questions}
        super().__init__(*args, **kwargs)
        for number, item in enumerate(instrument.questions, start=1):
            self.fields[item.field_name] = self._field_for(number, item)

    @staticmethod
    def _field_for(number: int, item: Item) -> forms.Field:
        label = f"{number}. {item.text}"
        hints = [item.hint, "Choose all that apply." if item.repeats else ""]
        common: dict[str, Any] = {
            "label": format_html('{} <span class="muted">({})</span>', label, item.unit)
            if item.unit
            else label,
            "required": False,
            "help_text": " ".join(h for h in hints if h),
            "bound_field_class": _QuestionBoundField,
        }
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
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "narrow-input"}),
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

    def questions(self) -> list[CaseloadBoundField]:
        """The questions' fields, in order."""
        return [self[item.field_name] for item in self.instrument.questions]

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary: each links to the first input it names."""
        links: list[tuple[str, str]] = [("", str(e)) for e in self.non_field_errors()]
        for number, bound in enumerate(self.questions(), start=1):
            for error in bound.errors:
                links.append((bound.summary_link_id, f"Question {number}: {error}"))
        bound = self["assessed_on"]
        for error in bound.errors:
            links.append((bound.summary_link_id, f"{bound.label}: {error}"))
        return links


class _QuestionBoundField(CaseloadBoundField):
    """A question may be left blank in a draft (its field is never required), so "(optional)"
    marks only the questions a completed response may leave blank."""

    @property
    def optional(self) -> bool:
        form: ResponseForm = self.form  # type: ignore[assignment]
        return not form.items[self.name].required


class ChooseInstrumentForm(CaseloadForm):
    instrument = forms.ChoiceField(
        label="Which instrument?",
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
    version = VersionField()


class GoalTargetForm(CaseloadForm):
    instrument = forms.ChoiceField(
        label="Instrument",
        choices=(),
        help_text="The goal is measured by this instrument's total score.",
        error_messages={"required": "Choose the instrument that measures this goal."},
    )
    comparator = forms.ChoiceField(
        label="The score should be",
        choices=[(value, capfirst(label)) for value, label in Comparator.choices],
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
