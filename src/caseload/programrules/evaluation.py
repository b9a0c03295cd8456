"""The monthly evaluation: each client-month's facts gathered from the records, run through the
engine. Live for a month that is open; a closed month reads the results frozen when it closed.

Facts come from: time entries (minutes by program and staff type; the billing practitioners
named), billing consents in force during the month whose program names the program (its key,
name or a code: "Chronic care management (99490)"), a published care plan by the month's end,
chronic conditions open during the month, earlier collaborative-care time (first month or
later), and transitional-care episodes discharged in the month with their three clocks.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from caseload.careplans.selectors import clients_with_published_plan
from caseload.consents.selectors import billing_consent_programs
from caseload.core.business_days import holidays_between
from caseload.enrolments.selectors import care_managers_of
from caseload.programrules import engine, rules
from caseload.programrules.models import ChronicCondition, MonthClose, MonthResult, TimeEntry
from caseload.transitions.models import ClockKind
from caseload.transitions.selectors import (
    clients_discharged_between,
    episodes_discharged_between,
)


def month_of(moment: dt.datetime) -> dt.date:
    """The first day of the month ``moment`` falls in, in the organisation's time zone."""
    return timezone.localtime(moment).date().replace(day=1)


def month_words(month: dt.date) -> str:
    return f"{month:%B %Y}"


def last_day(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_end(month: dt.date) -> dt.datetime:
    """The first instant after ``month`` in the organisation's time zone."""
    following = last_day(month) + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(following, dt.time()))


def month_start(month: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(month, dt.time()))


def closed_month(month: dt.date) -> MonthClose | None:
    """The closing in force for ``month``, if it is closed."""
    return MonthClose.objects.filter(month=month, is_closed=True).order_by("-closed_at").first()


def counted_entries() -> QuerySet[TimeEntry]:
    """Time entries that count: not entered in error, nor from a note entered in error."""
    return TimeEntry.objects.filter(entered_in_error_at__isnull=True).exclude(
        note__entered_in_error_at__isnull=False
    )


@dataclass
class ClientMonth:
    """One client's result for one program in one month."""

    client_id: Any
    program: str
    result: dict[str, Any]
    minutes: int = 0
    minutes_by_staff: dict[str, int] = field(default_factory=dict)
    billing_practitioner: str = ""
    care_manager_id: int | None = None
    fact: engine.Fact | None = None
    frozen: bool = False

    @property
    def codes(self) -> list[str]:
        return list(self.result.get("codes", []))

    @property
    def met(self) -> bool:
        return bool(self.result.get("codes"))


def consent_covers(text: str, program: rules.Program) -> bool:
    """Whether a billing consent's program text names ``program`` (key, name or a code)."""
    lowered = text.lower().replace("behavioral", "behavioural")
    if program.name.lower() in lowered:
        return True
    if re.search(rf"(?<![\w-]){re.escape(program.key.lower())}(?![\w-])", lowered):
        return True
    return any(code.lower() in lowered for code in program.codes)


#: ``where("client_id")``: the condition naming the clients evaluated, on any model's field.
Where = Callable[[str], Q]


def _conditions(where: Where, month: dt.date) -> dict[Any, int]:
    rows = (
        ChronicCondition.objects.filter(
            where("client_id"),
            entered_in_error_at__isnull=True,
            noted_on__lte=last_day(month),
        )
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gte=month))
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
    )
    return dict(rows)


def _earlier_cocm(where: Where, month: dt.date) -> set[Any]:
    return set(
        counted_entries()
        .filter(where("client_id"), program="CoCM", month__lt=month)
        .values_list("client_id", flat=True)
        .distinct()
    )


def _only(client_ids: Iterable[Any] | QuerySet[Any] | None) -> Any:
    """``client_ids`` as a filter's value: a subquery stays one (a program's clients are
    thousands), any other iterable becomes a set."""
    if client_ids is None or isinstance(client_ids, QuerySet):
        return client_ids
    return set(client_ids)


def evaluate_month(
    month: dt.date, *, client_ids: Iterable[Any] | QuerySet[Any] | None = None
) -> list[ClientMonth]:
    """Every client-month-program result for ``month`` (all clients with time or a discharge,
    or only ``client_ids``: ids, or a subquery of them), evaluated now."""
    month = month.replace(day=1)
    rule_set = rules.for_year(month.year)
    wanted = _only(client_ids)
    entries = counted_entries().filter(month=month).exclude(program="")
    if wanted is not None:
        entries = entries.filter(client_id__in=wanted)
    minutes: dict[tuple[Any, str], dict[str, int]] = defaultdict(dict)
    for client_id, key, staff_type, total in (
        entries.values("client_id", "program", "staff_type")
        .annotate(total=Sum("minutes"))
        .values_list("client_id", "program", "staff_type", "total")
        .order_by()
    ):
        if key in rule_set.programs:
            minutes[(client_id, key)][staff_type] = int(total or 0)
    practitioners: dict[Any, set[str]] = defaultdict(set)
    for client_id, name in (
        entries.exclude(billing_practitioner="")
        .values_list("client_id", "billing_practitioner")
        .distinct()
        .order_by()
    ):
        practitioners[client_id].add(name.strip())
    episodes = episodes_discharged_between(month, last_day(month), client_ids=wanted)
    clients = {client_id for client_id, _ in minutes} | {e.client_id for e in episodes}
    if not clients:
        return []
    # The other facts are read for the same clients: named when the caller asked about a few,
    # else as the month's time entries (a subquery, not a list of every id) and discharges.
    discharged = clients_discharged_between(month, last_day(month))

    def where(field: str) -> Q:
        if wanted is not None and not isinstance(wanted, QuerySet):
            return Q(**{f"{field}__in": wanted})
        month_clients = Q(**{f"{field}__in": entries.values("client_id")}) | Q(
            **{f"{field}__in": discharged}
        )
        if wanted is None:
            return month_clients
        return Q(**{f"{field}__in": wanted}) & month_clients  # a program's, this month

    consents = billing_consent_programs(
        clients=where("client_id"), first=month, last=last_day(month)
    )
    conditions = _conditions(where, month)
    plans = clients_with_published_plan(
        clients=where("careplan__client_id"), before=month_end(month)
    )
    managers = care_managers_of(clients=where("client_id"))
    earlier_cocm = _earlier_cocm(where, month)
    holidays = holidays_between(
        month - dt.timedelta(days=7), last_day(month) + dt.timedelta(days=45)
    )

    facts: list[tuple[engine.Fact, Any]] = []
    for (client_id, program_key), by_staff in minutes.items():
        program = rule_set.program(program_key)
        if program.kind == "tcm":
            continue  # transitional care is judged from its episode, not time
        facts.append(
            (
                engine.Fact(
                    program=program_key,
                    month=month,
                    minutes=dict(by_staff),
                    consent=any(consent_covers(t, program) for t in consents.get(client_id, [])),
                    care_plan=client_id in plans,
                    chronic_conditions=conditions.get(client_id, 0),
                    cocm_month="later" if client_id in earlier_cocm else "first",
                    billing_practitioners=max(1, len(practitioners.get(client_id, ()))),
                ),
                client_id,
            )
        )
    for episode in episodes:
        dates = episode.met_on
        facts.append(
            (
                engine.Fact(
                    program="TCM",
                    month=month,
                    discharge=episode.discharged_on,
                    mdm=episode.complexity,
                    contact_on=dates.get(ClockKind.CONTACT),
                    visit_on=dates.get(ClockKind.FACE_TO_FACE),
                    med_rec_on=dates.get(ClockKind.MEDICATION),
                    holidays=frozenset(holidays),
                ),
                episode.client_id,
            )
        )

    def run(fact: engine.Fact) -> dict[str, Any]:
        return engine.evaluate(fact, calendar=engine.no_holidays, rule_set=rule_set).as_json()

    # Pass 1 finds what each client-month meets on its own; pass 2 applies the pairs never
    # billed together against the programs actually met.
    first_pass = [run(fact) for fact, _ in facts]
    met: dict[Any, set[str]] = defaultdict(set)
    for (fact, client_id), result in zip(facts, first_pass, strict=True):
        if result["codes"]:
            met[client_id].add(fact.program)
    out: list[ClientMonth] = []
    for (fact, client_id), result in zip(facts, first_pass, strict=True):
        others = tuple(sorted(met[client_id] - {fact.program}))
        if others:
            fact.other_programs = others
            result = run(fact)
        names = sorted(practitioners.get(client_id, ()))
        out.append(
            ClientMonth(
                client_id=client_id,
                program=fact.program,
                result=result,
                minutes=sum(fact.minutes.values()),
                minutes_by_staff=dict(fact.minutes),
                billing_practitioner="; ".join(names),
                care_manager_id=managers.get(client_id),
                fact=fact,
            )
        )
    return out


def month_results(
    month: dt.date, *, client_ids: Iterable[Any] | QuerySet[Any] | None = None
) -> list[ClientMonth]:
    """``month``'s results: frozen if the month is closed, else evaluated now."""
    month = month.replace(day=1)
    closing = closed_month(month)
    if closing is None:
        return evaluate_month(month, client_ids=client_ids)
    rows = MonthResult.objects.filter(month_close=closing)
    if client_ids is not None:
        rows = rows.filter(client_id__in=_only(client_ids))
    return [
        ClientMonth(
            client_id=row.client_id,
            program=row.program,
            result={"codes": row.codes, "not_met": row.not_met},
            minutes=row.minutes,
            minutes_by_staff=row.minutes_by_staff,
            billing_practitioner=row.billing_practitioner,
            care_manager_id=row.care_manager_id,
            frozen=True,
        )
        for row in rows
    ]
