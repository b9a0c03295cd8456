"""Consents (FHIR Consent): to the program, to share with a named person or provider, to a
time-based billing program. A share needs a current matching consent; revocation is immediate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils import timezone

from caseload.core.models import BaseModel, EnteredInError, text_field
from caseload.core.validators import SHORT_TEXT


class ConsentKind(models.TextChoices):
    PROGRAM = "program", "Care-management program"
    SHARE_RELATED_PERSON = "share_related_person", "Share with a family member or caregiver"
    SHARE_PROVIDER = "share_provider", "Share with a provider or service"
    BILLING = "billing", "Time-based billing program (e.g. chronic care management)"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbal"
    WRITTEN = "written", "Written (signed)"


class ShareCategory(models.TextChoices):
    CONTACT = "contact", "Identity and contact details (name, birth date, address, insurance)"
    CONDITIONS = "conditions", "Conditions, needs and diagnoses"
    MEDICATIONS = "medications", "Medications"
    CARE_PLAN = "care_plan", "Care plan"
    ASSESSMENTS = "assessments", "Assessment results"
    NOTES = "notes", "Progress updates"
    BEHAVIOURAL = "behavioural_health", "Behavioural health information"


class Consent(BaseModel, EnteredInError):
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=30, choices=ConsentKind.choices)
    program = models.ForeignKey(
        "enrolments.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    billing_program = models.CharField(
        max_length=100, blank=True, help_text="e.g. Chronic care management (99490)"
    )
    related_person = models.ForeignKey(
        "clients.RelatedPerson",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents",
    )
    provider_name = models.CharField(max_length=200, blank=True)
    categories = models.JSONField(default=list, blank=True)
    method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    given_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = text_field(SHORT_TEXT, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revocation_reason = text_field(SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["-given_on", "-created_at"]
        indexes = [models.Index(fields=["client", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.party}"

    @property
    def party(self) -> str:
        if self.kind == ConsentKind.SHARE_RELATED_PERSON and self.related_person_id:
            return self.related_person.name if self.related_person else ""
        if self.kind == ConsentKind.SHARE_PROVIDER:
            return self.provider_name
        if self.kind == ConsentKind.BILLING:
            return self.billing_program
        return str(self.program) if self.program_id else ""

    def is_in_force(self, at: dt.datetime) -> bool:
        """The same test as ``selectors.current_consents``, on a loaded consent."""
        day = timezone.localdate(at)
        return (
            self.entered_in_error_at is None
            and self.given_on <= day
            and (self.expires_on is None or self.expires_on >= day)
            and (self.revoked_at is None or self.revoked_at > at)
        )

    def covers(self, categories: Iterable[str]) -> bool:
        return set(categories) <= set(self.categories)

    def category_labels(self) -> list[str]:
        labels = dict(ShareCategory.choices)
        return [labels.get(c, c) for c in self.categories]
