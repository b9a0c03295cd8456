"""Caseload's migrations leave the release before them working while they run.

docs/operations.md ("Upgrade") runs the new release's `caseload migrate` while the old release
still serves. That holds only if every migration is additive for the old code: a new table, a
nullable column or one with a database default (the old release's inserts do not name it), a
column altered without changing its type or making it NOT NULL. This test reads every operation
of every migration of Caseload's own apps since the release in BASELINE and fails on one that
would break the release before it (a dropped, renamed or retyped column or table, a NOT NULL
column without a database default, raw SQL), unless the migration is in ALLOWED with the reason
and what docs/operations.md says about it. An ALLOWED entry that no longer matches fails too.
Data migrations (RunPython) are not judged here: docs/operations.md names what each one changes.

scripts/upgrade-drill.sh upgrades the BASELINE release to the working tree under traffic; this
is the part CI checks cheaply, for every migration added after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

#: The last migration of each app in the release the upgrade drill starts from (4db99ea: main
#: after the coordination split, before the jobs, holidays, programrules, team, workforce and
#: text limits). Migrations up to these are history; every later one is checked.
BASELINE = {
    ("access", "0001_initial"),
    ("appointments", "0001_initial"),
    ("assessments", "0002_response_series_index"),
    ("audit", "0006_no_truncate"),
    ("careplans", "0002_initial"),
    ("clients", "0005_name_prefix_indexes"),
    ("consents", "0002_entered_in_error"),
    ("coordination", "0005_models_moved_out"),
    ("core", "0001_holiday"),
    ("directory", "0001_initial"),
    ("enrolments", "0002_initial"),
    ("notes", "0004_note_gave_update"),
    ("referrals", "0001_initial"),
    ("staff", "0002_user_is_privacy_officer"),
    ("tasks", "0003_entered_in_error"),
    ("transitions", "0001_initial"),
}

#: (app, migration) -> why it is not additive, and why the upgrade is still safe.
ALLOWED = {
    ("directory", "0002_import_progress"): (
        "adds rows_done and rows_total NOT NULL without a database default; the next "
        "migration, 0004_progress_database_default, gives them one (0), and both are applied "
        "by the same `caseload migrate` from any release before them: only in the fraction of "
        "a second between the two would the old release's directory upload fail to insert"
    ),
}

DESTRUCTIVE = (
    migrations.RemoveField,
    migrations.DeleteModel,
    migrations.RenameField,
    migrations.RenameModel,
    migrations.AlterModelTable,
    migrations.RunSQL,
)
VARCHAR = re.compile(r"varchar\((\d+)\)")


def _retyped(before: models.Field[Any, Any], after: models.Field[Any, Any]) -> bool:
    """A different column type, other than a longer varchar."""
    old, new = before.db_type(connection) or "", after.db_type(connection) or ""
    grown = VARCHAR.fullmatch(old), VARCHAR.fullmatch(new)
    if grown[0] and grown[1]:
        return int(grown[1][1]) < int(grown[0][1])
    return old != new


def problems(app: str, operations: list[Any], before: ProjectState) -> Iterator[str]:
    """What in these operations (of a migration of `app`, applied to the state `before`) would
    break the release before them while they run."""
    operations = list(operations)
    while operations:
        operation = operations.pop(0)
        if isinstance(operation, migrations.SeparateDatabaseAndState):
            operations[:0] = operation.database_operations  # what the database sees
            continue
        name = type(operation).__name__
        model = getattr(operation, "model_name_lower", None)
        known = before.models.get((app, model)) if model else None
        if isinstance(operation, DESTRUCTIVE):
            yield f"{name}: {operation.describe()}"
        elif known is None:
            continue  # a table the release before does not have
        elif isinstance(operation, migrations.AddField):
            field = operation.field
            if not (
                field.null or field.db_default is not models.NOT_PROVIDED or field.many_to_many
            ):
                yield f"AddField {model}.{operation.name}: NOT NULL without a database default"
        elif isinstance(operation, migrations.AlterField) and operation.name in known.fields:
            old = known.fields[operation.name].clone()
            new = operation.field.clone()
            old.set_attributes_from_name(operation.name)
            new.set_attributes_from_name(operation.name)
            if old.null and not new.null and new.db_default is models.NOT_PROVIDED:
                yield f"AlterField {model}.{operation.name}: made NOT NULL"
            elif _retyped(old, new):
                yield (
                    f"AlterField {model}.{operation.name}: "
                    f"{old.db_type(connection)} -> {new.db_type(connection)}"
                )


def _since_baseline(loader: MigrationLoader) -> list[tuple[str, str]]:
    own = {c.label for c in apps.get_app_configs() if c.name.startswith("caseload.")}
    history = {key for leaf in BASELINE for key in loader.graph.forwards_plan(leaf)}
    return sorted(key for key in loader.graph.nodes if key[0] in own and key not in history)


def test_every_migration_since_the_baseline_release_leaves_it_working() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    since = _since_baseline(loader)
    assert ("core", "0002_public_holidays_from_the_library") in since  # the baseline holds
    found = {}
    for key in since:
        parents = [parent.key for parent in loader.graph.node_map[key].parents]
        state = loader.project_state(parents, at_end=True)
        listed = list(problems(key[0], loader.graph.nodes[key].operations, state))
        if listed:
            found[key] = listed
    unexplained = {key: listed for key, listed in found.items() if key not in ALLOWED}
    assert not unexplained, (
        "These migrations would break the release before them while `caseload migrate` runs "
        "(docs/operations.md, Upgrade): make them additive (nullable, or db_default), or add "
        f"them to ALLOWED with the documented stop: {unexplained}"
    )
    assert set(ALLOWED) <= set(found), (
        f"ALLOWED entries that match nothing: {set(ALLOWED) - set(found)}"
    )


def test_the_check_refuses_what_would_break_the_release_before() -> None:
    state = MigrationLoader(None, ignore_no_migrations=True).project_state()
    text = models.TextField(default="")
    safe = [
        migrations.AddField("client", "nickname", models.CharField(max_length=20, null=True)),
        migrations.AddField("client", "score", models.IntegerField(db_default=0)),
        migrations.AlterField("client", "given_name", models.CharField(max_length=200)),
        migrations.CreateModel("Brand", [("id", models.AutoField(primary_key=True))]),
        migrations.AddField("brand", "label", models.CharField(max_length=20)),  # a new table
    ]
    assert list(problems("clients", safe, state)) == []
    unsafe = [
        migrations.RemoveField("client", "preferred_language"),
        migrations.RenameField("client", "given_name", "first_name"),
        migrations.AddField("client", "score", models.IntegerField(default=0)),
        migrations.AlterField("client", "given_name", models.CharField(max_length=50)),
        migrations.AlterField("client", "given_name", text),
        migrations.RunSQL("UPDATE clients_client SET given_name = ''"),
        migrations.SeparateDatabaseAndState(database_operations=[migrations.DeleteModel("client")]),
    ]
    for operation in unsafe:
        assert len(list(problems("clients", [operation], state))) == 1, operation.describe()
    nullable = state.clone()
    nullable.models["clients", "client"].fields["given_name"] = models.CharField(
        max_length=100, null=True
    )
    made_required = migrations.AlterField("client", "given_name", models.CharField(max_length=100))
    assert list(problems("clients", [made_required], nullable)) == [
        "AlterField client.given_name: made NOT NULL"
    ]
