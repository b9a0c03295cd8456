"""goal_record_outcome: a line added to a goal's progress and outcome, by the services that
learn of one (a referral closed, an assessment target met), without re-sending the goal."""

from __future__ import annotations

import pytest

from caseload.audit.models import AuditEvent
from caseload.careplans import services
from caseload.careplans.models import CarePlan, CarePlanStatus, Goal, GoalStatus
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from tests.careplans.conftest import PlanBuilder
from tests.conftest import Org

pytestmark = pytest.mark.django_db


def _goal(plan: CarePlan) -> Goal:
    return Goal.objects.get(careplan=plan)


def test_the_first_outcome_becomes_the_goals_outcome(org: Org, build_plan: PlanBuilder) -> None:
    goal = _goal(build_plan())
    saved = services.goal_record_outcome(
        actor=org.junior, goal=goal, outcome_text="  Meals started on Monday. "
    )
    goal.refresh_from_db()
    assert goal.outcome_note == "Meals started on Monday."
    assert saved.outcome_note == goal.outcome_note
    assert goal.status == GoalStatus.ACTIVE


def test_later_outcomes_are_added_below_what_was_saved_meanwhile(
    org: Org, build_plan: PlanBuilder
) -> None:
    goal = _goal(build_plan())
    loaded_long_ago = Goal.objects.get(pk=goal.pk)
    Goal.objects.filter(pk=goal.pk).update(outcome_note="Pantry visits began in May.\n")
    services.goal_record_outcome(
        actor=org.junior, goal=loaded_long_ago, outcome_text="Meals declined: waiting list."
    )
    goal.refresh_from_db()
    assert goal.outcome_note.splitlines() == [
        "Pantry visits began in May.",
        "Meals declined: waiting list.",
    ]


def test_an_outcome_may_set_the_status_and_is_audited(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    goal = _goal(plan)
    plan_version, goal_version = plan.version, goal.version
    services.goal_record_outcome(
        actor=org.junior,
        goal=goal,
        outcome_text="Target met: PHQ-9 4.",
        status=GoalStatus.ACHIEVED,
    )
    goal.refresh_from_db()
    plan.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED
    assert goal.version == goal_version + 1
    assert plan.version == plan_version + 1  # the working copy changed
    assert plan.has_unpublished_changes
    event = AuditEvent.objects.get(action="careplan.goal_updated", target_id=str(goal.pk))
    assert event.actor == org.junior
    assert event.client == org.junior_client
    assert event.detail == {"status": "achieved", "outcome_recorded": True}


def test_a_closed_plan_takes_no_outcome(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    CarePlan.objects.filter(pk=plan.pk).update(status=CarePlanStatus.CLOSED)
    goal = _goal(plan)
    with pytest.raises(Conflict):
        services.goal_record_outcome(actor=org.junior, goal=goal, outcome_text="Done.")
    goal.refresh_from_db()
    assert goal.outcome_note == ""
    assert not AuditEvent.objects.filter(action="careplan.goal_updated").exists()


def test_an_empty_outcome_is_refused(org: Org, build_plan: PlanBuilder) -> None:
    goal = _goal(build_plan())
    with pytest.raises(ValidationFailed) as caught:
        services.goal_record_outcome(actor=org.junior, goal=goal, outcome_text="  ")
    assert "outcome_note" in caught.value.field_errors


def test_someone_out_of_scope_cannot_record_an_outcome(org: Org, build_plan: PlanBuilder) -> None:
    goal = _goal(build_plan())
    with pytest.raises(NotFound):
        services.goal_record_outcome(actor=org.other_cm, goal=goal, outcome_text="Done.")
    goal.refresh_from_db()
    assert goal.outcome_note == ""
