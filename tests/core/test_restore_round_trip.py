"""The restore drill, as an operator runs it: `caseload backup` of the demo organisation,
`caseload migrate` of a new, empty database, `caseload restore` into it, `caseload audit
verify` — then every table holds the same rows (row counts per table, and the records field by
field, timestamps to the microsecond). On SQLite, and on PostgreSQL when the suite runs there
(.ci/run runs both)."""

from __future__ import annotations

import gzip
import json
import subprocess
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from caseload.core.management.commands.backup import EXCLUDED
from caseload.core.models import Holiday
from caseload.notes.models import ProgressNote
from tests.process_support import BIN, database_url, process_env

pytestmark = pytest.mark.xdist_group("processes")

COUNT_SCRIPT = """
import json
from django.apps import apps
print(json.dumps({m._meta.label: m._default_manager.count() for m in apps.get_models()}))
"""


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """A new, empty database beside the test database: its DATABASE_URL."""
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    name = f"{settings['NAME']}_restore"[:63]
    admin_url = database_url({**settings, "NAME": "postgres"})
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield database_url({**settings, "NAME": name})
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def caseload(database: str, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own console script
        [str(BIN / "caseload"), *args],
        env=process_env(DATABASE_URL=database),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"caseload {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def records(dump: Path) -> list[tuple[str, str, str]]:
    """Every record of a backup as (model, key, its fields as canonical JSON)."""
    with gzip.open(dump, "rt", encoding="utf-8") as file:
        data = json.load(file)
    return sorted(
        (item["model"], str(item.get("pk")), json.dumps(item["fields"], sort_keys=True))
        for item in data
    )


def backed_up(label: str) -> bool:
    app_label = label.split(".")[0]
    return not any(label.lower() == e.lower() or app_label == e for e in EXCLUDED)


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_every_row_and_microsecond(
    tmp_path: Path, fresh_database: str
) -> None:
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=StringIO())
    Holiday.objects.create(date="2031-12-26", name="Agency closure")
    note = ProgressNote.objects.order_by("created_at").first()
    assert note is not None
    # A time Django's own JSON encoder would cut to 12:34:56.123.
    ProgressNote.objects.filter(pk=note.pk).update(
        contact_at=note.contact_at.replace(microsecond=123456)
    )
    note.refresh_from_db()
    source_counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    first = tmp_path / "first.json.gz"
    call_command("backup", str(first), stdout=StringIO())

    # The drill: a new database, migrated; the backup restored; the audit chain verified.
    caseload(fresh_database, "migrate", "--no-input")
    restored = caseload(fresh_database, "restore", str(first))
    assert "audit chain intact" in restored
    verified = caseload(fresh_database, "audit", "verify")
    assert "intact" in verified.lower()

    restored_counts: dict[str, Any] = json.loads(
        caseload(fresh_database, "shell", "--verbosity", "0", "-c", COUNT_SCRIPT)
    )
    compared = {label for label in source_counts if backed_up(label)}
    assert {label: restored_counts[label] for label in compared} == {
        label: source_counts[label] for label in compared
    }
    assert source_counts["notes.ProgressNote"] > 100  # the demo really was backed up

    second = tmp_path / "second.json.gz"
    caseload(fresh_database, "backup", str(second))
    assert records(second) == records(first)  # every record, field by field
    stamp = note.contact_at.isoformat().replace("+00:00", "Z")
    assert stamp.endswith(".123456Z")
    assert f'"contact_at": "{stamp}"' in next(
        fields for _model, key, fields in records(second) if key == str(note.pk)
    )
