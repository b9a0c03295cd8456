"""Forms for client pages: parsing and labels only; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from caseload.clients.models import ClientStatus, FlagKind, Relationship, SexAtBirth
from caseload.core.dates import BIRTH, within
from caseload.core.forms import CaseloadForm, VersionField
from caseload.core.validators import LONG_TEXT

#: Free-text answers are kept to what a person writes in a form (a page or two), so a pasted
#: document or a hostile post is refused with a message rather than stored.


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ClientDetailsForm(CaseloadForm):
    given_name = forms.CharField(label="Given name", max_length=100)
    family_name = forms.CharField(label="Family name", max_length=100)
    preferred_name = forms.CharField(
        label="Preferred name",
        max_length=100,
        required=False,
        help_text="The name the client likes to be called, if different.",
    )
    date_of_birth = forms.DateField(
        validators=[within(BIRTH, "Date of birth")],
        label="Date of birth",
        widget=DateInput(),
        help_text="For example, 1948-03-27.",
    )
    sex_at_birth = forms.ChoiceField(
        label="Sex assigned at birth", choices=[("", "Choose…"), *SexAtBirth.choices]
    )
    gender_identity = forms.CharField(label="Gender identity", max_length=100, required=False)
    pronouns = forms.CharField(
        label="Pronouns",
        max_length=40,
        required=False,
        help_text="For example, she/her, they/them.",
    )
    mrn = forms.CharField(
        label="Medical record number (MRN)",
        max_length=40,
        required=False,
        help_text="From the referring health system. Each MRN can belong to one client only.",
    )
    payer_member_id = forms.CharField(
        label="Insurance member ID",
        max_length=60,
        required=False,
        help_text="Medicare, Medicaid or plan member number.",
    )
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    email = forms.EmailField(
        label="Email",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the right format, like name@example.org."
        },
    )
    address_line = forms.CharField(label="Street address", max_length=200, required=False)
    city = forms.CharField(label="Town or city", max_length=100, required=False)
    state = forms.CharField(label="State", max_length=40, required=False)
    postal_code = forms.CharField(label="ZIP code", max_length=20, required=False)
    preferred_language = forms.CharField(
        label="Preferred language",
        max_length=60,
        initial="English",
        help_text="The language the client is most comfortable speaking.",
    )
    interpreter_needed = forms.BooleanField(label="The client needs an interpreter", required=False)
    what_matters_to_me = forms.CharField(
        max_length=LONG_TEXT,
        label="What matters to me",
        required=False,
        widget=forms.Textarea({"rows": 4}),
        help_text="In the client's own words: what they want from their care and their life.",
    )

    fieldsets = [
        (
            "Identity",
            [
                "given_name",
                "family_name",
                "preferred_name",
                "date_of_birth",
                "sex_at_birth",
                "gender_identity",
                "pronouns",
                "mrn",
                "payer_member_id",
            ],
        ),
        ("Contact", ["phone", "email", "address_line", "city", "state", "postal_code"]),
        ("Language", ["preferred_language", "interpreter_needed"]),
        ("What matters to the client", ["what_matters_to_me"]),
    ]

    error_messages_required = {
        "given_name": "Enter the client's given (first) name.",
        "family_name": "Enter the client's family name.",
        "date_of_birth": "Enter the client's date of birth.",
        "sex_at_birth": "Choose the client's sex assigned at birth.",
        "preferred_language": "Enter the client's preferred language.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, message in self.error_messages_required.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message
        if "date_of_birth" in self.fields:
            self.fields["date_of_birth"].error_messages["invalid"] = (
                "Enter the date of birth as a real date, for example 1948-03-27."
            )

    def detail_values(self) -> dict[str, Any]:
        """The cleaned client fields, as the services take them."""
        names = [n for _, group in ClientDetailsForm.fieldsets for n in group]
        return {name: self.cleaned_data[name] for name in names}


class ClientEditForm(ClientDetailsForm):
    status = forms.ChoiceField(
        label="Status",
        choices=ClientStatus.choices,
        help_text="Mark a client inactive or deceased instead of deleting anything.",
    )
    version = VersionField()

    fieldsets = [
        *ClientDetailsForm.fieldsets,
        ("Record status", ["status"]),
    ]

    def detail_values(self) -> dict[str, Any]:
        values = super().detail_values()
        values["status"] = self.cleaned_data["status"]
        return values


class RelatedPersonForm(CaseloadForm):
    name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={"required": "Enter the person's name."},
    )
    relationship = forms.ChoiceField(
        label="Relationship to the client",
        choices=[("", "Choose…"), *Relationship.choices],
        error_messages={"required": "Choose how this person is related to the client."},
    )
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    email = forms.EmailField(
        label="Email",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the right format, like name@example.org."
        },
    )
    is_primary_caregiver = forms.BooleanField(label="Primary caregiver", required=False)
    notes = forms.CharField(
        max_length=LONG_TEXT,
        label="Notes",
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text="For example, the best time to call.",
    )

    FIELDS: tuple[str, ...] = (
        "name",
        "relationship",
        "phone",
        "email",
        "is_primary_caregiver",
        "notes",
    )

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class RelatedPersonEditForm(RelatedPersonForm):
    is_active = forms.BooleanField(
        label="Still involved in the client's care",
        required=False,
        help_text="Untick when this person is no longer involved. The record is kept.",
    )
    version = VersionField()

    FIELDS = (*RelatedPersonForm.FIELDS, "is_active")


class FlagForm(CaseloadForm):
    kind = forms.ChoiceField(
        label="Kind of flag",
        choices=[("", "Choose…"), *FlagKind.choices],
        error_messages={"required": "Choose the kind of flag."},
    )
    description = forms.CharField(
        label="Description",
        max_length=300,
        widget=forms.Textarea({"rows": 3}),
        help_text="What everyone opening this chart must know, in a sentence (300 characters).",
        error_messages={"required": "Describe the concern in a sentence."},
    )


class FlagResolveForm(CaseloadForm):
    resolution_note = forms.CharField(
        max_length=LONG_TEXT,
        label="What was done",
        widget=forms.Textarea({"rows": 4}),
        help_text="Say what was done, or why the flag no longer applies.",
        error_messages={"required": "Say what was done, or why the flag no longer applies."},
    )
