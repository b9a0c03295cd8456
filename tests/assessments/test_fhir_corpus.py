"""FHIR Questionnaire import over the HL7 R4 example corpus (../shared/fixtures).

An importer must take real data written by others without crashing: each official example
Questionnaire either becomes an instrument or is refused with the reasons, never an exception
other than InstrumentError.
"""

from __future__ import annotations

import json
from pathlib import Path

from caseload.assessments.definitions import InstrumentError
from caseload.assessments.fhir import instrument_from_questionnaire


def test_every_hl7_example_questionnaire_is_imported_or_refused_with_reasons(
    shared_fixtures: Path,
) -> None:
    examples = sorted((shared_fixtures / "fhir-r4-examples").glob("questionnaire-*.json"))
    assert len(examples) >= 7, f"the corpus at {shared_fixtures} has lost its Questionnaires"
    reasons = {}
    for path in examples:
        try:
            instrument = instrument_from_questionnaire(
                json.loads(path.read_text()), source=path.name
            )
        except InstrumentError as refused:
            reasons[path.name] = refused.problems
        else:
            assert instrument.questions, path.name
    assert all(reasons.values()), reasons  # a refusal always says why
