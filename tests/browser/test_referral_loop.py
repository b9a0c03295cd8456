"""A referral that must close: sent, accepted, scheduled, completed — and the outcome shows on
the care plan goal it serves (SCENARIOS.md, "Any day")."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from caseload.directory.demo import seed_directory
from caseload.directory.models import Service
from caseload.referrals.models import Referral
from caseload.referrals.services import referral_create, referral_update
from tests import factories
from tests.browser_support import sign_in, snap
from tests.referrals.conftest import goal_for

pytestmark = pytest.mark.django_db(transaction=True)


def _move(page: Any, status: str, note: str = "") -> None:
    page.get_by_label(status, exact=True).check()
    if note:
        page.get_by_role("textbox", name=re.compile("^Note")).fill(note)
    page.get_by_role("button", name="Save status").click()


def test_referral_from_sent_to_closed_writes_its_outcome_on_the_goal(page: Any) -> None:
    seed_directory()
    meals = Service.objects.get(name="Home-delivered meals")
    kim = factories.UserFactory(username="kim", career_level="care_manager")
    client = factories.ClientFactory(given_name="Marie", family_name="Baptiste")
    factories.EnrolmentFactory(client=client, care_manager=kim)
    goal = goal_for(client, kim)

    sign_in(page, "kim", factories.PASSWORD)
    page.goto(f"/coordination/for/{client.pk}/referrals/new/")
    page.get_by_label("Service from the directory").select_option(str(meals.pk))
    page.get_by_role("textbox", name="Reason for the referral").fill(
        "Food insecurity found on the HRSN screen"
    )
    page.get_by_label("Care plan problem, goal or intervention it serves").select_option(
        f"goal:{goal.pk}"
    )
    for item in page.locator("input[name=shared_fields]").all()[:3]:
        item.check()
    page.locator("input[name=shared_fields][value=reason]").check()
    page.get_by_role("button", name="Save as draft").click()
    referral = Referral.objects.get(client=client)
    assert referral.status == "draft"

    # No consent to share with the meals service yet: sending is refused, and the page leads
    # to recording it with the organisation's name filled in.
    _move(page, "Sent")
    error = page.locator(".error-summary")
    error.wait_for()
    assert "has no current consent to share information with Home-delivered meals" in (
        error.inner_text()
    )
    snap(page, "referral-refused-without-consent")
    page.get_by_role("link", name="Record the client's consent", exact=True).click()
    assert (
        page.get_by_role("textbox", name=re.compile("^Provider or service")).input_value()
        == meals.organisation.name
    )
    for label in ("Identity and contact details", "Conditions, needs and diagnoses"):
        page.get_by_label(re.compile(label)).check()
    page.get_by_label("Written (signed)").check()
    snap(page, "consent-to-share-with-a-provider")
    page.get_by_role("button", name="Record consent").click()
    page.get_by_text("Consent recorded.").wait_for()
    page.goto(f"/coordination/referrals/{referral.pk}/")
    assert "In force" in page.locator("#referral-consent").inner_text()

    _move(page, "Sent")
    _move(page, "Accepted", "Accepted by phone; first delivery being arranged")
    page.get_by_label("Scheduled", exact=True).check()
    page.get_by_label("Booked to start").fill(
        (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Save status").click()
    _move(page, "Completed", "Deliveries started: two meals a day, Monday to Friday")
    referral.refresh_from_db()
    assert referral.status == "completed"
    assert [e.to_status for e in referral.events.order_by("created_at")][-4:] == [
        "sent",
        "accepted",
        "scheduled",
        "completed",
    ]
    snap(page, "referral-closed")

    page.goto(f"/care-plans/{goal.careplan_id}/")
    assert page.get_by_text(re.compile("Deliveries started: two meals a day")).first.is_visible()
    snap(page, "referral-outcome-on-care-plan")
    goal.refresh_from_db()
    assert "Deliveries started" in goal.outcome_note


def test_a_referral_changed_in_another_tab_keeps_the_text_being_written(page: Any) -> None:
    seed_directory()
    meals = Service.objects.get(name="Home-delivered meals")
    kim = factories.UserFactory(username="kim", career_level="care_manager")
    client = factories.ClientFactory(given_name="Marie", family_name="Baptiste")
    enrolment = factories.EnrolmentFactory(client=client, care_manager=kim)
    referral = referral_create(
        actor=kim,
        client=client,
        enrolment=enrolment,
        service=meals,
        reason="Food insecurity found on the HRSN screen",
        urgency="routine",
    )

    sign_in(page, "kim", factories.PASSWORD)
    page.goto(f"/coordination/referrals/{referral.pk}/edit/")
    reason = page.get_by_role("textbox", name="Reason for the referral")
    reason.fill("Food insecurity; she also asked about help with shopping")
    referral_update(  # meanwhile, saved from another tab
        actor=kim,
        referral=referral,
        expected_version=referral.version,
        enrolment=enrolment,
        service=meals,
        reason="Food insecurity; daughter can no longer cook for her",
        urgency="urgent",
    )
    page.get_by_role("button", name="Save", exact=True).click()

    conflict = page.locator(".conflict")
    conflict.wait_for()
    assert "Someone else changed this referral since you opened it." in conflict.inner_text()
    assert "daughter can no longer cook for her" in conflict.inner_text()
    assert reason.input_value() == "Food insecurity; she also asked about help with shopping"
    snap(page, "referral-edit-conflict")

    page.get_by_role("button", name="Save", exact=True).click()  # overwrite, deliberately
    page.get_by_text("Referral saved.").wait_for()
    referral.refresh_from_db()
    assert referral.reason == "Food insecurity; she also asked about help with shopping"
