from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from caseload.audit.services import audit_record
from caseload.core import clock
from caseload.core.forms import CaseloadBoundField
from caseload.core.problems import is_api_request, problem_response

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database readiness for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unreachable")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return problem_response(404, detail="Not found.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, or a problem+json under /api/ (never a traceback)."""
    if is_api_request(request):
        return problem_response(500)
    return defaults.server_error(request)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing impossible input before it reaches authentication."""

    bound_field_class = CaseloadBoundField

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        password = self.data.get("password", "")
        if len(username) > 150 or len(password) > 4096 or "\x00" in username + password:
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        return super().clean()


class SignInView(LoginView):
    """Django's sign-in, plus the session's start time (absolute lifetime) and an audit event."""

    template_name = "core/sign_in.html"
    authentication_form = SignInForm

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        self.request.session["signed_in_at"] = clock.now().timestamp()
        audit_record(actor=form.get_user(), action="auth.signed_in", target=form.get_user())
        return response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=request.user, action="auth.signed_out", target=request.user)
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("login")
