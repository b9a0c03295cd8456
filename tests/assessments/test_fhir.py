"""FHIR: a scorable Questionnaire loads as an instrument; responses export as valid R4 resources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from caseload.assessments import catalogue
from caseload.assessments.definitions import InstrumentError, clean_answers, score_answers
from caseload.assessments.fhir import (
    answers_from_questionnaire_response,
    instrument_from_questionnaire,
    questionnaire_response,
    response_bundle,
    score_observations,
)
from tests.assessments.helpers import complete, phq9, phq9_total
from tests.conftest import FIXTURES_DIR

LFORMS_PHQ9 = FIXTURES_DIR / "questionnaires" / "lforms__phq9.json"
PATHLING_RESPONSE = FIXTURES_DIR / "questionnaires" / "pathling__phq9-response.json"


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def test_the_lforms_phq9_questionnaire_loads_as_a_scorable_instrument() -> None:
    instrument = instrument_from_questionnaire(load(LFORMS_PHQ9))
    assert instrument.code == "fhir-44249-1"
    assert instrument.panel_loinc == "44249-1"
    assert instrument.total_loinc == "44261-6"
    assert instrument.range == (0, 27)
    assert len(instrument.total_items) == 9
    assert len(instrument.questions) == 10  # the 9 items and the unscored difficulty item
    item9 = instrument.item("/44260-8")
    assert item9 is not None
    assert item9.required  # an item that is added up must be answered
    assert [o.score for o in item9.options] == [0, 1, 2, 3]


def test_the_published_response_scores_15_with_the_imported_instrument() -> None:
    instrument = instrument_from_questionnaire(load(LFORMS_PHQ9))
    answers = answers_from_questionnaire_response(instrument, load(PATHLING_RESPONSE))
    clean, errors = clean_answers(instrument, answers, complete=True)
    assert errors == {}
    # The response itself carries the total LHC-Forms calculated: 15.
    assert score_answers(instrument, clean).total == 15


def test_the_published_response_maps_onto_the_shipped_phq9_by_loinc_code() -> None:
    instrument = catalogue.get("phq9")
    assert instrument is not None
    answers = answers_from_questionnaire_response(instrument, load(PATHLING_RESPONSE))
    result = score_answers(instrument, clean_answers(instrument, answers, complete=True)[0])
    assert result.total == 15
    assert [f.code for f in result.flags] == ["self_harm"]


def test_a_questionnaire_file_in_the_organisation_directory_becomes_an_instrument(
    tmp_path: Path,
) -> None:
    shutil.copy(LFORMS_PHQ9, tmp_path / "phq9-lforms.json")
    with override_settings(CASELOAD_INSTRUMENTS_DIR=str(tmp_path)):
        instrument = catalogue.get("fhir-44249-1")
        assert instrument is not None
        assert instrument.short_name.startswith("PHQ-9")


def test_a_questionnaire_without_scores_is_imported_without_a_total() -> None:
    raw = load(LFORMS_PHQ9)
    for item in raw["item"]:
        for option in item.get("answerOption", []):
            option.pop("extension", None)
    instrument = instrument_from_questionnaire(raw, code="plain")
    assert not instrument.has_total


def test_an_unimportable_item_is_reported() -> None:
    raw = load(LFORMS_PHQ9)
    raw["item"][0]["type"] = "attachment"
    with pytest.raises(InstrumentError) as caught:
        instrument_from_questionnaire(raw)
    assert "'attachment'" in caught.value.problems[0]


@pytest.mark.django_db
def test_a_completed_phq9_exports_as_valid_r4_resources_with_loinc_totals(cocm: Any) -> None:
    response = complete(cocm.aisha, cocm.client, "phq9", phq9(1, 2, 3, 1, 2, 3, 0, 1, 2))
    instrument = catalogue.get("phq9")
    assert instrument is not None
    qr = QuestionnaireResponse.model_validate(questionnaire_response(response, instrument))
    assert qr.status == "completed"
    assert qr.subject.reference == f"Patient/{cocm.client.pk}"
    assert qr.questionnaire == "urn:caseload:questionnaire:phq9|1.0.0"
    assert len(qr.item) == 9
    assert qr.item[8].answer[0].valueCoding.code == "LA6570-1"
    observations = [Observation.model_validate(o) for o in score_observations(response, instrument)]
    total = observations[0]
    assert total.code.coding[0].system == "http://loinc.org"
    assert total.code.coding[0].code == "44261-6"
    assert total.valueInteger == 15
    assert total.category[0].coding[0].code == "survey"
    assert total.derivedFrom[0].reference == f"QuestionnaireResponse/{response.pk}"
    assert observations[1].code.coding[0].code == "55758-7"  # the PHQ-2 subscore
    assert observations[1].valueInteger == 3
    bundle = Bundle.model_validate(response_bundle(response, instrument))
    assert [e.resource.get_resource_type() for e in bundle.entry] == [
        "QuestionnaireResponse",
        "Observation",
        "Observation",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "answers", "loinc"),
    [
        ("gad7", {f"q{i}": "LA6569-3" for i in range(1, 8)}, "70274-6"),
        ("phq2", {"q1": "LA6571-9", "q2": "LA6568-5"}, "55758-7"),
        ("minicog", {"recall": "2", "clock": "normal"}, "72233-0"),
    ],
)
def test_other_totals_export_with_their_loinc_codes(
    cocm: Any, code: str, answers: dict[str, Any], loinc: str
) -> None:
    response = complete(cocm.aisha, cocm.client, code, answers)
    instrument = catalogue.get(code)
    assert instrument is not None
    bundle = Bundle.model_validate(response_bundle(response, instrument))
    observation = bundle.entry[1].resource
    assert observation.code.coding[0].code == loinc
    assert observation.valueInteger == response.total


@pytest.mark.django_db
def test_instruments_without_a_loinc_total_export_a_text_coded_observation(cocm: Any) -> None:
    response = complete(
        cocm.aisha,
        cocm.client,
        "lace",
        {"los": 5, "acuity": "emergent", "charlson": 2, "ed_visits": 1},
    )
    instrument = catalogue.get("lace")
    assert instrument is not None
    bundle = Bundle.model_validate(response_bundle(response, instrument))
    observation = bundle.entry[1].resource
    assert observation.code.coding is None
    assert observation.code.text == "LACE total score"
    assert bundle.entry[0].resource.item[0].answer[0].valueInteger == 5


@pytest.mark.django_db
def test_a_draft_exports_as_an_in_progress_response_without_observations(cocm: Any) -> None:
    from caseload.assessments import services

    draft = services.response_save_draft(
        actor=cocm.aisha,
        client=cocm.client,
        instrument_code="phq9",
        answers=dict(list(phq9_total(3).items())[:4]),
    )
    instrument = catalogue.get("phq9")
    assert instrument is not None
    qr = QuestionnaireResponse.model_validate(questionnaire_response(draft, instrument))
    assert qr.status == "in-progress"
    assert score_observations(draft, instrument) == []
