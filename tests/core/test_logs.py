"""Logs: a 500 carries its traceback and request id, as text or as JSON lines."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.test import override_settings

from caseload.core.logs import JsonFormatter

# Production's static storage with nothing collected: every page that names a static file
# raises, as it did for an operator who skipped (or failed) collectstatic.
UNCOLLECTED = {
    "STORAGES": {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    },
}


def console_handler() -> logging.StreamHandler[Any]:
    """The handler settings.LOGGING configured on the root logger."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    assert isinstance(handler, logging.StreamHandler)
    return handler


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured handler writes, for the length of a test."""
    handler = console_handler()
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


@pytest.fixture
def uncollected_client(tmp_path: Path) -> Iterator[HttpClient]:
    with override_settings(STATIC_ROOT=tmp_path, **UNCOLLECTED):
        yield HttpClient(raise_request_exception=False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/sign-in/",  # the view raises
        # The 404 page itself raises: Django answers 500 and, alone, logs that line without
        # the exception.
        "/no-such-page/",
    ],
)
def test_a_500_logs_its_traceback_and_request_id(
    uncollected_client: HttpClient, console: io.StringIO, path: str
) -> None:
    response = uncollected_client.get(path, HTTP_X_REQUEST_ID="req-500")
    assert response.status_code == 500
    logged = console.getvalue()
    assert f"ERROR django.request [req-500] Internal Server Error: {path}\n" in logged
    assert "Traceback (most recent call last)" in logged
    assert "ValueError: Missing staticfiles manifest entry for 'css/caseload.css'" in logged


@pytest.mark.django_db
def test_a_json_log_line_carries_time_level_logger_message_request_id_and_traceback(
    uncollected_client: HttpClient, console: io.StringIO
) -> None:
    handler = console_handler()
    plain = handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        uncollected_client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-json")
    finally:
        handler.setFormatter(plain)
    lines = [json.loads(line) for line in console.getvalue().splitlines()]
    [error] = [line for line in lines if line["level"] == "ERROR"]
    assert error["logger"] == "django.request"
    assert error["message"] == "Internal Server Error: /no-such-page/"
    assert error["request_id"] == "req-json"
    assert error["status_code"] == 500
    assert error["time"].endswith("+00:00")
    assert "Missing staticfiles manifest entry" in error["exc_info"]


def run_settings(script: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Runs ``script`` in a new interpreter under production settings read from ``env``."""
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "caseload.config.settings",
            "SECRET_KEY": "s" * 40,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_log_format_json_writes_one_json_object_per_line(tmp_path: Path) -> None:
    """LOG_FORMAT=json as production sets it: the settings wire the JSON formatter."""
    script = (
        "import django, logging; django.setup(); "
        "log = logging.getLogger('caseload.example')\n"
        "log.info('started')\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n    log.exception('failed')\n"
    )
    result = run_settings(script, tmp_path, LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(line["level"], line["message"]) for line in lines] == [
        ("INFO", "started"),
        ("ERROR", "failed"),
    ]
    assert "request_id" not in lines[0]  # outside a request
    assert lines[1]["exc_info"].endswith("ZeroDivisionError: division by zero")


def test_an_unknown_log_format_is_refused(tmp_path: Path) -> None:
    result = run_settings("import django; django.setup()", tmp_path, LOG_FORMAT="xml")
    assert result.returncode == 1
    assert "LOG_FORMAT must be plain or json, not 'xml'" in result.stderr
