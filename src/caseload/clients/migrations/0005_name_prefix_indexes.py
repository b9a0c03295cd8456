"""Indexes for the name search on PostgreSQL.

The worklist's search matches a name by prefix, case-insensitively: Django writes
``UPPER("family_name"::text) LIKE UPPER('beck%')``, which no plain index serves, so PostgreSQL
scanned every client. An expression index on ``UPPER(name::text)`` with ``text_pattern_ops``
(prefix LIKE under any collation) serves it, one per name column; the three ORed conditions
become a bitmap OR of index scans. SQLite has no such index type and keeps scanning (it is the
single-machine demo database); nothing happens there.
"""

from django.db import migrations

COLUMNS = ("family_name", "given_name", "preferred_name")


def _name(column: str) -> str:
    return f"clients_client_{column}_upper_prefix"


def create(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_name(column)} "
            f"ON clients_client ((UPPER({column}::text)) text_pattern_ops)"
        )


def drop(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_name(column)}")


class Migration(migrations.Migration):
    dependencies = [("clients", "0004_related_person_updates_from_consent")]

    operations = [migrations.RunPython(create, drop)]
