"""For migrations that move models from one app to another (coordination's split in 2026).

A moved model keeps its rows (its table is renamed, never copied); its ``django_content_type``
row has to move too, or the admin's change history and the permissions granted on the model
would point at an app that no longer has it, and Django would make a second, empty content type
for the model under its new app.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def move_content_types(from_app: str, to_app: str, models: list[str]) -> migrations.RunPython:
    """A reversible RunPython that relabels the content types of ``models`` (lower-case model
    names) from ``from_app`` to ``to_app``. A content type already present under the other
    label (never the case for a database migrated in order) is left as it is."""

    def relabel(apps: Any, schema_editor: Any, old: str, new: str) -> None:
        content_types = apps.get_model("contenttypes", "ContentType").objects.db_manager(
            schema_editor.connection.alias
        )
        taken = set(
            content_types.filter(app_label=new, model__in=models).values_list("model", flat=True)
        )
        content_types.filter(app_label=old, model__in=set(models) - taken).update(app_label=new)
        content_types.clear_cache()

    def forwards(apps: Any, schema_editor: Any) -> None:
        relabel(apps, schema_editor, from_app, to_app)

    def backwards(apps: Any, schema_editor: Any) -> None:
        relabel(apps, schema_editor, to_app, from_app)

    return migrations.RunPython(forwards, backwards)
