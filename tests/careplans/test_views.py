"""Care plan pages through HTTP: response, database and audit row."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.careplans import services
from caseload.careplans.models import (
    CarePlan,
    CarePlanStatus,
    CarePlanVersion,
    CosignStatus,
    Goal,
    Intervention,
    Problem,
)
from caseload.enrolments.models import EnrolmentStatus
from tests import factories
from tests.careplans.conftest import PlanBuilder, in_days
from tests.conftest import Org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor_prompt(settings) -> None:
    """Directors and administrators must set up two-factor sign-in; these tests are about care
    plans, so they sign in without it (two-factor has its own tests)."""
    settings.TWO_FACTOR_REQUIRED_FOR = []


def _publish(plan: CarePlan, actor, reason: str = "First plan") -> CarePlanVersion:
    plan.refresh_from_db()
    return services.careplan_publish(
        actor=actor, plan=plan, reason=reason, expected_version=plan.version
    )


def _goal_post(**overrides: str) -> dict[str, str]:
    data = {
        "description": "Walk to the shop without help",
        "measure": "Days a week walking outside alone",
        "target_value": "3",
        "target_date": in_days(45).isoformat(),
        "expressed_by": "client",
        "status": "active",
    }
    data.update(overrides)
    return data


# --- creating and viewing ------------------------------------------------------------------


def test_care_manager_writes_a_plan_for_an_open_enrolment(org: Org, login) -> None:
    enrolment = org.junior_client.enrolments.get()
    http = login(org.junior)
    url = reverse("careplans:create", args=[enrolment.pk])
    page = http.get(url)
    assert page.status_code == 200
    assert "Geriatric care management care plan" in page.content.decode()
    response = http.post(
        url,
        {
            "title": "Staying safe at home",
            "review_due": in_days(90).isoformat(),
            "participants": "Mrs Okafor and her daughter",
        },
    )
    plan = CarePlan.objects.get(enrolment=enrolment)
    assert response.status_code == 302
    assert response["Location"] == reverse("careplans:detail", args=[plan.pk])
    assert plan.title == "Staying safe at home"
    assert plan.participants == "Mrs Okafor and her daughter"
    assert AuditEvent.objects.filter(
        action="careplan.created", target_id=str(plan.pk), client=org.junior_client
    ).exists()
    followed = http.get(response["Location"])
    assert "Care plan started" in followed.content.decode()


def test_create_form_explains_missing_fields_with_400(org: Org, login) -> None:
    enrolment = org.junior_client.enrolments.get()
    response = login(org.junior).post(
        reverse("careplans:create", args=[enrolment.pk]),
        {"title": "", "review_due": "", "participants": "Kept text"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter a title for the plan." in body
    assert "Enter the date you will review the plan." in body
    assert "Kept text" in body
    assert not CarePlan.objects.exists()


def test_discharged_enrolment_cannot_get_a_plan_through_the_page(org: Org, login) -> None:
    enrolment = org.junior_client.enrolments.get()
    enrolment.status = EnrolmentStatus.DISCHARGED
    enrolment.save()
    http = login(org.junior)
    url = reverse("careplans:create", args=[enrolment.pk])
    page = http.get(url)
    assert page.status_code == 200
    assert "This enrolment has been discharged" in page.content.decode()
    assert '<form method="post" novalidate>' not in page.content.decode()
    response = http.post(url, {"title": "Plan", "review_due": in_days(5).isoformat()})
    assert response.status_code == 200
    assert not CarePlan.objects.exists()


def test_create_page_for_an_enrolment_with_a_plan_goes_to_the_plan(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    response = login(org.junior).get(reverse("careplans:create", args=[plan.enrolment_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("careplans:detail", args=[plan.pk])


def test_plan_page_shows_the_whole_plan_and_audits_the_view(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    response = login(org.supervisor).get(reverse("careplans:detail", args=[plan.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Staying safe at home",
        "Has fallen twice since March",
        "No falls before the summer",
        "Falls per month",
        "Home safety assessment",
        "Occupational therapist",
        "Not yet published",
        "What changed and why?",
        "Publish version 1",
    ]:
        assert text in body
    event = AuditEvent.objects.get(action="careplan.viewed")
    assert event.actor == org.supervisor
    assert event.client == org.junior_client
    assert event.target_id == str(plan.pk)


def test_plan_page_marks_an_overdue_review_in_words(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    CarePlan.objects.filter(pk=plan.pk).update(review_due=in_days(-2))
    body = login(org.junior).get(reverse("careplans:detail", args=[plan.pk])).content.decode()
    assert "Review overdue" in body


def test_plan_page_query_count_does_not_grow_with_the_plan(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    small = build_plan(org.supervisor, org.supervisor_client)
    _publish(small, org.supervisor)
    large = build_plan(org.junior, org.junior_client)
    for _ in range(5):
        problem = factories.ProblemFactory(careplan=large)
        for _ in range(3):
            goal = factories.GoalFactory(problem=problem)
            factories.InterventionFactory(goal=goal)
            factories.InterventionFactory(goal=goal)
    _publish(large, org.supervisor)
    services.problem_add(actor=org.supervisor, plan=large, description="After version 1")
    _publish(large, org.supervisor, "Second version")
    http = login(org.supervisor)
    http.get(reverse("careplans:detail", args=[small.pk]))  # warm the session

    def count(plan: CarePlan) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = http.get(reverse("careplans:detail", args=[plan.pk]))
        assert response.status_code == 200
        return len(queries)

    small_count = count(small)
    # Plan, problems, goals, interventions, versions and the scope: the rest is sign-in,
    # session and the audit row, which do not depend on the plan either.
    assert small_count <= 25
    assert count(large) == small_count
    body = http.get(reverse("careplans:detail", args=[large.pk])).content.decode()
    assert body.count('class="goal"') == 16


# --- the working copy through the pages -----------------------------------------------------


def test_adding_problem_goal_and_intervention_through_the_pages(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    plan = build_plan(with_goal=False)
    http = login(org.junior)

    response = http.post(
        reverse("careplans:problem_create", args=[plan.pk]),
        {"description": "Often forgets medication", "detail": "Says the boxes are confusing"},
    )
    problem = Problem.objects.get(careplan=plan)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#problem-{problem.pk}")
    assert problem.detail == "Says the boxes are confusing"

    page = http.get(reverse("careplans:goal_create", args=[problem.pk]))
    assert "A measurable goal says what will change" in page.content.decode()
    response = http.post(reverse("careplans:goal_create", args=[problem.pk]), _goal_post())
    goal = Goal.objects.get(problem=problem)
    assert response.status_code == 302
    assert goal.measure == "Days a week walking outside alone"
    assert goal.expressed_by == "client"

    response = http.post(
        reverse("careplans:intervention_create", args=[goal.pk]),
        {
            "description": "Pharmacy blister packs",
            "responsible": "Community pharmacist",
            "frequency": "Weekly",
            "status": "planned",
        },
    )
    assert response.status_code == 302
    assert Intervention.objects.get(goal=goal).responsible == "Community pharmacist"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "careplan.problem_added",
        "careplan.goal_added",
        "careplan.intervention_added",
    } <= actions
    plan.refresh_from_db()
    assert plan.has_unpublished_changes


def test_goal_in_the_past_is_refused_next_to_the_field(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    problem = Problem.objects.get(careplan=plan)
    response = login(org.junior).post(
        reverse("careplans:goal_create", args=[problem.pk]),
        _goal_post(target_date=in_days(-3).isoformat(), description="Keep my words"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The target date must be today or later." in body
    assert "Keep my words" in body
    assert Goal.objects.filter(careplan=plan).count() == 1


def test_editing_a_goal_saves_and_audits(org: Org, login, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    goal = Goal.objects.get(careplan=plan)
    http = login(org.junior)
    url = reverse("careplans:goal_edit", args=[goal.pk])
    assert http.get(url).status_code == 200
    response = http.post(
        url,
        _goal_post(
            status="achieved", outcome_note="No falls in three months", version=str(goal.version)
        ),
    )
    goal.refresh_from_db()
    assert response.status_code == 302
    assert goal.status == "achieved"
    assert goal.outcome_note == "No falls in three months"
    assert AuditEvent.objects.filter(
        action="careplan.goal_updated", target_id=str(goal.pk)
    ).exists()


def test_editing_plan_details_records_agreement(org: Org, login, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    response = login(org.junior).post(
        reverse("careplans:edit", args=[plan.pk]),
        {
            "title": "Safe and well at home",
            "review_due": in_days(30).isoformat(),
            "participants": "Client, daughter, OT",
            "agreed_by": "client",
            "agreed_on": in_days(0).isoformat(),
            "version": str(plan.version),
        },
    )
    plan.refresh_from_db()
    assert response.status_code == 302
    assert plan.title == "Safe and well at home"
    assert plan.agreed_by == "client"
    assert AuditEvent.objects.filter(action="careplan.updated", target_id=str(plan.pk)).exists()


@pytest.mark.parametrize("what", ["plan", "problem", "goal", "intervention"])
def test_edit_conflict_keeps_the_users_text_with_409(
    org: Org, login, build_plan: PlanBuilder, what: str
) -> None:
    plan = build_plan()
    problem = Problem.objects.get(careplan=plan)
    goal = Goal.objects.get(careplan=plan)
    intervention = Intervention.objects.get(careplan=plan)
    mine = "My careful wording after talking with the client"
    if what == "plan":
        url = reverse("careplans:edit", args=[plan.pk])
        data = {
            "title": mine,
            "review_due": in_days(30).isoformat(),
            "participants": "",
            "agreed_by": "",
            "agreed_on": "",
        }
        record = plan
        CarePlan.objects.filter(pk=plan.pk).update(title="Someone else's title", version=99)
    elif what == "problem":
        url = reverse("careplans:problem_edit", args=[problem.pk])
        data = {"description": mine, "detail": "", "status": "active"}
        record = problem
        Problem.objects.filter(pk=problem.pk).update(
            description="Someone else's problem", version=99
        )
    elif what == "goal":
        url = reverse("careplans:goal_edit", args=[goal.pk])
        data = _goal_post(description=mine, outcome_note="")
        record = goal
        Goal.objects.filter(pk=goal.pk).update(description="Someone else's goal", version=99)
    else:
        url = reverse("careplans:intervention_edit", args=[intervention.pk])
        data = {"description": mine, "responsible": "Me", "frequency": "Daily", "status": "planned"}
        record = intervention
        Intervention.objects.filter(pk=intervention.pk).update(
            description="Someone else's intervention", version=99
        )
    data["version"] = str(record.version)
    http = login(org.junior)
    response = http.post(url, data)
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this while you were editing" in body
    assert mine in body
    assert "Someone else&#x27;s" in body
    assert 'name="version" value="99"' in body
    record.refresh_from_db()
    assert record.version == 99
    # Saving again with the current version overwrites deliberately.
    data["version"] = "99"
    again = http.post(url, data)
    assert again.status_code == 302


@pytest.mark.parametrize("field", ["description", "detail"])
def test_nul_character_is_refused_with_400(
    org: Org, login, build_plan: PlanBuilder, field: str
) -> None:
    plan = build_plan()
    data = {"description": "Lonely", "detail": "ok"}
    data[field] = "bad\x00text"
    response = login(org.junior).post(reverse("careplans:problem_create", args=[plan.pk]), data)
    assert response.status_code == 400
    assert "Remove the invalid control character" in response.content.decode()
    assert Problem.objects.filter(careplan=plan).count() == 1


def test_nul_in_publish_reason_and_return_comment_is_refused(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    response = login(org.junior).post(
        reverse("careplans:publish", args=[plan.pk]),
        {"reason": "x\x00", "version": str(plan.version)},
    )
    assert response.status_code == 400
    assert not CarePlanVersion.objects.exists()
    version = _publish(plan, org.junior)
    response = login(org.supervisor).post(
        reverse("careplans:return_version", args=[plan.pk, version.number]),
        {"comment": "x\x00"},
    )
    assert response.status_code == 400
    version.refresh_from_db()
    assert version.cosign_status == CosignStatus.PENDING


# --- publishing, co-sign, return -----------------------------------------------------------


def test_junior_publishes_and_supervisor_cosigns_through_the_pages(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    http = login(org.junior)
    response = http.post(
        reverse("careplans:publish", args=[plan.pk]),
        {"reason": "First plan, agreed with the client", "version": str(plan.version)},
    )
    assert response.status_code == 302
    version = CarePlanVersion.objects.get(careplan=plan)
    assert version.cosign_status == CosignStatus.PENDING
    assert version.cosigner == org.supervisor
    followed = http.get(response["Location"]).content.decode()
    assert "sent to" in followed
    assert "waiting for" in followed
    assert AuditEvent.objects.filter(action="careplan.published", client=org.junior_client).exists()

    # The junior sees the version, but no co-sign form.
    version_url = reverse("careplans:version", args=[plan.pk, 1])
    assert "Return with comment" not in http.get(version_url).content.decode()

    http = login(org.supervisor)
    page = http.get(version_url).content.decode()
    assert "Version 1 — published" in page
    assert "First plan, agreed with the client" in page
    assert "Co-sign" in page
    assert "Return with comment" in page
    response = http.post(reverse("careplans:cosign", args=[plan.pk, 1]))
    assert response.status_code == 302
    assert response["Location"] == reverse("notes:cosign_queue")
    version.refresh_from_db()
    plan.refresh_from_db()
    assert version.cosign_status == CosignStatus.COSIGNED
    assert plan.status == CarePlanStatus.ACTIVE
    assert AuditEvent.objects.filter(action="careplan.cosigned", actor=org.supervisor).exists()


def test_supervisor_returns_a_plan_with_a_comment_the_junior_sees(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    _publish(plan, org.junior)
    http = login(org.supervisor)
    url = reverse("careplans:return_version", args=[plan.pk, 1])
    empty = http.post(url, {"comment": "  "})
    assert empty.status_code == 400
    assert "Say what the author needs to change." in empty.content.decode()
    response = http.post(url, {"comment": "Goal 1 is not measurable: add a target"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == CarePlanStatus.RETURNED
    assert AuditEvent.objects.filter(action="careplan.returned").exists()
    body = login(org.junior).get(reverse("careplans:detail", args=[plan.pk])).content.decode()
    assert "was returned for changes" in body
    assert "Goal 1 is not measurable: add a target" in body
    assert "Publish version 2" in body


def test_non_cosigner_who_sees_the_plan_gets_403_on_cosign(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    _publish(plan, org.junior)
    http = login(org.senior)
    assert (
        "Return with comment"
        not in http.get(reverse("careplans:version", args=[plan.pk, 1])).content.decode()
    )
    response = http.post(reverse("careplans:cosign", args=[plan.pk, 1]))
    assert response.status_code == 403
    response = http.post(reverse("careplans:return_version", args=[plan.pk, 1]), {"comment": "x"})
    assert response.status_code == 403
    assert CarePlanVersion.objects.get().cosign_status == CosignStatus.PENDING


def test_publish_without_a_goal_explains_why_with_400(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    plan = build_plan(with_goal=False)
    response = login(org.junior).post(
        reverse("careplans:publish", args=[plan.pk]),
        {"reason": "Ready", "version": str(plan.version)},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Add at least one problem with a measurable goal" in body
    assert "Ready" in body
    assert not CarePlanVersion.objects.exists()


def test_publish_of_a_plan_changed_meanwhile_is_a_409_keeping_the_reason(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    plan = build_plan()
    loaded_version = plan.version
    services.problem_add(actor=org.supervisor, plan=plan, description="Added by the supervisor")
    response = login(org.junior).post(
        reverse("careplans:publish", args=[plan.pk]),
        {"reason": "My reason for publishing", "version": str(loaded_version)},
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "My reason for publishing" in body
    assert "Added by the supervisor" in body
    assert not CarePlanVersion.objects.exists()


def test_version_page_shows_the_snapshot_not_the_working_copy(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    plan = build_plan(org.supervisor, org.supervisor_client)
    _publish(plan, org.supervisor, "First plan")
    goal = Goal.objects.get(careplan=plan)
    Goal.objects.filter(pk=goal.pk).update(description="Rewritten later")
    http = login(org.supervisor)
    body = http.get(reverse("careplans:version", args=[plan.pk, 1])).content.decode()
    assert "No falls before the summer" in body
    assert "Rewritten later" not in body
    assert "Version 1 — published" in body
    assert "Not required" in body
    event = AuditEvent.objects.get(action="careplan.viewed")
    assert event.detail == {"version": 1}
    assert event.client == org.supervisor_client


def test_unknown_version_number_is_404(org: Org, login, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    response = login(org.junior).get(reverse("careplans:version", args=[plan.pk, 7]))
    assert response.status_code == 404


def test_publish_and_cosign_refuse_get(org: Org, login, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    http = login(org.junior)
    assert http.get(reverse("careplans:publish", args=[plan.pk])).status_code == 405
    assert http.get(reverse("careplans:cosign", args=[plan.pk, 1])).status_code == 405


# --- scope ---------------------------------------------------------------------------------


def _every_url(plan: CarePlan) -> list[tuple[str, str]]:
    problem = Problem.objects.get(careplan=plan)
    goal = Goal.objects.get(careplan=plan)
    intervention = Intervention.objects.get(careplan=plan)
    return [
        ("get", reverse("careplans:create", args=[plan.enrolment_id])),
        ("post", reverse("careplans:create", args=[plan.enrolment_id])),
        ("get", reverse("careplans:detail", args=[plan.pk])),
        ("get", reverse("careplans:edit", args=[plan.pk])),
        ("post", reverse("careplans:edit", args=[plan.pk])),
        ("get", reverse("careplans:problem_create", args=[plan.pk])),
        ("post", reverse("careplans:problem_create", args=[plan.pk])),
        ("get", reverse("careplans:problem_edit", args=[problem.pk])),
        ("post", reverse("careplans:problem_edit", args=[problem.pk])),
        ("get", reverse("careplans:goal_create", args=[problem.pk])),
        ("post", reverse("careplans:goal_create", args=[problem.pk])),
        ("get", reverse("careplans:goal_edit", args=[goal.pk])),
        ("post", reverse("careplans:goal_edit", args=[goal.pk])),
        ("get", reverse("careplans:intervention_create", args=[goal.pk])),
        ("post", reverse("careplans:intervention_create", args=[goal.pk])),
        ("get", reverse("careplans:intervention_edit", args=[intervention.pk])),
        ("post", reverse("careplans:intervention_edit", args=[intervention.pk])),
        ("post", reverse("careplans:publish", args=[plan.pk])),
        ("get", reverse("careplans:version", args=[plan.pk, 1])),
        ("post", reverse("careplans:cosign", args=[plan.pk, 1])),
        ("post", reverse("careplans:return_version", args=[plan.pk, 1])),
    ]


@pytest.mark.parametrize("who", ["other_cm", "senior_other", "admin"])
def test_every_careplan_url_is_404_out_of_scope(
    org: Org, login, build_plan: PlanBuilder, who: str
) -> None:
    plan = build_plan()
    _publish(plan, org.junior)
    http = login(getattr(org, who))
    audit_before = AuditEvent.objects.count()
    for method, url in _every_url(plan):
        response = getattr(http, method)(url, {"comment": "x", "reason": "x", "title": "x"})
        assert response.status_code == 404, (method, url)
    assert AuditEvent.objects.count() == audit_before
    assert CarePlanVersion.objects.get().cosign_status == CosignStatus.PENDING


def test_unknown_ids_are_404(org: Org, login) -> None:
    http = login(org.director)
    missing = uuid.uuid4()
    for name in ["create", "detail", "edit", "problem_create", "problem_edit", "goal_edit"]:
        key = {
            "create": "enrolment_id",
            "problem_edit": "problem_id",
            "goal_edit": "goal_id",
        }.get(name, "plan_id")
        assert http.get(reverse(f"careplans:{name}", kwargs={key: missing})).status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(org: Org, client, build_plan: PlanBuilder) -> None:
    plan = build_plan()
    response = client.get(reverse("careplans:detail", args=[plan.pk]))
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_the_version_page_title_is_the_version_and_the_cosign_form_is_on_the_page_once(
    org: Org, login, build_plan: PlanBuilder
) -> None:
    """Found in a walk-through: the co-signer's <title> held the whole co-sign form, CSRF token
    included (the title block was never closed)."""
    plan = build_plan()
    services.careplan_publish(
        actor=org.junior, plan=plan, reason="First plan", expected_version=plan.version
    )
    page = login(org.supervisor).get(reverse("careplans:version", args=[plan.pk, 1]))
    html = page.content.decode()
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "csrfmiddlewaretoken" not in title
    assert title.startswith(f"Version 1 · Staying safe at home · {org.junior_client}")
    assert html.count(reverse("careplans:cosign", args=[plan.pk, 1])) == 1
    assert html.count('id="cosign-title"') == 1
