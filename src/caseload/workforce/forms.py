"""Forms for a staff member's professional record and the public career advisor."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from caseload.core.forms import CaseloadForm, VersionField
from caseload.staff.models import User
from caseload.workforce.models import (
    CEApproval,
    EducationLevel,
    EmploymentKind,
    LicenceKind,
)


def date_field(label: str, *, required: bool = True, hint: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=hint,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter a real date, for example 2024-05-15.",
        },
    )


def hours_field(
    label: str, *, maximum: int, required: bool = True, hint: str = "", initial: Any = None
) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_value=maximum,
        max_digits=6,
        decimal_places=2,
        help_text=hint,
        initial=initial,
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter a number, for example 7.5.",
        },
    )


def text_field(label: str, max_length: int, *, required: bool = True, hint: str = "") -> Any:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=hint,
        error_messages={"required": f"Enter the {label.lower()}."},
    )


class EntryForm(CaseloadForm):
    """A profile entry's form; ``new=True`` for adding one (nothing to lock, so no version)."""

    version = VersionField()

    def __init__(self, *args: Any, new: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if new:
            del self.fields["version"]


class EducationForm(EntryForm):
    level = forms.ChoiceField(label="Level", choices=EducationLevel.choices)
    field = text_field("Field of study", 120, hint="For example social work, nursing, history.")
    related_to_care_management = forms.BooleanField(
        label="The field is related to care management (a health or human services field)",
        required=False,
        help_text="Social work, nursing, counselling, psychology, gerontology, rehabilitation, "
        "public health, human services and similar fields.",
    )
    institution = text_field("Institution", 200, required=False)
    completed_on = date_field(
        "Date completed", required=False, hint="Leave empty if you are still studying."
    )


class LicenceForm(EntryForm):
    kind = forms.ChoiceField(label="Licence", choices=LicenceKind.choices)
    kind_other = text_field("Other licence", 40, required=False, hint="If you chose Other.")
    number = text_field("Licence number", 40, required=False)
    state = forms.RegexField(
        label="State",
        regex=r"^[A-Za-z]{2}$",
        required=False,
        max_length=2,
        help_text="Two letters, for example MA.",
        error_messages={"invalid": "Enter the state as two letters, for example MA."},
    )
    independent_assessment = forms.BooleanField(
        label="The licence allows me to assess clients independently", required=False
    )
    active = forms.BooleanField(label="Active", required=False, initial=True)
    unrestricted = forms.BooleanField(label="Unrestricted", required=False, initial=True)
    expires_on = date_field("Expires on", required=False)


class CertificationForm(EntryForm):
    code = forms.RegexField(
        label="Certification",
        regex=r"^[A-Za-z][A-Za-z0-9-]{0,19}$",
        max_length=20,
        help_text="Its code, for example CCM, CMC, ACM-RN or C-SWCM.",
        error_messages={
            "required": "Enter the certification's code.",
            "invalid": "Enter the code in letters, digits and hyphens, for example CCM.",
        },
    )
    issuing_body = text_field("Issuing body", 120, required=False, hint="For example CCMC.")
    number = text_field("Certificate number", 40, required=False)
    issued_on = date_field("Date issued", required=False)
    valid_through = date_field("Valid through", required=False, hint="As on the certificate.")


class EmploymentForm(EntryForm):
    title = text_field("Job title", 120)
    employer = text_field("Employer", 200, required=False)
    kind = forms.ChoiceField(
        label="Kind of work",
        choices=EmploymentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of work."},
    )
    start_on = date_field("Start date")
    end_on = date_field("Last day", required=False, hint="Leave empty if you still work there.")
    hours_per_week = hours_field("Hours a week", maximum=80, initial=40)
    paid = forms.BooleanField(label="Paid", required=False, initial=True)
    internship_or_volunteer = forms.BooleanField(
        label="An internship, practicum or volunteer role", required=False
    )
    supervised_by_ccm = forms.BooleanField(
        label="Supervised by a Certified Case Manager (CCM)", required=False
    )
    supervision_hours_per_year = hours_field(
        "Supervision hours a year",
        maximum=2000,
        initial=0,
        hint="Individual, group or peer supervision or consultation (the CMC asks for 50).",
    )


class CEForm(EntryForm):
    activity = text_field("Activity", 200, hint="The course, conference session or programme.")
    provider = text_field("Provider", 200, required=False)
    completed_on = date_field("Date completed")
    hours = hours_field("Hours", maximum=500)
    ethics_hours = hours_field(
        "Of which ethics hours", maximum=500, initial=0, hint="0 if none were on ethics."
    )
    approved_by = forms.ChoiceField(
        label="Pre-approved by", choices=CEApproval.choices, initial=CEApproval.NONE
    )
    certificate = forms.FileField(
        label="Certificate",
        required=False,
        help_text="A PDF, PNG or JPEG file, at most 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


SECTION_FORMS: dict[str, type[EntryForm]] = {
    "education": EducationForm,
    "licences": LicenceForm,
    "certifications": CertificationForm,
    "employment": EmploymentForm,
    "ce": CEForm,
}


class WorkPatternForm(CaseloadForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    hours_per_week = hours_field("Hours a week here", maximum=80)
    supervision_hours_per_year = hours_field(
        "Supervision hours a year",
        maximum=2000,
        hint="Time with your supervisor in supervision or case consultation.",
    )


class CompetencyReviewForm(CaseloadForm):
    """One rating (and an optional comment) per competency of the framework."""

    reviewed_on = date_field("Date of the review")
    summary = forms.CharField(
        label="Summary",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Strengths, and what to work on before the next review.",
    )

    def __init__(self, *args: Any, competencies: Any, scale: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(value), f"{value} — {label}") for value, label, _ in scale]
        self.fieldsets = [("Review", ["reviewed_on"])]
        for competency in competencies:
            rating, comment = f"rating_{competency.id}", f"comment_{competency.id}"
            self.fields[rating] = forms.ChoiceField(
                label=competency.name,
                choices=choices,
                widget=forms.RadioSelect,
                help_text=competency.description,
                error_messages={"required": f"Rate {competency.name}."},
            )
            self.fields[comment] = forms.CharField(
                label=f"Comment on {competency.name.lower()}", required=False, max_length=1000
            )
            self.fieldsets.append((competency.name, [rating, comment]))
        self.fieldsets.append(("Overall", ["summary"]))

    def ratings(self) -> dict[str, int]:
        return {
            name.removeprefix("rating_"): int(value)
            for name, value in self.cleaned_data.items()
            if name.startswith("rating_") and value
        }

    def comments(self) -> dict[str, str]:
        return {
            name.removeprefix("comment_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("comment_") and value
        }


class SalaryBandsForm(CaseloadForm):
    def __init__(self, *args: Any, levels: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fieldsets = []
        for level in levels:
            low, high, open_ended = f"{level.id}_low", f"{level.id}_high", f"{level.id}_open"
            self.fields[low] = forms.IntegerField(
                label="From (USD a year)", required=False, min_value=1, max_value=10_000_000
            )
            self.fields[high] = forms.IntegerField(
                label="To (USD a year)", required=False, min_value=1, max_value=10_000_000
            )
            self.fields[open_ended] = forms.BooleanField(
                label="And above (open-ended)", required=False
            )
            self.fieldsets.append(
                (
                    f"{level.name} (typical US: {level.salary.label()})",
                    [low, high, open_ended],
                )
            )


def program_model() -> Any:
    """The Program model, reached through staff (workforce sits beside enrolments, not above)."""
    return User._meta.get_field("programs").related_model


class ProgramCredentialForm(CaseloadForm):
    program: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Program", queryset=None, error_messages={"required": "Choose the program."}
    )
    code = forms.RegexField(
        label="Required credential",
        regex=r"^[A-Za-z][A-Za-z0-9-]{0,19}$",
        max_length=20,
        help_text="Its code, for example CCM.",
        error_messages={
            "required": "Enter the credential's code.",
            "invalid": "Enter the code in letters, digits and hyphens, for example CCM.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[Any]", self.fields["program"])
        field.queryset = program_model().objects.filter(is_active=True).order_by("name")


class WorkforceSettingsForm(CaseloadForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    refuse = forms.BooleanField(
        label="Refuse to assign a client to a care manager who lacks a credential the program "
        "requires (otherwise Caseload warns and assigns)",
        required=False,
    )


class AskForm(CaseloadForm):
    question = forms.CharField(
        label="Your question",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: what should I do this year to be ready for the CCM?",
        error_messages={"required": "Enter your question."},
    )
