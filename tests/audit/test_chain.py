from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from caseload.audit.chain import event_hash, hashed_fields, sign_head, signing_key, verify
from caseload.audit.models import GENESIS_HASH, LEGACY_KEY_ID, AuditChainHead, AuditEvent
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


# --- keyed hashes, the head, truncation and checkpoints ---------------------------------------


def _head() -> AuditChainHead:
    return AuditChainHead.objects.get(pk=1)


def _legacy_hash(event: AuditEvent, prev_hash: str) -> str:
    """Plain SHA-256 of the event, as Caseload computed it before keyed hashes."""
    payload = json.dumps(
        {**hashed_fields(event), "prev_hash": prev_hash},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _recompute_from(sequence: int, hasher: Any, *, move_head: bool, key_id: str = "") -> None:
    """What someone with write access to the database does after editing event ``sequence``:
    hash it and every later event again with ``hasher`` and, if ``move_head``, make the head
    name the new last hash (they cannot sign it without the key)."""
    prev = AuditEvent.objects.get(sequence=sequence - 1).hash if sequence > 1 else GENESIS_HASH
    for event in AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence"):
        event.key_id = key_id or event.key_id
        new_hash = hasher(event, prev)
        _tamper(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s, key_id = %s WHERE id = %s",
            [prev, new_hash, event.key_id, event.pk],
        )
        prev = new_hash
    if move_head:
        AuditChainHead.objects.filter(pk=1).update(hash=prev)


def test_new_events_are_signed_with_the_configured_key_and_name_it(org: Any) -> None:
    events = _events(org, 2)
    assert {e.key_id for e in AuditEvent.objects.all()} == {settings.AUDIT_HMAC_KEY_ID}
    assert events[1].hash != _legacy_hash(events[1], events[1].prev_hash)
    head = _head()
    assert (head.sequence, head.hash, head.key_id) == (2, events[1].hash, events[0].key_id)
    assert verify().ok


def test_verify_detects_deleted_events_at_the_tail(org: Any) -> None:
    _events(org)
    _tamper("DELETE FROM audit_auditevent WHERE sequence > %s", [3])
    result = verify()
    assert (result.ok, result.broken_at, result.checked) == (False, 4, 3)
    assert "events 4 to 5 were removed" in result.problem
    with pytest.raises(CommandError, match="BROKEN at event 4"):
        call_command("audit", "verify")


def test_verify_detects_a_head_moved_back_over_deleted_events(org: Any) -> None:
    events = _events(org)
    _tamper("DELETE FROM audit_auditevent WHERE sequence > %s", [3])
    AuditChainHead.objects.filter(pk=1).update(sequence=3, hash=events[2].hash)
    result = verify()
    assert not result.ok
    assert "head was changed outside Caseload" in result.problem


def test_verify_detects_an_emptied_table(org: Any) -> None:
    """What TRUNCATE would leave (on SQLite, or on PostgreSQL with the trigger lifted)."""
    _events(org)
    _tamper("DELETE FROM audit_auditevent", [])
    result = verify()
    assert (result.ok, result.checked, result.broken_at) == (False, 0, 1)
    assert "events 1 to 5 were removed" in result.problem
    AuditChainHead.objects.all().delete()
    assert verify().problem == "the chain head is missing"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the TRUNCATE trigger is PostgreSQL's"
)
def test_database_refuses_truncate_of_the_audit_trail(org: Any) -> None:
    _events(org, 3)
    # The test's own transaction holds deferred foreign-key checks, which TRUNCATE would
    # refuse for a reason of its own: run them first.
    connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in ("audit_auditevent", "audit_auditchainhead"):
        with pytest.raises(DatabaseError, match="cannot be truncated"), transaction.atomic():
            connection.cursor().execute(f"TRUNCATE {table}")
    assert AuditEvent.objects.count() == 3
    assert verify().ok


def test_an_edit_rehashed_with_plain_sha256_is_detected(org: Any) -> None:
    _events(org)
    _tamper("UPDATE audit_auditevent SET actor_label = %s WHERE sequence = %s", ["mallory", 3])
    _recompute_from(3, _legacy_hash, move_head=False, key_id=LEGACY_KEY_ID)
    result = verify()
    assert (result.ok, result.broken_at) == (False, 3)
    assert "claims the unkeyed legacy hash" in result.problem

    _recompute_from(3, _legacy_hash, move_head=True, key_id=LEGACY_KEY_ID)
    assert "head was changed" in verify().problem


def test_an_edit_rehashed_under_a_wrong_key_is_detected(org: Any) -> None:
    _events(org)
    _tamper("UPDATE audit_auditevent SET action = %s WHERE sequence = %s", ["client.nothing", 2])

    def wrong_key(event: AuditEvent, prev: str) -> str:
        return event_hash(hashed_fields(event), prev, key_id=event.key_id, key=b"guessed" * 8)

    _recompute_from(2, wrong_key, move_head=False)
    result = verify()
    assert (result.ok, result.broken_at) == (False, 2)
    assert "event 2 was changed" in result.problem
    _recompute_from(2, wrong_key, move_head=True)
    assert not verify().ok


def _checkpoint(path: Path) -> None:
    call_command("audit", "checkpoint", "--file", str(path), stdout=io.StringIO())


def test_a_checkpoint_is_a_signed_line_outside_the_database_that_verify_checks(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoints = tmp_path / "audit-checkpoints.jsonl"
    _events(org, 2)
    _checkpoint(checkpoints)
    _events(org, 2)
    _checkpoint(checkpoints)
    lines = [json.loads(line) for line in checkpoints.read_text().splitlines()]
    assert [line["sequence"] for line in lines] == [2, 4]
    assert {"hash", "at", "key_id", "signature"} <= set(lines[0])
    call_command("audit", "verify", "--checkpoints", str(checkpoints))
    assert "intact: 4 events, matching 2 checkpoints" in capsys.readouterr().out

    forged = dict(lines[1], hash="f" * 64)
    checkpoints.write_text(json.dumps(lines[0]) + "\n" + json.dumps(forged) + "\n")
    with pytest.raises(CommandError, match=r"checkpoint of event 4 .* is not genuine"):
        call_command("audit", "verify", "--checkpoints", str(checkpoints))


def test_checkpoints_detect_the_database_rolled_back_to_an_earlier_genuine_head(
    org: Any, tmp_path: Path
) -> None:
    checkpoints = tmp_path / "audit-checkpoints.jsonl"
    _events(org, 3)
    earlier = _head()
    _events(org, 2)
    _checkpoint(checkpoints)
    # Delete the last two events and put back the head as it was, signature and all (say, from
    # an old backup): the database alone cannot tell.
    _tamper("DELETE FROM audit_auditevent WHERE sequence > %s", [3])
    earlier.save()
    assert verify().ok
    with pytest.raises(CommandError, match="past the chain's end at event 3"):
        call_command("audit", "verify", "--checkpoints", str(checkpoints))


def test_checkpoints_detect_a_rewrite_even_by_someone_holding_the_key(
    org: Any, tmp_path: Path
) -> None:
    checkpoints = tmp_path / "audit-checkpoints.jsonl"
    _events(org, 4)
    _checkpoint(checkpoints)
    key_id, key = signing_key()
    _tamper("UPDATE audit_auditevent SET actor_label = %s WHERE sequence = %s", ["mallory", 2])

    def real_key(event: AuditEvent, prev: str) -> str:
        return event_hash(hashed_fields(event), prev, key_id=key_id, key=key)

    _recompute_from(2, real_key, move_head=True)
    head = _head()
    sign_head(head)
    head.save()
    assert verify().ok
    with pytest.raises(CommandError, match="event 4 differs from the checkpoint"):
        call_command("audit", "verify", "--checkpoints", str(checkpoints))


def test_a_rotated_key_signs_new_events_and_the_retired_key_still_verifies_old_ones(
    org: Any,
) -> None:
    _events(org, 2)
    old_id = settings.AUDIT_HMAC_KEY_ID
    old_keys = dict(settings.AUDIT_HMAC_KEYS)
    rotated = {**old_keys, "k-rotated": "n" * 48}
    with override_settings(AUDIT_HMAC_KEY_ID="k-rotated", AUDIT_HMAC_KEYS=rotated):
        _events(org, 2)
        assert list(AuditEvent.objects.order_by("sequence").values_list("key_id", flat=True)) == [
            old_id,
            old_id,
            "k-rotated",
            "k-rotated",
        ]
        assert _head().key_id == "k-rotated"
        assert verify().ok
    forgotten = {"k-rotated": "n" * 48}
    with override_settings(AUDIT_HMAC_KEY_ID="k-rotated", AUDIT_HMAC_KEYS=forgotten):
        result = verify()
    assert (result.ok, result.broken_at) == (False, 1)
    assert f"signed with key {old_id!r}, which this server does not hold" in result.problem


def test_rotate_key_prints_a_new_key_with_the_current_one_retired(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("audit", "rotate-key")
    out = capsys.readouterr().out
    values = dict(
        line.split("=", 1) for line in out.splitlines() if line.startswith("CASELOAD_AUDIT_")
    )
    assert len(values["CASELOAD_AUDIT_KEY"]) >= 48
    assert values["CASELOAD_AUDIT_KEY_ID"] != settings.AUDIT_HMAC_KEY_ID
    current = f"{settings.AUDIT_HMAC_KEY_ID}:{settings.AUDIT_HMAC_KEYS[settings.AUDIT_HMAC_KEY_ID]}"
    assert current in values["CASELOAD_AUDIT_RETIRED_KEYS"].split(",")


def test_events_written_while_the_clock_answers_in_local_time_verify(org: Any, pin: Any) -> None:
    """The hash covers the time in ISO form: an event stamped by a clock answering in the
    organisation's time zone (a pinned test, a demo scenario) is stored in UTC, so the time is
    hashed in UTC too, or the event would read back "changed"."""
    pin("2026-11-27 02:04")
    events = _events(org, 2)
    assert events[0].occurred_at.utcoffset() == dt.timedelta(0)
    result = verify()
    assert result.ok, result.problem
