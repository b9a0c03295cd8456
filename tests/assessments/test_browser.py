"""Aisha's Tuesday in the browser: a PHQ-9 by keyboard, the safety rule, trends, the registry."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from caseload.assessments.models import AssessmentResponse, ReassessmentSchedule
from caseload.clients.models import Flag
from caseload.core import clock
from caseload.staff.models import CareerLevel
from caseload.tasks.models import Task
from tests import factories
from tests.assessments.helpers import complete, gad7_total, phq9_total
from tests.browser_support import sign_in, snap

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
]


def test_phq9_by_keyboard_safety_rule_trend_and_registry(page: Any) -> None:
    program = factories.ProgramFactory(
        code="cocm", name="Collaborative care", kind="behavioural_health"
    )
    aisha = factories.UserFactory(
        username="aisha",
        first_name="Aisha",
        last_name="Rahman",
        career_level=CareerLevel.CARE_MANAGER,
    )
    aisha.programs.add(program)
    ReassessmentSchedule.objects.create(program=program, instrument_code="phq9", interval_days=28)
    today = clock.today()
    start = today - dt.timedelta(weeks=9)
    enrolment = factories.EnrolmentFactory(
        program=program,
        care_manager=aisha,
        referred_on=start,
        started_on=start,
        client__given_name="Omar",
        client__family_name="Haddad",
    )
    client = enrolment.client
    for week, total in ((0, 19), (4, 16)):
        complete(aisha, client, "phq9", phq9_total(total), on=start + dt.timedelta(weeks=week))
    complete(aisha, client, "gad7", gad7_total(12), on=start)

    sign_in(page, "aisha", factories.PASSWORD)
    page.goto(f"/assessments/clients/{client.pk}/give/?instrument=phq9")
    page.wait_for_selector("legend")
    snap(page, "assessments-01-phq9-form")

    # Answer by keyboard only: Tab into each radio group, arrow keys choose within it.
    page.locator("#id_a_q1_0").focus()
    for question, presses in enumerate([3, 3, 2, 2, 2, 2, 1, 1, 1], start=1):
        radio = page.locator(f"#id_a_q{question}_0")
        radio.focus()
        page.keyboard.press("Space")
        for _ in range(presses):
            page.keyboard.press("ArrowDown")
    page.get_by_role("button", name="Complete and score").click()
    page.wait_for_url(re.compile(r"/assessments/responses/"))
    snap(page, "assessments-02-phq9-result")
    saved = AssessmentResponse.objects.filter(status="completed").order_by("-completed_at")[0]
    assert saved.total == 17
    assert Task.objects.filter(client=client, priority=1, due_on=today).exists()
    assert Flag.objects.filter(client=client, kind="safety", is_active=True).exists()
    assert page.get_by_text("Safety follow-up today").count() >= 1

    page.goto(f"/assessments/clients/{client.pk}/")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('assessment-trend-phq9'))"
    )
    snap(page, "assessments-03-trends")

    page.goto(f"/assessments/registry/{program.pk}/")
    assert page.get_by_text("Not responding at week 9").count() == 1
    snap(page, "assessments-04-registry")

    # A partial draft keeps its answers.
    page.goto(f"/assessments/clients/{client.pk}/give/?instrument=hrsn")
    page.get_by_label("I have a steady place to live").check()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/assessments/responses/"))
    assert page.get_by_label("I have a steady place to live").is_checked()
    page.get_by_role("button", name="Complete and score").click()
    assert page.get_by_text("There is a problem").count() == 1
    snap(page, "assessments-05-incomplete")
