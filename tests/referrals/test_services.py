"""Referrals: deadlines by urgency, follow-up tasks, consent, write-back to the plan, reopening."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from caseload.audit.models import AuditEvent
from caseload.careplans.models import CarePlanStatus, InterventionStatus
from caseload.consents.models import Consent
from caseload.consents.services import consent_revoke
from caseload.core import clock
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from caseload.referrals import services
from caseload.referrals.models import Referral, ReferralEvent
from caseload.tasks.models import Task, TaskStatus
from tests import factories
from tests.referrals.conftest import give_provider_consent, goal_for, make_referral

D = dt.date.fromisoformat


def _draft(org: Any, meals: Any, *, consent: bool = True, **kwargs: Any) -> Referral:
    if consent:
        give_provider_consent(org.junior_client, org.junior, meals.organisation.name)
    defaults: dict[str, Any] = {
        "actor": org.junior,
        "client": org.junior_client,
        "enrolment": org.junior_client.enrolments.first(),
        "service": meals,
        "reason": "Food insecurity",
        "urgency": "routine",
        "shared_fields": ["name", "reason"],
    }
    defaults.update(kwargs)
    return services.referral_create(**defaults)


def _send(org: Any, referral: Referral) -> Referral:
    return services.referral_transition(
        actor=org.junior, referral=referral, to_status="sent", expected_version=referral.version
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("urgency", "sent", "due"),
    [
        ("routine", "2026-03-06 10:00", "2026-03-11"),  # Friday + 3 business days → Wednesday
        ("soon", "2026-03-06 10:00", "2026-03-10"),
        ("urgent", "2026-03-06 10:00", "2026-03-09"),
        ("routine", "2026-05-22 10:00", "2026-05-28"),  # over Memorial Day
    ],
)
def test_sending_sets_the_response_deadline_in_business_days(
    org: Any, meals: Any, pin: Any, urgency: str, sent: str, due: str
) -> None:
    pin(sent)
    referral = _send(org, _draft(org, meals, urgency=urgency))
    assert referral.sent_on == D(sent[:10])
    assert referral.response_due_on == D(due)
    assert AuditEvent.objects.filter(
        action="referral.transitioned", client=org.junior_client
    ).exists()


@pytest.mark.django_db
def test_a_referral_cannot_be_sent_without_a_consent_record(org: Any, meals: Any) -> None:
    referral = _draft(org, meals, consent=False)
    with pytest.raises(ValidationFailed) as caught:
        _send(org, referral)
    assert caught.value.field_errors["to_status"] == [
        f"{org.junior_client.full_name} has no current consent to share information with "
        "Home-delivered meals (Eastside Meals on Wheels). Record the client's consent first."
    ]
    referral.refresh_from_db()
    assert (referral.status, referral.consent) == ("draft", None)


@pytest.mark.django_db
def test_sending_records_the_consent_that_allowed_it(org: Any, meals: Any) -> None:
    referral = _send(org, _draft(org, meals))
    assert referral.consent is not None
    assert referral.consent.provider_name == "Eastside Meals on Wheels"


@pytest.mark.django_db
def test_a_consent_too_narrow_for_what_is_ticked_refuses_sending(org: Any, meals: Any) -> None:
    give_provider_consent(
        org.junior_client, org.junior, "Home-delivered meals", categories=["contact"]
    )
    referral = _draft(org, meals, consent=False, shared_fields=["name", "goal"])
    with pytest.raises(ValidationFailed) as caught:
        _send(org, referral)
    assert "does not cover care plan" in caught.value.field_errors["to_status"][0]


@pytest.mark.django_db
def test_an_expired_or_revoked_consent_does_not_allow_sending(org: Any, meals: Any) -> None:
    expired = give_provider_consent(
        org.junior_client,
        org.junior,
        "Eastside Meals on Wheels",
        given_on=clock.today() - dt.timedelta(days=400),
    )
    Consent.objects.filter(pk=expired.pk).update(expires_on=clock.today() - dt.timedelta(days=1))
    revoked = give_provider_consent(org.junior_client, org.junior, "Eastside Meals on Wheels")
    consent_revoke(actor=org.junior, consent=revoked, reason="Does not want meals after all")
    with pytest.raises(ValidationFailed):
        _send(org, _draft(org, meals, consent=False))


@pytest.mark.django_db
def test_a_service_not_accepting_referrals_cannot_be_sent_to(org: Any, meals: Any) -> None:
    referral = _draft(org, meals)
    meals.accepting_referrals = False
    meals.save()
    with pytest.raises(ValidationFailed, match="not accepting referrals"):
        _send(org, referral)


@pytest.mark.django_db
def test_referral_needs_a_service_or_a_named_provider_and_an_open_enrolment(org: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.referral_create(
            actor=org.junior,
            client=org.junior_client,
            enrolment=org.other_client.enrolments.first(),
            reason="",
            urgency="whenever",
        )
    assert set(caught.value.field_errors) == {"enrolment", "service", "reason", "urgency"}


@pytest.mark.django_db
def test_out_of_scope_client_is_not_found(org: Any, meals: Any) -> None:
    with pytest.raises(NotFound):
        _draft(org, meals, actor=org.other_cm)


@pytest.mark.django_db
def test_stale_version_is_a_conflict(org: Any, meals: Any) -> None:
    referral = _draft(org, meals)
    _send(org, referral)
    with pytest.raises(Conflict) as caught:
        services.referral_transition(
            actor=org.junior, referral=referral, to_status="received", expected_version=1
        )
    assert caught.value.code == "stale"


@pytest.mark.django_db
def test_closing_needs_an_outcome(org: Any, meals: Any) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="scheduled"
    )
    with pytest.raises(ValidationFailed) as caught:
        services.referral_transition(
            actor=org.junior, referral=referral, to_status="completed", expected_version=1
        )
    assert "note" in caught.value.field_errors


@pytest.mark.django_db
def test_scheduling_needs_the_start(org: Any, meals: Any) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="accepted"
    )
    with pytest.raises(ValidationFailed) as caught:
        services.referral_transition(
            actor=org.junior, referral=referral, to_status="scheduled", expected_version=1
        )
    assert "scheduled_for" in caught.value.field_errors


# --- follow-up tasks --------------------------------------------------------------------------


@pytest.mark.django_db
def test_tick_creates_one_follow_up_task_when_the_deadline_passes(
    org: Any, meals: Any, pin: Any
) -> None:
    pin("2026-03-06 10:00")  # Friday: routine → answer due Wednesday 11 March
    referral = _send(org, _draft(org, meals))
    pin("2026-03-11 18:00")  # the deadline day itself: not overdue yet
    assert services.referral_followups_create(actor=org.director) == []
    pin("2026-03-12 08:00")
    call_command("coordination_tick")
    call_command("coordination_tick")  # idempotent
    referral.refresh_from_db()
    tasks = Task.objects.filter(client=org.junior_client, title__startswith="Chase referral")
    assert tasks.count() == 1
    task = tasks.get()
    assert referral.followup_task == task
    assert (task.owner, task.due_on, task.priority) == (org.junior, D("2026-03-12"), 2)
    assert ReferralEvent.objects.filter(referral=referral, kind="followup").count() == 1
    assert AuditEvent.objects.filter(action="referral.followup_created").count() == 1


@pytest.mark.django_db
def test_follow_up_task_is_done_when_the_service_answers(org: Any, meals: Any, pin: Any) -> None:
    pin("2026-03-06 10:00")
    referral = _send(org, _draft(org, meals))
    pin("2026-03-12 08:00")
    services.referral_followups_create(actor=org.director)
    referral.refresh_from_db()
    services.referral_transition(
        actor=org.junior, referral=referral, to_status="accepted", expected_version=referral.version
    )
    task = Task.objects.get(pk=referral.followup_task_id)
    assert task.status == TaskStatus.DONE
    assert "accepted" in task.outcome_note


@pytest.mark.django_db
def test_answered_or_draft_referrals_get_no_follow_up(org: Any, meals: Any, pin: Any) -> None:
    pin("2026-03-02 10:00")
    make_referral(
        client=org.junior_client,
        owner=org.junior,
        service=meals,
        status="accepted",
        response_due_on=D("2026-03-03"),
    )
    make_referral(client=org.junior_client, owner=org.junior, service=meals, status="draft")
    pin("2026-03-20 10:00")
    assert services.referral_followups_create(actor=org.director) == []


# --- outcome written back to the care plan --------------------------------------------------


def _close(org: Any, referral: Referral, status: str, note: str) -> Referral:
    return services.referral_transition(
        actor=org.junior,
        referral=referral,
        to_status=status,
        expected_version=referral.version,
        note=note,
    )


@pytest.mark.django_db
def test_closing_writes_the_outcome_on_the_linked_goal(org: Any, meals: Any) -> None:
    goal = goal_for(org.junior_client, org.junior)
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="scheduled", goal=goal
    )
    closed = _close(org, referral, "completed", "Delivery started five days a week.")
    goal.refresh_from_db()
    assert "Home-delivered meals" in goal.outcome_note
    assert "completed" in goal.outcome_note
    assert "Delivery started five days a week." in goal.outcome_note
    assert closed.writeback_note.startswith("Outcome recorded on the care plan goal")
    assert AuditEvent.objects.filter(
        action="careplan.goal_updated", target_id=str(goal.pk)
    ).exists()


@pytest.mark.django_db
def test_earlier_goal_outcomes_are_kept(org: Any, meals: Any) -> None:
    goal = goal_for(org.junior_client, org.junior, outcome_note="Pantry visits began in May.")
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="received", goal=goal
    )
    _close(org, referral, "declined", "Waiting list is full.")
    goal.refresh_from_db()
    first, second = goal.outcome_note.splitlines()
    assert first == "Pantry visits began in May."
    assert "declined" in second and "Waiting list is full." in second


@pytest.mark.django_db
def test_completed_referral_completes_its_intervention_and_notes_the_goal(
    org: Any, meals: Any
) -> None:
    goal = goal_for(org.junior_client, org.junior)
    intervention = factories.InterventionFactory(goal=goal, careplan=goal.careplan)
    referral = make_referral(
        client=org.junior_client,
        owner=org.junior,
        service=meals,
        status="scheduled",
        intervention=intervention,
    )
    _close(org, referral, "completed", "Meals started.")
    intervention.refresh_from_db()
    goal.refresh_from_db()
    assert intervention.status == InterventionStatus.COMPLETED
    assert "Meals started." in goal.outcome_note


@pytest.mark.django_db
def test_closed_plan_is_not_changed_and_the_referral_says_why(org: Any, meals: Any) -> None:
    goal = goal_for(org.junior_client, org.junior)
    goal.careplan.status = CarePlanStatus.CLOSED
    goal.careplan.save()
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="scheduled", goal=goal
    )
    closed = _close(org, referral, "completed", "Meals started.")
    goal.refresh_from_db()
    assert goal.outcome_note == ""
    assert closed.status == "completed"
    assert closed.writeback_note.startswith("Not written to the care plan:")


@pytest.mark.django_db
def test_cancelling_a_draft_writes_nothing_to_the_plan(org: Any, meals: Any) -> None:
    goal = goal_for(org.junior_client, org.junior)
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="draft", goal=goal
    )
    _close(org, referral, "cancelled", "Made by mistake.")
    goal.refresh_from_db()
    assert goal.outcome_note == ""


# --- reopening --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reopening_needs_a_reason(org: Any, meals: Any) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="declined"
    )
    with pytest.raises(ValidationFailed) as caught:
        services.referral_reopen(
            actor=org.junior, referral=referral, reason=" ", expected_version=1
        )
    assert "reason" in caught.value.field_errors


@pytest.mark.django_db
def test_reopening_to_awaiting_an_answer_starts_a_new_deadline(
    org: Any, meals: Any, pin: Any
) -> None:
    pin("2026-03-16 09:00")  # Monday
    goal = goal_for(org.junior_client, org.junior)
    referral = make_referral(
        client=org.junior_client,
        owner=org.junior,
        service=meals,
        status="declined",
        goal=goal,
        response_due_on=D("2026-03-05"),
    )
    reopened = services.referral_reopen(
        actor=org.junior, referral=referral, reason="They found a place.", expected_version=1
    )
    assert reopened.status == "received"
    assert reopened.response_due_on == D("2026-03-19")
    assert reopened.followup_task is None
    goal.refresh_from_db()
    assert "reopened" in goal.outcome_note and "They found a place." in goal.outcome_note
    assert AuditEvent.objects.filter(action="referral.reopened").count() == 1
