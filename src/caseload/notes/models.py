"""Progress notes: every contact documented; signed notes are locked; corrections are addenda."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from caseload.core.models import BaseModel, Cosigned, EnteredInError, Versioned, text_field
from caseload.core.validators import NARRATIVE_TEXT


class ContactType(models.TextChoices):
    VISIT = "visit", "Visit (in person)"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    MESSAGE = "message", "Message (text, email, portal)"
    COLLATERAL = "collateral", "Collateral (about the client, without them)"


class ContactWith(models.TextChoices):
    CLIENT = "client", "Client"
    RELATED_PERSON = "related_person", "Family member or caregiver"
    PROVIDER = "provider", "Provider or service"


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class ProgressNote(BaseModel, Versioned, EnteredInError, Cosigned):
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="notes")
    enrolment = models.ForeignKey(
        "enrolments.Enrolment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notes",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contact_at = models.DateTimeField()
    contact_type = models.CharField(max_length=20, choices=ContactType.choices)
    contact_with = models.CharField(max_length=20, choices=ContactWith.choices)
    related_person = models.ForeignKey(
        "clients.RelatedPerson",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contact_notes",
    )
    provider_name = models.CharField(max_length=200, blank=True)
    gave_update = models.BooleanField(
        default=False,
        help_text="The care manager gave the family member or caregiver an update about the "
        "client; allowed only under the client's consent in force at the time of the contact.",
    )
    reached = models.BooleanField(default=True)
    minutes = models.PositiveSmallIntegerField()
    narrative = text_field(NARRATIVE_TEXT)
    significant_event = models.BooleanField(
        default=False, help_text="A significant event or change in condition."
    )
    status = models.CharField(max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-contact_at"]
        indexes = [
            models.Index(fields=["client", "-contact_at"]),
            models.Index(fields=["cosigner", "cosign_status"]),
            # Who was reached since a date, read once for a whole team (the team view's "not
            # reached in 14 / 30 days"; notes.selectors.clients_reached_since).
            models.Index(
                fields=["contact_at", "client"],
                condition=models.Q(
                    status="signed",
                    reached=True,
                    entered_in_error_at__isnull=True,
                    contact_with__in=["client", "related_person"],
                ),
                name="note_reached_contact_idx",
            ),
            # The month report: contacts of a date range by mode and party, from the index alone.
            models.Index(
                fields=["contact_at", "enrolment", "contact_type", "contact_with"],
                condition=Q(status="signed", entered_in_error_at__isnull=True, reached=True),
                name="note_contact_month_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_contact_type_display()} note of {self.contact_at:%Y-%m-%d}"

    @property
    def first_line(self) -> str:
        """The narrative's first non-empty line (for queues and lists)."""
        for line in self.narrative.splitlines():
            if line.strip():
                return line.strip()
        return ""


class NoteAddendum(BaseModel):
    note = models.ForeignKey(ProgressNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = text_field(NARRATIVE_TEXT)

    class Meta:
        ordering = ["created_at"]
