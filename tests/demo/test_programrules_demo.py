"""The demo's care management month: clients just over and just under each threshold, one
without consent, one with both CCM and PCM time, last month ready for month end."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseload.clients.models import Client
from caseload.core import clock
from caseload.demo import data
from caseload.programrules.evaluation import evaluate_month

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("seeded"),
    pytest.mark.xdist_group("demo"),
]


def results(month: dt.date) -> dict[tuple[str, str], dict[str, Any]]:
    names = {c.pk: c.full_name for c in Client.objects.filter(mrn__startswith=data.MRN_PREFIX)}
    return {(names[r.client_id], r.program): r.result for r in evaluate_month(month)}


def this_month() -> dict[tuple[str, str], dict[str, Any]]:
    return results(clock.today().replace(day=1))


@pytest.mark.parametrize(
    ("client", "program", "codes", "reason"),
    [
        ("Ingrid Lindqvist", "CCM", [], "6 minutes short of 99490"),
        ("Walter Jackson", "CCM", ["99490"], ""),
        ("Galina Petrova", "CCM", ["99490"], "1 minute short of 99439"),
        ("Wilner Pierre", "CCM", ["99490", "99439"], ""),
        ("Emeka Okafor", "PCM", [], "1 minute short of 99426"),
        ("Olga Ivanova", "CoCM", [], "1 minute short of 99492"),
        ("Hodan Ali", "CoCM", ["99493"], ""),
        ("Luis Gutiérrez", "BHI", [], "1 minute short of 99484"),
        ("Kevin O'Connor", "BHI", ["99484"], ""),
        ("Ruth Abernathy", "complex-CCM", ["99487"], ""),
        ("Kwame Asante", "CHI", ["G0019"], ""),
        ("Shirley Washington", "APCM", ["G0557"], ""),
        ("Thanh Nguyen", "CCM", [], "no consent on file for chronic care management"),
        ("Mei Chen", "CCM", ["99490"], ""),
        ("Mei Chen", "PCM", [], "PCM is not billed in a month with CCM"),
    ],
)
def test_this_month_just_over_and_just_under(
    client: str, program: str, codes: list[str], reason: str
) -> None:
    result = this_month()[(client, program)]
    assert result["codes"] == codes
    if reason:
        assert any(m["reason"].startswith(reason) for m in result["not_met"]), result


def test_last_month_is_ready_for_month_end() -> None:
    first = clock.today().replace(day=1)
    last = results((first - dt.timedelta(days=1)).replace(day=1))
    assert last[("Ingrid Lindqvist", "CCM")]["codes"] == ["99490", "99439", "99439"]
    assert last[("Hodan Ali", "CoCM")]["codes"] == ["99492"]
    assert last[("Galina Petrova", "CCM")]["codes"] == []
