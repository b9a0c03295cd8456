"""Clients (FHIR Patient), their related people (FHIR RelatedPerson) and flags (FHIR Flag)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from caseload.core.models import BaseModel, EnteredInError, Versioned, text_field
from caseload.core.validators import LONG_TEXT


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown or not disclosed"


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DECEASED = "deceased", "Deceased"


class Client(BaseModel, Versioned):
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex_at_birth = models.CharField(max_length=10, choices=SexAtBirth.choices)
    gender_identity = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    mrn = models.CharField("MRN", max_length=40, blank=True)
    payer_member_id = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=40, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    preferred_language = models.CharField(max_length=60, default="English")
    interpreter_needed = models.BooleanField(default=False)
    what_matters_to_me = text_field(LONG_TEXT, blank=True)
    status = models.CharField(
        max_length=20, choices=ClientStatus.choices, default=ClientStatus.ACTIVE
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(fields=["mrn"], condition=~Q(mrn=""), name="unique_mrn")
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["date_of_birth"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        shown = self.preferred_name or self.given_name
        return f"{shown} {self.family_name}"

    @property
    def sortable_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Relationship(models.TextChoices):
    SPOUSE = "spouse", "Spouse or partner"
    CHILD = "child", "Son or daughter"
    PARENT = "parent", "Parent"
    SIBLING = "sibling", "Brother or sister"
    GRANDCHILD = "grandchild", "Grandchild"
    FRIEND = "friend", "Friend or neighbour"
    GUARDIAN = "guardian", "Legal guardian"
    POA = "healthcare_poa", "Healthcare power of attorney"
    PAID_CAREGIVER = "paid_caregiver", "Paid caregiver"
    OTHER = "other", "Other"


class RelatedPerson(BaseModel, Versioned, EnteredInError):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="related_people")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=30, choices=Relationship.choices)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    is_primary_caregiver = models.BooleanField(default=False)
    notes = text_field(LONG_TEXT, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-is_primary_caregiver", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"


class FlagKind(models.TextChoices):
    SAFETY = "safety", "Safety"
    FALL_RISK = "fall_risk", "Fall risk"
    BEHAVIOUR = "behaviour", "Behavioural"
    INFECTION = "infection", "Infection control"
    OTHER = "other", "Other"


class Flag(BaseModel, EnteredInError):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    description = models.CharField(max_length=300)
    is_active = models.BooleanField(default=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = text_field(LONG_TEXT, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["client", "is_active"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"
