"""Appointments (with a directory service, another provider or our staff) and the private
calendar feeds that put a member of staff's appointments in their calendar app.

FHIR shape at the edge: Appointment ≈ Appointment.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from caseload.core.models import BaseModel, Versioned, text_field
from caseload.core.validators import LONG_TEXT, SHORT_TEXT
from caseload.directory.models import Service
from caseload.referrals.models import Referral


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
    status_note = text_field(SHORT_TEXT, blank=True)
    notes = text_field(LONG_TEXT, blank=True)
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


def token_hash(token: str) -> str:
    """What a calendar feed keeps of its secret token (the token itself is shown once)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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
