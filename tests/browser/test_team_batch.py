"""A large reassignment runs as a background job: Rosa's batch page follows it (htmx polling)
from waiting, through the check's committed progress, to done, and then stops polling."""

from __future__ import annotations

import re
from typing import Any

import pytest

from caseload.team import services
from caseload.team.models import ReassignmentBatch
from tests import factories
from tests.browser.test_team_and_reports import _organisation
from tests.browser_support import sign_in, snap

pytestmark = pytest.mark.django_db(transaction=True)


def test_rosa_follows_a_large_batch_until_it_is_done(
    page: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _organisation()
    settings.REASSIGN_INLINE_LIMIT = 3  # Tomás's 16 clients: a background job here
    monkeypatch.setattr(services, "CHUNK", 5)

    sign_in(page, "rosa", factories.PASSWORD)
    page.wait_for_url(re.compile(r"/reports/month/"))
    page.goto("/team/reassign/")
    page.get_by_label("Care manager").select_option(label="Tomás Herrera (16 open)")
    page.get_by_role("button", name="Show clients").click()
    for name in ("Daniel Mensah", "Ana Lopez", "Ben Okoro", "Chloe Tran"):
        page.get_by_label(re.compile(f"^{name} —")).check()
    page.get_by_role("button", name="Preview the proposal").click()
    page.get_by_label("New care manager for Client9 Family09").select_option(label="Ben Okoro")
    page.get_by_label("Reason for the reassignment").fill("Tomás leaves the organisation on Friday")
    page.get_by_role("button", name=re.compile("^Confirm: move")).click()
    page.wait_for_url(re.compile(r"/team/reassign/batches/"))
    assert page.get_by_text("Waiting to start: 16 client enrolments").is_visible()
    snap(page, "team-batch-01-waiting")

    status = page.locator("#batch-status")

    def progress(checked: int, total: int) -> None:
        # The worker has committed this chunk: the page's next poll shows it.
        status.get_by_text(f"{checked} of {total} client enrolments checked").wait_for()
        if checked == 10:
            snap(page, "team-batch-02-checking")

    batch = ReassignmentBatch.objects.get()
    services.reassignment_batch_run(batch.pk, progress=progress)  # what the worker runs

    status.get_by_text(re.compile("^Done: 16 clients")).wait_for()
    assert status.get_attribute("hx-trigger") is None  # finished: no more polling
    snap(page, "team-batch-03-done")
