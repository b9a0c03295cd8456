"""Task pages through HTTP: My tasks, add, change, mark done (with and without htmx), cancel."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.core import clock
from caseload.tasks import services
from caseload.tasks.models import Task, TaskStatus
from caseload.tasks.selectors import task_list_for_client
from tests import factories

pytestmark = pytest.mark.django_db


def _task(org, *, owner=None, client=None, days: int = 0, title: str = "Call the pharmacy"):
    owner = owner or org.junior
    return services.task_create(
        actor=owner,
        client=client or org.junior_client,
        title=title,
        owner=owner,
        due_on=clock.today() + dt.timedelta(days=days),
        priority=3,
    )


def _form(org, **overrides: str) -> dict[str, str]:
    data = {
        "title": "Arrange a home safety visit",
        "description": "",
        "due_on": (clock.today() + dt.timedelta(days=3)).isoformat(),
        "priority": "2",
        "owner": str(org.junior.pk),
        "goal": "",
    }
    data.update(overrides)
    return data


# --- My tasks --------------------------------------------------------------------------------


def test_my_tasks_groups_overdue_today_and_later(org, login):
    _task(org, days=-2, title="Send the referral")
    _task(org, days=0, title="Call Mrs. Lindqvist")
    _task(org, days=5, title="Book the review")
    response = login(org.junior).get(reverse("tasks:mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Send the referral") < html.index("Call Mrs. Lindqvist")
    assert html.index("Call Mrs. Lindqvist") < html.index("Book the review")
    assert "<strong>1</strong> overdue" in html
    assert "<strong>1</strong> due today" in html
    assert "<strong>1</strong> later" in html
    assert ">Overdue</span>" in html
    assert reverse("clients:chart", kwargs={"client_id": org.junior_client.pk}) in html
    for task in Task.objects.all():
        assert f'hx-post="{reverse("tasks:complete", kwargs={"task_id": task.pk})}"' in html


def test_my_tasks_empty_says_so(org, login):
    response = login(org.junior).get(reverse("tasks:mine"))
    assert "No open tasks." in response.content.decode()


def test_my_tasks_query_count_is_bounded(org, login, django_assert_max_num_queries):
    http = login(org.junior)
    for days in (-1, 0, 1):
        _task(org, days=days)
    with django_assert_max_num_queries(20) as baseline:
        http.get(reverse("tasks:mine"))
    for days in range(-5, 6):
        for _ in range(3):
            client = factories.EnrolmentFactory(
                program=org.geriatric, care_manager=org.junior
            ).client
            _task(org, client=client, days=days)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = http.get(reverse("tasks:mine"))
    assert response.content.decode().count("Mark done<span") == 36


def test_supervisor_opens_a_supervisees_tasks(org, login):
    _task(org, title="Junior's task")
    response = login(org.supervisor).get(reverse("tasks:mine"), {"owner": org.junior.pk})
    assert response.status_code == 200
    assert "Junior&#x27;s task" in response.content.decode()
    assert f"Tasks of {org.junior.display_name}" in response.content.decode()


@pytest.mark.parametrize("owner", ["other", "abc"])
def test_tasks_of_someone_outside_supervision_are_not_found(org, login, owner):
    value = str(org.other_cm.pk) if owner == "other" else owner
    response = login(org.junior).get(reverse("tasks:mine"), {"owner": value})
    assert response.status_code == 404


# --- mark done ---------------------------------------------------------------------------------


def test_mark_done_with_htmx_returns_the_row_fragment(org, login):
    task = _task(org)
    response = login(org.junior).post(
        reverse("tasks:complete", kwargs={"task_id": task.pk}),
        {"show_client": "1", "version": str(task.version)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="task-{task.pk}">')
    assert "Done ✓" in html
    assert "<html" not in html
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.completed_by == org.junior
    event = AuditEvent.objects.get(action="task.completed")
    assert event.client == org.junior_client


def test_mark_done_twice_with_htmx_says_already_done(org, login):
    task = _task(org)
    http = login(org.junior)
    url = reverse("tasks:complete", kwargs={"task_id": task.pk})
    listed = {"version": str(task.version)}  # both clicks from the same list
    http.post(url, listed, HTTP_HX_REQUEST="true")
    response = http.post(url, listed, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Already done" in response.content.decode()
    assert AuditEvent.objects.filter(action="task.completed").count() == 1


def test_mark_done_without_js_redirects_back(org, login):
    task = _task(org)
    back = reverse("clients:chart", kwargs={"client_id": org.junior_client.pk})
    response = login(org.junior).post(
        reverse("tasks:complete", kwargs={"task_id": task.pk}),
        {"next": back, "version": str(task.version)},
    )
    assert response.status_code == 302
    assert response["Location"] == back
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_mark_done_ignores_an_outside_next(org, login):
    task = _task(org)
    response = login(org.junior).post(
        reverse("tasks:complete", kwargs={"task_id": task.pk}),
        {"next": "https://evil.example/", "version": str(task.version)},
    )
    assert response["Location"] == reverse("tasks:mine")


def test_mark_done_needs_post(org, login):
    task = _task(org)
    response = login(org.junior).get(reverse("tasks:complete", kwargs={"task_id": task.pk}))
    assert response.status_code == 405


def test_mark_done_refuses_nul_in_the_outcome(org, login):
    task = _task(org)
    response = login(org.junior).post(
        reverse("tasks:complete", kwargs={"task_id": task.pk}),
        {"outcome_note": "a\x00b", "version": str(task.version)},
    )
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


# --- create ----------------------------------------------------------------------------------


def test_add_task_form_defaults_the_owner_to_me(org, login):
    response = login(org.junior).get(
        reverse("tasks:create", kwargs={"client_id": org.junior_client.pk})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{org.junior.pk}" selected>' in html
    assert org.other_cm.display_name not in html


def test_add_task(org, login):
    response = login(org.junior).post(
        reverse("tasks:create", kwargs={"client_id": org.junior_client.pk}),
        _form(org, owner=str(org.supervisor.pk)),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#tasks")
    task = Task.objects.get()
    assert task.title == "Arrange a home safety visit"
    assert task.owner == org.supervisor
    assert task.priority == 2
    assert AuditEvent.objects.filter(action="task.created", client=org.junior_client).exists()


def test_add_task_with_a_goal_from_the_care_plan(org, login):
    enrolment = org.junior_client.enrolments.get()
    goal = factories.GoalFactory(
        problem__careplan__enrolment=enrolment, description="No falls in three months"
    )
    http = login(org.junior)
    url = reverse("tasks:create", kwargs={"client_id": org.junior_client.pk})
    assert "No falls in three months" in http.get(url).content.decode()
    http.post(url, _form(org, goal=str(goal.pk)))
    task = Task.objects.get()
    assert task.goal == goal
    assert task.enrolment == enrolment


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter what needs to be done."),
        ({"title": "Call\x00"}, "invalid control character"),
        ({"due_on": "not a date"}, "Enter a real date"),
        ({"owner": "999999"}, "works with this client"),
    ],
)
def test_add_task_refuses_bad_input_with_400(org, login, overrides, message):
    response = login(org.junior).post(
        reverse("tasks:create", kwargs={"client_id": org.junior_client.pk}),
        _form(org, **overrides),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Task.objects.exists()


def test_owner_outside_the_clients_scope_is_refused(org, login):
    response = login(org.junior).post(
        reverse("tasks:create", kwargs={"client_id": org.junior_client.pk}),
        _form(org, owner=str(org.other_cm.pk)),
    )
    assert response.status_code == 400
    assert not Task.objects.exists()


# --- edit and cancel -------------------------------------------------------------------------


def test_change_a_task(org, login):
    task = _task(org)
    http = login(org.junior)
    url = reverse("tasks:edit", kwargs={"task_id": task.pk})
    assert http.get(url).status_code == 200
    response = http.post(url, _form(org, title="Call the pharmacy about the refill", version="1"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Call the pharmacy about the refill"
    assert task.version == 2
    assert AuditEvent.objects.filter(action="task.updated", client=org.junior_client).exists()


def test_stale_task_edit_is_a_409_keeping_the_text(org, login):
    task = _task(org)
    http = login(org.junior)
    url = reverse("tasks:edit", kwargs={"task_id": task.pk})
    http.post(url, _form(org, title="First save", version="1"))
    response = http.post(url, _form(org, title="Second save", version="1"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Second save" in html
    assert "First save" in html
    assert 'name="version" value="2"' in html


def test_closed_task_is_shown_read_only(org, login):
    task = _task(org)
    services.task_complete(
        actor=org.junior, task=task, outcome_note="Refill ordered.", expected_version=task.version
    )
    http = login(org.junior)
    url = reverse("tasks:edit", kwargs={"task_id": task.pk})
    response = http.get(url)
    assert "can no longer be changed" in response.content.decode()
    assert "Refill ordered." in response.content.decode()
    http.post(url, _form(org, title="Sneaky", version=str(task.version)))
    task.refresh_from_db()
    assert task.title == "Call the pharmacy"


def test_cancel_a_task_with_a_reason(org, login):
    task = _task(org)
    response = login(org.junior).post(
        reverse("tasks:cancel", kwargs={"task_id": task.pk}),
        {"reason": "Client declined.", "version": str(task.version)},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED
    assert task.outcome_note == "Client declined."
    assert AuditEvent.objects.filter(action="task.cancelled", client=org.junior_client).exists()


def test_cancel_without_a_reason_is_refused(org, login):
    task = _task(org)
    response = login(org.junior).post(
        reverse("tasks:cancel", kwargs={"task_id": task.pk}),
        {"reason": "", "version": str(task.version)},
    )
    assert response.status_code == 400
    assert "Say why the task is cancelled." in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


# --- scope -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name"),
    [("get", "edit"), ("post", "edit"), ("post", "complete"), ("post", "cancel")],
)
def test_task_urls_are_not_found_outside_scope(org, login, method, name):
    task = _task(org, owner=org.other_cm, client=org.other_client)
    http = login(org.junior)
    url = reverse(f"tasks:{name}", kwargs={"task_id": task.pk})
    data = {**_form(org, version="1"), "reason": "x"}
    response = http.post(url, data) if method == "post" else http.get(url)
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert task.version == 1


@pytest.mark.parametrize("name", ["edit", "complete", "cancel"])
def test_unknown_task_is_not_found(org, login, name):
    http = login(org.junior)
    url = reverse(f"tasks:{name}", kwargs={"task_id": uuid.uuid4()})
    response = http.get(url) if name == "edit" else http.post(url)
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_add_task_for_a_client_out_of_scope_is_not_found(org, login, method):
    http = login(org.junior)
    url = reverse("tasks:create", kwargs={"client_id": org.other_client.pk})
    response = http.post(url, _form(org)) if method == "post" else http.get(url)
    assert response.status_code == 404
    assert not Task.objects.exists()


def test_non_clinical_staff_have_no_task_list(org, login):
    clerk = factories.UserFactory(username="clerk", career_level="")
    assert login(clerk).get(reverse("tasks:mine")).status_code == 404


# --- chart section -------------------------------------------------------------------------


def test_chart_section_lists_open_tasks_with_htmx_and_plain_form(org, django_assert_num_queries):
    _task(org, days=-1, title="Overdue call")
    _task(org, days=2, title="Later visit", owner=org.supervisor)
    request = RequestFactory().get("/clients/x/")
    request.user = org.junior
    with django_assert_num_queries(1 + 1):  # the scope check, the tasks
        tasks = task_list_for_client(actor=org.junior, client=org.junior_client)
        html = render_to_string(
            "tasks/partials/chart_section.html",
            {"tasks": tasks, "client": org.junior_client},
            request=request,
        )
    assert 'id="tasks"' in html
    assert "Add task" in html
    assert "Overdue call" in html
    assert ">Overdue</span>" in html
    assert org.supervisor.display_name in html
    assert html.count('method="post"') == 2
    assert html.count("hx-post=") == 2
    assert 'name="next" value="/clients/x/"' in html


def test_nul_in_a_cancel_reason_is_refused(org, login):
    task = _task(org)
    response = login(org.junior).post(
        reverse("tasks:cancel", kwargs={"task_id": task.pk}),
        {"reason": "no\x00", "version": str(task.version)},
    )
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
