"""`caseload createsuperuser --no-input`: the first administrator, made without a prompt."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.test import override_settings

from caseload.staff.models import User


@pytest.mark.django_db
def test_createsuperuser_without_a_prompt_makes_an_administrator_who_can_use_admin(
    monkeypatch: pytest.MonkeyPatch, client: HttpClient
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "it-admin")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "it@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long first password 2026")
    call_command("createsuperuser", "--no-input", stdout=StringIO())

    admin = User.objects.get(username="it-admin")
    assert (admin.is_administrator, admin.is_staff, admin.is_superuser) == (True, True, True)
    assert admin.career_level == ""  # runs the system; no caseload, no client records

    signed_in = client.post(
        "/accounts/sign-in/",
        {"username": "it-admin", "password": "a long first password 2026"},
    )
    assert signed_in.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_new_administrator_must_set_up_two_factor_sign_in_first(client: HttpClient) -> None:
    User.objects.create_superuser("it-admin", "it@example.org", "a long first password 2026")
    with override_settings(TWO_FACTOR_REQUIRED_FOR=["director", "administrator"]):
        client.post(
            "/accounts/sign-in/",
            {"username": "it-admin", "password": "a long first password 2026"},
        )
        response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/set-up/")
