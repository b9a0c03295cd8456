"""Every state-changing action names the version it was made against (issue 10, item 5).

A sign, co-sign, return or "mark done" sent without a ``version``, or with one that is not plain
ASCII digits, is refused with the page shown again (400) — never "sign whatever is there now".
A stale version is a conflict (409) that shows what changed and keeps what the user wrote. Twenty
people completing one task at the same moment: one completes it, the nineteen others are told
who did, and get the outcome they wrote back.
"""

from __future__ import annotations

import datetime as dt
import inspect
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.core import clock
from caseload.core.forms import VERSION_REQUIRED
from caseload.core.models import CosignStatus
from caseload.notes import services as note_services
from caseload.notes.models import NoteStatus, ProgressNote
from caseload.staff.models import CareerLevel
from caseload.tasks import services as task_services
from caseload.tasks.models import Task, TaskStatus
from tests import factories
from tests.notes.helpers import make_note, note_kwargs

#: What a hidden version field may not be: missing, empty, not a number, a number Python's
#: int() reads but no form should (underscores, other scripts' digits), zero, negative, huge.
MALFORMED = [None, "", "abc", "1_0", "٣", "0", "-1", "1.0", " 1 2", "99999999999999999999"]


def _post(data: dict[str, str], version: str | None) -> dict[str, str]:
    return data if version is None else {**data, "version": version}


def _message_shown(response: Any) -> bool:
    # The page escapes apostrophes and the like; the message has none, but compare escaped.
    return VERSION_REQUIRED in response.content.decode()


# --- sign, co-sign, return ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("version", MALFORMED)
def test_signing_without_a_well_formed_version_is_refused_and_signs_nothing(
    org: Any, login: Any, version: str | None
) -> None:
    note = make_note(org.supervisor, org.supervisor_client)
    response = login(org.supervisor).post(
        reverse("notes:sign", kwargs={"note_id": note.pk}), _post({}, version)
    )
    assert response.status_code == 400
    assert _message_shown(response)
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT
    assert not AuditEvent.objects.filter(action="note.signed").exists()


@pytest.mark.django_db
def test_signing_a_draft_changed_in_another_tab_is_a_conflict_that_shows_it(
    org: Any, login: Any
) -> None:
    note = make_note(org.supervisor, org.supervisor_client, narrative="Called; no answer.")
    read = note.version  # the author opens the note ...
    note_services.note_update(  # ... and changes it in another tab
        actor=org.supervisor,
        note=note,
        expected_version=read,
        **note_kwargs(narrative="Called; spoke with her daughter about the new inhaler."),
    )
    response = login(org.supervisor).post(
        reverse("notes:sign", kwargs={"note_id": note.pk}), {"version": str(read)}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed in another window or tab" in html
    assert "Nothing was changed" in html
    assert "spoke with her daughter about the new inhaler" in html  # the draft as it is now
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT
    # Signing what is now on the page works.
    response = login(org.supervisor).post(
        reverse("notes:sign", kwargs={"note_id": note.pk}), {"version": str(note.version)}
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED


@pytest.mark.django_db
@pytest.mark.parametrize("version", [None, "abc", "1_0"])
def test_cosigning_without_a_well_formed_version_is_refused(
    org: Any, login: Any, version: str | None
) -> None:
    note = make_note(org.junior, org.junior_client, sign=True)
    response = login(org.supervisor).post(
        reverse("notes:cosign", kwargs={"note_id": note.pk}), _post({}, version)
    )
    assert response.status_code == 400
    assert _message_shown(response)
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING


@pytest.mark.django_db
def test_cosigning_a_stale_version_is_a_conflict(org: Any, login: Any) -> None:
    note = make_note(org.junior, org.junior_client, sign=True)
    response = login(org.supervisor).post(
        reverse("notes:cosign", kwargs={"note_id": note.pk}), {"version": str(note.version - 1)}
    )
    assert response.status_code == 409
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("version", [None, "x", "٣"])
def test_returning_without_a_version_keeps_the_comment_and_returns_nothing(
    org: Any, login: Any, version: str | None
) -> None:
    note = make_note(org.junior, org.junior_client, sign=True)
    response = login(org.supervisor).post(
        reverse("notes:return_note", kwargs={"note_id": note.pk}),
        _post({"comment": "Say who else was on the call."}, version),
    )
    assert response.status_code == 400
    assert "Say who else was on the call.</textarea>" in response.content.decode()
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING


def test_the_services_refuse_to_act_without_the_version_read() -> None:
    """No service behind a sign, co-sign, return or "mark done" has a "don't check" default."""
    for service in (
        note_services.note_sign,
        note_services.note_cosign,
        note_services.note_return,
        task_services.task_complete,
        task_services.task_cancel,
    ):
        parameter = inspect.signature(service).parameters["expected_version"]
        assert parameter.default is inspect.Parameter.empty, service.__name__
        assert parameter.annotation in ("int", int), service.__name__


# --- twenty people completing one task ---------------------------------------------------------


def _colleagues(org: Any, count: int) -> list[Any]:
    """``count`` senior care managers of the junior client's program: all see the task."""
    people = []
    for number in range(count):
        person = factories.UserFactory(
            username=f"colleague-{number:02d}", career_level=CareerLevel.SENIOR
        )
        person.programs.add(org.geriatric)
        people.append(person)
    return people


def _signed_in(user: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    session = http.session
    session["signed_in_at"] = session["last_seen"] = clock.now().timestamp()
    session.save()
    return http


def _open_task(org: Any) -> Task:
    return task_services.task_create(
        actor=org.junior,
        client=org.junior_client,
        title="Reach Mrs. Lindqvist",
        owner=org.junior,
        due_on=clock.today() + dt.timedelta(days=1),
        priority=2,
    )


def _outcome(number: int) -> str:
    return f"Colleague {number:02d} reached her daughter; she will call back at four."


def _assert_one_completed_and_nineteen_kept_their_text(
    task: Task, answers: dict[int, Any], people: list[Any]
) -> None:
    statuses = sorted(response.status_code for response in answers.values())
    assert statuses == [302] + [409] * (len(people) - 1)
    winner = next(n for n, response in answers.items() if response.status_code == 302)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.completed_by == people[winner]
    assert task.outcome_note == _outcome(winner)
    assert AuditEvent.objects.filter(action="task.completed", target_id=str(task.pk)).count() == 1
    for number, response in answers.items():
        if number == winner:
            continue
        html = response.content.decode()
        assert f"{people[winner].display_name} marked this task done" in html
        assert "Your outcome (not saved)" in html
        assert _outcome(number) in html, f"colleague {number}'s outcome was dropped"


@pytest.mark.django_db
def test_twenty_people_completing_one_task_in_turn_from_pages_loaded_together(org: Any) -> None:
    """On every database: twenty pages opened on version 1, sent one after another."""
    task = _open_task(org)
    people = _colleagues(org, 20)
    url = reverse("tasks:complete", kwargs={"task_id": task.pk})
    answers = {
        number: _signed_in(person).post(
            url, {"version": str(task.version), "outcome_note": _outcome(number)}
        )
        for number, person in enumerate(people)
    }
    _assert_one_completed_and_nineteen_kept_their_text(task, answers, people)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers with a file lock; the sequential test covers it",
)
def test_twenty_people_completing_one_task_at_the_same_moment(org: Any) -> None:
    """On PostgreSQL: twenty threads, twenty connections, released together by a barrier."""
    task = _open_task(org)
    people = _colleagues(org, 20)
    clients = [_signed_in(person) for person in people]
    url = reverse("tasks:complete", kwargs={"task_id": task.pk})
    barrier = threading.Barrier(len(people))
    answers: dict[int, Any] = {}
    failures: list[BaseException] = []

    def complete(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[number] = clients[number].post(
                url, {"version": str(task.version), "outcome_note": _outcome(number)}
            )
        except Exception as error:  # noqa: BLE001 -- reported below, not lost in the thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(n,)) for n in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert len(answers) == len(people)
    _assert_one_completed_and_nineteen_kept_their_text(task, answers, people)


@pytest.mark.django_db
def test_completing_a_task_changed_meanwhile_keeps_the_outcome_and_completes_on_resend(
    org: Any, login: Any
) -> None:
    task = _open_task(org)
    read = task.version
    task_services.task_update(
        actor=org.supervisor,
        task=task,
        expected_version=read,
        title="Reach Mrs. Lindqvist or her daughter",
        owner=org.junior,
        due_on=task.due_on,
        priority=1,
    )
    http = login(org.junior)
    url = reverse("tasks:complete", kwargs={"task_id": task.pk})
    response = http.post(url, {"version": str(read), "outcome_note": "Reached her daughter."})
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    assert "Reach Mrs. Lindqvist or her daughter" in html  # the task as it is now
    assert "Reached her daughter.</textarea>" in html  # what the user wrote
    assert f'name="version" value="{task.version}"' in html  # sending again completes it
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    response = http.post(url, {"version": str(task.version), "outcome_note": "Reached her."})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.outcome_note) == (TaskStatus.DONE, "Reached her.")


@pytest.mark.django_db
@pytest.mark.parametrize("version", [None, "", "1_0", "٣"])
def test_completing_without_a_well_formed_version_is_refused_with_the_outcome_kept(
    org: Any, login: Any, version: str | None
) -> None:
    task = _open_task(org)
    response = login(org.junior).post(
        reverse("tasks:complete", kwargs={"task_id": task.pk}),
        _post({"outcome_note": "Left a message."}, version),
    )
    assert response.status_code == 400
    assert _message_shown(response)
    assert "Left a message.</textarea>" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


@pytest.mark.django_db
def test_the_lists_mark_done_button_sends_the_version_it_shows(org: Any, login: Any) -> None:
    task = _open_task(org)
    html = login(org.junior).get(reverse("tasks:mine")).content.decode()
    assert f'name="version" value="{task.version}"' in html


@pytest.mark.django_db
def test_mark_done_in_a_list_loaded_before_a_change_shows_the_row_again(
    org: Any, login: Any
) -> None:
    task = _open_task(org)
    listed = task.version
    task_services.task_update(
        actor=org.junior,
        task=task,
        expected_version=listed,
        title="Reach her daughter instead",
        owner=org.junior,
        due_on=task.due_on,
        priority=2,
    )
    response = login(org.junior).post(
        reverse("tasks:complete", kwargs={"task_id": task.pk}),
        {"version": str(listed)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # htmx swaps it in
    html = response.content.decode()
    assert "Reach her daughter instead" in html
    assert "Changed since you opened this list" in html
    assert f'name="version" value="{task.version}"' in html
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


@pytest.mark.django_db
def test_a_note_signed_meanwhile_is_not_signed_again(org: Any, login: Any) -> None:
    note = make_note(org.supervisor, org.supervisor_client)
    read = note.version
    note_services.note_sign(actor=org.supervisor, note=note, expected_version=read)
    response = login(org.supervisor).post(
        reverse("notes:sign", kwargs={"note_id": note.pk}), {"version": str(read)}, follow=True
    )
    assert "already signed" in response.content.decode()
    assert ProgressNote.objects.get(pk=note.pk).status == NoteStatus.SIGNED
    assert AuditEvent.objects.filter(action="note.signed").count() == 1


@pytest.mark.django_db
def test_cancelling_a_task_someone_completed_meanwhile_shows_the_reason_back(
    org: Any, login: Any
) -> None:
    task = _open_task(org)
    read = task.version
    task_services.task_complete(
        actor=org.supervisor, task=task, expected_version=read, outcome_note="Reached her."
    )
    response = login(org.junior).post(
        reverse("tasks:cancel", kwargs={"task_id": task.pk}),
        {"version": str(read), "reason": "She moved to her daughter's in Ohio."},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert f"{org.supervisor.display_name} marked this task done" in html
    assert "Your reason for cancelling (not saved)" in html
    assert "She moved to her daughter&#x27;s in Ohio." in html
    task.refresh_from_db()
    assert (task.status, task.outcome_note) == (TaskStatus.DONE, "Reached her.")


@pytest.mark.django_db
@pytest.mark.parametrize("version", [None, "1_0"])
def test_cancelling_without_a_well_formed_version_is_refused(
    org: Any, login: Any, version: str | None
) -> None:
    task = _open_task(org)
    response = login(org.junior).post(
        reverse("tasks:cancel", kwargs={"task_id": task.pk}),
        _post({"reason": "Duplicate."}, version),
    )
    assert response.status_code == 400
    assert "Duplicate.</textarea>" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN
