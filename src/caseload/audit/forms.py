from __future__ import annotations

from django import forms

from caseload.core.dates import BROWSING, within
from caseload.core.forms import CaseloadForm


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
