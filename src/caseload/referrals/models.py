"""Closed-loop referrals from an enrolment to a directory service or another provider, each
sent only under the client's consent to share, with its history of status changes.

FHIR shape at the edge: Referral ≈ ServiceRequest + Task (Gravity SDOH).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from caseload.consents.models import ShareCategory
from caseload.core import clock
from caseload.core.models import BaseModel, Versioned, text_field
from caseload.core.validators import LONG_TEXT, SHORT_TEXT
from caseload.directory.models import Service


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    RECEIVED = "received", "Received"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"


#: Waiting for the service to answer: the response deadline runs in these statuses.
AWAITING_RESPONSE = (ReferralStatus.SENT, ReferralStatus.RECEIVED)
#: The loop is closed: an outcome is recorded and can be written back to the plan.
CLOSED_STATUSES = (
    ReferralStatus.DECLINED,
    ReferralStatus.COMPLETED,
    ReferralStatus.NO_SHOW,
    ReferralStatus.CANCELLED,
)
OPEN_REFERRAL_STATUSES = tuple(s for s in ReferralStatus if s not in CLOSED_STATUSES)


class Urgency(models.TextChoices):
    URGENT = "urgent", "Urgent: answer by the next business day"
    SOON = "soon", "Soon: answer within 2 business days"
    ROUTINE = "routine", "Routine: answer within 3 business days"


#: Business days the receiving service has to answer, counted from the day it was sent.
RESPONSE_BUSINESS_DAYS: dict[str, int] = {
    Urgency.URGENT: 1,
    Urgency.SOON: 2,
    Urgency.ROUTINE: 3,
}


class ShareField(models.TextChoices):
    """What a referral letter may carry about the client, each only with the client's consent."""

    NAME = "name", "Name"
    DATE_OF_BIRTH = "date_of_birth", "Date of birth"
    PHONE = "phone", "Phone number"
    EMAIL = "email", "Email address"
    ADDRESS = "address", "Home address"
    LANGUAGE = "language", "Preferred language and interpreter needs"
    INSURANCE = "insurance", "Insurance member ID"
    REASON = "reason", "Reason for the referral"
    GOAL = "goal", "The care plan goal it serves"
    CAREGIVER = "caregiver", "Main caregiver's name and phone"


#: The kind of information (a consent's ``ShareCategory``) each letter item is: a referral is
#: sent, and its letter printed, only under a current consent to share with the recipient
#: that covers every item ticked.
SHARE_FIELD_CATEGORY: dict[str, str] = {
    ShareField.NAME: ShareCategory.CONTACT,
    ShareField.DATE_OF_BIRTH: ShareCategory.CONTACT,
    ShareField.PHONE: ShareCategory.CONTACT,
    ShareField.EMAIL: ShareCategory.CONTACT,
    ShareField.ADDRESS: ShareCategory.CONTACT,
    ShareField.LANGUAGE: ShareCategory.CONTACT,
    ShareField.INSURANCE: ShareCategory.CONTACT,
    ShareField.CAREGIVER: ShareCategory.CONTACT,
    ShareField.REASON: ShareCategory.CONDITIONS,
    ShareField.GOAL: ShareCategory.CARE_PLAN,
}


def share_categories(fields: list[str]) -> list[str]:
    """The consent categories a referral sharing ``fields`` needs, in a stable order."""
    return list(dict.fromkeys(SHARE_FIELD_CATEGORY[f] for f in fields if f in SHARE_FIELD_CATEGORY))


class Referral(BaseModel, Versioned):
    """A referral from an enrolment to a directory service or another provider, closed-loop."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="referrals")
    enrolment = models.ForeignKey(
        "enrolments.Enrolment", on_delete=models.PROTECT, related_name="referrals"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    provider_name = models.CharField(max_length=200, blank=True)
    provider_contact = models.CharField(max_length=300, blank=True)
    reason = text_field(LONG_TEXT)
    problem = models.ForeignKey(
        "careplans.Problem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    goal = models.ForeignKey(
        "careplans.Goal", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    intervention = models.ForeignKey(
        "careplans.Intervention",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    shared_fields = models.JSONField(default=list, blank=True)
    consent = models.ForeignKey(
        "consents.Consent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        help_text="The consent to share under which the referral was sent. The letter checks "
        "again, each time it is printed, that a consent is still in force.",
    )
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    response_due_on = models.DateField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    followup_task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_note = text_field(SHORT_TEXT, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    writeback_note = text_field(SHORT_TEXT, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=False) | ~Q(provider_name=""),
                name="referral_to_service_or_named_provider",
            )
        ]
        indexes = [
            models.Index(fields=["client", "status"]),
            models.Index(fields=["status", "response_due_on"]),
        ]

    def __str__(self) -> str:
        return f"Referral to {self.recipient_name}"

    @property
    def recipient_name(self) -> str:
        if self.service is not None:
            return f"{self.service.name} ({self.service.organisation.name})"
        return self.provider_name

    @property
    def recipient_names(self) -> list[str]:
        """Names a consent to share may give the recipient: the service's, its organisation's,
        or the named provider's."""
        if self.service is not None:
            return [self.service.organisation.name, self.service.name, self.recipient_name]
        return [self.provider_name]

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_awaiting_response(self) -> bool:
        return self.status in AWAITING_RESPONSE

    @property
    def is_response_overdue(self) -> bool:
        """Derived: still awaiting an answer and the deadline day has passed."""
        return (
            self.is_awaiting_response
            and self.response_due_on is not None
            and self.response_due_on < clock.today()
        )

    @property
    def shared_field_labels(self) -> list[str]:
        return [ShareField(key).label for key in self.shared_fields if key in ShareField.values]


class ReferralEvent(BaseModel):
    """One change to a referral: a status change or a reopening, with who, when and a note."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        STATUS = "status", "Status changed"
        REOPENED = "reopened", "Reopened"
        FOLLOWUP = "followup", "Follow-up task created"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_status = models.CharField(max_length=12, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ReferralStatus.choices)
    note = text_field(SHORT_TEXT, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "created_at"]
