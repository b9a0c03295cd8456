"""Holiday, moved here from coordination with its rows: taken into core's migration state as it
stands (table coordination_holiday), then the table is renamed core_holiday and the content type
relabelled, so the admin's change history and permissions follow it."""

import uuid

from django.db import migrations, models

from caseload.core.moved_models import move_content_types


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("coordination", "0004_holiday_moved_to_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Holiday",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("date", models.DateField(unique=True)),
                        ("name", models.CharField(max_length=120)),
                    ],
                    options={"ordering": ["date"], "db_table": "coordination_holiday"},
                )
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="holiday", table=None),
        move_content_types("coordination", "core", ["holiday"]),
    ]
