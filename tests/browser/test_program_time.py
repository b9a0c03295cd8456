"""The program-time walk in Chromium: Maya times a call on Mrs. Lindqvist's chart with the timer
and sees this month's minutes move past 99490; Grace downloads last month's billing CSV. Each
new page is screenshotted and checked with axe-core (no serious or critical violation)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from caseload.programrules.models import TimeEntry
from tests import factories
from tests.browser_support import sign_in, snap
from tests.jobs_support import run_queued_jobs
from tests.programrules.helpers import add_time, ready

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
]


def test_maya_times_a_call_and_grace_downloads_the_billing_csv(
    page: Any, org: Any, pin: Any
) -> None:
    pin("2026-11-24 10:00")
    client = org.junior_client
    ready(client, org.junior)
    ready(org.supervisor_client, org.supervisor)
    add_time(client, org.junior, 14, when="2026-11-10 10:00")
    add_time(client, org.junior, 45, when="2026-10-12 10:00")
    add_time(org.supervisor_client, org.supervisor, 18, when="2026-10-14 11:00")

    sign_in(page, "junior", factories.PASSWORD)
    # The worklist, six days before the month ends: who is within reach of a threshold.
    page.goto("/")
    panel = page.locator("#program-time-within-reach")
    expect(panel).to_contain_text(client.full_name)
    expect(panel).to_contain_text("6 minutes")
    snap(page, "program-time-worklist")

    panel.get_by_role("link", name=client.full_name).click()
    section = page.locator("#program-time")
    expect(section).to_contain_text("14 of 20 min toward 99490")
    expect(section).to_contain_text("6 minutes short of 99490")
    snap(page, "program-time-chart-before")

    section.get_by_role("button", name=re.compile("Start timer")).click()
    expect(page.locator("#running-timer")).to_contain_text("Timer running")
    snap(page, "program-time-timer-running")

    pin("2026-11-24 10:07:40")  # seven and a half minutes on the phone
    page.get_by_role("link", name="Stop and record time").click()
    expect(page.get_by_label("Minutes")).to_have_value("7")
    page.get_by_label("Counts toward").select_option("CCM")
    page.get_by_label("What did you do?").fill("Called Karin about the pharmacy delivery")
    snap(page, "program-time-timer-record")
    page.get_by_role("button", name="Record the time").click()

    section = page.locator("#program-time")
    expect(section).to_contain_text("21 of 40 min toward 99439")
    expect(section.locator(".tag-ok")).to_have_text("99490")
    snap(page, "program-time-chart-after")
    assert TimeEntry.objects.filter(source="timer", minutes=7, program="CCM").exists()

    # Correcting time needs a reason.
    section.locator("summary").click()
    section.get_by_role("link", name=re.compile("Change the 7 minutes")).click()
    page.get_by_label("Minutes").fill("9")
    page.get_by_role("button", name="Save the change").click()
    expect(page.locator(".error-summary")).to_contain_text("Say why the time is changed.")
    snap(page, "program-time-edit-error")
    page.get_by_label("Why are you changing this time?").fill("The call log says 9 minutes")
    page.get_by_role("button", name="Save the change").click()
    expect(page.locator("#program-time")).to_contain_text("23 of 40 min toward 99439")

    page.goto(f"/programs/conditions/{client.pk}/")
    expect(page.locator("table")).to_contain_text("Heart failure")
    snap(page, "program-time-conditions")

    # Grace, at month end: last month's report and the billing CSV.
    page.context.clear_cookies()
    sign_in(page, "director", factories.PASSWORD)
    page.get_by_role("link", name="Program month end").click()
    expect(page.locator("h1")).to_contain_text("October 2026")
    expect(page.locator("#by-program")).to_contain_text("99490 × 1, 99439 × 1")
    expect(page.locator("#client-results")).to_contain_text("2 minutes short of 99490")
    snap(page, "program-time-month-end")
    page.get_by_role("button", name=re.compile("Export the billing CSV")).click()
    page.get_by_role("heading", name="Preparing…").wait_for()
    run_queued_jobs()  # the worker writes it; the export's page follows
    page.get_by_role("heading", name="Ready").wait_for(timeout=15_000)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download program-billing-2026-10.csv").click()
    download = download_info.value
    assert download.suggested_filename == "program-billing-2026-10.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0][:4] == ["client", "mrn", "program", "month"]
    assert rows[1][:6] == [client.full_name, client.mrn, "CCM", "2026-10", "99490 99439", "45"]
    assert len(rows) == 2  # the client 2 minutes short is not billed

    page.get_by_role("link", name="Back to program billing file").click()
    page.get_by_role("button", name=re.compile("Close October 2026")).click()
    expect(page.locator(".message").first).to_contain_text("closed")
    snap(page, "program-time-month-closed")
    page.get_by_role("link", name="Reopen October 2026").click()
    snap(page, "program-time-month-reopen")
