"""PostgreSQL serves the worklist's name search from the prefix indexes (clients/0005)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from caseload.clients.models import Client
from caseload.worklist.selectors import _search_condition

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="expression indexes are PostgreSQL's"
    ),
]


def test_a_name_prefix_search_uses_the_indexes_not_a_scan_of_every_client(org: Any) -> None:
    query = Client.objects.filter(_search_condition("beck")).values("pk")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test database is tiny
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for column in ("family_name", "given_name", "preferred_name"):
        assert f"clients_client_{column}_upper_prefix" in plan, plan
