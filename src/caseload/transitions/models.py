"""Transitions of care: a 30-day transitional-care episode after a hospital or skilled-nursing
discharge, and its three deadlines (interactive contact, face-to-face visit, medication
reconciliation).

FHIR shape at the edge: TransitionalCareEpisode ≈ EpisodeOfCare of the transitional care program.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from caseload.core import clock
from caseload.core.models import BaseModel, Versioned, text_field
from caseload.core.validators import LONG_TEXT, SHORT_TEXT


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
    notes = text_field(LONG_TEXT, blank=True)
    ends_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE
    )
    close_reason = models.CharField(max_length=20, choices=EpisodeCloseReason.choices, blank=True)
    close_note = text_field(SHORT_TEXT, blank=True)
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
    met_note = text_field(SHORT_TEXT, blank=True)
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
