"""Signing in and out, and the signed-in member of staff's own profile."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caseload.audit.services import audit_record
from caseload.core import clock
from caseload.core.forms import CaseloadBoundField


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
