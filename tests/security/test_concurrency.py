"""Concurrent edits never lose an update: two people saving the same version at the same moment
get one success and one conflict, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from caseload.clients.models import Client
from caseload.clients.services import client_update
from caseload.core.errors import Conflict

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_saves_of_one_version_give_one_success_and_one_conflict(org: Any) -> None:
    client = org.junior_client
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(who: str, actor: Any, phone: str) -> None:
        try:
            barrier.wait(timeout=10)
            stale_copy = Client.objects.get(pk=client.pk)
            client_update(actor=actor, client=stale_copy, expected_version=1, phone=phone)
            outcomes[who] = "saved"
        except Conflict:
            outcomes[who] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=("junior", org.junior, "617-555-0001")),
        threading.Thread(target=save, args=("supervisor", org.supervisor, "617-555-0002")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "saved"]
    saved_by = next(who for who, outcome in outcomes.items() if outcome == "saved")
    client.refresh_from_db()
    assert client.version == 2
    assert client.phone == {"junior": "617-555-0001", "supervisor": "617-555-0002"}[saved_by]
