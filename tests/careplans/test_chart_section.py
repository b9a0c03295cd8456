"""The chart's care plan section: selector query bound and what the section says."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string

from caseload.careplans.selectors import careplan_list_for_client
from caseload.core import clock
from caseload.enrolments.models import Enrolment
from tests import factories

pytestmark = pytest.mark.django_db


def _plan_with_tree(enrolment: Enrolment, problems: int = 2) -> None:
    plan = factories.CarePlanFactory(enrolment=enrolment, title="Staying safe at home")
    for _ in range(problems):
        problem = factories.ProblemFactory(careplan=plan)
        for _ in range(2):
            goal = factories.GoalFactory(problem=problem)
            factories.InterventionFactory(goal=goal)
            factories.InterventionFactory(goal=goal)


def test_selector_loads_every_plan_of_the_client_in_four_queries_after_the_scope_check(
    org, django_assert_num_queries
):
    enrolment = org.junior_client.enrolments.get()
    _plan_with_tree(enrolment, problems=3)
    second = factories.EnrolmentFactory(
        client=org.junior_client, program=org.chronic, care_manager=org.junior
    )
    _plan_with_tree(second, problems=2)
    with django_assert_num_queries(1 + 4):
        plans = careplan_list_for_client(actor=org.junior, client=org.junior_client)
        html = render_to_string(
            "careplans/partials/chart_section.html",
            {
                "careplans": plans,
                "client": org.junior_client,
                "open_enrolments": [enrolment, second],
            },
        )
    assert len(plans) == 2
    assert html.count('class="goal"') == 10
    assert "Write a care plan" not in html


def test_selector_returns_nothing_for_a_client_out_of_scope(org):
    _plan_with_tree(org.other_client.enrolments.get())
    assert careplan_list_for_client(actor=org.junior, client=org.other_client) == []
    assert len(careplan_list_for_client(actor=org.other_cm, client=org.other_client)) == 1


def test_section_without_plans_explains_and_offers_to_write_one(org):
    enrolment = org.junior_client.enrolments.get()
    html = render_to_string(
        "careplans/partials/chart_section.html",
        {"careplans": [], "client": org.junior_client, "open_enrolments": [enrolment]},
    )
    assert "has no care plan yet" in html
    assert f"/care-plans/for/{enrolment.pk}/new/" in html
    assert "Write a care plan" in html


def test_section_marks_overdue_review_in_words(org):
    enrolment = org.junior_client.enrolments.get()
    factories.CarePlanFactory(enrolment=enrolment, review_due=clock.today() - dt.timedelta(days=3))
    plans = careplan_list_for_client(actor=org.junior, client=org.junior_client)
    html = render_to_string(
        "careplans/partials/chart_section.html",
        {"careplans": plans, "client": org.junior_client, "open_enrolments": [enrolment]},
    )
    assert "Review overdue" in html
    assert "Write a care plan" not in html
