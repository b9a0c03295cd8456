"""Care plans (FHIR CarePlan): problems, measurable goals, interventions; published versions.

The plan's problems, goals and interventions are its working copy. Publishing a revision freezes
the working copy into a numbered CarePlanVersion with its author and reason, so every earlier
version stays readable. A junior care manager's revision waits for their supervisor's co-sign.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caseload.core import clock
from caseload.core.models import BaseModel, Cosigned, Versioned, text_field
from caseload.core.models import CosignStatus as CosignStatus  # its home before core
from caseload.core.validators import LONG_TEXT, SHORT_TEXT


class CarePlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_COSIGN = "awaiting_cosign", "Awaiting co-sign"
    RETURNED = "returned", "Returned for changes"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class AgreementBy(models.TextChoices):
    NONE = "", "Not yet agreed"
    CLIENT = "client", "Client"
    FAMILY = "family", "Family member or caregiver"
    GUARDIAN = "guardian", "Legal guardian or representative"


class CarePlan(BaseModel, Versioned):
    enrolment = models.OneToOneField(
        "enrolments.Enrolment", on_delete=models.PROTECT, related_name="careplan"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="careplans")
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=CarePlanStatus.choices, default=CarePlanStatus.DRAFT
    )
    review_due = models.DateField(null=True, blank=True)
    participants = text_field(
        SHORT_TEXT,
        blank=True,
        help_text="Who took part in writing this plan (client, family, team).",
    )
    agreed_by = models.CharField(max_length=20, choices=AgreementBy.choices, blank=True)
    agreed_on = models.DateField(null=True, blank=True)
    published_number = models.PositiveIntegerField(default=0)
    has_unpublished_changes = models.BooleanField(default=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["review_due"]),
            # The team view's "care plans returned" per author (few rows: only returned plans).
            models.Index(
                fields=["author"],
                condition=models.Q(status="returned"),
                name="careplan_returned_author_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_review_overdue(self) -> bool:
        """The review date has passed (a closed plan is never overdue)."""
        return (
            self.review_due is not None
            and self.status != CarePlanStatus.CLOSED
            and self.review_due < clock.today()
        )


class CarePlanVersion(BaseModel, Cosigned):
    """A published revision of a care plan: the whole plan as it stood, who, when and why."""

    careplan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    reason = text_field(SHORT_TEXT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["careplan", "number"], name="unique_plan_version")
        ]
        indexes = [
            # The team view's co-sign backlog per author (only versions waiting for co-sign).
            models.Index(
                fields=["author", "created_at"],
                condition=models.Q(cosign_status="pending"),
                name="careplanversion_pending_idx",
            ),
        ]


class ProblemStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"
    INACTIVE = "inactive", "No longer relevant"


class Problem(BaseModel, Versioned):
    careplan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="problems")
    description = models.CharField(max_length=300)
    detail = text_field(LONG_TEXT, blank=True)
    status = models.CharField(
        max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.ACTIVE
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.description


class GoalStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    CANCELLED = "cancelled", "Cancelled"


class ExpressedBy(models.TextChoices):
    CLIENT = "client", "Client"
    FAMILY = "family", "Family or caregiver"
    CLINICIAN = "clinician", "Clinician"


class Goal(BaseModel, Versioned):
    careplan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="goals")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="goals")
    description = models.CharField(max_length=300)
    measure = models.CharField(max_length=200, help_text="What is measured, e.g. 'falls per month'")
    target_value = models.CharField(max_length=100, help_text="e.g. '0', 'below 5', '2 a day'")
    target_date = models.DateField()
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    expressed_by = models.CharField(max_length=20, choices=ExpressedBy.choices)
    outcome_note = text_field(SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.description


class InterventionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Intervention(BaseModel, Versioned):
    careplan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="interventions")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="interventions")
    description = models.CharField(max_length=300)
    responsible = models.CharField(
        max_length=200, help_text="Who carries it out: a person, a role or a service"
    )
    frequency = models.CharField(max_length=100, help_text="e.g. 'weekly', 'twice a day'")
    status = models.CharField(
        max_length=20, choices=InterventionStatus.choices, default=InterventionStatus.PLANNED
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.description
