"""Who is asking: the signed-in member of staff behind a page request."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from caseload.staff.models import User


def request_actor(request: HttpRequest) -> User:
    """The signed-in user (every page but the public ones requires one)."""
    return cast(User, request.user)
