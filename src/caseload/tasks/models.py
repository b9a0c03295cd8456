"""Tasks (FHIR Task): the unit of the worklist. Overdue is derived from the due date."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caseload.core import clock
from caseload.core.models import BaseModel, EnteredInError, Versioned, text_field
from caseload.core.validators import LONG_TEXT, SHORT_TEXT


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Priority(models.IntegerChoices):
    URGENT = 1, "Urgent"
    HIGH = 2, "High"
    NORMAL = 3, "Normal"
    LOW = 4, "Low"


class Task(BaseModel, Versioned, EnteredInError):
    title = models.CharField(max_length=200)
    description = text_field(LONG_TEXT, blank=True)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="tasks")
    enrolment = models.ForeignKey(
        "enrolments.Enrolment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    goal = models.ForeignKey(
        "careplans.Goal", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_tasks"
    )
    due_on = models.DateField()
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_note = text_field(SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["due_on", "priority"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"]),
            models.Index(fields=["client", "status", "due_on"]),
            # The team view's overdue tasks per owner, read from the index alone.
            models.Index(
                fields=["owner", "due_on"],
                condition=models.Q(status="open", entered_in_error_at__isnull=True),
                name="task_open_owner_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    @property
    def is_overdue(self) -> bool:
        """Derived, never stored: open and due before today (organisation time zone)."""
        return self.status == TaskStatus.OPEN and self.due_on < clock.today()

    @property
    def is_due_today(self) -> bool:
        return self.status == TaskStatus.OPEN and self.due_on == clock.today()
