"""The directory import in Chromium: check, confirm, then watch the background job's progress
on the import's page, which updates itself (htmx) until the import has finished."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from caseload.directory.models import DirectoryImport, Service
from tests import factories
from tests.browser_support import sign_in, snap
from tests.jobs_support import run_queued_jobs

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
]

CSV = (
    "organisation,service,type,languages,phone,accepting_referrals\n"
    'Eastside Meals,Home-delivered meals,meals,"English, Spanish",555-0100,yes\n'
    "Springfield Rides,Medical transport,transport,English,555-0101,no\n"
    "Riverside Therapy,Home physical therapy,Physical therapy?,English,555-0199,yes\n"
)


def test_an_import_runs_in_the_background_and_its_page_follows_it(
    page: Any, org: Any, tmp_path: Path
) -> None:
    file = tmp_path / "services.csv"
    file.write_text(CSV, encoding="utf-8")
    sign_in(page, "admin", factories.PASSWORD)
    page.goto("/coordination/directory/import/")
    page.get_by_label("CSV file").set_input_files(str(file))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("2 would be added").wait_for()
    page.get_by_role("button", name="Import 2 rows").click()
    page.get_by_role("heading", name="Importing").wait_for()
    assert "0 of 2 rows imported" in page.get_by_role("status").inner_text()
    snap(page, "golive-directory-import-running")
    assert Service.objects.count() == 0

    run_queued_jobs()  # the worker's turn; the page asks again within two seconds
    page.get_by_role("heading", name="Import finished").wait_for(timeout=15_000)
    assert (
        "2 services added, 0 updated, 1 row not imported" in page.get_by_role("status").inner_text()
    )
    assert "is not a service type" in page.content()
    snap(page, "golive-directory-import-finished")
    assert DirectoryImport.objects.get().status == "applied"
