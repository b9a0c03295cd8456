"""The service directory: organisations and the services they offer, kept by administrators
(by hand in the admin or by CSV import, checked before anything is written).

FHIR shapes at the edge: ServiceOrganisation ≈ Organization, Service ≈ HealthcareService.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caseload.core.models import BaseModel, text_field
from caseload.core.validators import LONG_TEXT


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
    description = text_field(LONG_TEXT, blank=True)
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
    description = text_field(LONG_TEXT, blank=True)
    eligibility = text_field(LONG_TEXT, blank=True, help_text="Who may use the service.")
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


#: The largest directory file an import keeps (its upload is refused above 2 MB).
IMPORT_MAX_CHARACTERS = 2 * 1024 * 1024


class DirectoryImportStatus(models.TextChoices):
    PENDING = "pending", "Awaiting confirmation"
    IMPORTING = "importing", "Importing"
    APPLIED = "applied", "Imported"
    DISCARDED = "discarded", "Discarded"


class DirectoryImport(BaseModel):
    """An uploaded directory CSV: checked and reported first, imported only once confirmed."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    content = text_field(IMPORT_MAX_CHARACTERS)
    status = models.CharField(
        max_length=12, choices=DirectoryImportStatus.choices, default=DirectoryImportStatus.PENDING
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    # While the background job imports it: rows written so far of the rows to write.
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
