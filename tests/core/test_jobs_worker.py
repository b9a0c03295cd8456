"""The worker and scheduler as operators run it: `caseload qcluster`, a separate process,
against the test database. It runs a committed job, records a failing one with its traceback
and the retry it scheduled, and runs the periodic jobs without being asked."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
from django_q.models import Failure, Schedule, Success

from caseload.core import jobs
from tests.process_support import BIN, process_env

pytestmark = pytest.mark.xdist_group("processes")


@pytest.fixture
def worker(tmp_path: object) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [str(BIN / "caseload"), "qcluster"],
        env=process_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # pragma: no cover - a stuck worker
        process.kill()
        process.wait()


def wait_for(check: object, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.5)
    return False


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_committed_jobs_and_records_failures(
    worker: subprocess.Popen[str],
) -> None:
    jobs.sync_schedules()
    jobs.enqueue("caseload.staff.jobs.clear_expired_sessions")
    # A job called wrongly fails: recorded with its traceback, retried later.
    jobs.enqueue("caseload.staff.jobs.clear_expired_sessions", "unexpected argument")

    def done() -> bool:
        return Success.objects.count() >= 1 and Failure.objects.count() >= 1

    assert wait_for(done), "the worker did not finish the jobs"
    failure = Failure.objects.get()
    assert failure.name == "staff.jobs.clear_expired_sessions (attempt 1 of 5)"
    assert "attempt 1 of 5 failed; retrying at" in failure.result
    assert "TypeError" in failure.result and "Traceback" in failure.result
    retry = Schedule.objects.get(schedule_type=Schedule.ONCE)
    assert "'unexpected argument'" in retry.args and ", 2, " in retry.args
    # The periodic jobs' first runs (due at once after migrate) happen by themselves.
    assert wait_for(
        lambda: (
            {
                "staff.jobs.clear_expired_sessions (attempt 1 of 1)",
                "referrals.jobs.referral_followups (attempt 1 of 1)",
            }
            <= set(Success.objects.values_list("name", flat=True))
        ),
        seconds=90,
    ), "the scheduler did not run the periodic jobs"
