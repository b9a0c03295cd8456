from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.audit.models import AuditEvent
from caseload.core import clock
from tests import factories

pytestmark = pytest.mark.django_db
SIGN_IN = "/accounts/sign-in/"


def _sign_in(http: HttpClient, username: str, password: str, **extra: Any) -> Any:
    return http.post(SIGN_IN, {"username": username, "password": password}, **extra)


def test_sign_in_works_and_is_audited() -> None:
    user = factories.UserFactory(username="maya", career_level="junior")
    response = _sign_in(HttpClient(), "maya", factories.PASSWORD)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.signed_in", actor=user).exists()


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    from caseload.config import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_weak_passwords_are_refused() -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("a-long-and-uncommon-passphrase")


def test_account_is_locked_after_repeated_failures_even_with_the_right_password() -> None:
    factories.UserFactory(username="maya", career_level="junior")
    http = HttpClient()
    for _ in range(4):
        assert _sign_in(http, "maya", "wrong-password").status_code == 200
    assert _sign_in(http, "maya", "wrong-password").status_code == 429  # the fifth failure
    response = _sign_in(http, "maya", factories.PASSWORD)
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()


def test_an_address_is_locked_after_failures_across_accounts() -> None:
    for n in range(6):
        factories.UserFactory(username=f"user{n}", career_level="junior")
    http = HttpClient(REMOTE_ADDR="203.0.113.7")
    for n in range(5):
        _sign_in(http, f"user{n}", "wrong-password")
    assert _sign_in(http, "user5", factories.PASSWORD).status_code == 429
    other_address = HttpClient(REMOTE_ADDR="198.51.100.1")
    assert _sign_in(other_address, "user5", factories.PASSWORD).status_code == 302


def test_session_ends_after_its_absolute_lifetime(monkeypatch: pytest.MonkeyPatch) -> None:
    user = factories.UserFactory(username="maya", career_level="junior")
    http = HttpClient()
    _sign_in(http, "maya", factories.PASSWORD)
    assert http.get(reverse("staff:me")).status_code == 200
    later = clock.now() + dt.timedelta(hours=13)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = http.get(reverse("staff:me"))
    assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)
    assert "_auth_user_id" not in http.session
    assert user.pk


def test_session_ends_after_30_idle_minutes_and_activity_keeps_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    factories.UserFactory(username="maya", career_level="junior")
    http = HttpClient()
    _sign_in(http, "maya", factories.PASSWORD)
    start = clock.now()
    for minutes in (0, 20, 45, 70):  # a request every 20-25 minutes keeps the session
        moment = start + dt.timedelta(minutes=minutes)
        monkeypatch.setattr(clock, "now", lambda moment=moment: moment)
        assert http.get(reverse("staff:me")).status_code == 200, minutes
    later = start + dt.timedelta(minutes=70 + 31)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = http.get(reverse("staff:me"))
    assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)
    assert "_auth_user_id" not in http.session
    page = http.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page


def test_a_page_view_writes_the_session_at_most_once_a_minute() -> None:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.UserFactory(username="maya", career_level="junior")
    http = HttpClient()
    _sign_in(http, "maya", factories.PASSWORD)
    http.get(reverse("staff:me"))
    with CaptureQueriesContext(connection) as queries:
        assert http.get(reverse("staff:me")).status_code == 200
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert writes == []
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60  # stored expiry


@override_settings(TWO_FACTOR_REQUIRED_FOR=["director", "administrator"])
def test_directors_must_set_up_two_factor_then_verify_it() -> None:
    factories.UserFactory(username="grace", career_level="director")
    http = HttpClient()
    _sign_in(http, "grace", factories.PASSWORD)
    response = http.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/set-up/")

    page = http.get(response["Location"])
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user__username="grace")
    assert not device.confirmed
    assert http.post("/accounts/two-factor/set-up/", {"token": "000000"}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # a failure throttles the next try; the test need not wait
    code = f"{totp(device.bin_key):06d}"
    assert http.post("/accounts/two-factor/set-up/", {"token": code}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed

    # Next sign-in: password, then the code.
    fresh = HttpClient()
    _sign_in(fresh, "grace", factories.PASSWORD)
    response = fresh.get(reverse("staff:me"))
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    device.refresh_from_db()
    device.last_t = -1  # allow the same time step again in this test
    device.save()
    response = fresh.post("/accounts/two-factor/verify/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    assert fresh.get(reverse("staff:me")).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED_FOR=["director", "administrator"])
def test_care_managers_are_not_forced_but_may_use_two_factor() -> None:
    factories.UserFactory(username="maya", career_level="junior")
    http = HttpClient()
    _sign_in(http, "maya", factories.PASSWORD)
    assert http.get(reverse("staff:me")).status_code == 200
    assert http.get("/accounts/two-factor/set-up/").status_code == 200


def test_responses_carry_a_strict_content_security_policy(client: HttpClient) -> None:
    response = client.get(SIGN_IN)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_state_changes_need_a_csrf_token() -> None:
    user = factories.UserFactory(username="maya", career_level="junior")
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(user)
    assert http.post(reverse("logout")).status_code == 403


@pytest.mark.parametrize(
    ("username", "password"), [("x" * 100_000, "pw"), ("maya\x00", "pw"), ("maya", "p" * 10_000)]
)
def test_impossible_sign_in_input_is_refused_plainly(username: str, password: str) -> None:
    factories.UserFactory(username="maya", career_level="junior")
    response = _sign_in(HttpClient(), username, password)
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
