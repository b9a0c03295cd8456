"""On PostgreSQL, TRUNCATE of the audit events or the chain head is refused for every role.

Row triggers (0002) do not fire on TRUNCATE; a statement-level trigger does. The application's
own role has no TRUNCATE privilege either (scripts/postgres-roles.sql); this stops the owner role
too, short of dropping the trigger, which the chain head's signature and the checkpoints catch.
"""

from django.db import migrations

TABLES = ("audit_auditevent", "audit_auditchainhead")

PG_UP = [
    """
CREATE OR REPLACE FUNCTION caseload_audit_no_truncate() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail cannot be truncated (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""",
    *(
        f"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION caseload_audit_no_truncate();"
        for table in TABLES
    ),
]
PG_DOWN = [
    *(f"DROP TRIGGER IF EXISTS audit_no_truncate ON {table};" for table in TABLES),
    "DROP FUNCTION IF EXISTS caseload_audit_no_truncate();",
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_UP:
            schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_DOWN:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_sign_head")]
    operations = [migrations.RunPython(forwards, backwards)]
