from __future__ import annotations

from typing import Any

from django import forms

from caseload.clients.models import Client, RelatedPerson
from caseload.consents.models import ConsentKind, ConsentMethod, ShareCategory
from caseload.core.dates import HAPPENED, PLANNED, within
from caseload.core.forms import CaseloadForm
from caseload.enrolments.models import Program


class ConsentForm(CaseloadForm):
    kind = forms.ChoiceField(
        label="What did the client consent to?",
        choices=ConsentKind.choices,
        widget=forms.RadioSelect,
    )
    program = forms.ModelChoiceField(
        label="Program",
        queryset=Program.objects.none(),
        required=False,
        help_text="For consent to a care-management program.",
    )
    billing_program = forms.CharField(
        label="Billing program",
        max_length=100,
        required=False,
        help_text="For a time-based billing program, e.g. Chronic care management (99490).",
    )
    related_person = forms.ModelChoiceField(
        label="Family member or caregiver", queryset=RelatedPerson.objects.none(), required=False
    )
    provider_name = forms.CharField(
        label="Provider or service",
        max_length=200,
        required=False,
        help_text="As it will appear on letters, e.g. Meals on Wheels of Greater Springfield.",
    )
    categories = forms.MultipleChoiceField(
        label="What may be shared",
        choices=ShareCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(
        label="How was consent given?", choices=ConsentMethod.choices, widget=forms.RadioSelect
    )
    given_on = forms.DateField(
        label="Date given",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[within(HAPPENED, "The date given")],
    )
    expires_on = forms.DateField(
        validators=[within(PLANNED, "The expiry date")],
        label="Expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty if it does not expire.",
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.filter(  # type: ignore[attr-defined]
            enrolments__client=client
        ).distinct()
        self.fields["related_person"].queryset = client.related_people.filter(  # type: ignore[attr-defined]
            is_active=True, entered_in_error_at__isnull=True
        )


class RevokeForm(CaseloadForm):
    reason = forms.CharField(
        label="Why is consent revoked?", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
