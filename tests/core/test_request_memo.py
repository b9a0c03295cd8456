"""Per-request memo: the scope's supervisee and program lookups run once per request, and
nothing is remembered from one request to the next."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.access import policies
from caseload.core import request_context

pytestmark = pytest.mark.django_db


def test_outside_a_request_every_call_computes() -> None:
    calls: list[int] = []
    for _ in range(2):
        request_context.memoised(("k",), lambda: calls.append(1) or len(calls))
    assert calls == [1, 1]


def test_inside_a_request_a_key_is_computed_once_and_then_forgotten() -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    token = request_context.set_current(request_context.RequestInfo(request_id="a"))
    try:
        assert request_context.memoised(("k", 1), compute) == 1
        assert request_context.memoised(("k", 1), compute) == 1
        assert request_context.memoised(("k", 2), compute) == 2
    finally:
        request_context.reset(token)
    token = request_context.set_current(request_context.RequestInfo(request_id="b"))
    try:
        assert request_context.memoised(("k", 1), compute) == 3  # a new request starts afresh
    finally:
        request_context.reset(token)


def test_the_supervisee_lookup_runs_once_per_chart(org: Any, login: Any) -> None:
    http = login(org.supervisor)
    url = reverse("clients:chart", kwargs={"client_id": org.junior_client.pk})
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    lookups = [
        q["sql"] for q in queries if '"supervisor_id" =' in q["sql"] and "is_active" in q["sql"]
    ]
    assert len(lookups) == 1, lookups


def test_a_new_supervisee_is_in_scope_on_the_next_request(org: Any, login: Any) -> None:
    http = login(org.supervisor)
    url = reverse("clients:chart", kwargs={"client_id": org.other_client.pk})
    assert http.get(url).status_code == 404
    org.other_cm.supervisor = org.supervisor
    org.other_cm.save(update_fields=["supervisor"])
    assert http.get(url).status_code == 200
    assert org.other_cm.pk in policies.supervisee_ids(org.supervisor)


def test_the_chart_checks_the_clients_scope_once(org: Any, login: Any) -> None:
    http = login(org.junior)
    url = reverse("clients:chart", kwargs={"client_id": org.junior_client.pk})
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    scope_checks = [q["sql"] for q in queries if q["sql"].startswith('SELECT "clients_client"')]
    assert len(scope_checks) == 1, scope_checks


def test_the_charts_sections_ask_by_client_id_without_the_scope_subquery(
    org: Any, login: Any
) -> None:
    """Once the chart has loaded the client through the scope, notes, tasks, care plans and
    assessments filter on the client id alone: only the client's own load mentions clients."""
    http = login(org.junior)
    url = reverse("clients:chart", kwargs={"client_id": org.junior_client.pk})
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    touching_clients = [q["sql"] for q in queries if '"clients_client"' in q["sql"]]
    assert len(touching_clients) == 1, touching_clients
    assert touching_clients[0].startswith('SELECT "clients_client"')


def test_rows_of_a_client_out_of_scope_match_nothing_without_a_query_for_the_rows(
    org: Any, django_assert_num_queries: Any
) -> None:
    from caseload.tasks.models import Task

    with django_assert_num_queries(1):  # the scope check only
        assert (
            list(Task.objects.filter(policies.rows_of_client(org.junior, org.other_client.pk)))
            == []
        )


def test_rows_of_a_client_in_scope_are_looked_up_by_id_once_the_request_knows(
    org: Any, django_assert_num_queries: Any
) -> None:
    from caseload.tasks.models import Task

    token = request_context.set_current(request_context.RequestInfo(request_id="c"))
    try:
        policies.require_client(org.junior, org.junior_client.pk)
        with django_assert_num_queries(1) as captured:
            list(Task.objects.filter(policies.rows_of_client(org.junior, org.junior_client.pk)))
    finally:
        request_context.reset(token)
    assert '"clients_client"' not in captured.captured_queries[0]["sql"]
