"""Who reads the month report: directors every program, seniors their own, nobody else."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

MONTH = "/reports/month/"


def test_care_managers_and_other_staff_get_not_found(org: Any, login: Any) -> None:
    for role in ("junior", "supervisor", "other_cm", "admin", "privacy"):
        http = login(org.users()[role])
        assert http.get(MONTH).status_code == 404, role
        assert http.get(reverse("reports:figure_clients"), {"figure": "active"}).status_code == 404


def test_a_director_reads_the_organisation_and_each_program(org: Any, login: Any) -> None:
    http = login(org.director)
    page = http.get(MONTH, {"month": "2026-11"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "The whole organisation" in html
    assert org.geriatric.name in html and org.chronic.name in html
    assert AuditEvent.objects.filter(action="report.viewed").exists()
    assert http.get(MONTH, {"month": "2026-11", "program": org.chronic.pk}).status_code == 200


def test_a_senior_sees_only_their_program(org: Any, login: Any) -> None:
    http = login(org.senior)
    page = http.get(MONTH, {"month": "2026-11"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Month report: {org.geriatric.name}" in html
    assert org.chronic.name not in html
    assert http.get(MONTH, {"program": org.chronic.pk}).status_code == 404
    listing = http.get(
        reverse("reports:figure_clients"),
        {"month": "2026-11", "figure": "active", "program": org.chronic.pk},
    )
    assert listing.status_code == 404


def test_a_bad_month_is_explained(org: Any, login: Any) -> None:
    page = login(org.director).get(MONTH, {"month": "November"})
    assert page.status_code == 400
    assert "Enter the month as YYYY-MM" in page.content.decode()


def test_csv_and_pdf_download(org: Any, login: Any) -> None:
    http = login(org.director)
    csv = http.get(MONTH, {"month": "2026-11", "format": "csv"})
    assert csv["Content-Type"] == "text/csv"
    assert "month-report-2026-11-organisation.csv" in csv["Content-Disposition"]
    text = b"".join(csv.streaming_content).decode()
    assert text.splitlines()[0].startswith("section,figure,scope,name,2026-11 value,2025-12")
    assert "Clients,Active clients,total,The whole organisation," in text
    pdf = http.get(MONTH, {"month": "2026-11", "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_per_care_manager_table_comes_a_page_at_a_time(
    org: Any, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An organisation of 1,500 care managers made a 2 MB page: the table pages, the CSV keeps
    them all."""
    from caseload.reports import views
    from tests.reports.test_month_figures import Month_

    Month_(org)  # three care managers with clients in November
    monkeypatch.setattr(views, "MANAGERS_PER_PAGE", 2)
    http = login(org.director)
    first = http.get(MONTH, {"month": "2026-11"}).content.decode()
    assert "Care managers 1–2 of 3" in first
    assert "managers_page=2" in first
    second = http.get(MONTH, {"month": "2026-11", "managers_page": "2"}).content.decode()
    assert "Care managers 3–3 of 3" in second
    shown = [m for m in (org.junior, org.supervisor, org.other_cm) if f">{m}</th>" in second]
    assert len(shown) == 1
    beyond = http.get(MONTH, {"month": "2026-11", "managers_page": "99"})
    assert "Care managers 3–3 of 3" in beyond.content.decode()  # the last page
    csv = http.get(MONTH, {"month": "2026-11", "format": "csv"})
    text = b"".join(csv.streaming_content).decode()
    assert all(str(m) in text for m in (org.junior, org.supervisor, org.other_cm))
