"""Reads for time toward programs: the chart's section, the worklist's "within reach", the
month-end report and billing export, and ``program_month_summary`` for other reports.

Every read starts from ``access.policies.client_scope`` (one client's rows through
``rows_of_client``); out of scope is NotFound.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from caseload.access import policies
from caseload.clients.models import Client
from caseload.core import clock
from caseload.core.errors import NotFound, ValidationFailed
from caseload.enrolments.models import OPEN_STATUSES
from caseload.programrules import engine, rules
from caseload.programrules.evaluation import (
    ClientMonth,
    closed_month,
    counted_entries,
    last_day,
    month_results,
    month_words,
)
from caseload.programrules.models import (
    ChronicCondition,
    MonthClose,
    MonthResult,
    RunningTimer,
    StaffType,
    TimeEntry,
)
from caseload.staff.models import User
from caseload.transitions.selectors import clients_discharged_between

if TYPE_CHECKING:
    from caseload.programrules.engine import Progress

#: The worklist shows clients within this many minutes of a threshold …
REACH_MINUTES = 20
#: … in the last this many days of a month.
LAST_DAYS = 10


def this_month() -> dt.date:
    return clock.today().replace(day=1)


def parse_month(value: str | None) -> dt.date:
    """'2026-11' → 1 November 2026; empty → the previous month (what month end is about)."""
    if not value:
        first = this_month()
        return (first - dt.timedelta(days=1)).replace(day=1)
    message = f"Choose a month like 2026-11, from {min(rules.years())} on."
    try:
        year, month = (int(part) for part in value.split("-"))
        chosen = dt.date(year, month, 1)
    except ValueError as exc:
        raise ValidationFailed(message, field_errors={"month": [message]}) from exc
    if chosen.year < min(rules.years()):
        raise ValidationFailed(message, field_errors={"month": [message]})
    return chosen


def note_time_initial(*, actor: User, client: Client) -> dict[str, str]:
    """The note form's time defaults: the client's latest program and billing practitioner,
    the staff type this person last recorded."""
    latest = (
        counted_entries()
        .filter(policies.rows_of_client(actor, client.pk))
        .order_by("-performed_at")
        .values("program", "billing_practitioner")
        .first()
    )
    mine = (
        TimeEntry.objects.filter(performed_by=actor)
        .order_by("-performed_at")
        .values_list("staff_type", flat=True)
        .first()
    )
    return {
        "time_program": latest["program"] if latest else "",
        "time_billing_practitioner": latest["billing_practitioner"] if latest else "",
        "time_staff_type": mine or StaffType.CLINICAL_STAFF,
    }


# -- the chart ----------------------------------------------------------------------------------


@dataclass
class ProgramRow:
    """One program's time this month on a client's chart."""

    key: str
    name: str
    minutes: int
    minutes_by_staff: list[tuple[str, int]]
    codes: list[str]
    not_met: list[dict[str, str]]
    progress: list[Progress]


@dataclass
class ProgramTimeSummary:
    month: dt.date
    rows: list[ProgramRow]
    entries: list[TimeEntry]
    conditions: list[ChronicCondition]
    timer: RunningTimer | None  # the viewer's timer on this client
    timer_elsewhere: RunningTimer | None  # the viewer's timer on another client
    closed: bool
    editable_ids: set[Any] = field(default_factory=set)

    @property
    def month_words(self) -> str:
        return month_words(self.month)

    @property
    def total_minutes(self) -> int:
        return sum(entry.minutes for entry in self.entries)

    @property
    def timer_minutes(self) -> int:
        """Whole minutes on the viewer's timer so far (0 in its first minute)."""
        if self.timer is None:
            return 0
        return max(0, int((clock.now() - self.timer.started_at).total_seconds() // 60))


def _staff_words(by_staff: dict[str, int]) -> list[tuple[str, int]]:
    labels = {
        StaffType.CLINICAL_STAFF: "clinical staff",
        StaffType.PHYSICIAN: "physician or QHP",
        StaffType.AUXILIARY: "auxiliary staff",
    }
    return [(labels[StaffType(k)], v) for k, v in sorted(by_staff.items()) if v]


def _program_rows(results: list[ClientMonth], month: dt.date) -> list[ProgramRow]:
    rule_set = rules.for_year(month.year)
    rows = []
    for item in sorted(results, key=lambda r: list(rule_set.programs).index(r.program)):
        program = rule_set.program(item.program)
        fact = item.fact or engine.Fact(
            program=item.program, month=month, minutes=dict(item.minutes_by_staff)
        )
        rows.append(
            ProgramRow(
                key=program.key,
                name=program.name,
                minutes=item.minutes,
                minutes_by_staff=_staff_words(item.minutes_by_staff),
                codes=item.codes,
                not_met=list(item.result.get("not_met", [])),
                progress=engine.progress(fact, rule_set),
            )
        )
    return rows


def program_time_for_client(*, actor: User, client: Client) -> ProgramTimeSummary:
    """This month's time per program against the thresholds, the entries, the viewer's timer
    and the client's chronic conditions (the chart's section). Does not audit: the chart page
    records "client.viewed"."""
    policies.require_clinical_in_scope(actor, client.pk)
    month = this_month()
    results = month_results(month, client_ids=[client.pk])
    entries = list(
        counted_entries()
        .filter(policies.rows_of_client(actor, client.pk), month=month)
        .select_related("performed_by", "note")
        .order_by("-performed_at")
    )
    conditions = list(
        ChronicCondition.objects.filter(
            policies.rows_of_client(actor, client.pk),
            entered_in_error_at__isnull=True,
            resolved_on__isnull=True,
        )
    )
    # The viewer's timer by id only: the chart's sections never read clients again. A timer
    # running on another client names that client, as the viewer may see them.
    timer = RunningTimer.objects.filter(user=actor).first()
    if timer is not None and timer.client_id != client.pk:
        elsewhere = policies.client_scope(actor).filter(pk=timer.client_id).first()
        if elsewhere is None:
            timer = None
        else:
            timer.client = elsewhere
    return ProgramTimeSummary(
        month=month,
        rows=_program_rows(results, month),
        entries=entries,
        conditions=conditions,
        timer=timer if timer and timer.client_id == client.pk else None,
        timer_elsewhere=timer if timer and timer.client_id != client.pk else None,
        closed=closed_month(month) is not None,
        editable_ids={
            e.pk
            for e in entries
            if policies.can_edit_time_entry(actor, e.performed_by)
            and not (e.note is not None and e.note.status == "draft")
        },
    )


def time_entry_get(*, actor: User, entry_id: Any) -> TimeEntry:
    """One time entry of a client ``actor`` may see (clinical staff); NotFound otherwise."""
    policies.require_clinical(actor)
    try:
        return (
            TimeEntry.objects.select_related("client", "performed_by", "note")
            .prefetch_related("changes__changed_by")
            .get(pk=entry_id, client__in=policies.client_scope(actor))
        )
    except (TimeEntry.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Time entry not found.") from exc


def running_timer(*, actor: User) -> RunningTimer | None:
    timer = RunningTimer.objects.filter(user=actor).select_related("client").first()
    if timer is not None and not policies.client_in_scope(actor, timer.client_id):
        return None
    return timer


def chronic_conditions_for_client(*, actor: User, client: Client) -> list[ChronicCondition]:
    """Every chronic condition of the client, current first, those entered in error last."""
    policies.require_clinical_in_scope(actor, client.pk)
    return list(
        ChronicCondition.objects.filter(policies.rows_of_client(actor, client.pk))
        .select_related("recorded_by", "entered_in_error_by")
        .order_by("entered_in_error_at", "resolved_on", "name")
    )


def chronic_condition_get(*, actor: User, condition_id: Any) -> ChronicCondition:
    policies.require_clinical(actor)
    try:
        return ChronicCondition.objects.select_related("client").get(
            pk=condition_id, client__in=policies.client_scope(actor)
        )
    except (ChronicCondition.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Condition not found.") from exc


# -- the worklist -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WithinReach:
    client: Client
    program: str
    code: str
    minutes: int
    need: int

    @property
    def short(self) -> int:
        return self.need - self.minutes


def is_last_days(today: dt.date | None = None) -> bool:
    today = today or clock.today()
    return (last_day(today) - today).days < LAST_DAYS


def days_left(today: dt.date | None = None) -> int:
    today = today or clock.today()
    return (last_day(today) - today).days + 1


def program_time_within_reach(*, actor: User, care_manager: User) -> list[WithinReach]:
    """In the last 10 days of a month: ``care_manager``'s clients (those ``actor`` may see)
    within 20 minutes of a program threshold they can still reach this month, fewest minutes
    needed first. Empty earlier in the month. A fixed number of queries."""
    policies.require_clinical(actor)
    if not is_last_days():
        return []
    month = this_month()
    clients = policies.client_scope(actor).filter(
        enrolments__care_manager=care_manager, enrolments__status__in=OPEN_STATUSES
    )
    ids = set(
        counted_entries()
        .filter(month=month, client__in=clients)
        .exclude(program="")
        .values_list("client_id", flat=True)
    )
    if not ids:
        return []
    rule_set = rules.for_year(month.year)
    found: list[tuple[Any, str, Progress]] = []
    for item in month_results(month, client_ids=ids):
        if item.fact is None or engine.prerequisite_reasons(
            rule_set.program(item.program), item.fact, rule_set
        ):
            continue  # minutes alone will not make it billable: nothing to chase
        for step in engine.progress(item.fact):
            if step.short is not None and 0 < step.short <= REACH_MINUTES:
                found.append((item.client_id, item.program, step))
    by_id = {
        c.pk: c for c in policies.client_scope(actor).filter(pk__in={cid for cid, _, _ in found})
    }
    rows = [
        WithinReach(by_id[cid], program, step.code, step.minutes, step.need or 0)
        for cid, program, step in found
        if cid in by_id
    ]
    return sorted(rows, key=lambda r: (r.short, r.client.family_name, r.client.given_name))


# -- month end ----------------------------------------------------------------------------------


@dataclass
class ReportRow:
    client: Client
    program: str
    codes: list[str]
    minutes: int
    billing_practitioner: str
    care_manager: User | None
    not_met: list[dict[str, str]]


@dataclass
class ProgramTotals:
    key: str
    name: str
    clients: int = 0
    clients_met: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    minutes: int = 0
    order: tuple[str, ...] = ()  # the program's codes as the rules file lists them

    @property
    def codes_text(self) -> str:
        def rank(code: str) -> int:
            return self.order.index(code) if code in self.order else len(self.order)

        ordered = sorted(self.codes.items(), key=lambda item: (rank(item[0]), item[0]))
        return ", ".join(f"{code} × {n}" for code, n in ordered) or "none"


@dataclass
class CareManagerTotals:
    care_manager: User | None
    clients: int = 0
    clients_met: int = 0
    by_program: Counter[str] = field(default_factory=Counter)
    met_by_program: Counter[str] = field(default_factory=Counter)

    @property
    def program_lines(self) -> list[tuple[str, int, int]]:
        """(program, clients meeting a code, clients with time)."""
        return [(k, self.met_by_program[k], n) for k, n in sorted(self.by_program.items())]


@dataclass
class ProgramMonthSummary:
    month: dt.date
    closing: MonthClose | None
    programs: list[ProgramTotals]
    care_managers: list[CareManagerTotals]
    rows: list[ReportRow]

    @property
    def month_words(self) -> str:
        return month_words(self.month)

    @property
    def frozen(self) -> bool:
        return self.closing is not None


def program_month_summary(
    *, actor: User, month: dt.date, client_ids: QuerySet[Any] | None = None
) -> ProgramMonthSummary:
    """``month``'s program results for every client ``actor`` may see (of ``client_ids``, a
    subquery, when given): totals per program and per care manager, and one row per client and
    program (frozen when the month is closed). For the month-end page and export, and for other
    reports (the organisation's month report). Seniors and directors; NotFound for anyone
    else. Does not audit: the page or export that shows the rows records what it showed."""
    policies.require_program_reports(actor)
    month = month.replace(day=1)
    rule_set = rules.for_year(month.year)
    results = month_results(month, client_ids=client_ids)
    closing = closed_month(month)
    # The month's clients as subqueries (time entries, or frozen results) and the few
    # discharges, not a list of every id: the organisation's month is many thousands.
    with_results = (
        Q(pk__in=MonthResult.objects.filter(month_close=closing).values("client_id"))
        if closing is not None
        else Q(pk__in=counted_entries().filter(month=month).values("client_id"))
        | Q(pk__in=clients_discharged_between(month, last_day(month)))
    )
    # Unordered: the rows are sorted below (ordered, PostgreSQL walks every client by name).
    visible = {c.pk: c for c in policies.client_scope(actor).filter(with_results).order_by()}
    results = [r for r in results if r.client_id in visible]
    managers = {
        u.pk: u
        for u in User.objects.filter(
            pk__in={r.care_manager_id for r in results if r.care_manager_id}
        )
    }
    totals = {
        key: ProgramTotals(key, p.name, order=p.codes) for key, p in rule_set.programs.items()
    }
    per_manager: dict[Any, CareManagerTotals] = {}
    clients_of_manager: dict[Any, set[Any]] = defaultdict(set)
    met_clients_of_manager: dict[Any, set[Any]] = defaultdict(set)
    rows = []
    for item in results:
        program = totals.setdefault(item.program, ProgramTotals(item.program, item.program))
        program.clients += 1
        program.minutes += item.minutes
        program.codes.update(item.codes)
        if item.codes:
            program.clients_met += 1
        manager = managers.get(item.care_manager_id) if item.care_manager_id else None
        line = per_manager.setdefault(item.care_manager_id, CareManagerTotals(manager))
        line.by_program[item.program] += 1
        clients_of_manager[item.care_manager_id].add(item.client_id)
        if item.codes:
            line.met_by_program[item.program] += 1
            met_clients_of_manager[item.care_manager_id].add(item.client_id)
        rows.append(
            ReportRow(
                client=visible[item.client_id],
                program=item.program,
                codes=item.codes,
                minutes=item.minutes,
                billing_practitioner=item.billing_practitioner,
                care_manager=manager,
                not_met=list(item.result.get("not_met", [])),
            )
        )
    for key, line in per_manager.items():
        line.clients = len(clients_of_manager[key])
        line.clients_met = len(met_clients_of_manager[key])
    order = list(rule_set.programs)
    rows.sort(
        key=lambda r: (
            order.index(r.program) if r.program in order else len(order),
            r.client.family_name,
            r.client.given_name,
        )
    )
    return ProgramMonthSummary(
        month=month,
        closing=closing,
        programs=[t for t in totals.values() if t.clients],
        care_managers=sorted(
            per_manager.values(),
            key=lambda m: m.care_manager.display_name if m.care_manager else "~",
        ),
        rows=rows,
    )


def month_closings(month: dt.date) -> list[MonthClose]:
    return list(MonthClose.objects.filter(month=month).select_related("closed_by", "reopened_by"))


def recent_months(count: int = 6) -> list[dt.date]:
    month = this_month()
    out = []
    for _ in range(count):
        out.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return out
