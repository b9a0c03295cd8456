from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caseload.core import request_context
from caseload.core.errors import AppError, NotFound

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Gives each request an id (or keeps a sane X-Request-ID from the proxy) and its address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        info = request_context.RequestInfo(
            request_id=request_id, ip_address=request.META.get("REMOTE_ADDR") or None
        )
        token = request_context.set_current(info)
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class AppErrorMiddleware:
    """Renders application errors that escape a view: not-found as 404, others with a message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, AppError):
            return None
        template = "404.html" if isinstance(exception, NotFound) else "core/error.html"
        return render(
            request, template, {"error": exception}, status=exception.status
        )
