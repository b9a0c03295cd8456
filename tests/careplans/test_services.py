"""Care plan rules: the working copy, publishing, co-sign and return, scope."""

from __future__ import annotations

import json

import pytest

from caseload.audit.models import AuditEvent
from caseload.careplans import selectors, services
from caseload.careplans.models import (
    CarePlan,
    CarePlanStatus,
    CarePlanVersion,
    CosignStatus,
    Goal,
    Intervention,
    Problem,
)
from caseload.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from caseload.enrolments.models import EnrolmentStatus
from caseload.staff.models import CareerLevel
from tests import factories
from tests.careplans.conftest import PlanBuilder, in_days
from tests.conftest import Org

pytestmark = pytest.mark.django_db


def _goal_kwargs(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "description": "Walk to the shop without help",
        "measure": "Days a week walking outside alone",
        "target_value": "3",
        "target_date": in_days(30),
        "expressed_by": "client",
    }
    values.update(overrides)
    return values


def _publish(plan: CarePlan, actor, reason: str = "First plan") -> CarePlanVersion:
    plan.refresh_from_db()
    return services.careplan_publish(
        actor=actor, plan=plan, reason=reason, expected_version=plan.version
    )


# --- creating a plan -----------------------------------------------------------------------


def test_create_makes_a_draft_plan_and_audits_it(org: Org) -> None:
    enrolment = org.junior_client.enrolments.get()
    plan = services.careplan_create(
        actor=org.junior,
        enrolment=enrolment,
        title="  Staying safe at home ",
        review_due=in_days(30),
        participants="Client",
    )
    assert plan.status == CarePlanStatus.DRAFT
    assert plan.title == "Staying safe at home"
    assert plan.client == org.junior_client
    assert plan.author == org.junior
    assert plan.has_unpublished_changes
    event = AuditEvent.objects.get(action="careplan.created")
    assert event.target_id == str(plan.pk)
    assert event.client == org.junior_client


def test_discharged_client_cannot_get_new_care_plan(org: Org) -> None:
    enrolment = org.junior_client.enrolments.get()
    enrolment.status = EnrolmentStatus.DISCHARGED
    enrolment.save()
    with pytest.raises(Conflict) as caught:
        services.careplan_create(
            actor=org.junior, enrolment=enrolment, title="Plan", review_due=in_days(30)
        )
    assert caught.value.code == services.ENROLMENT_CLOSED
    assert not CarePlan.objects.exists()


def test_an_enrolment_has_only_one_plan(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    with pytest.raises(Conflict) as caught:
        services.careplan_create(
            actor=org.junior, enrolment=plan.enrolment, title="Again", review_due=in_days(30)
        )
    assert caught.value.code == services.PLAN_EXISTS
    assert CarePlan.objects.count() == 1


def test_plan_for_a_client_out_of_scope_is_not_found(org: Org) -> None:
    with pytest.raises(NotFound):
        services.careplan_create(
            actor=org.junior,
            enrolment=org.other_client.enrolments.get(),
            title="Plan",
            review_due=in_days(30),
        )
    assert not CarePlan.objects.exists()


def test_administrator_cannot_write_a_plan(org: Org) -> None:
    with pytest.raises(NotFound):
        services.careplan_create(
            actor=org.admin,
            enrolment=org.junior_client.enrolments.get(),
            title="Plan",
            review_due=in_days(30),
        )


@pytest.mark.parametrize(
    ("title", "review_due", "field"),
    [("   ", in_days(10), "title"), ("Plan", in_days(-1), "review_due")],
)
def test_create_validates_title_and_review_date(org: Org, title, review_due, field) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.careplan_create(
            actor=org.junior,
            enrolment=org.junior_client.enrolments.get(),
            title=title,
            review_due=review_due,
        )
    assert field in caught.value.field_errors


# --- the working copy ----------------------------------------------------------------------


def test_goal_must_be_measurable(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan(with_goal=False)
    problem = services.problem_add(actor=org.junior, plan=plan, description="Lonely")
    with pytest.raises(ValidationFailed) as caught:
        services.goal_add(
            actor=org.junior,
            problem=problem,
            **_goal_kwargs(measure=" ", target_value="", target_date=None),
        )
    assert set(caught.value.field_errors) == {"measure", "target_value", "target_date"}
    assert not Goal.objects.exists()


def test_new_goal_target_date_cannot_be_in_the_past(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan(with_goal=False)
    problem = services.problem_add(actor=org.junior, plan=plan, description="Lonely")
    with pytest.raises(ValidationFailed) as caught:
        services.goal_add(
            actor=org.junior, problem=problem, **_goal_kwargs(target_date=in_days(-1))
        )
    assert "target_date" in caught.value.field_errors
    goal = services.goal_add(
        actor=org.junior, problem=problem, **_goal_kwargs(target_date=in_days(0))
    )
    assert goal.target_date == in_days(0)


def test_goal_whose_target_date_passed_can_still_be_marked_achieved(
    org: Org, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    goal = Goal.objects.get(careplan=plan)
    Goal.objects.filter(pk=goal.pk).update(target_date=in_days(-5))
    goal.refresh_from_db()
    updated = services.goal_update(
        actor=org.junior,
        goal=goal,
        expected_version=goal.version,
        description=goal.description,
        measure=goal.measure,
        target_value=goal.target_value,
        target_date=goal.target_date,
        status="achieved",
        expressed_by=goal.expressed_by,
        outcome_note="No falls since March.",
    )
    assert updated.status == "achieved"
    assert updated.version == goal.version + 1
    assert AuditEvent.objects.filter(
        action="careplan.goal_updated", target_id=str(goal.pk)
    ).exists()


def test_goal_with_unknown_choices_is_refused(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan(with_goal=False)
    problem = services.problem_add(actor=org.junior, plan=plan, description="Lonely")
    with pytest.raises(ValidationFailed) as caught:
        services.goal_add(
            actor=org.junior,
            problem=problem,
            **_goal_kwargs(expressed_by="neighbour", status="done"),
        )
    assert set(caught.value.field_errors) == {"expressed_by", "status"}


@pytest.mark.parametrize(
    "change",
    [
        "problem_add",
        "problem_update",
        "goal_add",
        "goal_update",
        "intervention_add",
        "intervention_update",
        "careplan_update",
    ],
)
def test_every_change_marks_the_plan_unpublished_bumps_its_version_and_is_audited(
    org: Org, build_plan: PlanBuilder, change: str
) -> None:
    plan = build_plan()
    _publish(plan, org.supervisor)
    plan.refresh_from_db()
    assert not plan.has_unpublished_changes
    before = plan.version
    problem = Problem.objects.get(careplan=plan)
    goal = Goal.objects.get(careplan=plan)
    intervention = Intervention.objects.get(careplan=plan)
    actor = org.junior
    if change == "problem_add":
        services.problem_add(actor=actor, plan=plan, description="Missed medication")
    elif change == "problem_update":
        services.problem_update(
            actor=actor,
            problem=problem,
            expected_version=problem.version,
            description="Fell three times",
            detail="",
            status="active",
        )
    elif change == "goal_add":
        services.goal_add(actor=actor, problem=problem, **_goal_kwargs())
    elif change == "goal_update":
        services.goal_update(
            actor=actor,
            goal=goal,
            expected_version=goal.version,
            outcome_note="",
            status="active",
            **_goal_kwargs(),
        )
    elif change == "intervention_add":
        services.intervention_add(
            actor=actor, goal=goal, description="Grab rails", responsible="Son", frequency="Once"
        )
    elif change == "intervention_update":
        services.intervention_update(
            actor=actor,
            intervention=intervention,
            expected_version=intervention.version,
            description="Home safety visit",
            responsible="OT",
            frequency="Once",
            status="completed",
        )
    else:
        services.careplan_update(
            actor=actor,
            plan=plan,
            expected_version=plan.version,
            title="Safe at home",
            review_due=plan.review_due,
            participants="",
            agreed_by="client",
            agreed_on=in_days(0),
        )
    plan.refresh_from_db()
    assert plan.has_unpublished_changes
    assert plan.version == before + 1
    expected = {
        "problem_add": "careplan.problem_added",
        "problem_update": "careplan.problem_updated",
        "goal_add": "careplan.goal_added",
        "goal_update": "careplan.goal_updated",
        "intervention_add": "careplan.intervention_added",
        "intervention_update": "careplan.intervention_updated",
        "careplan_update": "careplan.updated",
    }[change]
    assert AuditEvent.objects.filter(action=expected, client=org.junior_client).exists()


@pytest.mark.parametrize("what", ["plan", "problem", "goal", "intervention"])
def test_stale_update_is_a_conflict_and_changes_nothing(
    org: Org, build_plan: PlanBuilder, what: str
) -> None:
    plan = build_plan()
    problem = Problem.objects.get(careplan=plan)
    goal = Goal.objects.get(careplan=plan)
    intervention = Intervention.objects.get(careplan=plan)
    attempts = {
        "plan": lambda: services.careplan_update(
            actor=org.junior,
            plan=plan,
            expected_version=plan.version - 1,
            title="Other",
            review_due=plan.review_due,
            participants="",
            agreed_by="",
            agreed_on=None,
        ),
        "problem": lambda: services.problem_update(
            actor=org.junior,
            problem=problem,
            expected_version=problem.version + 1,
            description="Other",
            detail="",
            status="active",
        ),
        "goal": lambda: services.goal_update(
            actor=org.junior,
            goal=goal,
            expected_version=goal.version + 1,
            outcome_note="",
            status="active",
            **_goal_kwargs(description="Other"),
        ),
        "intervention": lambda: services.intervention_update(
            actor=org.junior,
            intervention=intervention,
            expected_version=intervention.version + 1,
            description="Other",
            responsible="x",
            frequency="y",
            status="planned",
        ),
    }
    with pytest.raises(Conflict) as caught:
        attempts[what]()
    assert caught.value.code == services.STALE
    plan.refresh_from_db()
    problem.refresh_from_db()
    goal.refresh_from_db()
    intervention.refresh_from_db()
    assert "Other" not in {
        plan.title,
        problem.description,
        goal.description,
        intervention.description,
    }


def test_plan_header_agreement_needs_who_and_when(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    with pytest.raises(ValidationFailed) as caught:
        services.careplan_update(
            actor=org.junior,
            plan=plan,
            expected_version=plan.version,
            title=plan.title,
            review_due=plan.review_due,
            participants="",
            agreed_by="client",
            agreed_on=None,
        )
    assert "agreed_on" in caught.value.field_errors
    with pytest.raises(ValidationFailed) as caught:
        services.careplan_update(
            actor=org.junior,
            plan=plan,
            expected_version=plan.version,
            title=plan.title,
            review_due=plan.review_due,
            participants="",
            agreed_by="client",
            agreed_on=in_days(3),
        )
    assert "agreed_on" in caught.value.field_errors


def test_plan_of_a_discharged_enrolment_can_no_longer_change(
    org: Org, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    plan.enrolment.status = EnrolmentStatus.DISCHARGED
    plan.enrolment.save()
    with pytest.raises(Conflict) as caught:
        services.problem_add(actor=org.junior, plan=plan, description="New need")
    assert caught.value.code == services.PLAN_LOCKED


# --- publishing ----------------------------------------------------------------------------


def test_non_junior_publish_makes_the_plan_active_without_cosign(
    org: Org, build_plan: PlanBuilder
) -> None:
    plan = build_plan(org.supervisor, org.supervisor_client)
    version = _publish(plan, org.supervisor, "First plan, agreed with the client")
    plan.refresh_from_db()
    assert version.number == 1
    assert version.cosign_status == CosignStatus.NOT_REQUIRED
    assert version.cosigner is None
    assert version.author == org.supervisor
    assert version.reason == "First plan, agreed with the client"
    assert plan.status == CarePlanStatus.ACTIVE
    assert plan.published_number == 1
    assert not plan.has_unpublished_changes
    event = AuditEvent.objects.get(action="careplan.published")
    assert event.client == org.supervisor_client
    assert event.detail == {"number": 1, "cosign_status": "not_required"}


def test_junior_publish_waits_for_the_supervisors_cosign(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    version = _publish(plan, org.junior)
    plan.refresh_from_db()
    assert version.cosign_status == CosignStatus.PENDING
    assert version.cosigner == org.supervisor
    assert plan.status == CarePlanStatus.AWAITING_COSIGN
    assert selectors.careplan_versions_awaiting_cosign(actor=org.supervisor) == [version]
    assert selectors.careplan_versions_awaiting_cosign(actor=org.senior) == []


def test_junior_without_a_supervisor_is_told_why_they_cannot_publish(
    org: Org, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    org.junior.supervisor = None
    org.junior.save()
    with pytest.raises(Conflict) as caught:
        _publish(plan, org.junior)
    assert caught.value.code == services.NO_SUPERVISOR
    assert "supervisor" in caught.value.message
    assert not CarePlanVersion.objects.exists()


def test_plan_without_a_goal_cannot_be_published(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan(with_goal=False)
    services.problem_add(actor=org.junior, plan=plan, description="Lonely")
    with pytest.raises(ValidationFailed) as caught:
        _publish(plan, org.junior)
    assert "__all__" in caught.value.field_errors
    assert not CarePlanVersion.objects.exists()


def test_publish_needs_a_reason(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    with pytest.raises(ValidationFailed) as caught:
        _publish(plan, org.junior, reason="   ")
    assert "reason" in caught.value.field_errors


def test_publish_with_a_stale_version_is_a_conflict(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    with pytest.raises(Conflict) as caught:
        services.careplan_publish(
            actor=org.junior, plan=plan, reason="x", expected_version=plan.version - 1
        )
    assert caught.value.code == services.STALE


def test_publishing_again_without_changes_is_refused(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan(org.supervisor, org.supervisor_client)
    _publish(plan, org.supervisor)
    with pytest.raises(ValidationFailed):
        _publish(plan, org.supervisor, "Again")
    assert CarePlanVersion.objects.count() == 1


def test_cannot_publish_while_a_version_waits_for_cosign(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    _publish(plan, org.junior)
    services.problem_add(actor=org.junior, plan=plan, description="Missed medication")
    with pytest.raises(Conflict) as caught:
        _publish(plan, org.junior, "More")
    assert caught.value.code == services.COSIGN_PENDING
    assert CarePlanVersion.objects.count() == 1


def test_published_version_stays_unchanged_after_later_edits(
    org: Org, build_plan: PlanBuilder
) -> None:
    plan = build_plan(org.supervisor, org.supervisor_client)
    first = _publish(plan, org.supervisor)
    frozen = json.loads(json.dumps(first.snapshot))
    goal = Goal.objects.get(careplan=plan)
    services.goal_update(
        actor=org.supervisor,
        goal=goal,
        expected_version=goal.version,
        outcome_note="One fall in May",
        status="not_achieved",
        **_goal_kwargs(description="Fewer than one fall a month"),
    )
    services.problem_add(actor=org.supervisor, plan=plan, description="Missed medication")
    second = _publish(plan, org.supervisor, "Goal not met; added medication problem")
    first.refresh_from_db()
    assert first.snapshot == frozen
    assert first.snapshot["problems"][0]["goals"][0]["description"] == "No falls before the summer"
    assert len(first.snapshot["problems"]) == 1
    assert second.number == 2
    assert second.snapshot["problems"][0]["goals"][0]["status"] == "not_achieved"
    assert len(second.snapshot["problems"]) == 2
    got = selectors.careplan_version_get(actor=org.supervisor, plan_id=plan.pk, number=1)
    assert got.snapshot == frozen


def test_snapshot_is_json_with_iso_dates(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    snapshot = services.careplan_snapshot(plan)
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["title"] == "Staying safe at home"
    assert snapshot["review_due"] == plan.review_due.isoformat()
    goal = snapshot["problems"][0]["goals"][0]
    assert goal["target_date"] == in_days(60).isoformat()
    assert goal["measure"] == "Falls per month"
    assert goal["expressed_by_label"] == "Client"
    assert goal["interventions"][0]["responsible"] == "Occupational therapist"


# --- co-sign and return --------------------------------------------------------------------


def test_supervisor_cosign_makes_the_plan_active(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    version = _publish(plan, org.junior)
    services.careplan_version_cosign(actor=org.supervisor, version=version)
    version.refresh_from_db()
    plan.refresh_from_db()
    assert version.cosign_status == CosignStatus.COSIGNED
    assert version.cosigned_at is not None
    assert plan.status == CarePlanStatus.ACTIVE
    event = AuditEvent.objects.get(action="careplan.cosigned")
    assert event.actor == org.supervisor
    assert event.client == org.junior_client
    assert selectors.careplan_versions_awaiting_cosign(actor=org.supervisor) == []


def test_cosigning_twice_is_refused(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    version = _publish(plan, org.junior)
    services.careplan_version_cosign(actor=org.supervisor, version=version)
    with pytest.raises(Conflict) as caught:
        services.careplan_version_cosign(actor=org.supervisor, version=version)
    assert caught.value.code == services.NOT_PENDING


def test_return_needs_a_comment(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    version = _publish(plan, org.junior)
    with pytest.raises(ValidationFailed) as caught:
        services.careplan_version_return(actor=org.supervisor, version=version, comment="  ")
    assert "comment" in caught.value.field_errors
    version.refresh_from_db()
    assert version.cosign_status == CosignStatus.PENDING


def test_returned_plan_is_revised_and_published_again_for_cosign(
    org: Org, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    first = _publish(plan, org.junior)
    services.careplan_version_return(
        actor=org.supervisor, version=first, comment="Goal 1 is not measurable"
    )
    first.refresh_from_db()
    plan.refresh_from_db()
    assert first.cosign_status == CosignStatus.RETURNED
    assert first.return_comment == "Goal 1 is not measurable"
    assert plan.status == CarePlanStatus.RETURNED
    assert AuditEvent.objects.filter(action="careplan.returned", client=org.junior_client).exists()

    goal = Goal.objects.get(careplan=plan)
    services.goal_update(
        actor=org.junior,
        goal=goal,
        expected_version=goal.version,
        outcome_note="",
        status="active",
        **_goal_kwargs(measure="Falls per month, from the falls diary"),
    )
    second = _publish(plan, org.junior, "Made goal 1 measurable")
    plan.refresh_from_db()
    assert second.number == 2
    assert second.cosign_status == CosignStatus.PENDING
    assert plan.status == CarePlanStatus.AWAITING_COSIGN
    services.careplan_version_cosign(actor=org.supervisor, version=second)
    plan.refresh_from_db()
    assert plan.status == CarePlanStatus.ACTIVE


def test_returned_plan_may_be_published_again_without_edits(
    org: Org, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    first = _publish(plan, org.junior)
    services.careplan_version_return(actor=org.supervisor, version=first, comment="Check dates")
    second = _publish(plan, org.junior, "Dates checked with the client; they are right")
    assert second.number == 2


@pytest.mark.parametrize("who", ["senior", "director", "junior"])
def test_only_the_cosigner_may_cosign_a_visible_plan(
    org: Org, build_plan: PlanBuilder, who: str
) -> None:
    plan = build_plan()
    version = _publish(plan, org.junior)
    actor = getattr(org, who)
    with pytest.raises(PermissionDenied):
        services.careplan_version_cosign(actor=actor, version=version)
    with pytest.raises(PermissionDenied):
        services.careplan_version_return(actor=actor, version=version, comment="No")
    version.refresh_from_db()
    assert version.cosign_status == CosignStatus.PENDING


@pytest.mark.parametrize("who", ["other_cm", "senior_other", "admin"])
def test_cosign_out_of_scope_is_not_found(org: Org, build_plan: PlanBuilder, who: str) -> None:
    plan = build_plan()
    version = _publish(plan, org.junior)
    actor = getattr(org, who)
    with pytest.raises(NotFound):
        services.careplan_version_cosign(actor=actor, version=version)
    with pytest.raises(NotFound):
        services.careplan_version_return(actor=actor, version=version, comment="No")


def test_cosigner_who_lost_sight_of_the_client_gets_not_found(
    org: Org, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    version = _publish(plan, org.junior)
    CarePlanVersion.objects.filter(pk=version.pk).update(cosigner=org.other_cm)
    version.refresh_from_db()
    with pytest.raises(NotFound):
        services.careplan_version_cosign(actor=org.other_cm, version=version)


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("junior", True),
        ("supervisor", True),
        ("senior", True),
        ("director", True),
        ("other_cm", False),
        ("senior_other", False),
        ("admin", False),
    ],
)
def test_plan_is_visible_only_within_scope(
    org: Org, build_plan: PlanBuilder, who: str, sees: bool
) -> None:
    plan = build_plan()
    actor = getattr(org, who)
    if sees:
        assert selectors.careplan_get(actor=actor, plan_id=plan.pk) == plan
    else:
        with pytest.raises(NotFound):
            selectors.careplan_get(actor=actor, plan_id=plan.pk)
        with pytest.raises(NotFound):
            selectors.careplan_version_get(actor=actor, plan_id=plan.pk, number=1)


def test_care_team_member_sees_the_plan(org: Org, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    factories.CareTeamMemberFactory(
        enrolment=plan.enrolment, staff=org.other_cm, external_name="", added_by=org.junior
    )
    assert selectors.careplan_get(actor=org.other_cm, plan_id=plan.pk) == plan


def test_awaiting_cosign_queue_lists_oldest_first_with_related_rows(
    org: Org, build_plan: PlanBuilder, django_assert_num_queries
) -> None:
    first = _publish(build_plan(), org.junior)
    second_client = factories.EnrolmentFactory(
        program=org.geriatric, care_manager=org.junior
    ).client
    second = _publish(build_plan(org.junior, second_client), org.junior)
    # One query for the supervisor's supervisees (their scope), one for the queue itself.
    with django_assert_num_queries(2):
        queue = selectors.careplan_versions_awaiting_cosign(actor=org.supervisor)
        labels = [
            (v.careplan.client.full_name, v.careplan.enrolment.program.name, str(v.author))
            for v in queue
        ]
    assert queue == [first, second]
    assert len(labels) == 2


def test_unknown_or_malformed_ids_are_not_found(org: Org) -> None:
    for bad in ["not-a-uuid", "00000000-0000-0000-0000-000000000000"]:
        with pytest.raises(NotFound):
            selectors.careplan_get(actor=org.director, plan_id=bad)
        with pytest.raises(NotFound):
            selectors.goal_get(actor=org.director, goal_id=bad)


def test_career_level_junior_is_what_triggers_cosign(org: Org, build_plan: PlanBuilder) -> None:
    org.junior.career_level = CareerLevel.CARE_MANAGER
    org.junior.save()
    version = _publish(build_plan(), org.junior)
    assert version.cosign_status == CosignStatus.NOT_REQUIRED
