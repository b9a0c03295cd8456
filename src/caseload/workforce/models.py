"""A staff member's professional record: education, licences, certifications, employment
history, continuing education, and how they work at this organisation.

The employment at this organisation is not stored here: it is derived from Caseload's own
records (``workforce.records``). Each entry can be verified by the staff member's supervisor or
a director; changing a verified entry clears the verification.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caseload.core.models import BaseModel, Versioned, text_field
from caseload.core.validators import LONG_TEXT


class EducationLevel(models.TextChoices):
    ASSOCIATE = "associate", "Associate degree"
    BACHELOR = "bachelor", "Bachelor's degree"
    MASTER = "master", "Master's degree"
    DOCTORATE = "doctorate", "Doctorate"
    RN_DIPLOMA = "rn_diploma", "RN diploma"


class LicenceKind(models.TextChoices):
    RN = "RN", "RN — registered nurse"
    LCSW = "LCSW", "LCSW — licensed clinical social worker"
    LMSW = "LMSW", "LMSW — licensed master social worker"
    LPC = "LPC", "LPC — licensed professional counselor"
    LPN = "LPN", "LPN — licensed practical nurse"
    LVN = "LVN", "LVN — licensed vocational nurse"
    CRC = "CRC", "CRC — certified rehabilitation counselor"
    CDMS = "CDMS", "CDMS — certified disability management specialist"
    LMFT = "LMFT", "LMFT — licensed marriage and family therapist"
    OTHER = "other", "Other"


class EmploymentKind(models.TextChoices):
    CASE_MANAGEMENT = "case_management", "Case management"
    SUPERVISING = "supervising_case_managers", "Supervising case managers"
    DIRECT_CLIENT = "direct_client", "Direct client work"
    OTHER = "other", "Other"


class CEApproval(models.TextChoices):
    CCMC = "CCMC", "CCMC (for the CCM)"
    NACCM = "NACCM", "NACCM (for the CMC)"
    BOTH = "both", "CCMC and NACCM"
    OTHER = "other", "Another body"
    NONE = "none", "Not pre-approved"


class Verifiable(models.Model):
    """Marked correct by the staff member's supervisor or a director."""

    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class Entry(BaseModel, Versioned, Verifiable):
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class EducationRecord(Entry):
    level = models.CharField(max_length=20, choices=EducationLevel.choices)
    field = models.CharField(max_length=120)
    related_to_care_management = models.BooleanField(default=False)
    institution = models.CharField(max_length=200, blank=True)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-completed_on"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} in {self.field}"


class LicenceRecord(Entry):
    kind = models.CharField(max_length=10, choices=LicenceKind.choices)
    kind_other = models.CharField(max_length=40, blank=True)
    number = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=2, blank=True)
    independent_assessment = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    unrestricted = models.BooleanField(default=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["expires_on"]

    def __str__(self) -> str:
        return f"{self.name} {self.state}".strip()

    @property
    def name(self) -> str:
        return self.kind_other if self.kind == LicenceKind.OTHER and self.kind_other else self.kind


class CertificationRecord(Entry):
    code = models.CharField(max_length=20)
    issuing_body = models.CharField(max_length=120, blank=True)
    number = models.CharField(max_length=40, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    valid_through = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["valid_through"]

    def __str__(self) -> str:
        return self.code


class EmploymentRecord(Entry):
    """A job before (or beside) this organisation; the job here is derived, not typed."""

    title = models.CharField(max_length=120)
    employer = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=30, choices=EmploymentKind.choices)
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=2, default=40)
    paid = models.BooleanField(default=True)
    internship_or_volunteer = models.BooleanField(default=False)
    supervised_by_ccm = models.BooleanField(default=False)
    supervision_hours_per_year = models.DecimalField(max_digits=6, decimal_places=1, default=0)

    class Meta:
        ordering = ["-start_on"]

    def __str__(self) -> str:
        return self.title


def certificate_path(instance: CERecord, filename: str) -> str:
    """Stored under a random name: the original name is kept in ``certificate_name``."""
    return f"workforce/ce/{instance.staff_id}/{instance.pk}"


class CERecord(Entry):
    activity = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    completed_on = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    ethics_hours = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    approved_by = models.CharField(max_length=10, choices=CEApproval.choices, default="none")
    certificate = models.FileField(upload_to=certificate_path, blank=True, max_length=200)
    certificate_name = models.CharField(max_length=200, blank=True)
    certificate_type = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-completed_on"]

    def __str__(self) -> str:
        return self.activity


class WorkPattern(BaseModel, Versioned):
    """How the staff member works here: what Caseload does not otherwise know about the job."""

    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=2, default=40)
    supervision_hours_per_year = models.DecimalField(max_digits=6, decimal_places=1, default=52)


class ReviewKind(models.TextChoices):
    SUPERVISOR = "supervisor", "Supervisor's review"
    SELF = "self", "Self-review"


class CompetencyReview(BaseModel):
    """A rating of every competency of the framework (frameworks/competencies.json), by the
    staff member's supervisor or by the staff member themselves; reviews are kept as history."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=ReviewKind.choices)
    reviewed_on = models.DateField()
    ratings = models.JSONField(default=dict)  # competency id -> 1..4
    comments = models.JSONField(default=dict)  # competency id -> text
    summary = text_field(LONG_TEXT, blank=True)

    class Meta:
        ordering = ["-reviewed_on", "-created_at"]


class SalaryBand(BaseModel):
    """The organisation's own salary band for a ladder level (instead of the typical US one)."""

    level = models.CharField(max_length=20, unique=True)
    low = models.PositiveIntegerField()
    high = models.PositiveIntegerField()
    open_ended = models.BooleanField(default=False)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class ProgramCredential(BaseModel):
    """A program requires its care managers to hold a credential (a current CCM, say)."""

    program = models.ForeignKey("enrolments.Program", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=20)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="workforce_program_credential")
        ]


class WorkforceSettings(BaseModel, Versioned):
    """The organisation's workforce settings (one row)."""

    refuse_assignment_without_credential = models.BooleanField(
        default=False,
        help_text="Refuse, rather than only warn, when a client is assigned to a care manager "
        "without a credential the program requires.",
    )
    ce_reminder_days = models.PositiveIntegerField(default=90)
