"""Background jobs: work that leaves the request, and periodic work, on django-q2's ORM broker.

Two calls make up the API (docs/architecture.md, "Background jobs"):

- ``enqueue("caseload.app.jobs.func", *args, **kwargs)`` runs ``func(*args, **kwargs)`` in a
  worker (``caseload qcluster``). Inside a transaction the queue row is written *in that
  transaction*: a rolled-back change never runs its job, and a committed one is never lost, not
  even when the process dies right after the commit (the queue is a table of the same database,
  so this is the transactional outbox that ``transaction.on_commit`` only approximates).
  Arguments must be plain data (``str``, ``int``, ``float``, ``bool``, ``None``, lists, tuples
  and dicts of them): pass a record's id as a string, never the record.
- ``register_periodic(name, func_path, minutes=…)``, called from an app's ``ready()``, declares
  periodic work; ``caseload migrate`` (and ``caseload jobs sync``) writes the schedule rows the
  scheduler of every ``qcluster`` reads. Each due schedule row is locked (``SELECT … FOR
  UPDATE``; SQLite's ``BEGIN IMMEDIATE``) while its run is queued, so however many clusters run,
  a run is queued once, and a queued run is taken by one worker (a conditional update on the
  queue row).

Every job runs through :func:`run`: a failure is logged with its traceback and retried with
growing delays (``RETRY_DELAYS``) until ``max_attempts``; each failed attempt is in the admin's
"Failed tasks" list, named after the job, saying whether and when it will be tried again. A
periodic job is not retried: its next run is the retry.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from caseload.core import clock

logger = logging.getLogger("caseload.jobs")

#: Seconds to wait before attempt 2, 3, 4, 5 of a failed job.
RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 60 * 60)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
#: Schedules Caseload owns are named with this prefix; others (an operator's own) are left alone.
SCHEDULE_PREFIX = "caseload: "
_RUN = "caseload.core.jobs.run"
#: Where job functions may live: a queue row never names arbitrary code.
JOB_PACKAGES: tuple[str, ...] = ("caseload.",)
_PLAIN = (str, int, float, bool, type(None))


class JobFailed(Exception):
    """A job's attempt failed; the message says which attempt and what happens next."""


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func_path: str
    minutes: int
    description: str


_periodic: dict[str, PeriodicJob] = {}


def register_periodic(name: str, func_path: str, *, minutes: int, description: str) -> None:
    """Declare that ``func_path()`` runs every ``minutes`` minutes (from an app's ``ready()``)."""
    _check_path(func_path)
    if minutes < 1:
        raise ValueError("A periodic job runs at most once a minute.")
    _periodic[name] = PeriodicJob(name, func_path, minutes, description)


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_periodic.values(), key=lambda job: job.name)


def enqueue(func_path: str, *args: Any, **kwargs: Any) -> None:
    """Queue ``func_path(*args, **kwargs)`` for a worker, atomically with the current
    transaction (see the module's docstring)."""
    _check_path(func_path)
    _check_plain(args)
    _check_plain(kwargs)
    _push(func_path, list(args), kwargs, attempt=1, max_attempts=MAX_ATTEMPTS)


def enqueue_once(func_path: str, *args: Any, **kwargs: Any) -> None:
    """As ``enqueue``, for one attempt only: a job whose failure the person who asked for it
    is shown (an export says "failed"), so that a retry later does not change what they saw."""
    _check_path(func_path)
    _check_plain(args)
    _check_plain(kwargs)
    _push(func_path, list(args), kwargs, attempt=1, max_attempts=1)


def run(
    func_path: str,
    attempt: int = 1,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> Any:
    """What the worker executes: the job, then on failure a retry later, or giving up."""
    func = _resolve(func_path)
    try:
        return func(*(args or []), **(kwargs or {}))
    except Exception as error:
        if attempt < max_attempts:
            delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
            at = clock.now() + dt.timedelta(seconds=delay)
            _schedule_retry(func_path, args or [], kwargs or {}, attempt + 1, max_attempts, at)
            outcome = (
                f"attempt {attempt} of {max_attempts} failed; "
                f"retrying at {at:%Y-%m-%d %H:%M:%S} UTC"
            )
        else:
            outcome = f"attempt {attempt} of {max_attempts} failed; giving up"
        logger.exception("Job %s: %s", func_path, outcome)
        raise JobFailed(f"{func_path}: {outcome}: {type(error).__name__}: {error}") from error


def sync_schedules(using: str = "default", **_: Any) -> None:
    """Make the scheduler's rows match the registered periodic jobs (run after ``migrate``)."""
    from django.db import connections
    from django_q.models import Schedule

    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated back to before the job queue
    wanted = {SCHEDULE_PREFIX + job.name: job for job in periodic_jobs()}
    with transaction.atomic(using=using):
        Schedule.objects.using(using).filter(name__startswith=SCHEDULE_PREFIX).exclude(
            name__in=list(wanted)
        ).delete()
        for name, job in wanted.items():
            args = repr((job.func_path, 1, [], {}, 1))
            kwargs = repr({"q_options": {"task_name": _task_name(job.func_path, 1, 1)}})
            schedule = Schedule.objects.using(using).filter(name=name).first()
            if schedule is None:
                Schedule.objects.using(using).create(
                    name=name,
                    func=_RUN,
                    args=args,
                    kwargs=kwargs,
                    schedule_type=Schedule.MINUTES,
                    minutes=job.minutes,
                    repeats=-1,
                    next_run=clock.now(),  # the first run straight away
                )
            elif (schedule.func, schedule.args, schedule.kwargs, schedule.minutes) != (
                _RUN,
                args,
                kwargs,
                job.minutes,
            ):
                schedule.func, schedule.args, schedule.kwargs = _RUN, args, kwargs
                schedule.minutes = job.minutes
                schedule.schedule_type = Schedule.MINUTES
                schedule.save()


def _push(
    func_path: str,
    args: list[Any],
    kwargs: dict[str, Any],
    *,
    attempt: int,
    max_attempts: int,
) -> None:
    from django_q.tasks import async_task

    async_task(
        _RUN,
        func_path,
        attempt,
        args,
        kwargs,
        max_attempts,
        task_name=_task_name(func_path, attempt, max_attempts),
        group=func_path,
    )


def _schedule_retry(
    func_path: str,
    args: list[Any],
    kwargs: dict[str, Any],
    attempt: int,
    max_attempts: int,
    at: dt.datetime,
) -> None:
    from django_q.models import Schedule

    # A one-off schedule: the scheduler queues it when it is due, then deletes it.
    Schedule.objects.create(
        name=f"retry {_task_name(func_path, attempt, max_attempts)} {at:%H:%M:%S.%f}"[:100],
        func=_RUN,
        args=repr((func_path, attempt, args, kwargs, max_attempts)),
        kwargs=repr({"q_options": {"task_name": _task_name(func_path, attempt, max_attempts)}}),
        schedule_type=Schedule.ONCE,
        repeats=-1,
        next_run=at,
    )


def _task_name(func_path: str, attempt: int, max_attempts: int) -> str:
    short = func_path.removeprefix("caseload.")
    return f"{short} (attempt {attempt} of {max_attempts})"[:100]


def _check_path(func_path: str) -> None:
    if not func_path.startswith(JOB_PACKAGES) or func_path.count(".") < 2:
        raise ValueError(f"A job is a function of Caseload's, by its dotted path: {func_path!r}")


def _resolve(func_path: str) -> Callable[..., Any]:
    _check_path(func_path)
    module_path, _, name = func_path.rpartition(".")
    func = getattr(importlib.import_module(module_path), name, None)
    if not callable(func):
        raise ValueError(f"No job function {func_path!r}")
    return func  # type: ignore[no-any-return]


def _check_plain(value: Any) -> None:
    """Job arguments must survive a round trip through ``repr`` and ``ast.literal_eval`` (how
    the scheduler stores a retry's arguments): plain data only."""
    if isinstance(value, _PLAIN):
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_plain(item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"Job keyword names must be strings, not {key!r}")
            _check_plain(item)
        return
    raise TypeError(
        f"Job arguments must be plain data (str, int, float, bool, None, list, dict): "
        f"{type(value).__name__} {value!r}"
    )
