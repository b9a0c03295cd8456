"""Writes about staff."""

from __future__ import annotations

from caseload.staff.models import User

SYSTEM_USERNAME = "caseload-system"


def system_actor() -> User:
    """The explicit actor for scheduled jobs and imports; it cannot sign in."""
    user, _ = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "Caseload", "last_name": "System", "is_active": False},
    )
    return user
