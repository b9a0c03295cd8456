"""Two-factor sign-in with TOTP (django-otp): who must use it, setting it up, verifying it."""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.audit.services import audit_record
from caseload.core.forms import CaseloadForm


def requires_two_factor(user: Any) -> bool:
    required: set[str] = set(settings.TWO_FACTOR_REQUIRED_FOR)
    if getattr(user, "is_administrator", False) and "administrator" in required:
        return True
    level: str = getattr(user, "career_level", "")
    return bool(level) and level in required


def has_confirmed_device(user: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


class TokenForm(CaseloadForm):
    token = forms.CharField(
        label="Six-digit code from your authenticator app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def set_up(request: HttpRequest) -> HttpResponse:
    """Create (or reuse) an unconfirmed TOTP device, show its QR code, confirm with a code."""
    user = request.user
    if has_confirmed_device(user):
        messages.info(request, "Two-factor sign-in is already set up for your account.")
        return redirect(_safe_next(request))
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(actor=user, action="auth.two_factor_enabled", target=user)  # type: ignore[arg-type]
            messages.success(request, "Two-factor sign-in is set up.")
            return redirect(_safe_next(request))
        form.add_error(
            "token", "That code is not right. Check the time on your phone and try again."
        )
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "staff/two_factor_set_up.html",
        {
            "form": form,
            "qr": _qr_svg(device.config_url),
            "secret": secret,
            "next": _safe_next(request),
            "required": requires_two_factor(user),
        },
        status=400 if form.errors else 200,
    )


def verify(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in for a user with a confirmed device."""
    user = request.user
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_safe_next(request))
        audit_record(actor=user, action="auth.two_factor_failed", target=user)  # type: ignore[arg-type]
        form.add_error("token", "That code is not right. Enter the current code from your app.")
    return render(
        request,
        "staff/two_factor_verify.html",
        {"form": form, "next": _safe_next(request)},
        status=400 if form.errors else 200,
    )
