"""The JSON API refuses what the page refuses and completes what the page completes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.test import override_settings

from caseload.assessments.models import AssessmentResponse, ResponseStatus
from caseload.audit.models import AuditEvent
from tests.assessments.helpers import phq9

pytestmark = pytest.mark.django_db


def post(http: HttpClient, url: str, body: dict[str, Any]) -> Any:
    return http.post(url, json.dumps(body, default=str), content_type="application/json")


def put(http: HttpClient, url: str, body: dict[str, Any]) -> Any:
    return http.put(url, json.dumps(body, default=str), content_type="application/json")


def test_submitting_a_complete_phq9_scores_it(login: Any, cocm: Any) -> None:
    http = login(cocm.aisha)
    response = post(
        http,
        f"/api/assessments/clients/{cocm.client.pk}/responses",
        {"instrument": "phq9", "answers": phq9(1, 2, 3, 1, 2, 3, 0, 1, 2), "complete": True},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["total"], body["band"]) == ("completed", 15, "moderately_severe")
    assert body["flags"][0]["code"] == "self_harm"
    assert [a["kind"] for a in body["actions"]] == ["task", "flag"]


def test_an_answer_outside_the_options_is_refused_as_problem_json(login: Any, cocm: Any) -> None:
    http = login(cocm.aisha)
    response = post(
        http,
        f"/api/assessments/clients/{cocm.client.pk}/responses",
        {"instrument": "phq9", "answers": {"q1": "LA6569-3", "q2": 3}},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == {"q2": ["Choose one of the answers offered."]}
    assert not AssessmentResponse.objects.exists()


def test_an_incomplete_submission_is_refused_and_the_draft_is_kept(login: Any, cocm: Any) -> None:
    http = login(cocm.aisha)
    answers = phq9(1, 1, 1, 1, 1, 1, 1, 1, 1)
    del answers["q9"]
    response = post(
        http,
        f"/api/assessments/clients/{cocm.client.pk}/responses",
        {"instrument": "phq9", "answers": answers, "complete": True},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "incomplete"
    assert body["errors"] == {"q9": ["Answer this question."]}
    assert body["draft"]["status"] == "draft"
    draft = AssessmentResponse.objects.get()
    assert draft.answers == answers
    # Finish it with the draft's version.
    done = put(
        http,
        f"/api/assessments/responses/{draft.pk}",
        {"answers": {**answers, "q9": "LA6568-5"}, "version": draft.version, "complete": True},
    )
    assert done.status_code == 200
    assert done.json()["total"] == 8
    draft.refresh_from_db()
    assert draft.status == ResponseStatus.COMPLETED


def test_a_stale_version_is_a_409(login: Any, cocm: Any) -> None:
    http = login(cocm.aisha)
    created = post(
        http,
        f"/api/assessments/clients/{cocm.client.pk}/responses",
        {"instrument": "gad7", "answers": {"q1": "LA6569-3"}},
    ).json()
    response = put(
        http,
        f"/api/assessments/responses/{created['id']}",
        {"answers": {}, "version": created["version"] + 5},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale"


def test_out_of_scope_is_not_found(login: Any, org: Any, cocm: Any) -> None:
    http = login(org.other_cm)
    response = post(
        http,
        f"/api/assessments/clients/{cocm.client.pk}/responses",
        {"instrument": "phq9", "answers": {}},
    )
    assert response.status_code == 404
    assert not AssessmentResponse.objects.exists()


def test_reading_a_response_is_audited_and_fhir_is_available(login: Any, cocm: Any) -> None:
    http = login(cocm.aisha)
    created = post(
        http,
        f"/api/assessments/clients/{cocm.client.pk}/responses",
        {"instrument": "phq2", "answers": {"q1": "LA6571-9", "q2": "LA6569-3"}, "complete": True},
    ).json()
    assert http.get(f"/api/assessments/responses/{created['id']}").json()["total"] == 4
    assert AuditEvent.objects.filter(action="assessment.viewed", client=cocm.client).exists()
    bundle = http.get(f"/api/assessments/responses/{created['id']}/fhir").json()
    assert bundle["entry"][1]["resource"]["valueInteger"] == 4


def test_the_instrument_list_names_each_question_and_its_answers(login: Any, cocm: Any) -> None:
    body = login(cocm.aisha).get("/api/assessments/instruments").json()
    phq = next(i for i in body if i["code"] == "phq9")
    assert phq["range"] == [0, 27]
    assert phq["questions"][8]["options"] == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]


@override_settings()
def test_anonymous_requests_are_refused(cocm: Any) -> None:
    response = HttpClient().get("/api/assessments/instruments")
    assert response.status_code in (302, 401)
