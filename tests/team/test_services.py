"""Confirming a bulk reassignment: all or nothing, tasks follow, introductory calls, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseload.audit.models import AuditEvent
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from caseload.enrolments.models import Enrolment, EnrolmentEvent
from caseload.tasks.models import Task
from caseload.team import services
from caseload.team.models import BatchStatus, ReassignmentBatch
from caseload.team.services import INTRO_TITLE, Move
from tests import factories
from tests.team.conftest import Departure

pytestmark = pytest.mark.django_db


def _moves(departure: Departure, receivers: list[Any]) -> list[Move]:
    return [
        Move(str(e.pk), e.version, receivers[n % len(receivers)].pk)
        for n, e in enumerate(departure.enrolments)
    ]


def _unchanged(departure: Departure) -> None:
    for enrolment in departure.enrolments:
        fresh = Enrolment.objects.get(pk=enrolment.pk)
        assert fresh.care_manager_id == departure.leaving.pk
        assert fresh.version == enrolment.version
    assert set(
        Task.objects.filter(pk__in=[t.pk for t in departure.tasks]).values_list(
            "owner_id", flat=True
        )
    ) == {departure.leaving.pk}
    assert not Task.objects.filter(title=INTRO_TITLE).exists()
    assert not EnrolmentEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="client.reassigned").exists()


def test_confirm_moves_enrolments_tasks_and_creates_introductory_calls(
    org: Any, departure: Departure, pin: Any
) -> None:
    pin("2026-12-02 15:00")  # a Wednesday: three business days on is Monday 7 December
    moves = _moves(departure, [org.supervisor, departure.lena])
    outcome = services.reassignment_apply(
        actor=org.senior, moves=moves, reason="Tomás leaves on Friday"
    )
    assert outcome == services.Outcome(clients=5, enrolments=5, tasks_moved=5, intro_tasks=5)
    for move, task in zip(moves, departure.tasks, strict=True):
        enrolment = Enrolment.objects.get(pk=move.enrolment_id)
        assert enrolment.care_manager_id == move.to
        assert enrolment.version == move.version + 1
        assert Task.objects.get(pk=task.pk).owner_id == move.to
        intro = Task.objects.get(title=INTRO_TITLE, client=enrolment.client)
        assert (intro.owner_id, intro.due_on, intro.enrolment_id) == (
            move.to,
            dt.date(2026, 12, 7),
            enrolment.pk,
        )
        event = EnrolmentEvent.objects.get(enrolment=enrolment)
        assert (event.kind, event.reason) == ("reassigned", "Tomás leaves on Friday")
    events = AuditEvent.objects.filter(action="client.reassigned")
    assert sorted(e.client_id for e in events) == sorted(e.client_id for e in departure.enrolments)
    first = events.get(client=departure.enrolments[0].client)
    assert first.detail["tasks_moved"] == 1
    assert first.detail["enrolments"][0]["from_care_manager_id"] == departure.leaving.pk


def test_other_peoples_tasks_and_closed_tasks_stay(org: Any, departure: Departure) -> None:
    client = departure.enrolments[0].client
    colleague_task = factories.TaskFactory(client=client, owner=org.supervisor)
    done = factories.TaskFactory(client=client, owner=departure.leaving, status="done")
    services.reassignment_apply(
        actor=org.senior, moves=_moves(departure, [departure.lena]), reason="Leaving"
    )
    assert Task.objects.get(pk=colleague_task.pk).owner_id == org.supervisor.pk
    assert Task.objects.get(pk=done.pk).owner_id == departure.leaving.pk


def test_a_concurrent_change_names_the_client_and_moves_nothing(
    org: Any, departure: Departure
) -> None:
    moves = _moves(departure, [org.supervisor, departure.lena])
    changed = departure.enrolments[3]
    Enrolment.objects.filter(pk=changed.pk).update(acuity=3, version=changed.version + 1)
    with pytest.raises(Conflict) as refused:
        services.reassignment_apply(actor=org.senior, moves=moves, reason="Leaving")
    assert changed.client.full_name in refused.value.message
    assert "nothing was moved" in refused.value.message
    Enrolment.objects.filter(pk=changed.pk).update(version=changed.version)
    _unchanged(departure)


def test_a_failure_after_some_enrolments_moved_rolls_every_one_back(
    org: Any, departure: Departure, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the audit insert failed")

    monkeypatch.setattr(services, "audit_record_each", broken)
    with pytest.raises(RuntimeError):
        services.reassignment_apply(
            actor=org.senior, moves=_moves(departure, [departure.lena]), reason="Leaving"
        )
    _unchanged(departure)


def test_no_receiver_goes_over_their_cap(org: Any, departure: Departure) -> None:
    departure.lena.caseload_cap_override = 3
    departure.lena.save()
    with pytest.raises(ValidationFailed) as refused:
        services.reassignment_apply(
            actor=org.senior, moves=_moves(departure, [departure.lena]), reason="Leaving"
        )
    assert "Lena Ortiz would have 5 open enrolments, over their cap of 3" in refused.value.message
    _unchanged(departure)


def test_a_receiver_outside_the_program_is_refused(org: Any, departure: Departure) -> None:
    departure.lena.programs.set([org.chronic])
    with pytest.raises(ValidationFailed):
        services.reassignment_apply(
            actor=org.senior, moves=_moves(departure, [departure.lena]), reason="Leaving"
        )
    _unchanged(departure)


def test_only_seniors_of_the_program_and_directors_reassign(org: Any, departure: Departure) -> None:
    moves = _moves(departure, [departure.lena])
    for actor in (org.supervisor, org.junior, org.admin):
        with pytest.raises(NotFound):
            services.reassignment_apply(actor=actor, moves=moves, reason="Leaving")
    with pytest.raises(ValidationFailed):  # chronic's senior: not their program
        services.reassignment_apply(actor=org.senior_other, moves=moves, reason="Leaving")
    _unchanged(departure)
    services.reassignment_apply(actor=org.director, moves=moves, reason="Leaving")
    assert not Enrolment.objects.filter(care_manager=departure.leaving).exists()


def test_a_reason_is_required(org: Any, departure: Departure) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.reassignment_apply(
            actor=org.senior, moves=_moves(departure, [departure.lena]), reason="  "
        )
    assert "reason" in refused.value.field_errors


def test_a_batch_records_its_progress_and_outcome(org: Any, departure: Departure) -> None:
    batch = services.reassignment_batch_create(
        actor=org.senior, moves=_moves(departure, [departure.lena]), reason="Leaving"
    )
    assert batch.status == BatchStatus.QUEUED
    seen: list[tuple[int, int]] = []
    batch = services.reassignment_batch_run(batch.pk, progress=lambda d, t: seen.append((d, t)))
    assert (batch.status, batch.done, batch.total, batch.clients_moved, batch.tasks_moved) == (
        BatchStatus.DONE,
        5,
        5,
        5,
        5,
    )
    assert seen == [(5, 5)]
    assert batch.finished_at is not None


def test_a_refused_batch_says_why_and_moves_nothing(org: Any, departure: Departure) -> None:
    moves = _moves(departure, [departure.lena])
    batch = services.reassignment_batch_create(actor=org.senior, moves=moves, reason="Leaving")
    Enrolment.objects.filter(pk=departure.enrolments[0].pk).update(version=9)
    batch = services.reassignment_batch_run(batch.pk)
    assert batch.status == BatchStatus.FAILED
    assert departure.enrolments[0].client.full_name in batch.error
    assert Enrolment.objects.filter(care_manager=departure.leaving).count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_batch_commits_its_check_a_chunk_at_a_time_before_it_moves_anyone(
    org: Any, departure: Departure, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The progress survives the all-or-nothing move: each chunk's count is committed (no
    transaction is open when it is reported) while nobody has moved yet."""
    from django.db import connection

    monkeypatch.setattr(services, "CHUNK", 2)
    batch = services.reassignment_batch_create(
        actor=org.senior, moves=_moves(departure, [departure.lena]), reason="Leaving"
    )
    seen: list[tuple[int, int, str, int, bool]] = []

    def progress(checked: int, total: int) -> None:
        row = ReassignmentBatch.objects.get(pk=batch.pk)
        moved = Enrolment.objects.filter(care_manager=departure.lena).count()
        seen.append((checked, total, row.status, moved, connection.in_atomic_block))
        assert row.checked == checked

    batch = services.reassignment_batch_run(batch.pk, progress=progress)
    assert seen == [
        (2, 5, "checking", 0, False),
        (4, 5, "checking", 0, False),
        (5, 5, "checking", 0, False),
    ]
    assert (batch.status, batch.checked, batch.done, batch.clients_moved) == ("done", 5, 5, 5)


def test_a_conflict_found_while_checking_stops_there_naming_the_client(
    org: Any, departure: Departure, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "CHUNK", 2)
    moves = _moves(departure, [departure.lena])
    batch = services.reassignment_batch_create(actor=org.senior, moves=moves, reason="Leaving")
    changed = departure.enrolments[2]  # in the second chunk
    Enrolment.objects.filter(pk=changed.pk).update(version=changed.version + 1)
    batch = services.reassignment_batch_run(batch.pk)
    assert (batch.status, batch.checked, batch.done, batch.error_code) == ("failed", 2, 0, "stale")
    assert changed.client.full_name in batch.error
    Enrolment.objects.filter(pk=changed.pk).update(version=changed.version)
    _unchanged(departure)


def test_a_refusal_while_moving_keeps_the_count_checked_and_moves_nothing(
    org: Any, departure: Departure
) -> None:
    departure.lena.caseload_cap_override = 3
    departure.lena.save()
    batch = services.reassignment_batch_create(
        actor=org.senior, moves=_moves(departure, [departure.lena]), reason="Leaving"
    )
    batch = services.reassignment_batch_run(batch.pk)
    assert (batch.status, batch.checked, batch.done) == ("failed", 5, 0)
    assert "over their cap of 3" in batch.error
    _unchanged(departure)


def test_a_batch_left_midway_by_a_dead_worker_starts_again(org: Any, departure: Departure) -> None:
    """Done commits with the moves, so a batch still "moving" moved nobody: run again, it
    checks and moves everyone once; a finished batch is never run twice."""
    batch = services.reassignment_batch_create(
        actor=org.senior, moves=_moves(departure, [departure.lena]), reason="Leaving"
    )
    ReassignmentBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, checked=5)
    batch = services.reassignment_batch_run(batch.pk)
    assert (batch.status, batch.done, batch.clients_moved) == (BatchStatus.DONE, 5, 5)
    again = services.reassignment_batch_run(batch.pk)
    assert again.status == BatchStatus.DONE
    assert Task.objects.filter(title=INTRO_TITLE).count() == 5
