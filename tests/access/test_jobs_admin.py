"""Background jobs in /admin/: the IT administrator sees the failed jobs with their error, the
periodic schedules and the queue; nobody adds or edits a schedule (that would run any code);
"Run again" queues Caseload's job again and is audited. Directors and care managers see none
of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django_q.models import Failure, OrmQ, Schedule

from caseload.audit.models import AuditEvent
from caseload.core import jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_job() -> Failure:
    try:
        jobs.run("caseload.staff.jobs.clear_expired_sessions", 5, ["unexpected"], {}, 5)
    except jobs.JobFailed as error:
        result = str(error)
    return Failure.objects.create(
        id="a" * 32,
        name="staff.jobs.clear_expired_sessions (attempt 5 of 5)",
        func="caseload.core.jobs.run",
        args=("caseload.staff.jobs.clear_expired_sessions", 5, [], {}, 5),
        kwargs={},
        group="caseload.staff.jobs.clear_expired_sessions",
        result=result,
        started="2026-03-02T09:00:00Z",
        stopped="2026-03-02T09:00:01Z",
        success=False,
    )


def signed_in(user: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_the_administrator_sees_failed_jobs_with_their_error(org: Any, failed_job: Any) -> None:
    http = signed_in(org.admin)
    index = http.get(reverse("admin:index")).content.decode()
    assert "Background jobs" in index and "Failed tasks" in index
    page = http.get(reverse("admin:django_q_failure_changelist")).content.decode()
    assert "staff.jobs.clear_expired_sessions (attempt 5 of 5)" in page
    assert "attempt 5 of 5 failed; giving up: TypeError" in page
    detail = http.get(reverse("admin:django_q_failure_change", args=[failed_job.pk]))
    assert detail.status_code == 200 and "giving up" in detail.content.decode()
    jobs.sync_schedules()
    schedules = http.get(reverse("admin:django_q_schedule_changelist")).content.decode()
    assert "caseload: referral follow-ups" in schedules


def test_nobody_adds_or_edits_a_schedule(org: Any) -> None:
    jobs.sync_schedules()
    schedule = Schedule.objects.get(name="caseload: referral follow-ups")
    http = signed_in(org.admin)
    assert http.get(reverse("admin:django_q_schedule_add")).status_code == 403
    response = http.post(
        reverse("admin:django_q_schedule_change", args=[schedule.pk]),
        {"name": schedule.name, "func": "os.system", "args": "'touch /tmp/x'"},
    )
    assert response.status_code == 403
    schedule.refresh_from_db()
    assert schedule.func == "caseload.core.jobs.run"


def test_run_again_queues_the_job_and_is_audited(org: Any, failed_job: Any) -> None:
    http = signed_in(org.admin)
    response = http.post(
        reverse("admin:django_q_failure_changelist"),
        {"action": "run_again", "_selected_action": [failed_job.pk]},
        follow=True,
    )
    assert "1 job queued to run again." in response.content.decode()
    [queued] = OrmQ.objects.all()
    assert queued.task["args"] == ("caseload.staff.jobs.clear_expired_sessions", 1, [], {}, 5)
    event = AuditEvent.objects.get(action="admin.job_run_again")
    assert event.actor == org.admin and event.detail["job"].endswith("clear_expired_sessions")


@pytest.mark.parametrize("role", ["director", "supervisor", "junior"])
def test_only_administrators_see_the_jobs(org: Any, failed_job: Any, role: str) -> None:
    http = signed_in(org.users()[role])
    response = http.get(reverse("admin:django_q_failure_changelist"))
    assert response.status_code in (302, 403)
    assert "giving up" not in response.content.decode()
