"""On PostgreSQL the audit table refuses UPDATE and DELETE (TRUNCATE stays for test flushes).

SQLite is the single-user demo database: there the hash chain alone detects tampering.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION caseload_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only
  BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION caseload_audit_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS caseload_audit_append_only();
"""


def _run(schema_editor, statements_by_vendor):  # type: ignore[no-untyped-def]
    statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, {"postgresql": [PG_UP]})


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, {"postgresql": [PG_DOWN]})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
