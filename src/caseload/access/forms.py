from __future__ import annotations

from django import forms

from caseload.core.dates import BIRTH, within
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
