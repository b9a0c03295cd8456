"""Forms for coordination pages: parsing and labels only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from caseload.coordination.models import (
    Appointment,
    AppointmentStatus,
    ClockKind,
    Complexity,
    DischargeSetting,
    EpisodeCloseReason,
    LocationKind,
    ReferralStatus,
    Service,
    ServiceType,
    ShareField,
    Urgency,
    WithKind,
)
from caseload.core.forms import CaseloadForm
from caseload.enrolments.models import Enrolment
from caseload.staff.models import User

DATE_HINT = "For example 2026-03-06."
DATETIME_HINT = "Date and time, for example 2026-03-06 14:30."
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def _date_field(
    label: str, *, required: bool = True, help_text: str = DATE_HINT
) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter a real date, for example 2026-03-06.",
        },
    )


def _datetime_field(label: str, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=DATETIME_HINT,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter a real date and time, for example 2026-03-06 14:30.",
        },
    )


class VersionField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class ServiceChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        service: Service = obj
        return f"{service.name} — {service.organisation.name}"


class EnrolmentChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        enrolment: Enrolment = obj
        return f"{enrolment.program.name} ({enrolment.get_status_display().lower()})"


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        return user.display_name


# ---------------------------------------------------------------------------------------------
# Directory


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
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                "The file is larger than 2 MB. Split it into smaller files."
            )
        return upload


class DirectoryConfirmForm(CaseloadForm):
    import_id = forms.UUIDField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[("import", "Import"), ("discard", "Discard")], widget=forms.HiddenInput
    )


# ---------------------------------------------------------------------------------------------
# Referrals


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
    version = VersionField()

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
        enrolment_field.queryset = Enrolment.objects.filter(pk__in=[e.pk for e in enrolments])
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
    scheduled_for = _datetime_field("Booked to start", required=False)
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "What the service said. Required when the referral closes (declined, completed, "
            "did not attend, cancelled): it is the outcome written to the care plan."
        ),
    )
    version = VersionField()

    def __init__(self, *args: Any, allowed: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            status_field: Any = self.fields["to_status"]
            status_field.choices = [(s, ReferralStatus(s).label) for s in allowed]


class ReferralReopenForm(CaseloadForm):
    reason = forms.CharField(
        label="Why reopen it",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the referral is reopened."},
    )
    version = VersionField()


# ---------------------------------------------------------------------------------------------
# Appointments


class AppointmentForm(CaseloadForm):
    purpose = forms.CharField(
        label="What it is for",
        max_length=200,
        help_text="For example 'Physical therapy' or 'Home visit'.",
        error_messages={"required": "Say what the appointment is for."},
    )
    with_kind = forms.ChoiceField(
        label="Who it is with",
        choices=WithKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the appointment is with."},
    )
    service = ServiceChoiceField(
        label="Service from the directory",
        queryset=Service.objects.none(),
        required=False,
        empty_label="Choose a service",
    )
    provider_name = forms.CharField(
        label="Provider's or person's name", required=False, max_length=200
    )
    staff = StaffChoiceField(
        label="Member of staff attending",
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody from our staff",
        help_text="Double-booking a member of staff gives a warning.",
    )
    location_kind = forms.ChoiceField(
        label="Where",
        choices=LocationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the appointment takes place."},
    )
    location = forms.CharField(
        label="Address, video link or phone number",
        required=False,
        max_length=300,
    )
    starts_at = _datetime_field("Start")
    ends_at = _datetime_field("End")
    transport_needed = forms.BooleanField(label="Transport needed", required=False)
    transport_note = forms.CharField(label="Transport arrangements", required=False, max_length=300)
    interpreter_needed = forms.BooleanField(label="Interpreter needed", required=False)
    interpreter_language = forms.CharField(
        label="Interpreter language", required=False, max_length=60
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = StaffChoiceField(
        label="Whose calendar it goes on",
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose whose calendar the appointment goes on."},
    )
    book_anyway = forms.BooleanField(
        label="Book anyway (the member of staff will be double-booked)", required=False
    )
    version = VersionField()

    def __init__(self, *args: Any, services: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service_field: Any = self.fields["service"]
        service_field.queryset = services
        staff_field: Any = self.fields["staff"]
        staff_field.queryset = staff
        owner_field: Any = self.fields["owner"]
        owner_field.queryset = staff

    @staticmethod
    def initial_from(appointment: Appointment) -> dict[str, Any]:
        from django.utils import timezone

        return {
            "purpose": appointment.purpose,
            "with_kind": appointment.with_kind,
            "service": appointment.service_id,
            "provider_name": appointment.provider_name,
            "staff": appointment.staff_id,
            "location_kind": appointment.location_kind,
            "location": appointment.location,
            "starts_at": timezone.localtime(appointment.starts_at),
            "ends_at": timezone.localtime(appointment.ends_at),
            "transport_needed": appointment.transport_needed,
            "transport_note": appointment.transport_note,
            "interpreter_needed": appointment.interpreter_needed,
            "interpreter_language": appointment.interpreter_language,
            "notes": appointment.notes,
            "owner": appointment.owner_id,
            "version": appointment.version,
        }


class AppointmentStatusForm(CaseloadForm):
    status = forms.ChoiceField(
        label="What happened",
        choices=[
            (AppointmentStatus.ATTENDED, AppointmentStatus.ATTENDED.label),
            (AppointmentStatus.NO_SHOW, AppointmentStatus.NO_SHOW.label),
            (AppointmentStatus.CANCELLED, AppointmentStatus.CANCELLED.label),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what happened.",
            "invalid_choice": "Choose what happened.",
        },
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when cancelling: say why.",
    )
    version = VersionField()


class CalendarFeedForm(CaseloadForm):
    action = forms.ChoiceField(
        choices=[("create", "create"), ("revoke", "revoke"), ("names", "names")],
        widget=forms.HiddenInput,
    )
    show_client_names = forms.BooleanField(
        label="Show clients' full names and appointment details in my calendar app",
        required=False,
        help_text=(
            "Off by default: events then show only the client's initials and the time. Turn it "
            "on only if your phone and calendar account are protected."
        ),
    )


# ---------------------------------------------------------------------------------------------
# Transitions of care


class DischargeForm(CaseloadForm):
    enrolment = EnrolmentChoiceField(
        label="Enrolment",
        queryset=Enrolment.objects.none(),
        required=False,
        empty_label="Not part of an enrolment",
        help_text="The clocks' tasks go to this enrolment's care manager.",
    )
    discharged_on = _date_field("Date of discharge")
    discharged_from = forms.ChoiceField(
        label="Discharged from",
        choices=DischargeSetting.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the client was discharged from."},
    )
    facility_name = forms.CharField(
        label="Hospital or facility",
        max_length=200,
        error_messages={"required": "Enter the hospital's or facility's name."},
    )
    complexity = forms.ChoiceField(
        label="Complexity of medical decision making",
        choices=Complexity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the complexity of medical decision making."},
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, enrolments: list[Enrolment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enrolment_field: Any = self.fields["enrolment"]
        enrolment_field.queryset = Enrolment.objects.filter(pk__in=[e.pk for e in enrolments])
        if enrolments and not self.is_bound:
            self.initial.setdefault("enrolment", enrolments[0].pk)


class ClockRecordForm(CaseloadForm):
    kind = forms.ChoiceField(choices=ClockKind.choices, widget=forms.HiddenInput)
    met_on = _date_field("Date done")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()


class EpisodeCloseForm(CaseloadForm):
    reason = forms.ChoiceField(
        label="Why is the episode closing early",
        choices=EpisodeCloseReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the episode is closing."},
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()
