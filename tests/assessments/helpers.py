"""Answer builders and a one-call way to complete an assessment through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caseload.assessments import services
from caseload.assessments.models import AssessmentResponse
from caseload.clients.models import Client
from caseload.staff.models import User

FREQUENCY = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]  # 0..3
YES, NO = "LA33-6", "LA32-8"


def phq9(*scores: int) -> dict[str, str]:
    assert len(scores) == 9
    return {f"q{i}": FREQUENCY[s] for i, s in enumerate(scores, start=1)}


def phq9_total(total: int, *, item9: int = 0) -> dict[str, str]:
    """A PHQ-9 answer set adding up to ``total`` with item 9 as given."""
    rest = total - item9
    scores = []
    for _ in range(8):
        take = min(3, rest)
        scores.append(take)
        rest -= take
    assert rest == 0, "total out of reach"
    return phq9(*scores, item9)


def gad7(*scores: int) -> dict[str, str]:
    assert len(scores) == 7
    return {f"q{i}": FREQUENCY[s] for i, s in enumerate(scores, start=1)}


def gad7_total(total: int) -> dict[str, str]:
    rest, scores = total, []
    for _ in range(7):
        take = min(3, rest)
        scores.append(take)
        rest -= take
    return gad7(*scores)


def complete(
    actor: User,
    client: Client,
    code: str,
    answers: dict[str, Any],
    *,
    on: dt.date | None = None,
) -> AssessmentResponse:
    return services.response_submit(
        actor=actor,
        client=client,
        instrument_code=code,
        answers=answers,
        complete=True,
        assessed_on=on,
    )
