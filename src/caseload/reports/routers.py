"""Reports may read from a replica. When ``DATABASE_REPLICA_URL`` is set (settings: the
``replica`` database alias), the month report's queries, inside ``reading_reports()``, are sent
there; every other read and every write, including the report page's own audit events, goes to
the primary. Without a replica the router says nothing and Django uses ``default``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

REPLICA = "replica"
_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)


@contextmanager
def reading_reports() -> Iterator[None]:
    """Send the reads made inside to the replica, when there is one."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


class ReportReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reading_reports.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The replica is a copy of the primary: migrations run on the primary only.
        return False if db == REPLICA else None
