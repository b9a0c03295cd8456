"""A large CSV export in Chromium: asked for on the audit search with its filters, followed on
the export's page (htmx progress, then the download link), downloaded; the same page without
script; "Your exports". axe-core on each page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from caseload.audit.services import audit_record
from caseload.exports.models import Export, ExportStatus
from tests import factories
from tests.browser_support import SCREENSHOTS, sign_in, snap
from tests.jobs_support import run_queued_jobs

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
]


def test_an_audit_export_is_followed_then_downloaded(page: Any, org: Any) -> None:
    for _ in range(3):
        audit_record(
            actor=org.junior,
            action="client.viewed",
            target=org.junior_client,
            client=org.junior_client,
        )
    sign_in(page, "director", factories.PASSWORD)
    page.goto("/audit/?username=junior")
    page.get_by_role("button", name="Export these events as CSV").click()
    page.get_by_role("heading", name="Preparing…").wait_for()
    export = Export.objects.get()
    assert export.filters["username"] == "junior"
    assert "waiting for the export to start" in page.get_by_role("status").inner_text()
    snap(page, "exports-queued")

    # The worker has written 2 of 3 rows: the page asks again within two seconds.
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, rows_total=3, rows_written=2
    )
    page.get_by_text("Preparing… 2 of 3 rows").wait_for(timeout=15_000)
    snap(page, "exports-preparing")

    Export.objects.filter(pk=export.pk).update(status=ExportStatus.QUEUED, rows_total=None)
    run_queued_jobs()  # the worker's turn
    page.get_by_role("heading", name="Ready").wait_for(timeout=15_000)
    assert "3 rows written" in page.get_by_role("status").inner_text()
    snap(page, "exports-ready")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download caseload-audit.csv").click()
    download = download_info.value
    assert download.suggested_filename == "caseload-audit.csv"
    with open(download.path(), encoding="utf-8") as saved:
        rows = list(csv.DictReader(io.StringIO(saved.read())))
    assert [r["actor"] for r in rows] == ["junior"] * 3

    page.get_by_role("link", name="Your exports").first.click()
    page.get_by_role("heading", name="Your exports").wait_for()
    assert "Audit trail search" in page.content()
    snap(page, "exports-mine")


def test_without_script_the_export_page_has_a_link_to_check_again(
    browser: Any, live_server: Any, org: Any
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    try:
        sign_in(tab, "supervisor", factories.PASSWORD)
        tab.goto(f"/assessments/registry/{org.geriatric.pk}/")
        tab.get_by_role("button", name="Export the whole registry as CSV").click()
        tab.get_by_role("heading", name="Preparing…").wait_for()
        run_queued_jobs()
        tab.get_by_role("link", name="Check again").click()
        tab.get_by_role("heading", name="Ready").wait_for()
        # axe needs script; the same page with script is checked above.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / "exports-ready-without-script.png"), full_page=True)
        assert tab.get_by_role("link", name="Download registry-geriatric-").is_visible()
        assert Export.objects.get().rows_written == 2  # the supervisor's and the junior's
    finally:
        context.close()
