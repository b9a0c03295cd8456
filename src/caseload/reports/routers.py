"""Reports may read from a replica. When ``DATABASE_REPLICA_URL`` is set, settings add the
``replica`` database alias and name it ``REPORT_DATABASE``; the month report's queries, inside
``reading_reports()``, are then sent there. Every other read and every write, including the
report page's own audit events, goes to the primary. Without a replica the router says nothing
and Django uses ``default``."""

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
        alias = getattr(settings, "REPORT_DATABASE", None)
        if _reading_reports.get() and alias:
            return str(alias)
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The replica is a copy of the primary: migrations run on the primary only.
        return False if db == REPLICA else None
