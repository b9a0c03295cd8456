"""Task services and selectors: who may own a task, the open → done / cancelled machine,
derived overdue, and "My tasks" grouping."""

from __future__ import annotations

import datetime as dt

import pytest

from caseload.audit.models import AuditEvent
from caseload.core import clock
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from caseload.tasks import services
from caseload.tasks.models import Task, TaskStatus
from caseload.tasks.selectors import (
    task_list_for_client,
    task_list_for_owner,
    task_owner_choices,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _task(org, *, actor=None, owner=None, client=None, days: int = 0, **kwargs) -> Task:
    actor = actor or org.junior
    return services.task_create(
        actor=actor,
        client=client or org.junior_client,
        title=kwargs.pop("title", "Call the pharmacy"),
        owner=owner or actor,
        due_on=clock.today() + dt.timedelta(days=days),
        priority=kwargs.pop("priority", 3),
        **kwargs,
    )


# --- create ------------------------------------------------------------------------------------


def test_create_opens_a_task_and_audits_it(org):
    task = _task(org, description="  Ask about the refill.  ")
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert task.created_by == org.junior
    assert task.owner == org.junior
    assert task.description == "Ask about the refill."
    event = AuditEvent.objects.get(action="task.created")
    assert event.client == org.junior_client
    assert event.detail["owner"] == "junior"


def test_owner_may_be_staff_who_see_the_client(org):
    assert _task(org, owner=org.supervisor).owner == org.supervisor
    assert _task(org, owner=org.senior).owner == org.senior


@pytest.mark.parametrize("who", ["other_cm", "senior_other", "admin"])
def test_owner_who_cannot_see_the_client_is_refused(org, who):
    with pytest.raises(ValidationFailed) as caught:
        _task(org, owner=getattr(org, who))
    assert "owner" in caught.value.field_errors
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"priority": 9}, "priority"),
        ({"priority": None}, "priority"),
    ],
)
def test_create_refuses_invalid_input(org, kwargs, field):
    with pytest.raises(ValidationFailed) as caught:
        _task(org, **kwargs)
    assert field in caught.value.field_errors


def test_missing_due_date_is_refused(org):
    with pytest.raises(ValidationFailed) as caught:
        services.task_create(
            actor=org.junior, client=org.junior_client, title="x", owner=org.junior, due_on=None
        )
    assert "due_on" in caught.value.field_errors


def test_create_for_a_client_out_of_scope_is_not_found(org):
    with pytest.raises(NotFound):
        _task(org, client=org.other_client)


def test_goal_links_the_task_to_its_enrolment(org):
    enrolment = org.junior_client.enrolments.get()
    goal = factories.GoalFactory(problem__careplan__enrolment=enrolment)
    task = _task(org, goal=goal)
    assert task.goal == goal
    assert task.enrolment == enrolment


def test_goal_of_another_client_is_refused(org):
    goal = factories.GoalFactory(
        problem__careplan__enrolment=org.supervisor_client.enrolments.get()
    )
    with pytest.raises(ValidationFailed) as caught:
        _task(org, actor=org.supervisor, goal=goal)
    assert "goal" in caught.value.field_errors


# --- update ------------------------------------------------------------------------------------


def test_update_changes_fields_and_records_what_changed(org):
    task = _task(org)
    services.task_update(
        actor=org.junior,
        task=task,
        expected_version=1,
        title="Call the pharmacy again",
        owner=org.supervisor,
        due_on=task.due_on,
        priority=1,
    )
    task.refresh_from_db()
    assert (task.title, task.owner, task.priority, task.version) == (
        "Call the pharmacy again",
        org.supervisor,
        1,
        2,
    )
    event = AuditEvent.objects.get(action="task.updated")
    assert sorted(event.detail["changed"]) == ["owner", "priority", "title"]


def test_stale_update_is_a_conflict(org):
    task = _task(org)
    args = {"title": "A", "owner": org.junior, "due_on": task.due_on, "priority": 3}
    services.task_update(actor=org.junior, task=task, expected_version=1, **args)
    with pytest.raises(Conflict) as caught:
        services.task_update(
            actor=org.junior, task=task, expected_version=1, **{**args, "title": "B"}
        )
    assert caught.value.code == "stale_version"
    task.refresh_from_db()
    assert task.title == "A"


def test_keeping_an_owner_who_lost_access_is_allowed(org):
    task = Task.objects.create(
        title="Old task",
        client=org.junior_client,
        owner=org.other_cm,
        created_by=org.junior,
        due_on=clock.today(),
    )
    services.task_update(
        actor=org.junior,
        task=task,
        expected_version=1,
        title="Old task, renamed",
        owner=org.other_cm,
        due_on=task.due_on,
        priority=2,
    )
    task.refresh_from_db()
    assert task.title == "Old task, renamed"


# --- the state machine -----------------------------------------------------------------------


def _in(org, status: str) -> Task:
    task = _task(org)
    Task.objects.filter(pk=task.pk).update(status=status)
    task.refresh_from_db()
    return task


def _act(org, task: Task, action: str) -> None:
    if action == "complete":
        services.task_complete(
            actor=org.junior,
            task=task,
            outcome_note="Refill ordered.",
            expected_version=task.version,
        )
    elif action == "cancel":
        services.task_cancel(
            actor=org.junior, task=task, expected_version=task.version, reason="Client moved."
        )
    else:
        services.task_update(
            actor=org.junior,
            task=task,
            expected_version=task.version,
            title="Changed",
            owner=org.junior,
            due_on=task.due_on,
            priority=3,
        )


TRANSITIONS: dict[tuple[str, str], str | None] = {
    ("open", "complete"): "done",
    ("open", "cancel"): "cancelled",
    ("open", "update"): "open",
    ("done", "complete"): None,
    ("done", "cancel"): None,
    ("done", "update"): None,
    ("cancelled", "complete"): None,
    ("cancelled", "cancel"): None,
    ("cancelled", "update"): None,
}


@pytest.mark.parametrize(("state", "action"), list(TRANSITIONS))
def test_task_state_machine(org, state, action):
    task = _in(org, state)
    expected = TRANSITIONS[(state, action)]
    if expected is None:
        with pytest.raises(Conflict):
            _act(org, task, action)
        task.refresh_from_db()
        assert task.status == state
    else:
        _act(org, task, action)
        task.refresh_from_db()
        assert task.status == expected


def test_complete_records_who_when_and_outcome(org):
    task = _task(org)
    services.task_complete(
        actor=org.supervisor,
        task=task,
        outcome_note="Done by phone.",
        expected_version=task.version,
    )
    task.refresh_from_db()
    assert task.completed_by == org.supervisor
    assert task.completed_at is not None
    assert task.outcome_note == "Done by phone."
    event = AuditEvent.objects.get(action="task.completed")
    assert event.client == org.junior_client


def test_cancel_needs_a_reason_and_keeps_it(org):
    task = _task(org)
    with pytest.raises(ValidationFailed):
        services.task_cancel(
            actor=org.junior, task=task, expected_version=task.version, reason="  "
        )
    services.task_cancel(
        actor=org.junior,
        task=task,
        expected_version=task.version,
        reason="Duplicate of another task.",
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED
    assert task.outcome_note == "Duplicate of another task."
    assert AuditEvent.objects.filter(action="task.cancelled").count() == 1


def test_out_of_scope_actor_cannot_touch_a_task(org):
    task = _task(org)
    with pytest.raises(NotFound):
        services.task_complete(actor=org.other_cm, task=task, expected_version=task.version)
    with pytest.raises(NotFound):
        services.task_cancel(
            actor=org.other_cm, task=task, expected_version=task.version, reason="x"
        )
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


# --- overdue is derived ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "status", "overdue", "today"),
    [
        (-1, "open", True, False),
        (0, "open", False, True),
        (1, "open", False, False),
        (-1, "done", False, False),
        (-1, "cancelled", False, False),
    ],
)
def test_overdue_is_derived_from_today_and_status(org, days, status, overdue, today):
    task = Task(
        title="x",
        client=org.junior_client,
        owner=org.junior,
        created_by=org.junior,
        due_on=clock.today() + dt.timedelta(days=days),
        status=status,
    )
    assert task.is_overdue is overdue
    assert task.is_due_today is today


def test_overdue_follows_the_clock(org, monkeypatch):
    task = _task(org, days=1)
    assert not task.is_overdue
    later = clock.now() + dt.timedelta(days=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert task.is_overdue


# --- selectors -------------------------------------------------------------------------------


def test_my_tasks_are_grouped_with_counts(org):
    _task(org, days=-3, title="Overdue one")
    _task(org, days=-1, title="Overdue two")
    _task(org, days=0, title="Today")
    _task(org, days=4, title="Later")
    done = _task(org, days=-5, title="Done already")
    services.task_complete(actor=org.junior, task=done, expected_version=done.version)
    _task(org, actor=org.supervisor, owner=org.supervisor, title="Not mine")
    mine = task_list_for_owner(actor=org.junior)
    assert [t.title for t in mine.overdue] == ["Overdue one", "Overdue two"]
    assert [t.title for t in mine.today] == ["Today"]
    assert [t.title for t in mine.later] == ["Later"]
    assert (mine.overdue_count, mine.today_count, mine.later_count, mine.total) == (2, 1, 1, 4)


def test_my_tasks_leave_out_clients_no_longer_in_scope(org):
    Task.objects.create(
        title="Left behind",
        client=org.other_client,
        owner=org.junior,
        created_by=org.other_cm,
        due_on=clock.today(),
    )
    assert task_list_for_owner(actor=org.junior).total == 0


def test_supervisor_may_open_a_supervisees_tasks_but_others_may_not(org):
    _task(org)
    assert task_list_for_owner(actor=org.supervisor, owner=org.junior).total == 1
    with pytest.raises(NotFound):
        task_list_for_owner(actor=org.other_cm, owner=org.junior)


def test_client_tasks_are_open_ones_by_due_date_then_priority(org):
    _task(org, days=2, priority=1, title="C")
    _task(org, days=1, priority=3, title="B")
    _task(org, days=1, priority=1, title="A")
    closed = _task(org, days=0, title="Closed")
    services.task_cancel(
        actor=org.junior, task=closed, expected_version=closed.version, reason="Not needed"
    )
    titles = [t.title for t in task_list_for_client(actor=org.junior, client=org.junior_client)]
    assert titles == ["A", "B", "C"]
    assert task_list_for_client(actor=org.other_cm, client=org.junior_client) == []


def test_owner_choices_are_staff_who_see_the_client(org):
    team = factories.UserFactory(username="team-nurse", career_level="care_manager")
    factories.CareTeamMemberFactory(
        enrolment=org.junior_client.enrolments.get(), staff=team, external_name=""
    )
    names = set(
        task_owner_choices(actor=org.junior, client=org.junior_client).values_list(
            "username", flat=True
        )
    )
    assert names == {"junior", "supervisor", "senior", "team-nurse"}
    for username in names - {"junior"}:
        user = next(u for u in [org.supervisor, org.senior, team] if u.username == username)
        assert _task(org, owner=user).owner == user


def test_update_keeps_the_goal_unless_told_otherwise(org):
    enrolment = org.junior_client.enrolments.get()
    goal = factories.GoalFactory(problem__careplan__enrolment=enrolment)
    task = _task(org, goal=goal)
    same = {"title": "Renamed", "owner": org.junior, "due_on": task.due_on, "priority": 3}
    services.task_update(actor=org.junior, task=task, expected_version=1, **same)
    task.refresh_from_db()
    assert task.goal == goal
    services.task_update(actor=org.junior, task=task, expected_version=2, goal=None, **same)
    task.refresh_from_db()
    assert task.goal is None
    assert task.enrolment == enrolment
