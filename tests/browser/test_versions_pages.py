"""The pages issue 10 changed, walked in a browser and checked with axe-core: the conflict a
lost "Mark done" race shows (the outcome kept), the search that offers break the glass, and the
note that offers to complete the client's open task."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from caseload.access.models import BreakGlassGrant
from caseload.core import clock
from caseload.notes.models import ProgressNote
from caseload.tasks import services as task_services
from caseload.tasks.models import Task, TaskStatus
from tests import factories
from tests.browser_support import sign_in, snap

pytestmark = pytest.mark.django_db(transaction=True)


def _task(org: Any, title: str = "Reach the client: call her daughter if no answer") -> Task:
    return task_services.task_create(
        actor=org.junior,
        client=org.junior_client,
        title=title,
        owner=org.junior,
        due_on=clock.today() - dt.timedelta(days=2),
        priority=2,
    )


def test_losing_the_race_to_complete_a_task_shows_who_won_and_keeps_the_outcome(
    page: Any, org: Any
) -> None:
    task = _task(org)
    sign_in(page, "junior", factories.PASSWORD)
    page.goto(f"/tasks/{task.pk}/edit/")
    page.get_by_label("Outcome").fill("Reached her daughter; she will bring the new inhaler.")
    # Meanwhile the supervisor marks it done from their own list.
    task_services.task_complete(
        actor=org.supervisor,
        task=Task.objects.get(pk=task.pk),
        expected_version=task.version,
        outcome_note="Daughter called back.",
    )
    page.get_by_role("button", name="Mark done").click()
    alert = page.locator(".conflict")
    alert.wait_for()
    assert f"{org.supervisor.display_name} marked this task done" in alert.inner_text()
    kept = page.locator("section", has=page.get_by_role("heading", name="Your outcome (not saved)"))
    assert "bring the new inhaler" in kept.inner_text()
    snap(page, "task-complete-conflict")
    assert Task.objects.get(pk=task.pk).outcome_note == "Daughter called back."


def test_a_search_that_finds_nobody_in_scope_offers_break_the_glass(page: Any, org: Any) -> None:
    target = org.other_client
    sign_in(page, "junior", factories.PASSWORD)
    page.goto("/")
    page.get_by_label("Find a client").fill(target.family_name)
    page.get_by_role("button", name="Apply").click()
    offer = page.locator(".break-glass-offer")
    offer.wait_for()
    # Typing then pressing Apply sends the search twice (change, submit): let both swaps land
    # before axe-core walks the page.
    page.wait_for_load_state("networkidle")
    assert "Emergency access to a client outside your caseload" in offer.inner_text()
    snap(page, "search-offers-break-the-glass")
    offer.get_by_label("MRN").fill(target.mrn)
    offer.get_by_label("Why do you need this record now?").fill(
        "On call at 2 a.m.: her son reports a fall and needs the medication list"
    )
    offer.get_by_role("button", name="Break the glass and open the record").click()
    page.wait_for_url(re.compile(f"/clients/{target.pk}/"))
    assert BreakGlassGrant.objects.get().client == target


def test_a_phone_note_that_reaches_the_client_offers_to_complete_the_task(
    page: Any, org: Any
) -> None:
    task = _task(org)
    sign_in(page, "junior", factories.PASSWORD)
    page.goto(f"/notes/for/{org.junior_client.pk}/new/")
    page.get_by_label("Minutes spent").fill("12")
    page.get_by_label("What happened").fill("Reached her daughter; inhaler picked up today.")
    page.get_by_role("button", name="Save and sign").click()
    page.get_by_role("heading", name=re.compile("Did this contact complete a task")).wait_for()
    assert ProgressNote.objects.get().reached
    snap(page, "note-offers-to-complete-the-task")
    page.get_by_role("button", name="Mark done").click()
    page.wait_for_url(re.compile(f"/clients/{org.junior_client.pk}/"))
    done = Task.objects.get(pk=task.pk)
    assert done.status == TaskStatus.DONE
    assert done.outcome_note.startswith("Reached by phone on")
