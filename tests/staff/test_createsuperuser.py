"""The first administrator, made on the server's console without a prompt, as README's set-up
block does: ``createsuperuser --no-input`` and an audited ``staff_grant``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.test import override_settings

from caseload.audit.models import AuditEvent
from caseload.staff.models import User

PASSWORD = "a long first password 2026"


def _first_administrator(monkeypatch: pytest.MonkeyPatch) -> User:
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "it-admin")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "it@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--no-input", stdout=StringIO())
    call_command(
        "staff_grant",
        "it-admin",
        "--administrator",
        "--reason",
        "First administrator",
        stdout=StringIO(),
    )
    return User.objects.get(username="it-admin")


@pytest.mark.django_db
def test_readme_first_administrator_can_use_admin_and_the_grant_is_audited(
    monkeypatch: pytest.MonkeyPatch, client: HttpClient
) -> None:
    admin = _first_administrator(monkeypatch)
    assert (admin.is_administrator, admin.is_staff, admin.is_superuser) == (True, True, True)
    assert admin.career_level == ""  # runs the system; no caseload, no client records
    grant = AuditEvent.objects.filter(target_id=str(admin.pk)).order_by("-sequence").first()
    assert grant is not None and grant.action.startswith("staff.")
    assert "First administrator" in str(grant.detail)

    signed_in = client.post("/accounts/sign-in/", {"username": "it-admin", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_createsuperuser_alone_grants_no_administrator_rights(
    monkeypatch: pytest.MonkeyPatch, client: HttpClient
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "it-admin")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "it@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--no-input", stdout=StringIO())
    assert User.objects.get(username="it-admin").is_administrator is False
    client.post("/accounts/sign-in/", {"username": "it-admin", "password": PASSWORD})
    assert client.get("/admin/").status_code != 200


@pytest.mark.django_db
def test_the_new_administrator_must_set_up_two_factor_sign_in_first(
    monkeypatch: pytest.MonkeyPatch, client: HttpClient
) -> None:
    _first_administrator(monkeypatch)
    with override_settings(TWO_FACTOR_REQUIRED_FOR=["director", "administrator"]):
        client.post("/accounts/sign-in/", {"username": "it-admin", "password": PASSWORD})
        response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/set-up/")
