"""The month report's time-based programs section (reports/extensions.py finds this module):
per time-based program (its rules file's), the clients with time recorded in the month, those
whose minutes met one of its thresholds (a billing code), and the minutes recorded, with the
same per care manager; for transitional care (judged from a discharge, not time) the clients
discharged in the month and those whose contacts met its deadlines. Read through
``program_month_summary`` (frozen once the month is closed), for the clients enrolled in the
programs reported on."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from caseload.enrolments.selectors import enrolments_for_report
from caseload.programrules import rules
from caseload.programrules.selectors import program_month_summary
from caseload.staff.models import User


def month_figures(
    *,
    actor: User,
    first_day: dt.date,
    end: dt.date,
    program_ids: list[Any] | None,
    **_: Any,
) -> dict[str, Any]:
    # A program's report evaluates its own clients only (a subquery of their enrolments).
    enrolled = None
    if program_ids is not None:
        enrolled = enrolments_for_report(program_ids).values("client_id")
    summary = program_month_summary(actor=actor, month=first_day, client_ids=enrolled)
    rows = summary.rows
    rule_set = rules.for_year(first_day.year)
    names = {p.key: p.name for p in summary.programs}
    order = list(names)
    figures: list[dict[str, Any]] = []
    for key in sorted(
        {r.program for r in rows},
        key=lambda k: (k not in order, order.index(k) if k in order else 0, k),
    ):
        mine = [r for r in rows if r.program == key]
        name = names.get(key, key)
        name = name[:1].upper() + name[1:]
        clients: Counter[Any] = Counter()
        met: Counter[Any] = Counter()
        minutes: Counter[Any] = Counter()
        for r in mine:
            manager = r.care_manager.pk if r.care_manager else None
            clients[manager] += 1
            met[manager] += bool(r.codes)
            minutes[manager] += r.minutes
        program = rule_set.programs.get(key)
        if program is not None and program.kind == "tcm":
            # Judged from a discharge and its deadlines, not from time.
            figures += [
                _row(f"{name}: clients discharged in the month", clients),
                _row(f"{name}: clients whose contacts met its deadlines", met),
            ]
            continue
        figures += [
            _row(f"{name}: clients with time recorded", clients),
            _row(f"{name}: clients whose minutes met a threshold", met),
            _row(f"{name}: minutes recorded", minutes),
        ]
    if not figures:
        figures.append({"label": "Clients with time recorded toward a program", "value": 0})
    title = "Time-based programs" + (" (month closed)" if summary.frozen else "")
    return {"title": title, "rows": figures}


def _row(label: str, per_manager: Counter[Any]) -> dict[str, Any]:
    return {
        "label": label,
        "value": sum(per_manager.values()),
        "per_care_manager": {k: v for k, v in per_manager.items() if k is not None and v},
    }
