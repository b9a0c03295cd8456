"""Assessment responses (FHIR QuestionnaireResponse + Observation), schedules and score targets.

A response is a draft until it is completed. Completing it stores the total, subscales, band and
flags together with the exact definition it was scored with (``definition``, a frozen copy of the
instrument file), so a later change to an instrument never silently rescores an old response.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from caseload.core.models import BaseModel, Versioned


class InstrumentDefinition(BaseModel):
    """A frozen copy of one instrument file as it was when a response was scored with it."""

    code = models.CharField(max_length=40)
    version = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    content = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "sha256"], name="unique_instrument_content")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPLETED = "completed", "Completed"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class AssessmentResponse(BaseModel, Versioned):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="assessment_responses"
    )
    enrolment = models.ForeignKey(
        "enrolments.Enrolment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_responses",
    )
    instrument_code = models.CharField(max_length=40)
    instrument_version = models.CharField(max_length=40, blank=True)
    definition = models.ForeignKey(
        InstrumentDefinition, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    answers = models.JSONField(default=dict, blank=True)
    assessed_on = models.DateField(
        null=True, blank=True, help_text="The day the assessment was given (set on completion)."
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    total = models.IntegerField(null=True, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    domains = models.JSONField(default=dict, blank=True)
    band_code = models.CharField(max_length=40, blank=True)
    band_label = models.CharField(max_length=120, blank=True)
    band_level = models.CharField(max_length=20, blank=True)
    flags = models.JSONField(default=list, blank=True)
    actions = models.JSONField(
        default=list, blank=True, help_text="Work created on completion (tasks, flags)."
    )

    class Meta:
        ordering = ["-assessed_on", "-completed_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "instrument_code"],
                condition=Q(status="draft"),
                name="one_draft_per_client_instrument",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(assessed_on__isnull=False),
                name="completed_response_has_date",
            ),
        ]
        indexes = [
            # Serves "first / latest score of an instrument for a client" (registry, due
            # dates, trends) from the index alone: ordered by date, with the total in it.
            models.Index(
                fields=[
                    "client",
                    "instrument_code",
                    "status",
                    "assessed_on",
                    "completed_at",
                    "total",
                ],
                name="response_series_idx",
            ),
            # Serves "the clients with a completed score of an instrument since a day"
            # (reassessments overdue for a whole program: selectors.clients_with_reassessment_
            # overdue) from the index alone.
            models.Index(
                fields=["instrument_code", "assessed_on", "client"],
                condition=Q(status="completed"),
                name="response_recent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == ResponseStatus.DRAFT

    @property
    def is_completed(self) -> bool:
        return self.status == ResponseStatus.COMPLETED


class ReassessmentSchedule(BaseModel):
    """How often a program reassesses with an instrument (set by administrators)."""

    program = models.ForeignKey(
        "enrolments.Program", on_delete=models.PROTECT, related_name="reassessment_schedules"
    )
    instrument_code = models.CharField("instrument", max_length=40)
    interval_days = models.PositiveIntegerField(
        help_text="Days between assessments, e.g. 28 for every 4 weeks, 182 for every 6 months."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program__name", "instrument_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "instrument_code"], name="one_schedule_per_program_instrument"
            ),
            models.CheckConstraint(condition=Q(interval_days__gte=1), name="interval_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} every {self.interval_days} days"


class Comparator(models.TextChoices):
    LT = "lt", "below"
    LTE = "lte", "at or below"
    GT = "gt", "above"
    GTE = "gte", "at or above"


class GoalScoreTarget(BaseModel):
    """A care plan goal measured by an instrument's total (e.g. PHQ-9 below 5 by a date)."""

    goal = models.OneToOneField(
        "careplans.Goal", on_delete=models.PROTECT, related_name="score_target"
    )
    instrument_code = models.CharField(max_length=40)
    comparator = models.CharField(max_length=3, choices=Comparator.choices)
    target_score = models.IntegerField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    latest_score = models.IntegerField(null=True, blank=True)
    latest_on = models.DateField(null=True, blank=True)
    latest_response = models.ForeignKey(
        AssessmentResponse, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    met_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.get_comparator_display()} {self.target_score}"

    def is_met_by(self, score: int) -> bool:
        return {
            Comparator.LT: score < self.target_score,
            Comparator.LTE: score <= self.target_score,
            Comparator.GT: score > self.target_score,
            Comparator.GTE: score >= self.target_score,
        }[Comparator(self.comparator)]
