"""Programs, enrolments (FHIR EpisodeOfCare) with their status history, and care teams."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from caseload.core.models import BaseModel, Versioned, text_field
from caseload.core.validators import LONG_TEXT, SHORT_TEXT


class ProgramKind(models.TextChoices):
    GERIATRIC = "geriatric", "Geriatric care management"
    BEHAVIOURAL = "behavioural_health", "Behavioural health (collaborative care)"
    CHRONIC = "chronic_disease", "Chronic disease management"
    PEDIATRIC = "pediatric", "Pediatric complex care"
    TRANSITIONAL = "transitional", "Transitional care"
    OTHER = "other", "Other"


class Program(BaseModel):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=30, choices=ProgramKind.choices)
    description = text_field(LONG_TEXT, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EnrolmentStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    DISCHARGED = "discharged", "Discharged"


OPEN_STATUSES = (EnrolmentStatus.REFERRED, EnrolmentStatus.ACTIVE, EnrolmentStatus.ON_HOLD)


class Acuity(models.IntegerChoices):
    LOW = 1, "Low"
    MODERATE = 2, "Moderate"
    HIGH = 3, "High"
    INTENSIVE = 4, "Intensive"


class DischargeReason(models.TextChoices):
    GOALS_MET = "goals_met", "Goals met"
    DECLINED = "declined", "Client declined further services"
    MOVED = "moved", "Moved out of service area"
    TRANSFERRED = "transferred", "Transferred to another program or provider"
    HIGHER_CARE = "higher_level_of_care", "Needs a higher level of care"
    UNREACHABLE = "unable_to_reach", "Unable to reach"
    DECEASED = "deceased", "Deceased"
    INELIGIBLE = "ineligible", "No longer eligible"
    OTHER = "other", "Other"


class Enrolment(BaseModel, Versioned):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="enrolments"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(
        max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.REFERRED
    )
    care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_enrolments"
    )
    acuity = models.PositiveSmallIntegerField(choices=Acuity.choices, default=Acuity.MODERATE)
    referred_on = models.DateField()
    referral_source = models.CharField(max_length=200, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=30, choices=DischargeReason.choices, blank=True)
    discharge_note = text_field(SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["-referred_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "program"],
                condition=~Q(status="discharged"),
                name="one_open_enrolment_per_program",
            )
        ]
        indexes = [
            models.Index(fields=["care_manager", "status"]),
            # The team view's figures per care manager: open enrolments in care manager order,
            # read from the index alone (on PostgreSQL the columns their conditions read are
            # included: program, status and dates for "reassessments overdue").
            models.Index(
                fields=["care_manager", "client"],
                include=["program", "status", "started_on", "referred_on"],
                condition=models.Q(status__in=["referred", "active", "on_hold"]),
                name="enrolment_open_manager_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EnrolmentEvent(BaseModel):
    """One change to an enrolment: status transition, reassignment or acuity change."""

    class Kind(models.TextChoices):
        STATUS = "status", "Status change"
        REASSIGNED = "reassigned", "Care manager changed"
        ACUITY = "acuity", "Acuity changed"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_value = models.CharField(max_length=100, blank=True)
    to_value = models.CharField(max_length=100)
    reason = text_field(LONG_TEXT, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]


class CareTeamMember(BaseModel):
    """A member of an enrolment's care team: a staff member, or an external person."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="care_team")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_team_memberships",
    )
    external_name = models.CharField(max_length=200, blank=True)
    external_organisation = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=120)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=False) | ~Q(external_name=""),
                name="care_team_member_is_staff_or_named",
            )
        ]
        indexes = [models.Index(fields=["staff", "is_active"])]

    @property
    def name(self) -> str:
        return str(self.staff) if self.staff_id else self.external_name
