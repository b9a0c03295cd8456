"""Forms for enrolment pages: parsing and labels only; the services decide what is allowed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from caseload.clients.forms import ClientDetailsForm, DateInput
from caseload.core.dates import HAPPENED, within
from caseload.core.forms import CaseloadForm, VersionField
from caseload.core.validators import LONG_TEXT
from caseload.enrolments.models import Acuity, DischargeReason, EnrolmentStatus

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from caseload.enrolments.models import Enrolment, Program
    from caseload.staff.models import User


def _model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    return form.fields[name]  # type: ignore[return-value]


class EnrolmentCreateForm(CaseloadForm):
    program: forms.ModelChoiceField[Program] = forms.ModelChoiceField(
        label="Program",
        queryset=None,
        empty_label="Choose a program…",
        error_messages={"required": "Choose the program."},
    )
    care_manager: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label="Care manager",
        queryset=None,
        empty_label=None,
        error_messages={
            "required": "Choose the care manager.",
            "invalid_choice": "You can only choose a care manager you are allowed to assign.",
        },
    )
    acuity = forms.TypedChoiceField(
        label="Acuity",
        choices=Acuity.choices,
        coerce=int,
        initial=Acuity.MODERATE,
        help_text="How much care management the client needs now.",
    )
    referred_on = forms.DateField(
        validators=[within(HAPPENED, "The referral date")],
        label="Referral date",
        widget=DateInput(),
        help_text="The day the referral arrived.",
        error_messages={
            "required": "Enter the referral date.",
            "invalid": "Enter the referral date as a real date, for example 2026-03-02.",
        },
    )
    referral_source = forms.CharField(
        label="Referred by",
        max_length=200,
        required=False,
        help_text="For example, 'Dr. Park, Riverside Primary Care' or 'self-referral'.",
    )

    def __init__(
        self,
        *args: Any,
        programs: QuerySet[Program],
        care_managers: QuerySet[User],
        actor: User,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "program").queryset = programs
        managers = _model_choice(self, "care_manager")
        managers.queryset = care_managers
        only_self = [u.pk for u in care_managers[:2]] == [actor.pk]
        if not only_self:
            managers.empty_label = "Choose a care manager…"
        if only_self:
            managers.help_text = (
                "You are the care manager. Only a senior care manager or a director can "
                "assign someone else."
            )
        else:
            managers.help_text = "Senior care managers can assign staff in the programs they lead."

    def referral_values(self) -> dict[str, Any]:
        """The cleaned referral fields, as ``enrolment_create`` takes them."""
        names = ("program", "care_manager", "acuity", "referred_on", "referral_source")
        return {name: self.cleaned_data[name] for name in names}


class ClientRegisterForm(ClientDetailsForm, EnrolmentCreateForm):
    """A new client's details and their first program, care manager and referral."""

    fieldsets = [
        *ClientDetailsForm.fieldsets,
        (
            "First program and care manager",
            ["program", "care_manager", "acuity", "referred_on", "referral_source"],
        ),
    ]
    # The client's details first, as the page asks them (and the error summary lists them).
    field_order = [name for _, names in fieldsets for name in names]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].error_messages["required"] = (
            "Choose the program the client is referred to."
        )


class TransitionForm(CaseloadForm):
    to_status = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the new status.",
            "invalid_choice": "That status is not possible from the current one.",
        },
    )
    discharge_reason = forms.ChoiceField(
        label="If discharging: the reason for discharge",
        required=False,
        choices=[("", "Choose…"), *DischargeReason.choices],
    )
    reason = forms.CharField(
        max_length=LONG_TEXT,
        label="Why is the status changing?",
        widget=forms.Textarea({"rows": 3}),
        help_text="For example, 'Client agreed to services at the first visit'.",
        error_messages={"required": "Say why the status is changing."},
    )
    version = VersionField()

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "transition_%s")
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["to_status"]  # type: ignore[assignment]
        field.choices = [(s, EnrolmentStatus(s).label) for s in allowed]
        if EnrolmentStatus.DISCHARGED not in allowed:
            del self.fields["discharge_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("to_status") == EnrolmentStatus.DISCHARGED and not data.get("discharge_reason"):
            self.add_error("discharge_reason", "Choose the reason for discharge.")
        return data


class ReassignForm(CaseloadForm):
    care_manager: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label="New care manager",
        queryset=None,
        empty_label="Choose a care manager…",
        help_text="Their caseload cap is checked when you save.",
        error_messages={
            "required": "Choose the new care manager.",
            "invalid_choice": "You can only choose a care manager you are allowed to assign.",
        },
    )
    reason = forms.CharField(
        max_length=LONG_TEXT,
        label="Why is the case being reassigned?",
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": "Say why the case is being reassigned."},
    )
    version = VersionField()

    def __init__(self, *args: Any, care_managers: QuerySet[User], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reassign_%s")
        super().__init__(*args, **kwargs)
        _model_choice(self, "care_manager").queryset = care_managers


class AcuityForm(CaseloadForm):
    acuity = forms.TypedChoiceField(label="Acuity", choices=Acuity.choices, coerce=int)
    reason = forms.CharField(
        max_length=LONG_TEXT,
        label="Why is it changing?",
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "acuity_%s")
        super().__init__(*args, **kwargs)


class CareTeamAddForm(CaseloadForm):
    staff: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label="Staff member",
        queryset=None,
        required=False,
        empty_label="Someone outside the organisation",
        help_text="Choose a colleague, or leave this and name an outside person below.",
    )
    external_name = forms.CharField(
        label="Name of the outside person",
        max_length=200,
        required=False,
        help_text="For example, the client's doctor or home care nurse.",
    )
    external_organisation = forms.CharField(label="Organisation", max_length=200, required=False)
    role = forms.CharField(
        label="Role in the care team",
        max_length=120,
        help_text="For example, 'Primary care physician' or 'Behavioural health consultant'.",
        error_messages={"required": "Enter the person's role in the care team."},
    )
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    email = forms.EmailField(
        label="Email",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the right format, like name@example.org."
        },
    )

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "team_%s")
        super().__init__(*args, **kwargs)
        _model_choice(self, "staff").queryset = staff


class EnrolmentChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Choose one of a client's enrolments, named by program and status."""

    def label_from_instance(self, obj: Any) -> str:
        enrolment: Enrolment = obj
        return f"{enrolment.program.name} ({enrolment.get_status_display().lower()})"
