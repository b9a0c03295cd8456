"""scripts/postgres-roles.sql: the application's role may append to the audit trail and change
ordinary rows, but cannot truncate, disable triggers, or rewrite audit events."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from caseload.audit.services import audit_record

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgres-roles.sql"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles are PostgreSQL's"
)


@pytest.mark.django_db(transaction=True)
def test_the_application_role_cannot_truncate_disable_triggers_or_rewrite_the_audit(
    org: Any,
) -> None:
    for _ in range(3):
        audit_record(actor=org.junior, action="client.viewed", target=org.junior_client)
    app_role = f"caseload_app_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        # The script as an operator runs it, for a role of this test's own; the test role
        # (which ran the migrations) is the owner.
        cursor.execute(
            SCRIPT.read_text().replace("caseload_app", app_role).replace("caseload_owner", owner)
        )
    settings = connection.settings_dict
    try:
        with psycopg.connect(
            dbname=settings["NAME"],
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            user=app_role,
            autocommit=True,
        ) as app:
            assert app.execute("SELECT count(*) FROM audit_auditevent").fetchone() == (3,)
            app.execute("UPDATE audit_auditchainhead SET sequence = sequence WHERE id = 1")
            app.execute("UPDATE staff_user SET phone = '555' WHERE username = 'junior'")
            refused = [
                "TRUNCATE audit_auditevent",
                "TRUNCATE audit_auditchainhead",
                "TRUNCATE staff_user CASCADE",
                "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
                "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
                "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_truncate",
                "DROP TRIGGER audit_event_append_only ON audit_auditevent",
                "SET session_replication_role = replica",
                "UPDATE audit_auditevent SET actor_label = 'mallory'",
                "DELETE FROM audit_auditevent",
                "DELETE FROM audit_auditchainhead",
                "CREATE TABLE mallory (id int)",
            ]
            for statement in refused:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    app.execute(statement)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {app_role}; DROP ROLE {app_role}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        assert cursor.fetchone() == (3,)
