"""The coordination demo data: built through the services, idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from caseload.appointments.models import Appointment
from caseload.demo.coordination import seed_coordination_demo
from caseload.directory.models import Service
from caseload.referrals.jobs import referral_followups
from caseload.referrals.models import Referral
from caseload.tasks.models import Task
from caseload.transitions.models import TransitionalCareEpisode
from tests import factories


@pytest.mark.django_db
def test_seed_makes_referrals_appointments_and_an_episode_once(org: Any) -> None:
    enrolments = [
        c.enrolments.get() for c in (org.junior_client, org.supervisor_client, org.other_client)
    ]
    enrolments += [
        factories.EnrolmentFactory(program=org.geriatric, care_manager=org.supervisor)
        for _ in range(8)
    ]
    for enrolment in enrolments:  # every client has a plan goal, whatever order names sort in
        factories.GoalFactory(
            problem=factories.ProblemFactory(
                careplan=factories.CarePlanFactory(
                    enrolment=enrolment, author=enrolment.care_manager
                )
            )
        )
    made = seed_coordination_demo()
    assert made["services"] == Service.objects.count() >= 10
    statuses = sorted(Referral.objects.values_list("status", flat=True))
    assert statuses == ["completed", "draft", "scheduled", "sent", "sent"]
    overdue = [r for r in Referral.objects.all() if r.is_response_overdue]
    assert len(overdue) == 1 and overdue[0].followup_task is None
    # The follow-up task comes from the periodic job, as `make run`'s worker runs it.
    assert referral_followups() == "1 referral follow-up task created"
    overdue[0].refresh_from_db()
    assert overdue[0].followup_task is not None
    completed = Referral.objects.get(status="completed")
    assert completed.goal is not None
    completed.goal.refresh_from_db()
    assert "five meals a week" in completed.goal.outcome_note
    assert Appointment.objects.count() == 7
    assert TransitionalCareEpisode.objects.count() == 1
    tasks = Task.objects.count()
    assert seed_coordination_demo() == {}
    assert Task.objects.count() == tasks
