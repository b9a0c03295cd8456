"""Forms for progress notes: parsing and labels only; the rules live in services."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from caseload.clients.models import RelatedPerson
from caseload.core import clock
from caseload.core.dates import HAPPENED, within
from caseload.core.forms import CaseloadForm, VersionField
from caseload.core.validators import NARRATIVE_TEXT, SHORT_TEXT
from caseload.notes.models import ContactType, ContactWith, ProgressNote
from caseload.notes.services import MAX_MINUTES, MIN_MINUTES
from caseload.programrules.forms import TimeFieldsMixin

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

REACHED_CHOICES = [("yes", "Yes, I reached them"), ("no", "No, I could not reach them")]


def now_for_input() -> dt.datetime:
    """Now in the organisation's time zone, to the minute (the form's default contact time)."""
    return timezone.localtime(clock.now()).replace(second=0, microsecond=0)


class RelatedPersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        person: RelatedPerson = obj
        return f"{person.name} ({person.get_relationship_display().lower()})"


class NoteForm(TimeFieldsMixin, CaseloadForm):
    contact_at = forms.DateTimeField(
        validators=[within(HAPPENED, "The contact time")],
        label="Date and time of the contact",
        help_text="For example 2026-03-02 08:10. Times are in the organisation's time zone.",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        error_messages={
            "required": "Enter the date and time of the contact.",
            "invalid": "Enter a real date and time, for example 2026-03-02 08:10.",
        },
    )
    contact_type = forms.ChoiceField(
        label="Type of contact",
        choices=ContactType.choices,
        error_messages={"required": "Choose how the contact happened."},
    )
    contact_with = forms.ChoiceField(
        label="Who was the contact with?",
        choices=ContactWith.choices,
        error_messages={"required": "Choose who the contact was with."},
    )
    related_person = RelatedPersonChoiceField(
        label="Which family member or caregiver",
        help_text="Only if the contact was with a family member or caregiver.",
        queryset=RelatedPerson.objects.none(),
        required=False,
        empty_label="Choose a person",
        error_messages={"invalid_choice": "Choose one of this client's family or caregivers."},
    )
    gave_update = forms.BooleanField(
        label="I gave them an update about the client's care",
        help_text="Only with the client's consent to share progress updates with this person.",
        required=False,
    )
    provider_name = forms.CharField(
        label="Provider or service name",
        help_text="Only if the contact was with a provider or service.",
        max_length=200,
        required=False,
    )
    reached = forms.ChoiceField(
        label="Did you reach them?",
        choices=REACHED_CHOICES,
        widget=forms.RadioSelect,
        initial="yes",
        error_messages={"required": "Say whether you reached them."},
    )
    minutes = forms.IntegerField(
        label="Minutes spent",
        help_text="Whole minutes, including preparation and follow-up for this contact.",
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "short"}),
        error_messages={
            "required": "Enter the minutes spent.",
            "invalid": "Enter the minutes as a whole number, for example 12.",
            "min_value": f"Minutes must be at least {MIN_MINUTES}.",
            "max_value": f"Minutes must be {MAX_MINUTES} or fewer.",
        },
    )
    narrative = forms.CharField(
        max_length=NARRATIVE_TEXT,
        label="What happened",
        help_text="What was discussed, what you observed, and what happens next.",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Write what happened in the contact."},
    )
    significant_event = forms.BooleanField(
        label="Significant event or change in condition",
        help_text="Tick if something changed: a fall, a hospital visit, a safety concern.",
        required=False,
    )

    def __init__(
        self, *args: Any, related_people: QuerySet[RelatedPerson] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["related_person"])  # type: ignore[type-arg]
        field.queryset = (
            related_people if related_people is not None else RelatedPerson.objects.none()
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "contact_at": data["contact_at"],
            "contact_type": data["contact_type"],
            "contact_with": data["contact_with"],
            "related_person": data.get("related_person"),
            "provider_name": data.get("provider_name", ""),
            "gave_update": bool(data.get("gave_update")),
            "reached": data["reached"] == "yes",
            "minutes": data["minutes"],
            "narrative": data["narrative"],
            "significant_event": data.get("significant_event", False),
            "time": self.time_details(),
        }

    @staticmethod
    def initial_for(note: ProgressNote) -> dict[str, Any]:
        return {
            **TimeFieldsMixin.time_initial_for(note),
            "contact_at": timezone.localtime(note.contact_at),
            "contact_type": note.contact_type,
            "contact_with": note.contact_with,
            "related_person": note.related_person_id,
            "provider_name": note.provider_name,
            "gave_update": note.gave_update,
            "reached": "yes" if note.reached else "no",
            "minutes": note.minutes,
            "narrative": note.narrative,
            "significant_event": note.significant_event,
            "version": note.version,
        }


class NoteEditForm(NoteForm):
    version = VersionField()


class SignForm(CaseloadForm):
    version = VersionField()


class AddendumForm(CaseloadForm):
    text = forms.CharField(
        max_length=NARRATIVE_TEXT,
        label="Addendum",
        help_text="A correction or addition. The signed note itself stays as it was.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the addendum."},
    )


class ReturnForm(CaseloadForm):
    version = VersionField()
    comment = forms.CharField(
        max_length=SHORT_TEXT,
        label="What should the author change?",
        help_text="The author sees this comment and answers with an addendum.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the author should change."},
    )
