"""Every error under /api/ is application/problem+json (RFC 9457): no HTML, no redirect, no
traceback; and the OpenAPI document declares the error responses of every operation."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.test import override_settings

from caseload.core import clock
from tests.assessments.helpers import phq9

pytestmark = pytest.mark.django_db

INSTRUMENTS = "/api/assessments/instruments"


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:caseload:error:{code}"
    assert body["title"] and body["detail"]
    assert "Traceback" not in response.content.decode()
    return body


@pytest.mark.parametrize("debug", [False, True])
def test_instruments_for_a_non_clinical_user_is_a_problem_404(
    org: Any, login: Any, debug: bool
) -> None:
    with override_settings(DEBUG=debug):
        response = login(org.admin).get(INSTRUMENTS)
    assert_problem(response, 404, "not_found")


def test_an_unauthenticated_api_request_is_401_not_a_redirect_to_sign_in(org: Any) -> None:
    response = HttpClient().get(INSTRUMENTS)
    assert_problem(response, 401, "not_authenticated")
    assert "Location" not in response


def test_an_unknown_api_url_is_a_problem_404(org: Any, login: Any) -> None:
    assert_problem(HttpClient().get("/api/nothing-here"), 404, "not_found")
    assert_problem(login(org.junior).get("/api/nothing-here"), 404, "not_found")


def test_a_malformed_id_is_a_problem_400_naming_it(org: Any, login: Any) -> None:
    response = login(org.junior).get("/api/assessments/responses/not-a-uuid")
    assert list(assert_problem(response, 400, "invalid")["errors"]) == ["response_id"]


def test_a_wrong_method_is_a_problem_405(org: Any, login: Any) -> None:
    response = login(org.junior).delete(INSTRUMENTS)
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_an_invalid_body_is_a_problem_400_naming_the_field(org: Any, login: Any) -> None:
    url = f"/api/assessments/clients/{org.junior_client.pk}/responses"
    http = login(org.junior)
    response = http.post(url, json.dumps({"answers": {}}), content_type="application/json")
    body = assert_problem(response, 400, "invalid")
    assert list(body["errors"]) == ["instrument"]
    response = http.post(url, "{not json", content_type="application/json")
    assert_problem(response, 400, "invalid")


def test_application_errors_keep_their_status_and_code(org: Any, login: Any) -> None:
    http = login(org.junior)
    out_of_scope = f"/api/assessments/clients/{org.other_client.pk}/responses"
    response = http.post(
        out_of_scope, json.dumps({"instrument": "phq9"}), content_type="application/json"
    )
    assert_problem(response, 404, "not_found")
    assert_problem(http.get(f"/api/assessments/responses/{uuid.uuid4()}"), 404, "not_found")

    mine = f"/api/assessments/clients/{org.junior_client.pk}/responses"
    draft = http.post(
        mine,
        json.dumps({"instrument": "phq9", "answers": phq9(1, 1, 1, 1, 1, 1, 1, 1, 1)}),
        content_type="application/json",
    ).json()
    stale = {"answers": {}, "version": draft["version"] + 5}
    response = http.put(
        f"/api/assessments/responses/{draft['id']}",
        json.dumps(stale),
        content_type="application/json",
    )
    assert_problem(response, 409, "stale")


def test_a_state_change_without_csrf_token_is_a_problem_403(org: Any) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(org.junior)
    response = http.post(
        f"/api/assessments/clients/{org.junior_client.pk}/responses",
        json.dumps({"instrument": "phq9"}),
        content_type="application/json",
    )
    assert_problem(response, 403, "csrf_failed")


def test_an_expired_session_is_401_not_a_redirect(org: Any, login: Any) -> None:
    http = login(org.junior)
    session = http.session
    session["last_seen"] = clock.now().timestamp() - 3 * 3600
    session.save()
    response = http.get(INSTRUMENTS)
    assert_problem(response, 401, "session_expired")
    assert_problem(http.get(INSTRUMENTS), 401, "not_authenticated")


@override_settings(TWO_FACTOR_REQUIRED_FOR=["director"])
def test_a_pending_two_factor_set_up_is_401_not_a_redirect(org: Any, login: Any) -> None:
    assert_problem(login(org.director).get(INSTRUMENTS), 401, "two_factor_required")


@pytest.mark.urls("tests.core.api_urls")
def test_an_unexpected_exception_is_a_problem_500_without_internals(org: Any, login: Any) -> None:
    for debug in (False, True):
        with override_settings(DEBUG=debug):
            response = login(org.junior).get("/api/failing/crash")
        assert_problem(response, 500, "internal_error")
        assert "secret internals" not in response.content.decode()
        assert response.json()["request_id"] == response["X-Request-ID"]


@pytest.mark.urls("tests.core.api_urls")
def test_djangos_own_404_and_403_are_problems(org: Any, login: Any) -> None:
    http = login(org.junior)
    assert_problem(http.get("/api/failing/django-404"), 404, "not_found")
    assert_problem(http.get("/api/failing/django-403"), 403, "permission_denied")


def test_the_openapi_document_declares_problem_responses_on_every_operation(
    org: Any, login: Any
) -> None:
    schema = login(org.junior).get("/api/openapi.json").json()
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 5
    for path, method, operation in operations:
        for status in ("400", "401", "403", "404", "409"):
            content = operation["responses"][status]["content"]
            assert content["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }, (path, method, status)
