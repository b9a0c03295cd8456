from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def my_profile(request: HttpRequest) -> HttpResponse:
    """The signed-in staff member's own profile: level, supervisor, programs, supervisees."""
    user = request.user
    return render(
        request,
        "staff/me.html",
        {
            "profile": user,
            "supervisees": user.supervisees.filter(is_active=True),  # type: ignore[union-attr]
            "programs": user.programs.all(),  # type: ignore[union-attr]
        },
    )
