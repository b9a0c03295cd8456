from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from caseload.audit.chain import verify
from caseload.audit.models import AuditEvent
from caseload.audit.services import audit_record, audit_record_many

pytestmark = pytest.mark.django_db


def _events(org: Any, count: int = 5) -> list[AuditEvent]:
    return [
        audit_record(
            actor=org.junior,
            action="client.viewed",
            target=org.junior_client,
            client=org.junior_client,
            detail={"n": n},
        )
        for n in range(count)
    ]


def _tamper(sql: str, params: list[Any]) -> None:
    """Run one statement with the append-only trigger lifted (inside the test transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser (the test role) can lift triggers for its session, as an attacker with
            # database superuser rights could: exactly what the hash chain must still catch.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def test_events_chain_in_sequence_and_verify(org: Any) -> None:
    events = _events(org)
    audit_record_many(
        actor=org.supervisor,
        action="client.listed",
        targets=[
            (org.junior_client, org.junior_client),
            (org.supervisor_client, org.supervisor_client),
        ],
    )
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert events[1].prev_hash == events[0].hash
    result = verify()
    assert result.ok
    assert result.checked == 7


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"
)
def test_database_refuses_update_and_delete_of_audit_events(org: Any) -> None:
    event = _events(org, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "client.viewed"


def test_verify_names_a_changed_event(org: Any) -> None:
    events = _events(org)
    _tamper("UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["mallory", events[2].pk])
    result = verify()
    assert not result.ok
    assert result.broken_at == 3
    assert "changed" in result.problem
    with pytest.raises(CommandError, match="BROKEN at event 3"):
        call_command("audit", "verify")


def test_verify_names_a_deleted_event(org: Any) -> None:
    events = _events(org)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    result = verify()
    assert (result.ok, result.broken_at) == (False, 2)
    assert "missing" in result.problem


def test_verify_names_an_inserted_event(org: Any) -> None:
    events = _events(org)
    # Shift the tail up by one and slip a forged event into the gap, with a plausible hash.
    _tamper("UPDATE audit_auditevent SET sequence = sequence + 100 WHERE sequence >= %s", [4])
    _tamper("UPDATE audit_auditevent SET sequence = sequence - 99 WHERE sequence >= %s", [104])
    forged = AuditEvent(
        sequence=4,
        occurred_at=events[3].occurred_at,
        actor=org.junior,
        actor_label="junior",
        action="client.viewed",
        target_type="clients.client",
        target_id=str(org.junior_client.pk),
        client=org.junior_client,
        detail={},
        prev_hash=events[2].hash,
        hash="f" * 64,
    )
    AuditEvent.objects.bulk_create([forged])
    result = verify()
    assert (result.ok, result.broken_at) == (False, 4)


def test_audit_verify_command_reports_intact_chain(
    org: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _events(org, 3)
    call_command("audit", "verify")
    assert "intact: 3 events" in capsys.readouterr().out
