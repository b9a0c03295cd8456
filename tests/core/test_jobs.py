"""Background jobs (caseload.core.jobs on django-q2's ORM broker): queued with the transaction,
retried with growing delays, periodic jobs queued once however many schedulers run."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from django_q.brokers import get_broker
from django_q.models import OrmQ, Schedule

from caseload.core import clock, jobs

CALLS: list[Any] = []


def record_call(*args: Any, **kwargs: Any) -> str:
    CALLS.append((args, kwargs))
    return "recorded"


def always_fails(reason: str) -> None:
    raise RuntimeError(reason)


@pytest.fixture
def test_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let this module's functions be jobs (only caseload.* may be, outside tests)."""
    monkeypatch.setattr(jobs, "JOB_PACKAGES", ("caseload.", "tests.core.test_jobs."))
    CALLS.clear()


def queued() -> list[dict[str, Any]]:
    return [row.task for row in OrmQ.objects.order_by("id")]


def retries() -> Any:
    return Schedule.objects.filter(schedule_type=Schedule.ONCE)


@pytest.mark.django_db
def test_a_rolled_back_change_queues_nothing(test_jobs: None) -> None:
    seen_inside = []

    def change_that_fails() -> None:
        with transaction.atomic():
            jobs.enqueue("tests.core.test_jobs.record_call", "a")
            seen_inside.append(OrmQ.objects.count())
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert seen_inside == [1]  # written in the transaction...
    assert OrmQ.objects.count() == 0  # ...and gone with it


@pytest.mark.django_db
def test_a_committed_change_queues_its_job_once(test_jobs: None) -> None:
    with transaction.atomic():
        jobs.enqueue("tests.core.test_jobs.record_call", "a", 2, flag=True)
    [task] = queued()
    assert task["func"] == "caseload.core.jobs.run"
    assert task["args"] == ("tests.core.test_jobs.record_call", 1, ["a", 2], {"flag": True}, 5)
    assert task["name"] == "tests.core.test_jobs.record_call (attempt 1 of 5)"
    # What the worker does with it:
    assert jobs.run(*task["args"]) == "recorded"
    assert CALLS == [(("a", 2), {"flag": True})]


@pytest.mark.django_db
def test_enqueue_refuses_records_and_foreign_code(test_jobs: None) -> None:
    import uuid

    with pytest.raises(TypeError, match="plain data"):
        jobs.enqueue("tests.core.test_jobs.record_call", uuid.uuid4())
    with pytest.raises(TypeError, match="plain data"):
        jobs.enqueue("tests.core.test_jobs.record_call", when=clock.now())
    with pytest.raises(ValueError, match="function of Caseload"):
        jobs.enqueue("os.system", "rm -rf /")
    assert OrmQ.objects.count() == 0


@pytest.mark.django_db
def test_a_failed_job_is_retried_later_and_later_then_given_up(test_jobs: None) -> None:
    start = clock.now()
    delays = []
    for attempt in range(1, 5):
        with pytest.raises(jobs.JobFailed, match=f"attempt {attempt} of 5 failed; retrying at"):
            jobs.run("tests.core.test_jobs.always_fails", attempt, ["boom"], {}, 5)
        retry = retries().get()
        assert retry.schedule_type == Schedule.ONCE
        assert retry.func == "caseload.core.jobs.run"
        assert retry.args == repr(
            ("tests.core.test_jobs.always_fails", attempt + 1, ["boom"], {}, 5)
        )
        delays.append(round((retry.next_run - start).total_seconds() / 60))
        retry.delete()
    assert delays == [1, 5, 30, 120]
    with pytest.raises(
        jobs.JobFailed, match="attempt 5 of 5 failed; giving up: RuntimeError: boom"
    ):
        jobs.run("tests.core.test_jobs.always_fails", 5, ["boom"], {}, 5)
    assert not retries().exists()


@pytest.mark.django_db
def test_the_scheduler_queues_a_due_retry_as_the_next_attempt(
    test_jobs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_q import scheduler as scheduler_module

    # It closes the connection first, as a worker process should; not the test's transaction.
    monkeypatch.setattr(scheduler_module, "close_old_django_connections", lambda: None)
    scheduler = scheduler_module.scheduler

    Schedule.objects.update(next_run=clock.now() + dt.timedelta(hours=1))  # periodic: not due
    with pytest.raises(jobs.JobFailed):
        jobs.run("tests.core.test_jobs.always_fails", 1, ["boom"], {}, 5)
    retries().update(next_run=clock.now() - dt.timedelta(seconds=1))
    scheduler(broker=get_broker())
    [task] = queued()
    assert task["args"] == ("tests.core.test_jobs.always_fails", 2, ["boom"], {}, 5)
    assert task["name"] == "tests.core.test_jobs.always_fails (attempt 2 of 5)"
    assert not retries().exists()  # a one-off schedule is deleted once queued


@pytest.mark.django_db
def test_migrate_writes_the_periodic_schedules_and_sync_keeps_them_in_step() -> None:
    names = {job.name for job in jobs.periodic_jobs()}
    assert {"referral follow-ups", "expired sessions"} <= names
    jobs.sync_schedules()
    followups = Schedule.objects.get(name="caseload: referral follow-ups")
    assert (followups.schedule_type, followups.minutes) == (Schedule.MINUTES, 15)
    assert followups.args == repr(("caseload.referrals.jobs.referral_followups", 1, [], {}, 1))
    Schedule.objects.create(name="caseload: retired job", func="caseload.core.jobs.run")
    Schedule.objects.create(name="an operator's own", func="caseload.core.jobs.run")
    followups.minutes = 60
    followups.save()
    jobs.sync_schedules()
    names_now = set(Schedule.objects.values_list("name", flat=True))
    assert "caseload: retired job" not in names_now
    assert "an operator's own" in names_now
    assert Schedule.objects.get(name="caseload: referral follow-ups").minutes == 15
    assert Schedule.objects.filter(name__startswith=jobs.SCHEDULE_PREFIX).count() == len(names)


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_queue_a_periodic_run_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two clusters' schedulers wake together on a due periodic job: one queues it, the other
    waits for the first one's lock on the schedule row, then finds it no longer due."""
    from django_q import scheduler as scheduler_module

    jobs.sync_schedules()
    Schedule.objects.update(next_run=clock.now() - dt.timedelta(seconds=1))
    real_async_task = scheduler_module.async_task

    def slow_async_task(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.5)  # hold the schedule rows while the other scheduler tries
        return real_async_task(*args, **kwargs)

    monkeypatch.setattr(scheduler_module, "async_task", slow_async_task)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def one_cluster() -> None:
        try:
            start.wait()
            scheduler_module.scheduler(broker=get_broker())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_cluster) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    runs = [task["args"][0] for task in queued()]
    assert sorted(runs) == sorted(job.func_path for job in jobs.periodic_jobs())


@pytest.mark.django_db(transaction=True)
def test_a_queued_job_is_taken_by_one_worker(test_jobs: None) -> None:
    jobs.enqueue("tests.core.test_jobs.record_call", "once")
    first, second = get_broker(), get_broker()
    taken = first.dequeue()
    assert taken and len(taken) == 1
    assert not second.dequeue()  # locked until acknowledged or the retry timeout
