"""Definitions are validated when loaded; organisations can add their own licensed files."""

from __future__ import annotations

import copy
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from caseload.assessments import catalogue
from caseload.assessments.definitions import InstrumentError, parse_instrument, score_answers


def shipped(code: str) -> dict[str, Any]:
    return json.loads((catalogue.SHIPPED_DIR / f"{code}.json").read_text())


def problems_of(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(raw)
    return caught.value.problems


# A small instrument standing in for a licensed one (no licensed wording in this repository).
BURDEN = {
    "format": "caseload-instrument/1",
    "code": "carer-burden",
    "version": "2024.1",
    "short_name": "Carer burden",
    "title": "Example carer burden screen (organisation-supplied)",
    "licence": {"item_text": "verbatim", "note": "Licensed to the organisation."},
    "answerSets": {
        "freq": [
            {"valueCoding": {"code": "0", "display": "Never"}, "score": 0},
            {"valueCoding": {"code": "1", "display": "Rarely"}, "score": 1},
            {"valueCoding": {"code": "2", "display": "Sometimes"}, "score": 2},
            {"valueCoding": {"code": "3", "display": "Often"}, "score": 3},
            {"valueCoding": {"code": "4", "display": "Nearly always"}, "score": 4},
        ]
    },
    "questionnaire": {
        "resourceType": "Questionnaire",
        "item": [
            {
                "linkId": f"b{i}",
                "type": "choice",
                "required": True,
                "text": f"Item {i}",
                "answerSet": "freq",
            }
            for i in range(1, 5)
        ],
    },
    "scoring": {
        "total": {"sum": "*"},
        "range": [0, 16],
        "bands": [
            {"code": "low", "label": "Low burden", "min": 0, "max": 7},
            {"code": "high", "label": "High burden", "min": 8, "max": 16, "level": "high"},
        ],
    },
}


def test_a_band_gap_is_refused() -> None:
    raw = shipped("phq9")
    raw["scoring"]["bands"][1]["min"] = 6
    assert any("without gaps or overlaps" in p for p in problems_of(raw))


def test_bands_that_stop_short_of_the_range_are_refused() -> None:
    raw = shipped("gad7")
    raw["scoring"]["bands"][-1]["max"] = 20
    assert any("bands stop at 20" in p for p in problems_of(raw))


def test_a_declared_range_that_the_items_cannot_reach_is_refused() -> None:
    raw = shipped("phq9")
    raw["scoring"]["range"] = [0, 30]
    assert any("does not match the items, which add up to 0-27" in p for p in problems_of(raw))


def test_summing_an_unknown_or_optional_item_is_refused() -> None:
    raw = shipped("phq9")
    raw["scoring"]["total"]["sum"] = [*raw["scoring"]["total"]["sum"], "q10", "difficulty"]
    found = problems_of(raw)
    assert any("unknown item 'q10'" in p for p in found)
    assert any("'difficulty', which has no score" in p for p in found)


def test_a_flag_naming_an_unknown_answer_is_refused() -> None:
    raw = shipped("hrsn")
    raw["scoring"]["domains"][0]["positive_when"]["any"][0]["answer_in"] = ["maybe"]
    assert any("unknown answer 'maybe'" in p for p in problems_of(raw))


def test_a_repeated_link_id_and_an_unknown_type_are_both_reported() -> None:
    raw = shipped("gad7")
    raw["questionnaire"]["item"][1]["linkId"] = "q1"
    raw["questionnaire"]["item"][2]["type"] = "slider"
    found = problems_of(raw)
    assert any("linkId 'q1' is used twice" in p for p in found)
    assert any("'slider'" in p for p in found)


def test_numeric_points_with_a_gap_are_refused() -> None:
    raw = shipped("lace")
    raw["questionnaire"]["item"][0]["points"][4]["min"] = 5
    assert any("points do not continue from 4" in p for p in problems_of(raw))


def test_a_malformed_loinc_code_is_refused() -> None:
    raw = shipped("phq2")
    raw["loinc"]["total"] = "55758"
    assert any("malformed" in p for p in problems_of(raw))


def test_scores_do_not_change_when_unrelated_text_changes_but_the_fingerprint_does() -> None:
    raw = shipped("phq9")
    edited = copy.deepcopy(raw)
    edited["questionnaire"]["item"][0]["text"] = "Little interest or pleasure in doing things?"
    before, after = parse_instrument(raw), parse_instrument(edited)
    assert before.sha256 != after.sha256
    answers = {f"q{i}": "LA6569-3" for i in range(1, 10)}
    assert score_answers(before, answers).total == score_answers(after, answers).total == 9


def test_an_organisation_file_adds_an_instrument(tmp_path: Path) -> None:
    (tmp_path / "carer-burden.json").write_text(json.dumps(BURDEN))
    with override_settings(CASELOAD_INSTRUMENTS_DIR=str(tmp_path)):
        instrument = catalogue.get("carer-burden")
        assert instrument is not None
        assert instrument.range == (0, 16)
        result = score_answers(instrument, {"b1": "2", "b2": "2", "b3": "2", "b4": "2"})
        assert result.total == 8
        assert result.band is not None
        assert result.band.code == "high"
    assert catalogue.get("carer-burden") is None


def test_an_organisation_file_can_replace_a_shipped_instrument(tmp_path: Path) -> None:
    raw = shipped("phq2")
    raw["version"] = "1.1.0-local"
    (tmp_path / "phq2.json").write_text(json.dumps(raw))
    with override_settings(CASELOAD_INSTRUMENTS_DIR=str(tmp_path)):
        report = catalogue.load_all()
        assert report.instruments["phq2"].version == "1.1.0-local"
        assert any("replaces the shipped 'phq2'" in note for note in report.notes)


def test_instruments_check_passes_for_the_shipped_files() -> None:
    out = StringIO()
    call_command("instruments", "check", stdout=out)
    assert "9 instruments valid." in out.getvalue()


def test_instruments_check_names_every_problem_of_a_broken_file(tmp_path: Path) -> None:
    broken = copy.deepcopy(BURDEN)
    broken["scoring"]["range"] = [0, 20]
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    (tmp_path / "not-json.json").write_text("{ nope")
    err = StringIO()
    with (
        override_settings(CASELOAD_INSTRUMENTS_DIR=str(tmp_path)),
        pytest.raises(CommandError, match="2 definition file"),
    ):
        call_command("instruments", "check", stdout=StringIO(), stderr=err)
    assert "broken.json" in err.getvalue()
    assert "add up to 0-16" in err.getvalue()
    assert "cannot read the file as JSON" in err.getvalue()


def test_a_missing_instruments_directory_is_reported(tmp_path: Path) -> None:
    with override_settings(CASELOAD_INSTRUMENTS_DIR=str(tmp_path / "absent")):
        report = catalogue.load_all()
    assert any("not a directory" in e.problems[0] for e in report.errors)


def test_the_documented_example_definition_is_valid() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"
    block = docs.read_text().split("```json", 1)[1].split("```", 1)[0]
    without_comments = "\n".join(line.split("  //")[0] for line in block.splitlines())
    instrument = parse_instrument(json.loads(without_comments), source="docs/instruments.md")
    assert instrument.code == "zarit"
    assert instrument.range == (0, 5)


def test_import_fhir_writes_a_definition_that_checks(tmp_path: Path) -> None:
    from tests.conftest import FIXTURES_DIR

    out = tmp_path / "phq9-lforms.json"
    stdout = StringIO()
    call_command(
        "instruments",
        "import-fhir",
        str(FIXTURES_DIR / "questionnaires" / "lforms__phq9.json"),
        "--code",
        "phq9-lforms",
        "--out",
        str(out),
        stdout=stdout,
    )
    assert "Wrote" in stdout.getvalue()
    with override_settings(CASELOAD_INSTRUMENTS_DIR=str(tmp_path)):
        instrument = catalogue.get("phq9-lforms")
        assert instrument is not None
        assert instrument.range == (0, 27)
        call_command("instruments", "check", stdout=StringIO())


def test_import_fhir_refuses_what_it_cannot_score(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resourceType": "Patient"}))
    with pytest.raises(CommandError, match="cannot be imported"):
        call_command("instruments", "import-fhir", str(bad), stdout=StringIO())
