"""Two-factor sign-in enforced on every page (after django-otp's OTPMiddleware)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import urlencode

from caseload.core.problems import is_api_request, problem_response
from caseload.staff.twofactor import has_confirmed_device, requires_two_factor

_TWO_FACTOR_EXEMPT = ("/accounts/", "/static/", "/healthz")


class TwoFactorMiddleware:
    """A signed-in user with a TOTP device must verify it; roles that require two-factor
    sign-in must set one up before reaching any other page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_TWO_FACTOR_EXEMPT)
            and not getattr(user, "is_verified", lambda: True)()  # set by OTPMiddleware
        ):
            target = None
            if has_confirmed_device(user):
                target = "/accounts/two-factor/verify/"
            elif requires_two_factor(user):
                target = "/accounts/two-factor/set-up/"
            if target and is_api_request(request):
                return problem_response(
                    401,
                    detail="Verify your two-factor sign-in in the browser first.",
                    code="two_factor_required",
                )
            if target:
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
