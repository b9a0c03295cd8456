from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from whitenoise.middleware import WhiteNoiseMiddleware as _WhiteNoise
from whitenoise.string_utils import ensure_leading_trailing_slash

from caseload.core import request_context
from caseload.core.errors import AppError, NotFound
from caseload.core.logs import REQUEST_ID_KEY
from caseload.core.problems import (
    PROBLEM_CONTENT_TYPE,
    app_error_problem,
    is_api_request,
    problem_response,
)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class StaticFilesMiddleware(_WhiteNoise):  # type: ignore[misc]  # whitenoise is untyped
    """WhiteNoise, which also serves a static file collected after this process started.

    WhiteNoise lists STATIC_ROOT once, when the process starts. During an upgrade the new
    release's `collectstatic` adds its files while the old release still serves, and for a moment
    both releases' workers answer: a page from a new worker links the new stylesheet, and an old
    worker that had not listed it answered 404 (the upgrade drill, docs/operations.md). A path
    under STATIC_URL that is not in the list is looked up on disk, and remembered once found.
    """

    def add_files(self, root: str, prefix: str | None = None) -> None:
        super().add_files(root, prefix)
        if not self.autorefresh:  # WhiteNoise keeps the folders only when it refreshes
            folder = os.path.abspath(root).rstrip(os.path.sep) + os.path.sep
            self.directories.append((folder, ensure_leading_trailing_slash(prefix)))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if not self.autorefresh and path.startswith(self.static_prefix) and path not in self.files:
            found = self.find_file(path)
            if found is not None:
                self.files[path] = found
        response: HttpResponse = super().__call__(request)
        return response


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
        request.META[REQUEST_ID_KEY] = request_id  # for log records after the context ends
        token = request_context.set_current(info)
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestSizeMiddleware:
    """Refuses a request whose declared body is larger than MAX_REQUEST_BYTES with 413, before
    anything reads it (problem+json under /api/). Django's DATA_UPLOAD_* limits then hold the
    form fields and files of the requests let through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = int(settings.MAX_REQUEST_BYTES)
        if length > limit:
            detail = f"The request is larger than {limit // (1024 * 1024)} MB."
            if is_api_request(request):
                return problem_response(413, detail=detail)
            return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class AppErrorMiddleware:
    """Renders application errors that escape a view: not-found as 404, others with a message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, AppError):
            return None
        if is_api_request(request):
            return app_error_problem(exception)
        template = "404.html" if isinstance(exception, NotFound) else "core/error.html"
        return render(request, template, {"error": exception}, status=exception.status)


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Django's deny-by-default sign-in, answering API requests 401 problem+json instead of
    redirecting them to the sign-in page."""

    def handle_no_permission(self, request: HttpRequest, view_func: Callable[..., Any]) -> Any:
        if is_api_request(request):
            return problem_response(401, detail="Sign in to use the API.")
        return super().handle_no_permission(request, view_func)


class ApiProblemMiddleware:
    """Under /api/, an error response that is not problem+json yet (Django's 404 and 500 pages,
    a 405 from the router, a CSRF refusal) is answered as one: no HTML under /api/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api_request(request)
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            problem = problem_response(response.status_code)
            for header in ("Allow", "Retry-After", "X-Request-ID"):
                if header in response:
                    problem[header] = response[header]
            return problem
        return response


#: How stale the session's "last seen" time may get before a request renews it (and saves).
LAST_SEEN_RESOLUTION_SECONDS = 60


class SessionLifetimeMiddleware:
    """Ends a session after SESSION_IDLE_MINUTES without a request, and SESSION_ABSOLUTE_HOURS
    after sign-in however active. "Last seen" is renewed at most once a minute, which also
    renews the stored session's expiry; other page views do not write the session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        from caseload.core import clock

        if request.user.is_authenticated:
            now = clock.now().timestamp()
            session = request.session
            signed_in_at = session.get("signed_in_at")
            last_seen = session.get("last_seen")
            idle = settings.SESSION_IDLE_MINUTES * 60
            if signed_in_at is None:
                session["signed_in_at"] = now
            elif now - float(signed_in_at) > settings.SESSION_ABSOLUTE_HOURS * 3600:
                return self._end(request, "Your session has ended. Please sign in again.")
            if last_seen is not None and now - float(last_seen) > idle:
                return self._end(
                    request,
                    f"You were signed out after {settings.SESSION_IDLE_MINUTES} minutes "
                    "without activity. Please sign in again.",
                )
            if last_seen is None or now - float(last_seen) >= LAST_SEEN_RESOLUTION_SECONDS:
                session["last_seen"] = now  # saved with the response, expiry renewed
        return self.get_response(request)

    @staticmethod
    def _end(request: HttpRequest, message: str) -> HttpResponse:
        from django.conf import settings
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.shortcuts import redirect

        logout(request)
        if is_api_request(request):
            return problem_response(401, detail=message, code="session_expired")
        messages.info(request, message)
        return redirect(settings.LOGIN_URL)


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy (no inline script or style) and related headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.setdefault("Cache-Control", "no-store")
        return response
