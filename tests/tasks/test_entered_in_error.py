"""Tasks entered in error: the service's rules, left out of My tasks, the chart and every count,
kept and marked on their own page, audited, 404 out of scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.core import clock
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from caseload.tasks import services
from caseload.tasks.models import Task, TaskStatus
from caseload.tasks.selectors import (
    task_list_for_client,
    task_list_for_owner,
    tasks_entered_in_error_for_client,
)

pytestmark = pytest.mark.django_db

REASON = "Created for the wrong client"


def _task(org, *, days: int = 0, title: str = "Call the pharmacy", client=None) -> Task:
    return services.task_create(
        actor=org.junior,
        client=client or org.junior_client,
        title=title,
        owner=org.junior,
        due_on=clock.today() + dt.timedelta(days=days),
        priority=3,
    )


def _url(task: Task) -> str:
    return reverse("tasks:task_entered_in_error", kwargs={"task_id": task.pk})


def _edit(task: Task) -> str:
    return reverse("tasks:edit", kwargs={"task_id": task.pk})


# --- the service ------------------------------------------------------------------------------


def test_marking_a_task_keeps_its_status_records_who_when_why_and_audits(org):
    task = _task(org)
    services.task_mark_entered_in_error(
        actor=org.supervisor, task=task, reason=f" {REASON} ", expected_version=task.version
    )
    stored = Task.objects.get(pk=task.pk)
    assert stored.is_entered_in_error
    assert (stored.entered_in_error_by, stored.entered_in_error_reason) == (org.supervisor, REASON)
    assert stored.status == TaskStatus.OPEN
    assert stored.version == 2
    assert task.is_entered_in_error
    event = AuditEvent.objects.get(action="task.entered_in_error")
    assert (event.client, event.actor, event.target_id) == (
        org.junior_client,
        org.supervisor,
        str(task.pk),
    )
    assert event.detail == {"reason": REASON, "status": "open"}


def test_a_done_task_can_be_marked_too(org):
    task = _task(org)
    services.task_complete(actor=org.junior, task=task, expected_version=task.version)
    services.task_mark_entered_in_error(
        actor=org.junior, task=task, reason=REASON, expected_version=task.version
    )
    stored = Task.objects.get(pk=task.pk)
    assert (stored.status, stored.is_entered_in_error) == (TaskStatus.DONE, True)


def test_a_task_out_of_scope_is_not_found(org):
    task = _task(org)
    for actor in (org.other_cm, org.admin):
        with pytest.raises(NotFound):
            services.task_mark_entered_in_error(
                actor=actor, task=task, reason=REASON, expected_version=task.version
            )
    assert not Task.objects.get(pk=task.pk).is_entered_in_error


@pytest.mark.parametrize("reason", ["", "   ", "bad\x00reason", "x" * 2001])
def test_a_task_needs_a_storable_reason(org, reason):
    task = _task(org)
    with pytest.raises(ValidationFailed) as caught:
        services.task_mark_entered_in_error(
            actor=org.junior, task=task, reason=reason, expected_version=task.version
        )
    assert list(caught.value.field_errors) == ["reason"]
    assert not Task.objects.get(pk=task.pk).is_entered_in_error


def test_a_task_entered_in_error_is_final(org):
    task = _task(org)
    services.task_mark_entered_in_error(
        actor=org.junior, task=task, reason=REASON, expected_version=task.version
    )
    with pytest.raises(Conflict):
        services.task_mark_entered_in_error(
            actor=org.junior, task=task, reason="Again", expected_version=task.version
        )
    with pytest.raises(Conflict):
        services.task_complete(actor=org.junior, task=task, expected_version=task.version)
    with pytest.raises(Conflict):
        services.task_cancel(
            actor=org.junior, task=task, expected_version=task.version, reason="No longer needed"
        )
    with pytest.raises(Conflict):
        services.task_update(
            actor=org.junior,
            task=task,
            expected_version=task.version,
            title="Changed",
            owner=org.junior,
            due_on=clock.today(),
            priority=3,
        )
    stored = Task.objects.get(pk=task.pk)
    assert (stored.status, stored.title) == (TaskStatus.OPEN, "Call the pharmacy")


# --- hidden from normal views -----------------------------------------------------------------


def test_my_tasks_leave_the_task_out_of_rows_and_counts(org, login):
    kept = _task(org, days=-2, title="Kept overdue task")
    wrong = _task(org, days=-2, title="Wrong overdue task")
    wrong_today = _task(org, title="Wrong today task")
    for task in (wrong, wrong_today):
        services.task_mark_entered_in_error(
            actor=org.junior, task=task, reason=REASON, expected_version=task.version
        )
    mine = task_list_for_owner(actor=org.junior)
    assert (mine.overdue_count, mine.today_count, mine.later_count) == (1, 0, 0)
    assert mine.overdue == [kept]
    html = login(org.junior).get(reverse("tasks:mine")).content.decode()
    assert "Kept overdue task" in html
    assert "Wrong overdue task" not in html
    assert "Wrong today task" not in html


def test_the_chart_leaves_the_task_out_and_discloses_it_with_the_reason(org, login):
    _task(org, title="Kept task")
    wrong = _task(org, title="Wrong task")
    services.task_mark_entered_in_error(
        actor=org.junior, task=wrong, reason=REASON, expected_version=wrong.version
    )
    assert [t.title for t in task_list_for_client(actor=org.junior, client=org.junior_client)] == [
        "Kept task"
    ]
    assert tasks_entered_in_error_for_client(actor=org.junior, client=org.junior_client) == [wrong]
    assert tasks_entered_in_error_for_client(actor=org.other_cm, client=org.junior_client) == []
    html = login(org.junior).get(reverse("clients:chart", args=[org.junior_client.pk]))
    html = html.content.decode()
    table = html.split('id="tasks-heading"')[1].split("</table>")[0]
    assert "Kept task" in table
    assert "Wrong task" not in table
    assert "1 task entered in error" in html
    assert f"Entered in error</span> — {REASON}, by {org.junior.display_name}" in html


# --- the task's own page ----------------------------------------------------------------------


def test_the_task_page_shows_it_marked_read_only(org, login):
    task = _task(org, title="Wrong task")
    services.task_mark_entered_in_error(
        actor=org.supervisor, task=task, reason=REASON, expected_version=task.version
    )
    http = login(org.junior)
    response = http.get(_edit(task))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Entered in error</strong> — {REASON}, by {org.supervisor.display_name} on" in html
    assert reverse("tasks:complete", kwargs={"task_id": task.pk}) not in html
    assert 'name="title"' not in html
    assert _url(task) not in html
    posted = http.post(_edit(task), {"title": "Changed", "version": str(task.version)})
    assert posted.status_code == 200
    assert Task.objects.get(pk=task.pk).title == "Wrong task"


def test_marking_done_in_place_says_the_task_was_entered_in_error(org, login):
    task = _task(org)
    listed = task.version  # the list was loaded before someone marked it
    services.task_mark_entered_in_error(
        actor=org.junior, task=task, reason=REASON, expected_version=task.version
    )
    response = login(org.junior).post(
        reverse("tasks:complete", kwargs={"task_id": task.pk}),
        {"version": str(listed)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Entered in error" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_the_task_page_links_to_the_confirmation(org, login):
    task = _task(org)
    assert _url(task) in login(org.junior).get(_edit(task)).content.decode()


def test_the_confirmation_explains_and_is_audited(org, login):
    task = _task(org, title="Call the pharmacy")
    response = login(org.junior).get(_url(task))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mark as entered in error" in html and "Call the pharmacy" in html
    assert "stays in the history" in html
    event = AuditEvent.objects.get(action="task.viewed")
    assert (event.client, event.detail) == (org.junior_client, {"page": "entered_in_error"})


def test_posting_a_reason_marks_the_task_and_returns_to_the_chart(org, login):
    task = _task(org)
    response = login(org.junior).post(_url(task), {"reason": REASON, "version": task.version})
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:chart", args=[org.junior_client.pk]) + "#tasks"
    assert Task.objects.get(pk=task.pk).entered_in_error_reason == REASON


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say why this record is entered in error."),
        ("bad\x00reason", "Remove the invalid control character from this text."),
    ],
)
def test_the_form_refuses_a_missing_or_nul_reason(org, login, reason, message):
    task = _task(org)
    response = login(org.junior).post(_url(task), {"reason": reason})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Task.objects.get(pk=task.pk).is_entered_in_error


def test_marking_twice_through_the_page_says_so(org, login):
    task = _task(org)
    http = login(org.junior)
    http.post(_url(task), {"reason": REASON, "version": task.version})
    response = http.post(_url(task), {"reason": "Again", "version": task.version}, follow=True)
    assert "already marked entered in error" in response.content.decode()
    assert AuditEvent.objects.filter(action="task.entered_in_error").count() == 1


def test_a_task_changed_since_the_page_showed_it_is_shown_again_not_marked(org, login):
    task = _task(org)
    http = login(org.junior)
    page = http.get(_url(task)).content.decode()
    assert f'name="version" value="{task.version}"' in page
    Task.objects.filter(pk=task.pk).update(title="Renamed meanwhile", version=task.version + 1)
    response = http.post(_url(task), {"reason": REASON, "version": task.version}, follow=True)
    assert response.redirect_chain[-1][0] == _url(task)
    html = response.content.decode()
    assert "Someone else changed this task since you opened it." in html
    assert "Renamed meanwhile" in html  # the confirmation shows the task as it is now
    assert not Task.objects.get(pk=task.pk).is_entered_in_error
    without = http.post(_url(task), {"reason": REASON}, follow=True)  # a form from before
    assert "no longer shows the task as it is now" in without.content.decode()
    assert not Task.objects.get(pk=task.pk).is_entered_in_error


def test_the_confirmation_is_not_found_out_of_scope(org, login):
    task = _task(org)
    for who in (org.other_cm, org.senior_other, org.admin):
        http = login(who)
        assert http.get(_url(task)).status_code == 404
        assert http.post(_url(task), {"reason": REASON}).status_code == 404
    assert not Task.objects.get(pk=task.pk).is_entered_in_error
