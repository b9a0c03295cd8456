from __future__ import annotations

from django import forms

from caseload.core.dates import BIRTH, BROWSING, within
from caseload.core.forms import CaseloadForm


class BreakGlassForm(CaseloadForm):
    mrn = forms.CharField(label="MRN", max_length=40, required=False)
    family_name = forms.CharField(
        label="Family name",
        max_length=100,
        required=False,
        help_text="If you do not have the MRN: family name and date of birth.",
    )
    date_of_birth = forms.DateField(
        validators=[within(BIRTH, "Date of birth")],
        label="Date of birth",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label="Why do you need this record now?",
        help_text="Your reason is recorded, and your supervisor and the privacy officer review it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ReviewForm(CaseloadForm):
    note = forms.CharField(
        label="Review note", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class AuditSearchForm(CaseloadForm):
    client = forms.CharField(label="Client (MRN or name)", max_length=100, required=False)
    username = forms.CharField(label="Staff username", max_length=150, required=False)
    action = forms.CharField(
        label="Action",
        max_length=80,
        required=False,
        help_text="For example client.viewed, or client. for every client action",
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[within(BROWSING, "From")],
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[within(BROWSING, "To")],
    )
