"""Requesting an export as its page does, running its job, and downloading the file."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client as HttpClient
from django.urls import resolve, reverse

from tests.jobs_support import run_queued_jobs


def export_id_of(response: Any) -> str:
    """The export a request redirected to."""
    assert response.status_code == 302, response.status_code
    match = resolve(response["Location"])
    assert match.view_name == "exports:detail", response["Location"]
    return str(match.kwargs["export_id"])


def exported(http: HttpClient, url: str, data: dict[str, Any] | None = None) -> Any:
    """POST the export request, run the queued job, GET the download: its response."""
    export_id = export_id_of(http.post(url, data or {}))
    run_queued_jobs()
    response = http.get(reverse("exports:download", args=[export_id]))
    assert response.status_code == 200, response.status_code
    return response


def content(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content(response))))


def csv_dicts(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content(response))))
