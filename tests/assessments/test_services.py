"""Drafts, completion, the work flags create, and goals that target a score."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caseload.assessments import catalogue, services
from caseload.assessments.models import (
    AssessmentResponse,
    GoalScoreTarget,
    InstrumentDefinition,
    ResponseStatus,
)
from caseload.audit.models import AuditEvent
from caseload.careplans.models import GoalStatus
from caseload.clients.models import Flag, FlagKind
from caseload.core import clock
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from caseload.tasks.models import Priority, Task
from tests import factories
from tests.assessments.helpers import NO, YES, complete, phq9, phq9_total

pytestmark = pytest.mark.django_db


def test_a_partial_response_is_saved_as_a_draft_with_every_answer(cocm: Any) -> None:
    answers = {"q1": "LA6569-3", "q2": "LA6571-9"}
    draft = services.response_save_draft(
        actor=cocm.aisha, client=cocm.client, instrument_code="phq9", answers=answers
    )
    draft.refresh_from_db()
    assert draft.status == ResponseStatus.DRAFT
    assert draft.answers == answers
    assert draft.total is None
    assert draft.enrolment == cocm.enrolment
    event = AuditEvent.objects.get(action="assessment.started")
    assert event.client_id == cocm.client.pk
    assert event.detail == {"instrument": "phq9", "answered": 2}


def test_saving_a_draft_again_keeps_it_one_draft_and_bumps_the_version(cocm: Any) -> None:
    draft = services.response_save_draft(
        actor=cocm.aisha, client=cocm.client, instrument_code="phq9", answers={"q1": "LA6569-3"}
    )
    again = services.response_save_draft(
        actor=cocm.aisha,
        client=cocm.client,
        instrument_code="phq9",
        answers={"q1": "LA6569-3", "q2": "LA6568-5"},
        response=draft,
        expected_version=draft.version,
    )
    assert again.pk == draft.pk
    assert again.version == draft.version + 1
    assert AssessmentResponse.objects.count() == 1
    assert AuditEvent.objects.filter(action="assessment.draft_saved").count() == 1


def test_a_stale_draft_save_is_a_conflict_and_changes_nothing(cocm: Any) -> None:
    draft = services.response_save_draft(
        actor=cocm.aisha, client=cocm.client, instrument_code="phq9", answers={"q1": "LA6569-3"}
    )
    services.response_save_draft(
        actor=cocm.senior,
        client=cocm.client,
        instrument_code="phq9",
        answers={"q1": "LA6570-1"},
        response=draft,
        expected_version=1,
    )
    with pytest.raises(Conflict) as caught:
        services.response_save_draft(
            actor=cocm.aisha,
            client=cocm.client,
            instrument_code="phq9",
            answers={"q1": "LA6571-9"},
            response=draft,
            expected_version=1,
        )
    assert caught.value.code == services.STALE
    draft.refresh_from_db()
    assert draft.answers == {"q1": "LA6570-1"}


def test_a_second_draft_of_the_same_instrument_is_refused_and_points_to_the_first(
    cocm: Any,
) -> None:
    first = services.response_save_draft(
        actor=cocm.aisha, client=cocm.client, instrument_code="gad7", answers={}
    )
    with pytest.raises(Conflict) as caught:
        services.response_save_draft(
            actor=cocm.senior, client=cocm.client, instrument_code="gad7", answers={}
        )
    assert caught.value.code == services.DRAFT_EXISTS
    assert caught.value.params["response_id"] == str(first.pk)


def test_out_of_range_answers_are_refused_and_nothing_is_saved(cocm: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.response_save_draft(
            actor=cocm.aisha,
            client=cocm.client,
            instrument_code="phq9",
            answers={"q1": "LA6569-3", "q2": "7"},
        )
    assert caught.value.field_errors == {"q2": ["Choose one of the answers offered."]}
    assert not AssessmentResponse.objects.exists()


def test_an_incomplete_response_cannot_be_completed_and_the_draft_is_kept(cocm: Any) -> None:
    answers = phq9(1, 1, 1, 1, 1, 1, 1, 1, 1)
    del answers["q4"], answers["q7"]
    with pytest.raises(services.IncompleteResponse) as caught:
        complete(cocm.aisha, cocm.client, "phq9", answers)
    error = caught.value
    assert error.code == services.INCOMPLETE
    assert "2 questions are unanswered" in error.message
    assert set(error.field_errors) == {"q4", "q7"}
    kept = AssessmentResponse.objects.get()
    assert kept.status == ResponseStatus.DRAFT
    assert kept.answers == answers
    assert error.response.pk == kept.pk
    assert not AuditEvent.objects.filter(action="assessment.completed").exists()


def test_completing_stores_scores_band_flags_and_the_exact_definition(cocm: Any) -> None:
    response = complete(cocm.aisha, cocm.client, "phq9", phq9(2, 2, 1, 1, 1, 1, 1, 1, 0))
    response.refresh_from_db()
    assert response.status == ResponseStatus.COMPLETED
    assert response.total == 10
    assert response.subscales == {"phq2": 4}
    assert response.band_code == "moderate"
    assert response.band_label == "Moderate depression"
    assert response.flags == []
    assert response.instrument_version == "1.0.0"
    assert response.assessed_on == clock.today()
    assert response.completed_by == cocm.aisha
    definition = response.definition
    assert definition is not None
    assert definition.sha256 == catalogue.get("phq9").sha256  # type: ignore[union-attr]
    assert definition.content["code"] == "phq9"
    event = AuditEvent.objects.get(action="assessment.completed")
    assert event.client_id == cocm.client.pk
    assert event.detail["total"] == 10
    assert event.detail["band"] == "moderate"


def test_the_same_definition_is_frozen_once_for_many_responses(cocm: Any) -> None:
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(12))
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(8))
    assert InstrumentDefinition.objects.filter(code="phq9").count() == 1


def test_a_later_definition_change_never_rescores_an_old_response(
    cocm: Any, tmp_path: Any, settings: Any
) -> None:
    old = complete(cocm.aisha, cocm.client, "phq9", phq9_total(9))
    raw = json.loads((catalogue.SHIPPED_DIR / "phq9.json").read_text())
    raw["version"] = "2.0.0"
    raw["scoring"]["bands"] = [
        {"code": "low", "label": "Low", "min": 0, "max": 9},
        {"code": "high", "label": "High", "min": 10, "max": 27},
    ]
    (tmp_path / "phq9.json").write_text(json.dumps(raw))
    settings.CASELOAD_INSTRUMENTS_DIR = str(tmp_path)
    new = complete(cocm.aisha, cocm.client, "phq9", phq9_total(9))
    old.refresh_from_db()
    assert (old.band_code, old.instrument_version) == ("mild", "1.0.0")
    assert (new.band_code, new.instrument_version) == ("low", "2.0.0")
    assert InstrumentDefinition.objects.filter(code="phq9").count() == 2
    from caseload.assessments.selectors import instrument_of

    assert instrument_of(old).version == "1.0.0"  # type: ignore[union-attr]


def test_a_completed_response_can_no_longer_change(cocm: Any) -> None:
    response = complete(cocm.aisha, cocm.client, "gad7", {f"q{i}": "LA6568-5" for i in range(1, 8)})
    with pytest.raises(Conflict) as caught:
        services.response_save_draft(
            actor=cocm.aisha,
            client=cocm.client,
            instrument_code="gad7",
            answers={},
            response=response,
            expected_version=response.version,
        )
    assert caught.value.code == services.NOT_DRAFT


def test_a_date_given_in_the_future_is_refused(cocm: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        complete(
            cocm.aisha, cocm.client, "phq9", phq9_total(3), on=clock.today() + dt.timedelta(days=1)
        )
    assert "assessed_on" in caught.value.field_errors


def test_out_of_scope_client_is_not_found(org: Any, cocm: Any) -> None:
    with pytest.raises(NotFound):
        services.response_save_draft(
            actor=org.other_cm, client=cocm.client, instrument_code="phq9", answers={}
        )
    with pytest.raises(NotFound):
        services.response_save_draft(
            actor=org.admin, client=cocm.client, instrument_code="phq9", answers={}
        )


# --- The safety rule ----------------------------------------------------------------------------


def test_phq9_item_9_creates_an_urgent_task_due_today_and_a_safety_flag(cocm: Any) -> None:
    # Scenario: completed by phone, scores 17 with item 9 = 1; the care manager's supervisor
    # enters it, the task goes to the care manager on the enrolment.
    response = complete(cocm.senior, cocm.client, "phq9", phq9(3, 3, 2, 2, 2, 2, 1, 1, 1))
    task = Task.objects.get(client=cocm.client)
    assert task.priority == Priority.URGENT
    assert task.due_on == clock.today()
    assert task.owner == cocm.aisha
    assert task.enrolment == cocm.enrolment
    assert "Safety follow-up today" in task.title
    flag = Flag.objects.get(client=cocm.client)
    assert flag.kind == FlagKind.SAFETY
    assert flag.is_active
    assert "PHQ-9" in flag.description
    response.refresh_from_db()
    assert [a["kind"] for a in response.actions] == ["task", "flag"]
    assert response.flags[0]["code"] == "self_harm"
    actions = set(AuditEvent.objects.filter(client=cocm.client).values_list("action", flat=True))
    assert {"assessment.completed", "task.created", "flag.raised"} <= actions


def test_the_safety_flag_stays_until_resolved_with_a_note(cocm: Any) -> None:
    from caseload.clients.services import flag_resolve

    complete(cocm.aisha, cocm.client, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 2))
    flag = Flag.objects.get(client=cocm.client)
    with pytest.raises(ValidationFailed):
        flag_resolve(actor=cocm.aisha, flag=flag, resolution_note="  ")
    flag.refresh_from_db()
    assert flag.is_active
    flag_resolve(actor=cocm.aisha, flag=flag, resolution_note="Safety plan reviewed by phone.")
    flag.refresh_from_db()
    assert not flag.is_active


def test_a_second_positive_item_9_adds_a_task_but_not_a_second_active_flag(cocm: Any) -> None:
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(12, item9=1))
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(10, item9=1))
    assert Task.objects.filter(client=cocm.client, priority=Priority.URGENT).count() == 2
    assert Flag.objects.filter(client=cocm.client, is_active=True).count() == 1


def test_item_9_of_zero_creates_no_work(cocm: Any) -> None:
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(22))
    assert not Task.objects.exists()
    assert not Flag.objects.exists()


def test_the_safety_task_goes_to_the_actor_when_the_care_manager_has_left(cocm: Any) -> None:
    cocm.aisha.is_active = False
    cocm.aisha.save(update_fields=["is_active"])
    complete(cocm.senior, cocm.client, "phq9", phq9_total(5, item9=1))
    assert Task.objects.get().owner == cocm.senior


# --- HRSN referrals and the STEADI goal suggestion ---------------------------------------------


def test_positive_hrsn_domains_suggest_one_referral_task_each(org: Any) -> None:
    answers = {
        "living": "worried",
        "problems": ["none"],
        "food_worry": "often",
        "food_last": "never",
        "transport": NO,
        "utilities": "no",
        "hurt": "never",
        "insult": "never",
        "threaten": "never",
        "scream": "never",
    }
    complete(org.junior, org.junior_client, "hrsn", answers)
    titles = sorted(Task.objects.values_list("title", flat=True))
    assert len(titles) == 2
    assert titles[0].startswith("Suggested referral: Food insecurity")
    assert titles[1].startswith("Suggested referral: Living situation")
    assert all(t.due_on == clock.today() + dt.timedelta(days=7) for t in Task.objects.all())
    assert not Flag.objects.exists()


def test_a_positive_steadi_screen_suggests_a_falls_prevention_goal(org: Any) -> None:
    answers = {f"s{i}": YES if i in (1, 3, 5) else NO for i in range(1, 13)}
    response = complete(org.junior, org.junior_client, "steadi", answers)
    task = Task.objects.get()
    assert task.title.startswith("Consider a falls-prevention goal")
    assert task.owner == org.junior
    assert "No falls in the next three months" in task.description
    assert response.actions[0]["suggestion"] == "goal"


# --- Entered in error ---------------------------------------------------------------------------


def test_entered_in_error_keeps_the_response_and_records_why(cocm: Any) -> None:
    response = complete(cocm.aisha, cocm.client, "phq9", phq9_total(4))
    services.response_enter_in_error(
        actor=cocm.aisha,
        response=response,
        expected_version=response.version,
        reason="Recorded against the wrong client.",
    )
    response.refresh_from_db()
    assert response.status == ResponseStatus.ENTERED_IN_ERROR
    assert response.total == 4
    event = AuditEvent.objects.get(action="assessment.entered_in_error")
    assert event.detail["reason"] == "Recorded against the wrong client."
    with pytest.raises(ValidationFailed):
        services.response_enter_in_error(
            actor=cocm.aisha, response=response, expected_version=None, reason=""
        )


# --- Goals that target a score --------------------------------------------------------------------


@pytest.fixture
def goal(cocm: Any) -> Any:
    plan = factories.CarePlanFactory(enrolment=cocm.enrolment, author=cocm.aisha)
    problem = factories.ProblemFactory(careplan=plan, description="Depression")
    return factories.GoalFactory(
        problem=problem,
        careplan=plan,
        description="Feel like myself again",
        measure="PHQ-9",
        target_value="below 5",
    )


def test_a_goal_target_starts_from_the_latest_score(cocm: Any, goal: Any) -> None:
    complete(
        cocm.aisha, cocm.client, "phq9", phq9_total(14), on=clock.today() - dt.timedelta(days=3)
    )
    target = services.goal_target_set(
        actor=cocm.aisha, goal=goal, instrument_code="phq9", comparator="lt", target_score=5
    )
    assert (target.latest_score, target.met_on) == (14, None)
    assert AuditEvent.objects.filter(action="assessment.goal_target_set").exists()


def test_a_target_outside_the_instruments_range_is_refused(cocm: Any, goal: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.goal_target_set(
            actor=cocm.aisha, goal=goal, instrument_code="phq9", comparator="lt", target_score=30
        )
    assert caught.value.field_errors == {"target_score": ["Enter a score between 0 and 27."]}
    with pytest.raises(ValidationFailed):
        services.goal_target_set(
            actor=cocm.aisha, goal=goal, instrument_code="hrsn", comparator="lt", target_score=1
        )


def test_a_new_response_updates_progress_and_marks_the_goal_achieved_once_met(
    cocm: Any, goal: Any
) -> None:
    services.goal_target_set(
        actor=cocm.aisha, goal=goal, instrument_code="phq9", comparator="lt", target_score=5
    )
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(9))
    target = GoalScoreTarget.objects.get()
    assert (target.latest_score, target.met_on) == (9, None)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACTIVE
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(4))
    target.refresh_from_db()
    goal.refresh_from_db()
    assert (target.latest_score, target.met_on) == (4, clock.today())
    assert goal.status == GoalStatus.ACHIEVED
    assert "Target met: PHQ-9 4" in goal.outcome_note
    assert AuditEvent.objects.filter(action="assessment.goal_progress").count() == 2


def test_a_goal_on_a_closed_plan_keeps_its_progress_on_the_target(cocm: Any, goal: Any) -> None:
    services.goal_target_set(
        actor=cocm.aisha, goal=goal, instrument_code="phq9", comparator="lte", target_score=4
    )
    goal.careplan.status = "closed"
    goal.careplan.save(update_fields=["status"])
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(2))
    target = GoalScoreTarget.objects.get()
    goal.refresh_from_db()
    assert target.met_on == clock.today()
    assert goal.status == GoalStatus.ACTIVE


def test_completing_costs_a_bounded_number_of_queries(cocm: Any) -> None:
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(3))  # freezes the definition once
    with CaptureQueriesContext(connection) as queries:
        complete(cocm.aisha, cocm.client, "phq9", phq9_total(3))
    assert len(queries) <= 25
