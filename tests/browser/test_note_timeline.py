"""A long record in the browser: the chart shows the newest notes, and "Show older notes" brings
the next page into the timeline in place, moving the focus to the first note it added."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from caseload.notes.selectors import TIMELINE_PAGE
from tests import factories
from tests.browser_support import sign_in, snap
from tests.notes.helpers import make_note

pytestmark = pytest.mark.django_db(transaction=True)


def test_older_notes_load_into_the_chart_and_take_the_focus(page: Any) -> None:
    program = factories.ProgramFactory(code="geriatric", name="Geriatric care management")
    kim = factories.UserFactory(
        username="kim", first_name="Kim", last_name="Nguyen", career_level="care_manager"
    )
    client = factories.ClientFactory(given_name="Rose", family_name="Baptiste")
    factories.EnrolmentFactory(client=client, program=program, care_manager=kim)
    start = timezone.now() - dt.timedelta(hours=1)
    for day in range(TIMELINE_PAGE + 5):
        make_note(
            kim,
            client,
            sign=True,
            narrative=f"Weekly call {day + 1}: Rose is managing.",
            contact_at=start - dt.timedelta(days=day),
        )

    sign_in(page, "kim", factories.PASSWORD)
    page.goto(f"/clients/{client.pk}/#notes")
    timeline = page.locator("#notes .timeline > li")
    assert timeline.count() == TIMELINE_PAGE + 1  # the notes and the "older" item
    assert page.get_by_text(f"Weekly call {TIMELINE_PAGE + 1}:").count() == 0

    snap(page, "chart-newest-notes")
    page.get_by_role("link", name="Show older notes").click()
    page.get_by_text(f"Weekly call {TIMELINE_PAGE + 5}:").wait_for()
    assert timeline.count() == TIMELINE_PAGE + 5
    assert page.get_by_role("link", name="Show older notes").count() == 0
    focused = page.evaluate("document.activeElement.textContent")
    assert f"Weekly call {TIMELINE_PAGE + 1}:" in focused
    assert page.url.endswith("#notes")  # loaded in place: the chart stays where it was
    snap(page, "chart-older-notes-loaded")
