"""Forms for referral pages: parsing and labels only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from caseload.core.forms import CaseloadForm, VersionField, datetime_field
from caseload.core.validators import LONG_TEXT, SHORT_TEXT
from caseload.directory.forms import ServiceChoiceField
from caseload.directory.models import Service
from caseload.enrolments.forms import EnrolmentChoiceField
from caseload.enrolments.models import Enrolment
from caseload.enrolments.selectors import enrolments_among
from caseload.referrals.models import ReferralStatus, ShareField, Urgency


class ReferralForm(CaseloadForm):
    enrolment = EnrolmentChoiceField(
        label="Enrolment",
        queryset=Enrolment.objects.none(),
        empty_label=None,
        help_text="The program this referral is part of.",
        error_messages={"required": "Choose the enrolment this referral is part of."},
    )
    service = ServiceChoiceField(
        label="Service from the directory",
        queryset=Service.objects.none(),
        required=False,
        empty_label="Not in the directory (name the provider below)",
        help_text="Only services that accept referrals are listed.",
    )
    provider_name = forms.CharField(
        label="Or another provider",
        required=False,
        max_length=200,
        help_text="The provider's or organisation's name, if it is not in the directory.",
    )
    provider_contact = forms.CharField(
        label="Provider's phone, fax or email",
        required=False,
        max_length=300,
    )
    reason = forms.CharField(
        max_length=LONG_TEXT,
        label="Reason for the referral",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why you are referring the client."},
    )
    care_plan_link = forms.ChoiceField(
        label="Care plan problem, goal or intervention it serves",
        required=False,
        help_text="When the referral closes, its outcome is written on this goal.",
    )
    urgency = forms.ChoiceField(
        label="How soon the service should answer",
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how soon the service should answer."},
    )
    shared_fields = forms.MultipleChoiceField(
        label="What the letter shares",
        choices=ShareField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only these items are printed on the referral letter. Name, contact and "
        "insurance items need consent to share identity and contact details; the reason needs "
        "conditions and needs; the goal needs the care plan.",
    )

    def __init__(
        self,
        *args: Any,
        enrolments: list[Enrolment],
        services: Any,
        link_groups: list[tuple[str, list[Any]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        enrolment_field: Any = self.fields["enrolment"]
        enrolment_field.queryset = enrolments_among(enrolments)
        service_field: Any = self.fields["service"]
        service_field.queryset = services
        link_field: Any = self.fields["care_plan_link"]
        link_field.choices = [
            ("", "Not linked"),
            *[
                (group, [(link.value, link.label) for link in links])
                for group, links in link_groups
            ],
        ]


class ReferralEditForm(ReferralForm):
    """A draft referral changed: the form carries the version it was filled from."""

    version = VersionField()


class ReferralTransitionForm(CaseloadForm):
    to_status = forms.ChoiceField(
        label="New status",
        choices=ReferralStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the new status.",
            "invalid_choice": "Choose the new status.",
        },
    )
    scheduled_for = datetime_field("Booked to start", required=False)
    note = forms.CharField(
        max_length=SHORT_TEXT,
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "What the service said. Required when the referral closes (declined, completed, "
            "did not attend, cancelled): it is the outcome written to the care plan."
        ),
    )
    version = VersionField()

    def offer(self, allowed: list[str]) -> None:
        """Show only the statuses the referral can move to now. Parsing accepts any status:
        a move the referral cannot make is the service's refusal, which names the ones it can."""
        status_field: Any = self.fields["to_status"]
        status_field.choices = [(s, ReferralStatus(s).label) for s in allowed]


class ReferralReopenForm(CaseloadForm):
    reason = forms.CharField(
        max_length=SHORT_TEXT,
        label="Why reopen it",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the referral is reopened."},
    )
    version = VersionField()
