"""Staff: the people who use Caseload, their career level, supervision and programs."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class CareerLevel(models.TextChoices):
    JUNIOR = "junior", "Junior care manager"
    CARE_MANAGER = "care_manager", "Care manager"
    SENIOR = "senior", "Senior care manager"
    DIRECTOR = "director", "Director of care management"


# Default caseload caps by career level (active + on-hold + referred enrolments managed).
CASELOAD_CAPS: dict[str, int] = {
    CareerLevel.JUNIOR: 40,
    CareerLevel.CARE_MANAGER: 75,
    CareerLevel.SENIOR: 50,
    CareerLevel.DIRECTOR: 0,
}


class User(AbstractUser):
    """A staff member. Administrators run the system and see no client records by default."""

    career_level = models.CharField(max_length=20, choices=CareerLevel.choices, blank=True)
    is_administrator = models.BooleanField(default=False)
    is_privacy_officer = models.BooleanField(
        default=False,
        help_text="Runs audit searches, access reports and break-the-glass reviews.",
    )
    supervisor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supervisees"
    )
    programs = models.ManyToManyField("enrolments.Program", blank=True, related_name="staff")
    caseload_cap_override = models.PositiveIntegerField(null=True, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    languages = models.CharField(
        max_length=200, blank=True, help_text="Languages spoken, comma separated"
    )

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def caseload_cap(self) -> int:
        if self.caseload_cap_override is not None:
            return self.caseload_cap_override
        return CASELOAD_CAPS.get(self.career_level, 0)

    @property
    def is_junior(self) -> bool:
        return self.career_level == CareerLevel.JUNIOR
