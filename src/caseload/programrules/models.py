"""Time toward the care management programs, the client's chronic conditions, and closed months.

A ``TimeEntry`` is the unit the program rules count: minutes, the activity, who did it and their
staff type, the program it counts toward, and the month it belongs to (in the organisation's time
zone). A progress note's time is an entry linked to the note; the chart's timer makes entries of
its own. ``MonthClose`` freezes a month's results (``MonthResult`` rows) when a director closes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caseload.core.models import BaseModel, EnteredInError, Versioned, text_field
from caseload.core.validators import SHORT_TEXT


class StaffType(models.TextChoices):
    CLINICAL_STAFF = "clinical_staff", "Clinical staff (nurse, care manager, medical assistant)"
    PHYSICIAN = "physician", "Physician or qualified health professional (NP, PA)"
    AUXILIARY = "auxiliary", "Auxiliary staff (community health worker, peer support)"


STAFF_SHORT = {
    StaffType.CLINICAL_STAFF: "clinical staff",
    StaffType.PHYSICIAN: "physician or QHP",
    StaffType.AUXILIARY: "auxiliary staff",
}


class Activity(models.TextChoices):
    CARE_PLANNING = "care_planning", "Care planning"
    COORDINATION = "coordination", "Care coordination"
    PHONE_CONTACT = "phone_contact", "Phone contact"
    MEDICATION_RECONCILIATION = "medication_reconciliation", "Medication reconciliation"
    CAREGIVER_EDUCATION = "caregiver_education", "Caregiver education"
    ASSESSMENT = "assessment", "Assessment or monitoring"
    RECORD_REVIEW = "record_review", "Reviewing records and results"
    COMMUNITY_RESOURCES = "community_resources", "Connecting to community resources"
    OTHER = "other", "Other care management"


class TimeSource(models.TextChoices):
    NOTE = "note", "Progress note"
    TIMER = "timer", "Timer"


class TimeEntry(BaseModel, Versioned, EnteredInError):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="time_entries"
    )
    note = models.OneToOneField(
        "notes.ProgressNote",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="time_entry",
    )
    source = models.CharField(max_length=10, choices=TimeSource.choices)
    #: The program key in the rules file (CCM, PCM …), or "" when the time counts toward none.
    program = models.CharField(max_length=20, blank=True)
    activity = models.CharField(max_length=30, choices=Activity.choices)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries"
    )
    staff_type = models.CharField(max_length=20, choices=StaffType.choices)
    performed_at = models.DateTimeField()
    #: The first day of the month ``performed_at`` falls in, in the organisation's time zone.
    month = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    billing_practitioner = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-performed_at"]
        indexes = [
            models.Index(fields=["client", "month"]),
            models.Index(fields=["month", "program"]),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min {self.program or 'no program'} {self.performed_at:%Y-%m-%d}"

    @property
    def staff_short(self) -> str:
        return STAFF_SHORT.get(StaffType(self.staff_type), self.staff_type)


class TimeEntryChange(BaseModel):
    """One edit of a time entry: who, why, and the values before and after."""

    entry = models.ForeignKey(TimeEntry, on_delete=models.PROTECT, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = text_field(SHORT_TEXT)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        ordering = ["created_at"]


class RunningTimer(BaseModel):
    """A care manager's timer, started on a client's chart for work that is not a contact."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="running_timer"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    program = models.CharField(max_length=20, blank=True)
    activity = models.CharField(max_length=30, choices=Activity.choices)


class ChronicCondition(BaseModel, EnteredInError):
    """A chronic condition on the client's problem list (counted by CCM, PCM and APCM)."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="chronic_conditions"
    )
    name = models.CharField(max_length=200)
    icd10 = models.CharField("ICD-10 code", max_length=10, blank=True)
    high_risk = models.BooleanField(
        default=False,
        help_text="Puts the client at significant risk of hospitalisation, decline or death.",
    )
    noted_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["client", "resolved_on"])]

    def __str__(self) -> str:
        return self.name


class MonthClose(BaseModel, Versioned):
    """A month's program results, frozen by a director; reopening needs a reason."""

    month = models.DateField()
    is_closed = models.BooleanField(default=True)
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopen_reason = text_field(SHORT_TEXT, blank=True)
    rules_year = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-month", "-closed_at"]
        indexes = [models.Index(fields=["month", "is_closed"])]

    def __str__(self) -> str:
        return f"{self.month:%B %Y} ({'closed' if self.is_closed else 'reopened'})"


class MonthResult(BaseModel):
    """One client-month-program result as it stood when the month was closed."""

    month_close = models.ForeignKey(MonthClose, on_delete=models.PROTECT, related_name="results")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    program = models.CharField(max_length=20)
    codes = models.JSONField(default=list)
    not_met = models.JSONField(default=list)
    minutes = models.PositiveIntegerField(default=0)
    minutes_by_staff = models.JSONField(default=dict)
    billing_practitioner = models.CharField(max_length=200, blank=True)
    care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["program"]
        indexes = [models.Index(fields=["month_close", "program"])]
