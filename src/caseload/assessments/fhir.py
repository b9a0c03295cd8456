"""FHIR at the edge for assessments: Questionnaire in, QuestionnaireResponse and Observation out.

* ``instrument_from_questionnaire`` turns a FHIR Questionnaire that carries what scoring needs
  (answer options with ``ordinalValue`` or ``itemWeight`` extensions, and optionally a calculated
  total item whose expression names the scored items) into a validated instrument definition.
* ``answers_from_questionnaire_response`` maps a QuestionnaireResponse onto an instrument's
  answers, by linkId or, failing that, by the item's LOINC code.
* ``response_bundle`` exports a completed response as a collection Bundle: the
  QuestionnaireResponse and one LOINC-coded Observation per total and coded subscale.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from caseload.assessments.definitions import (
    FORMAT,
    LOINC_SYSTEM,
    Instrument,
    InstrumentError,
    parse_instrument,
)

if TYPE_CHECKING:
    from caseload.assessments.models import AssessmentResponse

ORDINAL_URLS = (
    "http://hl7.org/fhir/StructureDefinition/ordinalValue",
    "http://hl7.org/fhir/StructureDefinition/itemWeight",
    "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value",
)
CALCULATED_URLS = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
    "http://hl7.org/fhir/StructureDefinition/cqf-expression",
)
VARIABLE_URL = "http://hl7.org/fhir/StructureDefinition/variable"
_LINK_IN_EXPRESSION = re.compile(r"linkId\s*=\s*'([^']+)'")
_SLUG = re.compile(r"[^a-z0-9]+")
SYSTEM_CLIENT = "urn:caseload:client"


def _ordinal(option: Mapping[str, Any]) -> int | str | None:
    """The option's score: an int, None if it carries none, or "bad" if it is not whole."""
    for extension in option.get("extension", []) or []:
        if extension.get("url") in ORDINAL_URLS:
            value = extension.get("valueDecimal", extension.get("valueInteger"))
            if isinstance(value, int | float) and float(value).is_integer():
                return int(value)
            return "bad"
    return None


def _calculated_links(item: Mapping[str, Any]) -> list[str] | None:
    """The linkIds a calculated item's expressions refer to, or None if it is not calculated."""
    extensions = item.get("extension", []) or []
    if not any(e.get("url") in CALCULATED_URLS for e in extensions):
        return None
    links: list[str] = []
    for extension in extensions:
        if extension.get("url") not in (VARIABLE_URL, *CALCULATED_URLS):
            continue
        expression = (extension.get("valueExpression") or {}).get("expression", "")
        for link in _LINK_IN_EXPRESSION.findall(str(expression)):
            if link not in links:
                links.append(link)
    return links


def _flatten(items: list[Any]) -> list[Mapping[str, Any]]:
    flat: list[Mapping[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "group":
            flat.extend(_flatten(item.get("item", []) or []))
        else:
            flat.append(item)
    return flat


def instrument_from_questionnaire(
    resource: Mapping[str, Any], *, source: str = "<questionnaire>", code: str | None = None
) -> Instrument:
    """A validated instrument from a scorable FHIR Questionnaire; InstrumentError otherwise.

    Choice items whose options all carry an ordinal value are scored; a calculated item (SDC
    ``calculatedExpression``) becomes the total, summing the items its expressions name (all
    scored items if it names none). Bands are not carried by FHIR Questionnaires, so none are set.
    """
    if resource.get("resourceType") != "Questionnaire":
        raise InstrumentError(source, ["this is not a FHIR Questionnaire"])
    problems: list[str] = []
    title = str(resource.get("title") or resource.get("name") or "").strip()
    if not title:
        problems.append("the Questionnaire needs a title or a name")
    panel = ""
    for coding in resource.get("code", []) or []:
        if coding.get("system") == LOINC_SYSTEM:
            panel = str(coding.get("code", ""))
            break
    if code is None:
        base = str(resource.get("id") or panel or title).lower()
        code = ("fhir-" + _SLUG.sub("-", base).strip("-"))[:40].rstrip("-")
    items: list[dict[str, Any]] = []
    total_links: list[str] | None = None
    total_loinc = ""
    scored: list[str] = []
    for raw in _flatten(resource.get("item", []) or []):
        link_id = str(raw.get("linkId", ""))
        item_type = raw.get("type")
        calculated = _calculated_links(raw)
        if calculated is not None and item_type in ("decimal", "integer"):
            total_links = calculated
            for coding in raw.get("code", []) or []:
                if coding.get("system") == LOINC_SYSTEM:
                    total_loinc = str(coding.get("code", ""))
            continue
        if item_type == "display":
            continue
        if item_type not in ("choice", "coding", "integer"):
            problems.append(f"item '{link_id}' has type {item_type!r}, which cannot be imported")
            continue
        entry: dict[str, Any] = {
            "linkId": link_id,
            "text": raw.get("text") or link_id,
            "required": bool(raw.get("required", False)),
        }
        if raw.get("code"):
            entry["code"] = raw["code"]
        if item_type == "integer":
            entry["type"] = "integer"
            entry["minValue"] = 0
            problems.append(f"item '{link_id}' is a number without limits; it cannot be scored")
            continue
        entry["type"] = "choice"
        if raw.get("repeats"):
            entry["repeats"] = True
        options = []
        ordinals: list[int | str | None] = []
        for option in raw.get("answerOption", []) or []:
            coding = option.get("valueCoding")
            if not isinstance(coding, dict):
                problems.append(f"item '{link_id}' has an answer that is not a coding")
                continue
            ordinal = _ordinal(option)
            ordinals.append(ordinal)
            converted: dict[str, Any] = {
                "valueCoding": {
                    k: coding[k] for k in ("system", "code", "display") if coding.get(k)
                }
            }
            if isinstance(ordinal, int):
                converted["score"] = ordinal
            options.append(converted)
        if "bad" in ordinals:
            problems.append(f"item '{link_id}' has an ordinal value that is not a whole number")
        if options and all(isinstance(o, int) for o in ordinals) and not raw.get("repeats"):
            scored.append(link_id)
        elif any(isinstance(o, int) for o in ordinals):
            # Partly scored options cannot be added up; keep the question, unscored.
            for option in options:
                option.pop("score", None)
        entry["answerOption"] = options
        items.append(entry)
    if total_links is not None:
        total_items = [link for link in total_links if link in scored] or scored
    else:
        total_items = scored
    if problems:
        raise InstrumentError(source, problems)
    # Items added up must be answered, whatever the source said about them being optional.
    for entry in items:
        if entry["linkId"] in total_items:
            entry["required"] = True
    definition: dict[str, Any] = {
        "format": FORMAT,
        "code": code,
        "version": str(resource.get("version") or "fhir-import"),
        "short_name": title[:40],
        "title": title,
        "purpose": "Imported from a FHIR Questionnaire",
        "attribution": str(resource.get("copyright") or ""),
        "licence": {"item_text": "verbatim", "note": "Imported as published in the Questionnaire."},
        "loinc": {k: v for k, v in (("panel", panel), ("total", total_loinc)) if v},
        "questionnaire": {
            "resourceType": "Questionnaire",
            "url": resource.get("url") or f"urn:caseload:questionnaire:{code}",
            "status": resource.get("status", "active"),
            "title": title,
            "code": resource.get("code", []),
            "item": items,
        },
        "scoring": {},
    }
    if total_items:
        low = high = 0
        for entry in items:
            if entry["linkId"] in total_items:
                scores = [o["score"] for o in entry["answerOption"]]
                low, high = low + min(scores), high + max(scores)
        definition["scoring"] = {"total": {"sum": total_items}, "range": [low, high]}
    return parse_instrument(definition, source=source)


def answers_from_questionnaire_response(
    instrument: Instrument, resource: Mapping[str, Any]
) -> dict[str, Any]:
    """Answers keyed by the instrument's linkIds from a QuestionnaireResponse (unvalidated)."""
    by_loinc = {item.loinc: item for item in instrument.questions if item.loinc}
    answers: dict[str, Any] = {}
    for raw in _flatten(resource.get("item", []) or []):
        item = instrument.item(str(raw.get("linkId", "")))
        if item is None:
            for coding in raw.get("code", []) or []:
                if coding.get("system") == LOINC_SYSTEM and coding.get("code") in by_loinc:
                    item = by_loinc[coding["code"]]
        if item is None:
            link = str(raw.get("linkId", "")).strip("/")
            item = by_loinc.get(link)
        if item is None or not item.is_question:
            continue
        values: list[Any] = []
        for answer in raw.get("answer", []) or []:
            if "valueCoding" in answer:
                values.append(str(answer["valueCoding"].get("code", "")))
            elif "valueInteger" in answer:
                values.append(answer["valueInteger"])
            elif "valueString" in answer:
                values.append(answer["valueString"])
        if values:
            answers[item.link_id] = values if item.repeats else values[0]
    return answers


def _fhir_instant(value: Any) -> str:
    return str(timezone.localtime(value).isoformat(timespec="seconds"))


def questionnaire_response(response: AssessmentResponse, instrument: Instrument) -> dict[str, Any]:
    """The response as a FHIR R4 QuestionnaireResponse (a plain dict)."""
    items: list[dict[str, Any]] = []
    for item in instrument.questions:
        value = response.answers.get(item.link_id)
        if value in (None, "", []):
            continue
        answers: list[dict[str, Any]] = []
        if item.type == "choice":
            for code in value if isinstance(value, list) else [value]:
                option = item.option(str(code))
                if option is not None:
                    answers.append({"valueCoding": option.as_coding()})
        else:
            answers.append({"valueInteger": int(value)})
        entry: dict[str, Any] = {"linkId": item.link_id, "text": item.text, "answer": answers}
        items.append(entry)
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.pk),
        "questionnaire": f"{instrument.url}|{response.instrument_version or instrument.version}",
        "status": "completed" if response.is_completed else "in-progress",
        "subject": {"reference": f"Patient/{response.client_id}"},
        "item": items,
    }
    if response.completed_at is not None:
        resource["authored"] = _fhir_instant(response.completed_at)
        if response.completed_by is not None:
            resource["author"] = {
                "reference": f"Practitioner/{response.completed_by_id}",
                "display": str(response.completed_by),
            }
    return resource


def _observation(
    response: AssessmentResponse,
    *,
    suffix: str,
    code: dict[str, Any],
    value: int,
    interpretation: str = "",
) -> dict[str, Any]:
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(uuid.uuid5(response.pk, suffix)),
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                        "display": "Survey",
                    }
                ]
            }
        ],
        "code": code,
        "subject": {"reference": f"Patient/{response.client_id}"},
        "effectiveDateTime": response.assessed_on.isoformat() if response.assessed_on else None,
        "valueInteger": value,
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{response.pk}"}],
    }
    if response.completed_at is not None:
        observation["issued"] = _fhir_instant(response.completed_at)
    if interpretation:
        observation["interpretation"] = [{"text": interpretation}]
    return observation


def score_observations(
    response: AssessmentResponse, instrument: Instrument
) -> list[dict[str, Any]]:
    """LOINC-coded Observations for the total and any LOINC-coded subscale of a completed
    response (instruments without a LOINC total get a text-only code)."""
    if not response.is_completed:
        return []
    observations: list[dict[str, Any]] = []
    if response.total is not None:
        code: dict[str, Any] = {"text": f"{instrument.short_name} total score"}
        if instrument.total_loinc:
            code["coding"] = [
                {
                    "system": LOINC_SYSTEM,
                    "code": instrument.total_loinc,
                    "display": f"{instrument.short_name} total score",
                }
            ]
        observations.append(
            _observation(
                response,
                suffix="total",
                code=code,
                value=response.total,
                interpretation=response.band_label,
            )
        )
    for subscale in instrument.subscales:
        value = response.subscales.get(subscale.code)
        if value is None or not subscale.loinc:
            continue
        observations.append(
            _observation(
                response,
                suffix=subscale.code,
                code={
                    "coding": [
                        {"system": LOINC_SYSTEM, "code": subscale.loinc, "display": subscale.label}
                    ],
                    "text": subscale.label,
                },
                value=int(value),
            )
        )
    return observations


def response_bundle(response: AssessmentResponse, instrument: Instrument) -> dict[str, Any]:
    """A collection Bundle: the QuestionnaireResponse followed by its score Observations."""
    resources = [questionnaire_response(response, instrument)]
    resources += score_observations(response, instrument)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
