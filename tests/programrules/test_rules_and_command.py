"""Rules files are validated when loaded and by `caseload programs check`; `caseload programs
evaluate FACTS.json` prints one result per fact, in order, with the organisation's holidays
unless a fact brings its own."""

from __future__ import annotations

import copy
import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caseload.core.models import Holiday
from caseload.programrules import rules


def shipped() -> dict[str, Any]:
    return json.loads((rules.RULES_DIR / "2026.json").read_text())


def problems_of(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(rules.RulesError) as caught:
        rules.parse_rules(raw, source="test.json")
    return caught.value.problems


def program(raw: dict[str, Any], key: str) -> dict[str, Any]:
    return next(p for p in raw["programs"] if p["key"] == key)


def test_the_shipped_file_is_valid_and_complete() -> None:
    rule_set = rules.load_file(rules.RULES_DIR / "2026.json")
    assert list(rule_set.programs) == [
        "CCM",
        "complex-CCM",
        "PCM",
        "BHI",
        "CoCM",
        "TCM",
        "APCM",
        "CHI",
    ]
    assert rule_set.program("CCM").codes == ("99490", "99439", "99491", "99437")
    assert rule_set.program("APCM").codes == ("G0558", "G0557", "G0556")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda r: program(r, "CCM")["tracks"][0]["base"].update(minutes=0), "'minutes'"),
        (lambda r: program(r, "CCM")["tracks"][0]["base"].update(code="9949"), "'code'"),
        (lambda r: program(r, "CCM")["tracks"][0].update(staff=["nurse"]), "'staff'"),
        (lambda r: program(r, "CCM")["tracks"][0].update(source="nowhere"), "sources"),
        (lambda r: program(r, "CCM")["tracks"][0]["addon"].update(max=0), "'max'"),
        (lambda r: program(r, "CCM")["tracks"][0]["addon"].update(**{"from": 10}), "start above"),
        (lambda r: program(r, "CoCM")["tracks"][0]["addon"].update(**{"from": 90}), "at 86"),
        (lambda r: program(r, "PCM").update(not_with=["XYZ"]), "unknown program XYZ"),
        (lambda r: program(r, "BHI").update(kind="minutes"), "'kind'"),
        (lambda r: program(r, "BHI")["requires"].update(insurance=True), "unknown requirement"),
        (lambda r: program(r, "BHI")["tracks"][0]["base"].update(code="99490"), "also belongs"),
        (lambda r: program(r, "TCM")["tcm"].update(codes=[]), "'codes'"),
        (lambda r: r["programs"].append(copy.deepcopy(r["programs"][0])), "appears twice"),
        (lambda r: r.update(year="twenty"), "'year'"),
    ],
)
def test_invalid_files_are_refused_with_reasons(change: Any, words: str) -> None:
    raw = shipped()
    change(raw)
    assert any(words in p for p in problems_of(raw)), problems_of(raw)


def test_every_problem_is_reported_at_once() -> None:
    raw = shipped()
    program(raw, "CCM")["tracks"][0]["base"]["minutes"] = -5
    program(raw, "PCM")["not_with"] = ["XYZ"]
    assert len(problems_of(raw)) == 2


def test_a_file_named_for_another_year_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(shipped()))
    with pytest.raises(rules.RulesError) as caught:
        rules.load_file(path)
    assert "named for 2027" in str(caught.value)


def test_check_command_passes_on_the_shipped_rules() -> None:
    out = StringIO()
    call_command("programs", "check", stdout=out)
    assert "ok    2026: 8 programs" in out.getvalue()


def test_check_command_fails_on_a_bad_file(tmp_path: Path) -> None:
    raw = shipped()
    program(raw, "CCM")["tracks"][0]["base"]["minutes"] = 0
    path = tmp_path / "2026.json"
    path.write_text(json.dumps(raw))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("programs", "check", "--file", str(path), stdout=StringIO(), stderr=err)
    assert "program CCM track 1: 'minutes' must be a whole number" in err.getvalue()


def evaluate(tmp_path: Path, facts: Any) -> list[dict[str, Any]]:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts))
    out = StringIO()
    call_command("programs", "evaluate", str(path), stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_evaluate_prints_one_result_per_fact_in_order(tmp_path: Path) -> None:
    facts = [
        {
            "program": "CCM",
            "month": "2026-11",
            "clinical_staff_minutes": 45,
            "physician_minutes": 0,
            "consent": True,
            "care_plan": True,
            "chronic_conditions": 2,
            "cocm_month": "first",
            "discharge": "2026-11-20",
            "mdm": "high",
            "contact_on": "2026-11-23",
            "visit_on": "2026-11-25",
            "med_rec_on": "2026-11-25",
            "holidays": ["2026-11-26"],
        },
        {
            "program": "PCM",
            "month": "2026-11",
            "clinical_staff_minutes": 10,
            "consent": True,
            "care_plan": True,
            "chronic_conditions": 1,
        },
        {
            "program": "TCM",
            "discharge": "2026-11-20",
            "mdm": "high",
            "contact_on": "2026-11-23",
            "visit_on": "2026-11-25",
            "med_rec_on": "2026-11-25",
            "holidays": ["2026-11-26"],
        },
    ]
    results = evaluate(tmp_path, facts)
    assert len(results) == 3
    assert results[0]["codes"] == ["99490", "99439"]
    assert results[0]["not_met"][0]["code"] == "99439"
    assert "contact_due" not in results[0]
    assert results[1]["codes"] == []
    assert results[1]["not_met"][0]["reason"].startswith("20 minutes short of 99426")
    assert results[2] == {
        "codes": ["99496"],
        "not_met": [],
        "contact_due": "2026-11-24",
        "visit_due": "2026-11-27",
    }


@pytest.mark.django_db
def test_evaluate_uses_the_organisations_holidays_unless_the_fact_has_its_own(
    tmp_path: Path,
) -> None:
    Holiday.objects.create(date=dt.date(2026, 11, 23), name="Staff day")
    fact = {"program": "TCM", "discharge": "2026-11-20", "mdm": "moderate"}
    own = {**fact, "holidays": []}
    results = evaluate(tmp_path, [fact, own])
    assert results[0]["contact_due"] == "2026-11-25"  # Monday is the organisation's holiday
    assert results[1]["contact_due"] == "2026-11-24"
    assert results[0]["visit_due"] == "2026-12-04"


@pytest.mark.django_db
def test_evaluate_marks_a_bad_fact_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps([{"program": "CCM", "month": "2026-11"}, {"program": "??"}]))
    out = StringIO()
    with pytest.raises(CommandError, match="1 fact"):
        call_command("programs", "evaluate", str(path), stdout=out)
    results = json.loads(out.getvalue())
    assert results[0]["not_met"][0]["code"] == "99490"
    assert results[1]["error"].startswith("fact 2: 'program' must be one of")


def test_evaluate_refuses_what_is_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text('{"program": "CCM"}')
    with pytest.raises(CommandError, match="JSON list of facts"):
        call_command("programs", "evaluate", str(path), stdout=StringIO())
    path.write_text("not json")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("programs", "evaluate", str(path), stdout=StringIO())
