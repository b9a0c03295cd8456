"""The month report: every figure for the organisation or a program, per program, per care
manager and over the last 12 months, and the clients behind each figure.

About three queries a figure (``figures.py``), whatever the number of clients; read from the
replica when one is configured (``routers.py``)."""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from caseload.access import policies
from caseload.clients.models import Client
from caseload.core import clock
from caseload.core.business_days import SATURDAY, holidays_between
from caseload.core.errors import NotFound, ValidationFailed
from caseload.enrolments.models import Program
from caseload.notes import selectors as notes_selectors
from caseload.reports import extensions, figures, monthcache
from caseload.reports.figures import MEASURES, RATIOS, Measure
from caseload.reports.months import Month, month_of
from caseload.reports.routers import reading_reports
from caseload.staff.models import CareerLevel, User

Value = float | int | None


@dataclass
class FigureRow:
    key: str
    label: str
    section: str
    help: str
    kind: str  # "count", "rate", "percent", "days"
    total: Value
    trend: list[Value]
    by_program: dict[Any, Value]
    by_care_manager: dict[Any, Value]
    #: The measure whose clients a figure's link lists (None: no list, e.g. a median).
    clients_of: str | None


@dataclass
class MonthReport:
    month: Month
    months: list[Month]
    program: Program | None
    programs: list[Program]
    care_managers: list[User]
    rows: list[FigureRow]
    extension_sections: list[extensions.ExtensionSection] = field(default_factory=list)

    def row(self, key: str) -> FigureRow:
        return next(r for r in self.rows if r.key == key)

    def sections(self) -> list[tuple[str, str, list[FigureRow]]]:
        return [
            (key, label, [r for r in self.rows if r.section == key])
            for key, label in figures.SECTIONS
        ]

    @property
    def scope_label(self) -> str:
        return self.program.name if self.program else "The whole organisation"


def report_scope(*, actor: User, program_id: Any = None) -> tuple[Program | None, list[Any] | None]:
    """The program asked for (None: all the actor may read) and the program ids the figures
    cover (None: every program). NotFound for anyone who does not lead programs, and for a
    program a senior does not lead."""
    allowed = policies.report_programs(actor)
    if program_id in (None, ""):
        return None, allowed
    try:
        program = Program.objects.get(pk=program_id)
    except (Program.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise NotFound("Program not found.") from exc
    if allowed is not None and program.pk not in allowed:
        raise NotFound("Program not found.")
    return program, [program.pk]


def _programs(program: Program | None, program_ids: list[Any] | None) -> list[Program]:
    if program is not None:
        return [program]
    rows = Program.objects.filter(is_active=True)
    if program_ids is not None:
        rows = rows.filter(pk__in=program_ids)
    return list(rows.order_by("name"))


@dataclass
class _Counts:
    trend: list[Value]
    by_program: dict[Any, Value]
    by_care_manager: dict[Any, Value]


#: Per figure key: (per program, per care manager) of the month shown.
Breakdowns = dict[str, tuple[dict[Any, Value], dict[Any, Value]]]
#: Per month: per figure key, its total.
Totals = dict[Month, dict[str, Value]]


def _families(measures: Iterable[Measure]) -> list[list[Measure]]:
    """Measures counted over the same rows (the same ``base`` and paths), in order: each family
    is answered by three queries, whatever its number of figures."""
    families: dict[Any, list[Measure]] = {}
    for measure in measures:
        key = (measure.base, measure.span, measure.program, measure.care_manager, measure.client)
        families.setdefault(key, []).append(measure)
    return list(families.values())


def _family_counts(
    family: list[Measure],
    needed: list[Month],
    month: Month,
    program_ids: list[Any] | None,
    breakdowns: bool = True,
) -> tuple[Totals, Breakdowns]:
    """Every figure of a family: the totals of the ``needed`` months in one aggregate (a
    conditional COUNT per figure and month), and ``month`` per program and per care manager in
    one GROUP BY each."""
    first = family[0]
    rows = first.scoped(program_ids)
    spans = {m.span for m in family}
    span = spans.pop() if len(spans) == 1 else None
    totals: Totals = {}
    if needed:
        found = (rows.filter(span(min(needed), max(needed))) if span else rows).aggregate(
            **{
                f"{m.key}__{i}": m.count(m.condition(each))
                for m in family
                for i, each in enumerate(needed)
            }
        )
        totals = {
            each: {m.key: found[f"{m.key}__{i}"] or 0 for m in family}
            for i, each in enumerate(needed)
        }

    def by(path: str) -> dict[str, dict[Any, Value]]:
        grouped = (
            (rows.filter(span(month, month)) if span else rows)
            .order_by()
            .values(path)
            .annotate(**{f"n__{m.key}": m.count(m.condition(month)) for m in family})
        )
        found: dict[str, dict[Any, Value]] = {m.key: {} for m in family}
        for row in grouped:
            if row[path] is None:
                continue
            for m in family:
                if row[f"n__{m.key}"]:
                    found[m.key][row[path]] = row[f"n__{m.key}"]
        return found

    if not breakdowns:
        return totals, {m.key: ({}, {}) for m in family}
    per_program, per_manager = by(first.program), by(first.care_manager)
    return totals, {m.key: (per_program[m.key], per_manager[m.key]) for m in family}


def _contact_counts(
    needed: list[Month], month: Month, program_ids: list[Any] | None, breakdowns: bool = True
) -> tuple[Totals, Breakdowns]:
    """The contact figures from the notes app's counts per month, program and care manager (one
    grouped aggregate; contacts are rows, so the totals are sums)."""
    names = list(notes_selectors.CONTACT_COUNTS)
    wanted = {each.first_day: each for each in needed}
    totals: Totals = {each: dict.fromkeys(names, 0) for each in needed}
    per_program: dict[str, dict[Any, int]] = {name: defaultdict(int) for name in names}
    per_manager: dict[str, dict[Any, int]] = {name: defaultdict(int) for name in names}
    rows = notes_selectors.contact_counts_by_month(
        start=min([*needed, month]).start_at,
        end=max([*needed, month]).end_at,
        tz=timezone.get_default_timezone(),
        program_ids=program_ids,
    )
    for row in rows:
        counted = wanted.get(row["month"])
        for name in names:
            if counted is not None:
                totals[counted][name] = (totals[counted][name] or 0) + row[name]
            if row["month"] == month.first_day and row[name]:
                per_program[name][row["program_id"]] += row[name]
                if row["care_manager_id"] is not None:
                    per_manager[name][row["care_manager_id"]] += row[name]
    return totals, {name: (dict(per_program[name]), dict(per_manager[name])) for name in names}


def _collaborative_counts(
    needed: list[Month], month: Month, program_ids: list[Any] | None, breakdowns: bool = True
) -> tuple[Totals, Breakdowns]:
    """The collaborative-care figures from one query (``figures.collaborative_rows``): distinct
    clients per needed month, and in ``month`` per program and per care manager."""
    keys = figures.COLLABORATIVE
    per_month: dict[Month, dict[str, set[Any]]] = {
        each: {key: set() for key in keys} for each in needed
    }
    per_program: dict[str, dict[Any, set[Any]]] = {k: defaultdict(set) for k in keys}
    per_manager: dict[str, dict[Any, set[Any]]] = {k: defaultdict(set) for k in keys}
    first, last = min([*needed, month]), max([*needed, month])
    for row in figures.collaborative_rows(first.first_day, last.end, program_ids):
        program_id, manager_id, client_id = row[:3]
        for key, day in figures.collaborative_judged(row):
            judged = month_of(day)
            if judged in per_month:
                per_month[judged][key].add(client_id)
            if judged == month:
                per_program[key][program_id].add(client_id)
                if manager_id is not None:
                    per_manager[key][manager_id].add(client_id)
    totals: Totals = {
        each: {key: len(clients) for key, clients in found.items()}
        for each, found in per_month.items()
    }
    return totals, {
        key: (
            {k: len(v) for k, v in per_program[key].items()},
            {k: len(v) for k, v in per_manager[key].items()},
        )
        for key in keys
    }


def _business_days_between(start: dt.date, end: dt.date, holidays: list[dt.date]) -> int:
    """Business days after ``start`` up to and including ``end`` (0 for the same day), in
    constant time: weekdays by arithmetic, less the (sorted) holidays on weekdays between."""
    if end <= start:
        return 0
    first = start + dt.timedelta(days=1)
    span = (end - first).days + 1
    weeks, rest = divmod(span, 7)
    days = weeks * 5 + sum((first.weekday() + n) % 7 < SATURDAY for n in range(rest))
    days -= bisect.bisect_right(holidays, end) - bisect.bisect_left(holidays, first)
    return days


def _median_days(
    needed: list[Month], month: Month, program_ids: list[Any] | None, breakdowns: bool = True
) -> tuple[Totals, Breakdowns]:
    """Median business days from sending to a closed loop, per needed month, and for ``month``
    per program and per care manager."""
    measure = figures.BY_KEY["referrals_closed"]
    first, last = min([*needed, month]), max([*needed, month])
    closed = (
        measure.scoped(program_ids)
        .filter(status__in=figures.CLOSED_LOOP, sent_on__isnull=False)
        .filter(closed_at__gte=first.start_at, closed_at__lt=last.end_at)
        .values_list("sent_on", "closed_at", measure.program, measure.care_manager)
    )
    holidays = sorted(
        day
        for day in holidays_between(first.first_day - dt.timedelta(days=400), last.end)
        if day.weekday() < SATURDAY
    )
    per_month: dict[Month, list[int]] = defaultdict(list)
    per_program: dict[Any, list[int]] = defaultdict(list)
    per_manager: dict[Any, list[int]] = defaultdict(list)
    for sent_on, closed_at, program_id, manager_id in closed:
        closed_on = timezone.localtime(closed_at).date()
        days = _business_days_between(sent_on, closed_on, holidays)
        closed_in = month_of(closed_on)
        per_month[closed_in].append(days)
        if closed_in == month:
            per_program[program_id].append(days)
            per_manager[manager_id].append(days)

    def median(values: Iterable[int]) -> Value:
        values = list(values)
        return statistics.median(values) if values else None

    key = figures.MEDIAN_KEY
    totals: Totals = {each: {key: median(per_month.get(each, []))} for each in needed}
    return totals, {
        key: (
            {k: median(v) for k, v in per_program.items()},
            {k: median(v) for k, v in per_manager.items()},
        )
    }


Compute = Callable[[list[Month], Month, list[Any] | None, bool], tuple[Totals, Breakdowns]]


#: The source whose marks say an enrolment changed care manager (``marks.py``): the month's
#: per-care-manager rows follow today's care managers.
MANAGERS = "enrolment_managers"


def _breakdowns_json(breakdowns: Breakdowns) -> dict[str, Any]:
    def pairs(found: dict[Any, Value]) -> list[list[Any]]:
        return [[None if k is None else str(k), v] for k, v in found.items()]

    return {key: [pairs(p), pairs(m)] for key, (p, m) in breakdowns.items()}


def _breakdowns_of(kept: dict[str, Any]) -> Breakdowns:
    program_pk: Any = Program._meta.pk
    user_pk: Any = User._meta.pk

    def back(pairs: list[list[Any]], pk: Any) -> dict[Any, Value]:
        return {None if k is None else pk.to_python(k): v for k, v in pairs}

    return {key: (back(p, program_pk), back(m, user_pk)) for key, (p, m) in kept.items()}


def _counts(
    cache: monthcache.MonthCache,
    family: str,
    sources: Iterable[str],
    months: list[Month],
    program_ids: list[Any] | None,
    compute: Compute,
) -> dict[str, _Counts]:
    """A family's figures: the kept totals of the closed months still valid, and the month
    shown's rows per program and per care manager if kept; the rest computed now and kept."""
    sources = tuple(sorted(set(sources)))
    by_sources = tuple(sorted({*sources, MANAGERS}))
    month = months[-1]
    kept = cache.get(family, sources)
    kept_by = cache.get(f"{family}:by", by_sources).get(month)
    needed = [each for each in months if each not in kept]
    computed: Totals = {}
    breakdowns: Breakdowns = {}
    if needed or kept_by is None:
        computed, breakdowns = compute(needed, month, program_ids, kept_by is None)
        cache.put(family, sources, computed)
    if kept_by is None:
        cache.put(f"{family}:by", by_sources, {month: _breakdowns_json(breakdowns)})
    else:
        breakdowns = _breakdowns_of(kept_by)
    totals = kept | computed
    return {
        key: _Counts(
            trend=[totals[each][key] for each in months],
            by_program=per_program,
            by_care_manager=per_manager,
        )
        for key, (per_program, per_manager) in breakdowns.items()
    }


def _counted(months: list[Month], program_ids: list[Any] | None) -> dict[str, _Counts]:
    """Every figure's counts: the kept months' totals and rows still valid, the rest computed
    now and kept (``monthcache``). Inside ``reading_reports`` and ``schedules_read_once``."""
    cache = monthcache.MonthCache(months, program_ids)  # its marks first: see there
    counts: dict[str, _Counts] = {}
    apart = set(figures.COLLABORATIVE) | set(notes_selectors.CONTACT_COUNTS)
    for family in _families(m for m in MEASURES if m.key not in apart):
        sources = {source for m in family for source in m.sources}
        counts |= _counts(
            cache,
            family[0].key,
            sources,
            months,
            program_ids,
            partial(_family_counts, family),
        )
    counts |= _counts(
        cache,
        "collaborative",
        figures.COLLABORATIVE_SOURCES,
        months,
        program_ids,
        _collaborative_counts,
    )
    counts |= _counts(
        cache, "contacts", figures.CONTACT_SOURCES, months, program_ids, _contact_counts
    )
    counts |= _counts(
        cache, figures.MEDIAN_KEY, figures.REFERRAL_SOURCES, months, program_ids, _median_days
    )
    cache.save()
    return counts


def month_totals_keep() -> tuple[Month | None, int]:
    """Compute and keep the figures of the latest month that may be kept, for the organisation,
    each active program and each senior's programs, so the first report after a month closes
    reads them instead of computing twelve months (the periodic job ``month totals``). Returns
    the month and how many scopes; (None, 0) where nothing is kept (SQLite)."""
    if not monthcache.enabled():
        return None, 0
    now = clock.now()
    month = month_of(clock.today()).previous()
    if month.end_at + monthcache.GRACE > now:
        month = month.previous()
    scopes: dict[str, list[Any] | None] = {monthcache.scope_key(None): None}
    for program_id in Program.objects.filter(is_active=True).values_list("pk", flat=True):
        scopes[monthcache.scope_key([program_id])] = [program_id]
    for senior in User.objects.filter(is_active=True, career_level=CareerLevel.SENIOR):
        programs = policies.led_programs_or_all(senior)
        if programs:
            scopes[monthcache.scope_key(programs)] = programs
    for program_ids in scopes.values():
        with reading_reports(), figures.schedules_read_once():
            _counted(month.trailing(12), program_ids)
    return month, len(scopes)


def month_report(*, actor: User, month: Month, program_id: Any = None) -> MonthReport:
    """The report for ``month`` (the organisation's, or one program's). NotFound as
    ``report_scope``."""
    program, program_ids = report_scope(actor=actor, program_id=program_id)
    months = month.trailing(12)
    rows: list[FigureRow] = []
    with reading_reports(), figures.schedules_read_once():
        counts = _counted(months, program_ids)
        medians = counts[figures.MEDIAN_KEY]
        for measure in MEASURES:
            found = counts[measure.key]
            rows.append(
                FigureRow(
                    key=measure.key,
                    label=measure.label,
                    section=measure.section,
                    help=measure.help,
                    kind="count",
                    total=found.trend[-1],
                    trend=found.trend,
                    by_program=found.by_program,
                    by_care_manager=found.by_care_manager,
                    clients_of=measure.key,
                )
            )
        by_key = {row.key: row for row in rows}
        for ratio in RATIOS:
            top, bottom = by_key[ratio.numerator], by_key[ratio.denominator]
            rows.append(
                FigureRow(
                    key=ratio.key,
                    label=ratio.label,
                    section=ratio.section,
                    help=ratio.help,
                    kind="percent" if ratio.percent else "rate",
                    total=ratio.of(top.total, bottom.total),
                    trend=[ratio.of(t, b) for t, b in zip(top.trend, bottom.trend, strict=True)],
                    by_program={
                        k: ratio.of(top.by_program.get(k, 0), v)
                        for k, v in bottom.by_program.items()
                    },
                    by_care_manager={
                        k: ratio.of(top.by_care_manager.get(k, 0), v)
                        for k, v in bottom.by_care_manager.items()
                    },
                    clients_of=ratio.numerator,
                )
            )
        rows.append(
            FigureRow(
                key=figures.MEDIAN_KEY,
                label=figures.MEDIAN_LABEL,
                section="referrals",
                help="From the day a referral was sent to the day its loop closed.",
                kind="days",
                total=medians.trend[-1],
                trend=medians.trend,
                by_program=medians.by_program,
                by_care_manager=medians.by_care_manager,
                clients_of="referrals_closed",
            )
        )
        extension_sections = extensions.extension_sections(
            actor=actor, month=month, program_ids=program_ids
        )
        manager_ids = set()
        for row in rows:
            manager_ids |= set(row.by_care_manager)
        managers = list(User.objects.filter(pk__in=manager_ids).order_by("last_name", "first_name"))
    order = {key: n for n, (key, _) in enumerate(figures.SECTIONS)}
    rows.sort(key=lambda r: order[r.section])  # stable: each section keeps its figures' order
    return MonthReport(
        month=month,
        months=months,
        program=program,
        programs=_programs(program, program_ids),
        care_managers=managers,
        rows=rows,
        extension_sections=extension_sections,
    )


def figure_clients(
    *,
    actor: User,
    month: Month,
    figure: str,
    program_id: Any = None,
    care_manager_id: Any = None,
) -> QuerySet[Client]:
    """The clients behind one figure of the month (in the actor's scope, by name)."""
    measure = figures.BY_KEY.get(figure)
    if measure is None:
        message = "Choose one of the report's figures."
        raise ValidationFailed(message, field_errors={"figure": [message]})
    _, program_ids = report_scope(actor=actor, program_id=program_id)
    rows = measure.scoped(program_ids).filter(measure.condition(month))
    if care_manager_id not in (None, ""):
        if not str(care_manager_id).isdigit():
            raise NotFound("Care manager not found.")
        rows = rows.filter(**{measure.care_manager: int(care_manager_id)})
    return (
        policies.client_scope(actor)
        .filter(Q(pk__in=rows.order_by().values(measure.client)))
        .order_by("family_name", "given_name")
    )
