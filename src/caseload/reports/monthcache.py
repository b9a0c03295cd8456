"""The totals of closed months, kept so a month report computes one month, not twelve.

Eleven of a report's twelve trend months are closed, and most of a report's SQL was those
months' totals. ``MonthCache`` keeps each family of figures' totals per closed month and scope
(``models.MonthFigures``) with the marks they were computed under (``marks.py``: PostgreSQL
triggers mark, in the writing transaction, the months every write can change). A kept month is
used only while its sources' marks up to it are unchanged, so a late note, a backdated
discharge or a goal achieved today makes the months it changes be computed again, by the next
report that shows them. Why that is right under concurrent writes:

* the marks are read **before** any figure: a write that commits after that read is either seen
  by the figures (and then recomputed needlessly) or not (and then its mark, committed with it,
  no longer matches what was stored): never a stale month served;
* a write not yet committed while a month is computed commits its mark with it: the month no
  longer matches and is computed again;
* two reports storing the same month at once store the same values or values with marks that
  no longer match; the last write wins and is checked like any other;
* a kept month also records a digest of the code that computed it (``code_version``): after a
  release that changes how a figure is computed, it no longer matches.

A month is kept only once it ended ``GRACE`` ago (the database's clock), so a transaction that
started in it has had time to commit (``marks.py``). The current month, and on SQLite every
month, is always computed live; ``disabled()`` computes everything live (tests, checks).

The month shown's per-program and per-care-manager rows are kept the same way (family
``<name>:by``), for a closed month; they also depend on the source ``enrolment_managers``,
which a reassignment marks, since those rows follow today's care managers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from django.db import connections, router
from django.db.models import Sum

from caseload.reports.models import MonthFigures, MonthMark
from caseload.reports.months import Month

#: A month is kept from this long after its end (the database's clock).
GRACE = dt.timedelta(days=2)

#: The code that computes the figures: a kept month computed by other code (a release that
#: changed a figure's definition) no longer matches, and is computed again.
FIGURE_CODE = (
    "caseload.reports.figures",
    "caseload.reports.selectors",
    "caseload.reports.months",
    "caseload.enrolments.selectors",
    "caseload.notes.selectors",
    "caseload.careplans.selectors",
    "caseload.referrals.selectors",
    "caseload.assessments.selectors",
    "caseload.transitions.selectors",
)


@cache
def code_version() -> str:
    """A digest of the source of ``FIGURE_CODE`` (read once per process)."""
    digest = hashlib.sha256()
    for name in FIGURE_CODE:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ImportError(name)
        digest.update(Path(spec.origin).read_bytes())
    return digest.hexdigest()[:16]


_disabled: ContextVar[bool] = ContextVar("month_cache_disabled", default=False)


@contextmanager
def disabled() -> Iterator[None]:
    """Compute every month live inside (what the kept months must equal)."""
    token = _disabled.set(True)
    try:
        yield
    finally:
        _disabled.reset(token)


def enabled() -> bool:
    """Whether months are kept: on PostgreSQL (the marks are its triggers), unless disabled."""
    return not _disabled.get() and connections[router.db_for_read(MonthMark)].vendor == "postgresql"


def scope_key(program_ids: Iterable[Any] | None) -> str:
    if program_ids is None:
        return "all"
    joined = ",".join(sorted(str(pk) for pk in program_ids))
    return "programs:" + hashlib.sha256(joined.encode()).hexdigest()[:40]


Values = dict[str, Any]


class MonthCache:
    """The kept totals of one report's months (built before any figure is read)."""

    def __init__(self, months: list[Month], program_ids: list[Any] | None) -> None:
        self.scope = scope_key(program_ids)
        self.using = router.db_for_read(MonthMark)
        self.cacheable: list[Month] = []
        self._marks: dict[Month, dict[str, int]] = {}
        self._stored: dict[tuple[str, Month], MonthFigures] = {}
        self._pending: list[MonthFigures] = []
        if not enabled():
            return
        with connections[self.using].cursor() as cursor:
            cursor.execute("SELECT now()")
            (now,) = cursor.fetchone()
        self.cacheable = [m for m in months if m.end_at + GRACE <= now]
        if not self.cacheable:
            return
        self._read_marks()
        stored = MonthFigures.objects.using(self.using).filter(
            scope=self.scope, month__in=[m.first_day for m in self.cacheable]
        )
        by_day = {m.first_day: m for m in self.cacheable}
        self._stored = {(row.family, by_day[row.month]): row for row in stored}

    def _read_marks(self) -> None:
        """The marks of every source up to each cacheable month (cumulative sums): read first."""
        last = max(self.cacheable).first_day
        rows = (
            MonthMark.objects.using(self.using)
            .filter(month__lte=last)
            .order_by()
            .values("source", "month")
            .annotate(total=Sum("weight"))
            .values_list("source", "month", "total")
        )
        weights = {(source, month): int(total) for source, month, total in rows}
        for month in self.cacheable:
            totals: dict[str, int] = defaultdict(int)
            for (source, day), weight in weights.items():
                if day <= month.first_day:
                    totals[source] += weight
            self._marks[month] = dict(totals)

    def _marks_of(self, month: Month, sources: Iterable[str]) -> dict[str, Any]:
        found = self._marks[month]
        marks: dict[str, Any] = {source: found.get(source, 0) for source in sorted(sources)}
        return marks | {"code": code_version()}

    def get(self, family: str, sources: Iterable[str]) -> dict[Month, Values]:
        """The kept totals of ``family`` still valid, by month."""
        sources = tuple(sources)
        valid = {}
        for month in self.cacheable:
            row = self._stored.get((family, month))
            if row is not None and row.marks == self._marks_of(month, sources):
                valid[month] = row.values
        return valid

    def put(self, family: str, sources: Iterable[str], computed: dict[Month, Values]) -> None:
        """Keep the totals just computed for the cacheable months (written by ``save``)."""
        sources = tuple(sources)
        for month, values in computed.items():
            if month in self._marks:
                self._pending.append(
                    MonthFigures(
                        scope=self.scope,
                        month=month.first_day,
                        family=family,
                        marks=self._marks_of(month, sources),
                        values=values,
                    )
                )

    def save(self) -> None:
        """Write the pending totals to the primary, in one statement."""
        if not self._pending:
            return
        MonthFigures.objects.using(router.db_for_write(MonthFigures)).bulk_create(
            self._pending,
            update_conflicts=True,
            unique_fields=["scope", "month", "family"],
            update_fields=["marks", "values", "computed_at"],
        )
        self._pending = []
