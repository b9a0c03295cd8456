from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def caseload(request: HttpRequest) -> dict[str, Any]:
    return {
        "session_idle_minutes": settings.SESSION_IDLE_MINUTES,
        "TIME_ZONE": settings.TIME_ZONE,
    }
