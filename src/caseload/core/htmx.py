"""What an htmx request asks for."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def wants_fragment(request: HttpRequest) -> bool:
    """htmx asked for part of a page to swap in. A boosted link and a history restore want the
    whole page, as does a request without htmx (the page works without script)."""
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request
