from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.db import DatabaseError

pytestmark = pytest.mark.django_db


def test_healthz_is_open_without_sign_in_and_reports_database(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caseload.core import views

    class Broken:
        def cursor(self) -> Any:
            raise DatabaseError("connection refused")

    monkeypatch.setattr(views, "connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_every_response_carries_a_request_id_and_keeps_a_sane_incoming_one(client: Any) -> None:
    assert len(client.get("/healthz")["X-Request-ID"]) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-123")["X-Request-ID"] == "lb-123"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_pages_need_sign_in(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def _settings_import(
    env: dict[str, str], *, drop: frozenset[str] = frozenset()
) -> subprocess.CompletedProcess[str]:
    unset = {"SECRET_KEY", "CASELOAD_DEBUG", *drop}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-c", "import caseload.config.settings"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_refuse_to_start_without_a_real_secret() -> None:
    result = _settings_import({})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert _settings_import({"SECRET_KEY": "short"}).returncode != 0
    assert _settings_import({"SECRET_KEY": "k" * 50}).returncode == 0


def test_production_settings_refuse_to_start_without_an_audit_key() -> None:
    no_key = frozenset({"CASELOAD_AUDIT_KEY"})
    result = _settings_import({"SECRET_KEY": "k" * 50}, drop=no_key)
    assert result.returncode != 0
    assert "CASELOAD_AUDIT_KEY must be set" in result.stderr
    short = {"SECRET_KEY": "k" * 50, "CASELOAD_AUDIT_KEY": "short"}
    assert _settings_import(short, drop=no_key).returncode != 0
    assert _settings_import({"CASELOAD_DEBUG": "1"}, drop=no_key).returncode == 0


def test_console_script_runs_management_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "caseload", "check"],
        env={**os.environ, "CASELOAD_DEBUG": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
