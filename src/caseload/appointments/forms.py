"""Forms for appointment and calendar pages: parsing and labels only; the rules live in
services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from caseload.appointments.models import Appointment, AppointmentStatus, LocationKind, WithKind
from caseload.core.dates import BROWSING, within
from caseload.core.forms import CaseloadForm, VersionField, datetime_field
from caseload.directory.forms import ServiceChoiceField
from caseload.directory.models import Service
from caseload.staff.models import User


class CalendarQueryForm(CaseloadForm):
    """A calendar's address: whose calendar (a staff id) and which day (the day page's
    ``date``, the week page's ``start``); each optional, held to integers and browsable dates."""

    staff = forms.IntegerField(required=False, min_value=1)
    date = forms.DateField(required=False, validators=[within(BROWSING, "The date")])
    start = forms.DateField(required=False, validators=[within(BROWSING, "The week")])


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        return user.display_name


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
    starts_at = datetime_field("Start")
    ends_at = datetime_field("End")
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


class AppointmentEditForm(AppointmentForm):
    """An appointment changed: the form carries the version it was filled from."""

    version = VersionField()


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
