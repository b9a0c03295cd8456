"""Every page of coordination of services (the directory, referrals, appointments, transitional
care and the client overview, all under /coordination/) × every role, by scope, and their audit
events. Stricter than the project's matrix in one way: a record out of scope is 404 for POST-only
pages too (they look the record up before refusing the method), never 405."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from caseload.audit.models import AuditEvent
from tests.test_access_matrix import ROLES, SEES, _graph, _kwargs_of, _walk

NAMESPACES = {"directory", "referrals", "appointments", "transitions"}
ROUTES = [
    (name, pattern)
    for name, pattern in sorted(
        set(_walk(__import__("django.urls").urls.get_resolver().url_patterns))
    )
    if (name.split(":")[0] in NAMESPACES or name == "chart:client_overview")
    and name != "appointments:calendar_feed"
    # An uploaded directory file, not a client's record: administrators only (the project's
    # access matrix and tests/directory hold it to that).
    and name != "directory:directory_import_status"
]


def _ids(org: Any, side: str) -> dict[str, Any]:
    return dict(_graph(org, side).ids)  # the project graph holds these records too


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), ROUTES, ids=[n for n, _ in ROUTES])
def test_every_coordination_url_answers_each_role_by_scope(
    org: Any, name: str, pattern: str
) -> None:
    names = _kwargs_of(pattern)
    sides = {"own": _ids(org, "own"), "other": _ids(org, "other")} if names else {"none": {}}
    failures: list[str] = []
    users = org.users()
    for side, ids in sides.items():
        url = reverse(name, kwargs={n: ids[n] for n in names})
        for method in ("GET", "POST"):
            anonymous = HttpClient()
            status = (
                anonymous.get(url).status_code
                if method == "GET"
                else anonymous.post(url).status_code
            )
            if status != 302:
                failures.append(f"anonymous {method} {url}: {status}")
        for role in ROLES:
            http = HttpClient()
            http.force_login(users[role])
            for method in ("GET", "POST"):
                status = (
                    http.get(url).status_code if method == "GET" else http.post(url, {}).status_code
                )
                if status >= 500:
                    failures.append(f"{role} {method} {url}: server error {status}")
                elif names and role not in SEES[side] and status != 404:
                    failures.append(f"{role} {method} {url} ({side}): {status}, expected 404")
                elif names and role in SEES[side] and status == 404:
                    failures.append(f"{role} {method} {url} ({side}): 404 inside scope")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_every_coordination_page_about_a_client_writes_an_audit_event(org: Any) -> None:
    ids = _ids(org, "own")
    http = HttpClient()
    http.force_login(org.supervisor)
    checked, missing = [], []
    for name, pattern in ROUTES:
        names = _kwargs_of(pattern)
        if not names:
            continue
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = http.get(reverse(name, kwargs={n: ids[n] for n in names}))
        if response.status_code != 200:
            continue
        checked.append(name)
        if not AuditEvent.objects.filter(id__gt=before, client_id=ids["client_id"]).exists():
            missing.append(name)
    assert len(checked) >= 9
    assert not missing, missing


@pytest.mark.django_db
def test_the_feed_token_url_needs_no_session_and_audits_the_clients_it_shows(org: Any) -> None:
    ids = _ids(org, "own")
    url = reverse("appointments:calendar_feed", kwargs={"token": ids["token"]})
    response = HttpClient().get(url)
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action="calendar_feed.client_shown", client_id=ids["client_id"], actor=org.junior
    ).exists()
    assert HttpClient().head(url).status_code == 200  # calendar apps may probe with HEAD
    assert HttpClient().post(url).status_code == 405
    token = ids["token"]
    wrong = ("y" if token.startswith("x") else "x") + token[1:]  # one character off
    assert HttpClient().get(url.replace(token, wrong)).status_code == 404
