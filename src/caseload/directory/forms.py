"""Forms for the directory pages, and the service choice the referral and appointment forms
use: parsing and labels only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from caseload.core.forms import CaseloadForm
from caseload.directory.csv_import import decode_upload
from caseload.directory.models import IMPORT_MAX_CHARACTERS, Service, ServiceType

MAX_UPLOAD_BYTES = IMPORT_MAX_CHARACTERS


class ServiceChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        service: Service = obj
        return f"{service.name} — {service.organisation.name}"


class DirectorySearchForm(CaseloadForm):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="Words from the name, description, eligibility, town or ZIP code.",
    )
    service_type = forms.ChoiceField(
        label="Type of service", required=False, choices=[("", "Any type"), *ServiceType.choices]
    )
    language = forms.CharField(
        label="Language",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"list": "directory-languages"}),
    )
    accepting = forms.BooleanField(label="Only services accepting referrals", required=False)


class DirectoryUploadForm(CaseloadForm):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "The first line names the columns. Required: organisation, service, type. "
            "Optional: description, eligibility, languages, address, city, state, postal_code, "
            "phone, email, hours, accepting_referrals (yes or no), website."
        ),
        error_messages={"required": "Choose the CSV file to check."},
    )

    def clean_file(self) -> Any:
        """The upload, no larger than 2 MB; its text goes to ``cleaned_data["content"]`` and its
        name, without control characters, to ``cleaned_data["filename"]``. A NUL byte (which
        no CSV holds, and PostgreSQL cannot store) is refused here."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                "The file is larger than 2 MB. Split it into smaller files."
            )
        try:
            content = decode_upload(upload.read())
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        if "\x00" in content:
            raise forms.ValidationError(
                "The file contains invalid control characters (NUL). "
                "Save it again from your spreadsheet as “CSV UTF-8” and upload that.",
                code="nul",
            )
        self.cleaned_data["content"] = content
        name = "".join(ch for ch in (upload.name or "") if ch.isprintable())
        self.cleaned_data["filename"] = name[:255]
        return upload


class DirectoryConfirmForm(CaseloadForm):
    import_id = forms.UUIDField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[("import", "Import"), ("discard", "Discard")], widget=forms.HiddenInput
    )
