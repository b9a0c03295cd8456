"""Every assessment URL × every role × own/other side of the scope line; audit on every read.

Mirrors tests/test_access_matrix.py for this app's routes, adding the URL parameters this app
introduces (response_id, program_id) until the shared matrix learns them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import get_resolver, reverse

from caseload.assessments import services
from caseload.audit.models import AuditEvent
from tests.assessments.helpers import complete, phq9_total
from tests.test_access_matrix import ROLES, SEES, _graph, _kwargs_of, _walk

ROUTES = [
    (name, pattern)
    for name, pattern in sorted(set(_walk(get_resolver().url_patterns)))
    if name.startswith("assessments:")
]


def graph_ids(org: Any, side: str) -> dict[str, Any]:
    ids = dict(_graph(org, side).ids)
    client = org.junior_client if side == "own" else org.other_client
    owner = org.junior if side == "own" else org.other_cm
    ids["response_id"] = complete(owner, client, "phq9", phq9_total(6)).pk
    ids["draft_id"] = services.response_save_draft(
        actor=owner, client=client, instrument_code="gad7", answers={"q1": "LA6569-3"}
    ).pk
    ids["program_id"] = (org.geriatric if side == "own" else org.chronic).pk
    return ids


def test_every_assessment_route_is_checked() -> None:
    names = {name for name, _ in ROUTES}
    assert {
        "assessments:administer",
        "assessments:response",
        "assessments:response_fhir",
        "assessments:client_history",
        "assessments:entered_in_error",
        "assessments:goal_target",
        "assessments:registry",
        "assessments:registry_csv",
        "assessments:registry_index",
    } <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), ROUTES, ids=[n for n, _ in ROUTES])
def test_each_role_gets_not_found_outside_its_scope(org: Any, name: str, pattern: str) -> None:
    names = _kwargs_of(pattern)
    sides = {"own": graph_ids(org, "own"), "other": graph_ids(org, "other")}
    users = org.users()
    failures: list[str] = []
    variants = ["response_id", "draft_id"] if "response_id" in names else [None]
    for side, ids in sides.items() if names else [("none", {})]:
        for variant in variants:
            kwargs = {n: ids[n] for n in names}
            if variant == "draft_id":
                kwargs["response_id"] = ids["draft_id"]
            url = reverse(name, kwargs=kwargs or None)
            anonymous = HttpClient()
            for method in ("GET", "POST"):
                status = anonymous.get(url) if method == "GET" else anonymous.post(url, {})
                if status.status_code != 302:
                    failures.append(f"anonymous {method} {url}: {status.status_code}")
            for role in ROLES:
                http = HttpClient()
                http.force_login(users[role])
                for method in ("GET", "POST"):
                    response = http.get(url) if method == "GET" else http.post(url, {})
                    status = response.status_code
                    if status >= 500:
                        failures.append(f"{role} {method} {url} ({side}): {status}")
                    elif names and role not in SEES[side] and status != 404:
                        failures.append(f"{role} {method} {url} ({side}): {status}, expected 404")
                    elif names and role in SEES[side] and status == 404:
                        failures.append(f"{role} {method} {url} ({side}): 404 inside scope")
                    elif not names and role == "admin" and status != 404:
                        failures.append(f"admin {method} {url}: {status}, expected 404")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_every_assessment_page_about_a_client_writes_an_audit_event(org: Any) -> None:
    ids = graph_ids(org, "own")
    http = HttpClient()
    http.force_login(org.supervisor)
    checked, missing = [], []
    for name, pattern in ROUTES:
        names = _kwargs_of(pattern)
        if not names:
            continue
        for response_id in (ids["response_id"], ids["draft_id"]):
            kwargs = {n: ids[n] for n in names}
            if "response_id" in kwargs:
                kwargs["response_id"] = response_id
            before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            response = http.get(reverse(name, kwargs=kwargs))
            if response.status_code != 200:
                continue
            checked.append(name)
            if not AuditEvent.objects.filter(id__gt=before, client_id=ids["client_id"]).exists():
                missing.append(name)
    assert set(checked) >= {
        "assessments:administer",
        "assessments:response",
        "assessments:response_fhir",
        "assessments:client_history",
        "assessments:goal_target",
        "assessments:registry",
        "assessments:entered_in_error",
    }  # registry_csv is a POST now; its export job's events: tests/test_listing_audit.py
    assert not missing, missing
