"""Coordination of services: the service directory, closed-loop referrals, appointments,
private calendar feeds and transitional-care episodes (the business-day calendar they count on
is core's: ``core.business_days``).

FHIR shapes at the edge: ServiceOrganisation ≈ Organization, Service ≈ HealthcareService,
Referral ≈ ServiceRequest + Task (Gravity SDOH), Appointment ≈ Appointment,
TransitionalCareEpisode ≈ EpisodeOfCare of the transitional care program.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from caseload.consents.models import ShareCategory
from caseload.core import clock
from caseload.core.models import BaseModel, Versioned

# ---------------------------------------------------------------------------------------------
# Service directory


class ServiceType(models.TextChoices):
    MEALS = "meals", "Meals and nutrition"
    FOOD = "food", "Food pantry or groceries"
    HOME_CARE = "home_care", "Home care and personal care"
    HOME_HEALTH = "home_health", "Home health (skilled nursing, therapy at home)"
    THERAPY = "therapy", "Physical, occupational or speech therapy"
    PRIMARY_CARE = "primary_care", "Primary care"
    SPECIALIST = "specialist", "Specialist medical care"
    BEHAVIOURAL = "behavioural_health", "Behavioural health and counselling"
    SUBSTANCE_USE = "substance_use", "Substance use treatment"
    TRANSPORT = "transport", "Transportation"
    HOUSING = "housing", "Housing and shelter"
    UTILITIES = "utilities", "Utilities assistance"
    BENEFITS = "benefits", "Benefits, financial and legal help"
    CAREGIVER = "caregiver_support", "Caregiver support and respite"
    ADULT_DAY = "adult_day", "Adult day services"
    EQUIPMENT = "equipment", "Medical equipment and supplies"
    SOCIAL = "social", "Social connection and activities"
    OTHER = "other", "Other"


class ServiceOrganisation(BaseModel):
    """An organisation that offers services (FHIR Organization)."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(BaseModel):
    """One service an organisation offers (FHIR HealthcareService)."""

    organisation = models.ForeignKey(
        ServiceOrganisation, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    service_type = models.CharField(max_length=30, choices=ServiceType.choices)
    description = models.TextField(blank=True)
    eligibility = models.TextField(blank=True, help_text="Who may use the service.")
    languages = models.CharField(
        max_length=300, blank=True, help_text="Languages the service offers, comma separated."
    )
    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=40, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    hours = models.CharField(
        max_length=300, blank=True, help_text="e.g. 'Mon to Fri 9:00 to 17:00'"
    )
    accepting_referrals = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="unique_service_name_per_organisation"
            )
        ]
        indexes = [models.Index(fields=["service_type", "is_active"])]

    def __str__(self) -> str:
        return f"{self.name} — {self.organisation.name}"

    @property
    def address(self) -> str:
        place = " ".join(p for p in (self.state, self.postal_code) if p)
        return ", ".join(p for p in (self.address_line, self.city, place) if p)

    @property
    def language_list(self) -> list[str]:
        return [part.strip() for part in self.languages.split(",") if part.strip()]


class DirectoryImportStatus(models.TextChoices):
    PENDING = "pending", "Awaiting confirmation"
    APPLIED = "applied", "Imported"
    DISCARDED = "discarded", "Discarded"


class DirectoryImport(BaseModel):
    """An uploaded directory CSV: checked and reported first, imported only once confirmed."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    content = models.TextField()
    status = models.CharField(
        max_length=12, choices=DirectoryImportStatus.choices, default=DirectoryImportStatus.PENDING
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]


# ---------------------------------------------------------------------------------------------
# Referrals


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    RECEIVED = "received", "Received"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"


#: Waiting for the service to answer: the response deadline runs in these statuses.
AWAITING_RESPONSE = (ReferralStatus.SENT, ReferralStatus.RECEIVED)
#: The loop is closed: an outcome is recorded and can be written back to the plan.
CLOSED_STATUSES = (
    ReferralStatus.DECLINED,
    ReferralStatus.COMPLETED,
    ReferralStatus.NO_SHOW,
    ReferralStatus.CANCELLED,
)
OPEN_REFERRAL_STATUSES = tuple(s for s in ReferralStatus if s not in CLOSED_STATUSES)


class Urgency(models.TextChoices):
    URGENT = "urgent", "Urgent: answer by the next business day"
    SOON = "soon", "Soon: answer within 2 business days"
    ROUTINE = "routine", "Routine: answer within 3 business days"


#: Business days the receiving service has to answer, counted from the day it was sent.
RESPONSE_BUSINESS_DAYS: dict[str, int] = {
    Urgency.URGENT: 1,
    Urgency.SOON: 2,
    Urgency.ROUTINE: 3,
}


class ShareField(models.TextChoices):
    """What a referral letter may carry about the client, each only with the client's consent."""

    NAME = "name", "Name"
    DATE_OF_BIRTH = "date_of_birth", "Date of birth"
    PHONE = "phone", "Phone number"
    EMAIL = "email", "Email address"
    ADDRESS = "address", "Home address"
    LANGUAGE = "language", "Preferred language and interpreter needs"
    INSURANCE = "insurance", "Insurance member ID"
    REASON = "reason", "Reason for the referral"
    GOAL = "goal", "The care plan goal it serves"
    CAREGIVER = "caregiver", "Main caregiver's name and phone"


#: The kind of information (a consent's ``ShareCategory``) each letter item is: a referral is
#: sent, and its letter printed, only under a current consent to share with the recipient
#: that covers every item ticked.
SHARE_FIELD_CATEGORY: dict[str, str] = {
    ShareField.NAME: ShareCategory.CONTACT,
    ShareField.DATE_OF_BIRTH: ShareCategory.CONTACT,
    ShareField.PHONE: ShareCategory.CONTACT,
    ShareField.EMAIL: ShareCategory.CONTACT,
    ShareField.ADDRESS: ShareCategory.CONTACT,
    ShareField.LANGUAGE: ShareCategory.CONTACT,
    ShareField.INSURANCE: ShareCategory.CONTACT,
    ShareField.CAREGIVER: ShareCategory.CONTACT,
    ShareField.REASON: ShareCategory.CONDITIONS,
    ShareField.GOAL: ShareCategory.CARE_PLAN,
}


def share_categories(fields: list[str]) -> list[str]:
    """The consent categories a referral sharing ``fields`` needs, in a stable order."""
    return list(dict.fromkeys(SHARE_FIELD_CATEGORY[f] for f in fields if f in SHARE_FIELD_CATEGORY))


class Referral(BaseModel, Versioned):
    """A referral from an enrolment to a directory service or another provider, closed-loop."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="referrals")
    enrolment = models.ForeignKey(
        "enrolments.Enrolment", on_delete=models.PROTECT, related_name="referrals"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    provider_name = models.CharField(max_length=200, blank=True)
    provider_contact = models.CharField(max_length=300, blank=True)
    reason = models.TextField()
    problem = models.ForeignKey(
        "careplans.Problem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    goal = models.ForeignKey(
        "careplans.Goal", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    intervention = models.ForeignKey(
        "careplans.Intervention",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    shared_fields = models.JSONField(default=list, blank=True)
    consent = models.ForeignKey(
        "consents.Consent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        help_text="The consent to share under which the referral was sent. The letter checks "
        "again, each time it is printed, that a consent is still in force.",
    )
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    response_due_on = models.DateField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    followup_task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    writeback_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=False) | ~Q(provider_name=""),
                name="referral_to_service_or_named_provider",
            )
        ]
        indexes = [
            models.Index(fields=["client", "status"]),
            models.Index(fields=["status", "response_due_on"]),
        ]

    def __str__(self) -> str:
        return f"Referral to {self.recipient_name}"

    @property
    def recipient_name(self) -> str:
        if self.service is not None:
            return f"{self.service.name} ({self.service.organisation.name})"
        return self.provider_name

    @property
    def recipient_names(self) -> list[str]:
        """Names a consent to share may give the recipient: the service's, its organisation's,
        or the named provider's."""
        if self.service is not None:
            return [self.service.organisation.name, self.service.name, self.recipient_name]
        return [self.provider_name]

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_awaiting_response(self) -> bool:
        return self.status in AWAITING_RESPONSE

    @property
    def is_response_overdue(self) -> bool:
        """Derived: still awaiting an answer and the deadline day has passed."""
        return (
            self.is_awaiting_response
            and self.response_due_on is not None
            and self.response_due_on < clock.today()
        )

    @property
    def shared_field_labels(self) -> list[str]:
        return [ShareField(key).label for key in self.shared_fields if key in ShareField.values]


class ReferralEvent(BaseModel):
    """One change to a referral: a status change or a reopening, with who, when and a note."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        STATUS = "status", "Status changed"
        REOPENED = "reopened", "Reopened"
        FOLLOWUP = "followup", "Follow-up task created"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_status = models.CharField(max_length=12, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ReferralStatus.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "created_at"]


# ---------------------------------------------------------------------------------------------
# Appointments and calendar feeds


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"


class WithKind(models.TextChoices):
    SERVICE = "service", "A service in the directory"
    PROVIDER = "provider", "Another provider or person"
    STAFF = "staff", "A member of our staff"


class LocationKind(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone call"


class Appointment(BaseModel, Versioned):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="appointments"
    )
    enrolment = models.ForeignKey(
        "enrolments.Enrolment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    purpose = models.CharField(max_length=200)
    with_kind = models.CharField(max_length=10, choices=WithKind.choices)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    provider_name = models.CharField(max_length=200, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attending_appointments",
    )
    location_kind = models.CharField(max_length=10, choices=LocationKind.choices)
    location = models.CharField(
        max_length=300, blank=True, help_text="The address, the video link or the phone number."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    transport_needed = models.BooleanField(default=False)
    transport_note = models.CharField(max_length=300, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    interpreter_language = models.CharField(max_length=60, blank=True)
    status = models.CharField(
        max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    status_note = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_appointments"
    )
    reminder_task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start"
            )
        ]
        indexes = [
            models.Index(fields=["client", "starts_at"]),
            models.Index(fields=["owner", "starts_at"]),
            models.Index(fields=["staff", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} on {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def with_whom(self) -> str:
        if self.with_kind == WithKind.SERVICE and self.service is not None:
            return f"{self.service.name} ({self.service.organisation.name})"
        if self.with_kind == WithKind.STAFF and self.staff_id:
            return str(self.staff)
        return self.provider_name


class CalendarFeed(BaseModel):
    """A private calendar subscription address for one user; only a hash of its token is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    show_client_names = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_calendar_feed_per_user",
            )
        ]


# ---------------------------------------------------------------------------------------------
# Transitions of care


class DischargeSetting(models.TextChoices):
    HOSPITAL = "hospital", "Hospital (inpatient or observation)"
    SNF = "snf", "Skilled nursing facility"


class Complexity(models.TextChoices):
    MODERATE = "moderate", "Moderate complexity: face-to-face visit within 14 days (99495)"
    HIGH = "high", "High complexity: face-to-face visit within 7 days (99496)"


class EpisodeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed early"


class EpisodeCloseReason(models.TextChoices):
    READMITTED = "readmitted", "Readmitted"
    DECEASED = "deceased", "Died"
    DECLINED = "declined", "Client declined transitional care"
    ERROR = "entered_in_error", "Entered in error"
    OTHER = "other", "Other"


#: The transitional-care period: the day of discharge and the next 29 days (SPEC §5).
EPISODE_DAYS = 30


class TransitionalCareEpisode(BaseModel, Versioned):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="transitional_episodes"
    )
    enrolment = models.ForeignKey(
        "enrolments.Enrolment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transitional_episodes",
    )
    discharged_on = models.DateField()
    discharged_from = models.CharField(max_length=10, choices=DischargeSetting.choices)
    facility_name = models.CharField(max_length=200)
    complexity = models.CharField(max_length=10, choices=Complexity.choices)
    notes = models.TextField(blank=True)
    ends_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE
    )
    close_reason = models.CharField(max_length=20, choices=EpisodeCloseReason.choices, blank=True)
    close_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-discharged_on"]
        indexes = [models.Index(fields=["client", "status", "ends_on"])]

    def __str__(self) -> str:
        return f"Transitional care from {self.discharged_on:%Y-%m-%d}"

    @property
    def is_running(self) -> bool:
        """Active and inside its 30 days (derived from today, never stored)."""
        return self.status == EpisodeStatus.ACTIVE and clock.today() <= self.ends_on


class ClockKind(models.TextChoices):
    CONTACT = "interactive_contact", "Interactive contact"
    FACE_TO_FACE = "face_to_face", "Face-to-face visit"
    MEDICATION = "medication_reconciliation", "Medication reconciliation"


CLOCK_ORDER = [ClockKind.CONTACT, ClockKind.FACE_TO_FACE, ClockKind.MEDICATION]


class ClockState(models.TextChoices):
    MET = "met", "Met"
    MET_LATE = "met_late", "Missed (done late)"
    MISSED = "missed", "Missed"
    DUE = "due", "Due"
    STOPPED = "stopped", "Stopped (episode closed)"


class TransitionalClock(BaseModel):
    """One deadline of a transitional-care episode: due date, and when it was met."""

    episode = models.ForeignKey(
        TransitionalCareEpisode, on_delete=models.PROTECT, related_name="clocks"
    )
    kind = models.CharField(max_length=30, choices=ClockKind.choices)
    due_on = models.DateField()
    met_on = models.DateField(null=True, blank=True)
    met_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "kind"], name="one_clock_per_kind")
        ]
        indexes = [models.Index(fields=["due_on", "met_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on:%Y-%m-%d}"

    def state_on(self, day: dt.date, *, closed_on: dt.date | None = None) -> str:
        """Met, missed (done late or not done), due, or stopped (the episode closed in time)."""
        if self.met_on is not None:
            return ClockState.MET if self.met_on <= self.due_on else ClockState.MET_LATE
        if closed_on is not None and closed_on <= self.due_on:
            return ClockState.STOPPED
        return ClockState.MISSED if day > self.due_on else ClockState.DUE
