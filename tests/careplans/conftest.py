"""Care plans built through the real services, as a care manager would write them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from caseload.careplans import services
from caseload.careplans.models import CarePlan
from caseload.core import clock
from caseload.staff.models import User
from tests.conftest import Org

PlanBuilder = Callable[..., CarePlan]


def in_days(days: int) -> dt.date:
    return clock.today() + dt.timedelta(days=days)


@pytest.fixture
def build_plan(org: Org) -> PlanBuilder:
    """build_plan(actor, client) writes a plan with one problem, one goal, one intervention."""

    def _build(actor: User | None = None, client=None, *, with_goal: bool = True) -> CarePlan:
        actor = actor or org.junior
        client = client or org.junior_client
        enrolment = client.enrolments.get()
        plan = services.careplan_create(
            actor=actor,
            enrolment=enrolment,
            title="Staying safe at home",
            review_due=in_days(90),
            participants="Client and her daughter",
        )
        if with_goal:
            problem = services.problem_add(
                actor=actor, plan=plan, description="Has fallen twice since March"
            )
            goal = services.goal_add(
                actor=actor,
                problem=problem,
                description="No falls before the summer",
                measure="Falls per month",
                target_value="0",
                target_date=in_days(60),
                expressed_by="client",
            )
            services.intervention_add(
                actor=actor,
                goal=goal,
                description="Home safety assessment",
                responsible="Occupational therapist",
                frequency="Once",
            )
        plan.refresh_from_db()
        return plan

    return _build
