"""The service directory's models, moved here from coordination with their rows.

Taken into this app's migration state as the tables stand (coordination_service, ...; no
database change), then the tables are renamed to this app's names, the indexes to the names
Django gives them here, and the content types relabelled so the admin's change history and the
permissions granted on these models follow them (core.moved_models.move_content_types).
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

from caseload.core.moved_models import move_content_types


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("coordination", "0005_models_moved_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ServiceOrganisation",
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
                        ("name", models.CharField(max_length=200, unique=True)),
                        ("description", models.TextField(blank=True)),
                        ("website", models.URLField(blank=True)),
                        ("phone", models.CharField(blank=True, max_length=40)),
                        ("email", models.EmailField(blank=True, max_length=254)),
                        ("is_active", models.BooleanField(default=True)),
                    ],
                    options={
                        "db_table": "coordination_serviceorganisation",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="DirectoryImport",
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
                        ("filename", models.CharField(blank=True, max_length=255)),
                        ("content", models.TextField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Awaiting confirmation"),
                                    ("applied", "Imported"),
                                    ("discarded", "Discarded"),
                                ],
                                default="pending",
                                max_length=12,
                            ),
                        ),
                        ("applied_at", models.DateTimeField(blank=True, null=True)),
                        ("summary", models.JSONField(blank=True, default=dict)),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "coordination_directoryimport",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Service",
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
                        ("name", models.CharField(max_length=200)),
                        (
                            "service_type",
                            models.CharField(
                                choices=[
                                    ("meals", "Meals and nutrition"),
                                    ("food", "Food pantry or groceries"),
                                    ("home_care", "Home care and personal care"),
                                    (
                                        "home_health",
                                        "Home health (skilled nursing, therapy at home)",
                                    ),
                                    ("therapy", "Physical, occupational or speech therapy"),
                                    ("primary_care", "Primary care"),
                                    ("specialist", "Specialist medical care"),
                                    ("behavioural_health", "Behavioural health and counselling"),
                                    ("substance_use", "Substance use treatment"),
                                    ("transport", "Transportation"),
                                    ("housing", "Housing and shelter"),
                                    ("utilities", "Utilities assistance"),
                                    ("benefits", "Benefits, financial and legal help"),
                                    ("caregiver_support", "Caregiver support and respite"),
                                    ("adult_day", "Adult day services"),
                                    ("equipment", "Medical equipment and supplies"),
                                    ("social", "Social connection and activities"),
                                    ("other", "Other"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("description", models.TextField(blank=True)),
                        (
                            "eligibility",
                            models.TextField(blank=True, help_text="Who may use the service."),
                        ),
                        (
                            "languages",
                            models.CharField(
                                blank=True,
                                help_text="Languages the service offers, comma separated.",
                                max_length=300,
                            ),
                        ),
                        ("address_line", models.CharField(blank=True, max_length=200)),
                        ("city", models.CharField(blank=True, max_length=100)),
                        ("state", models.CharField(blank=True, max_length=40)),
                        ("postal_code", models.CharField(blank=True, max_length=20)),
                        ("phone", models.CharField(blank=True, max_length=40)),
                        ("email", models.EmailField(blank=True, max_length=254)),
                        (
                            "hours",
                            models.CharField(
                                blank=True,
                                help_text="e.g. 'Mon to Fri 9:00 to 17:00'",
                                max_length=300,
                            ),
                        ),
                        ("accepting_referrals", models.BooleanField(default=True)),
                        ("is_active", models.BooleanField(default=True)),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="services",
                                to="directory.serviceorganisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "coordination_service",
                        "ordering": ["organisation__name", "name"],
                        "indexes": [
                            models.Index(
                                fields=["service_type", "is_active"],
                                name="coordinatio_service_1e16a9_idx",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("organisation", "name"),
                                name="unique_service_name_per_organisation",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RenameIndex(
            model_name="service",
            new_name="directory_s_service_87e7cb_idx",
            old_name="coordinatio_service_1e16a9_idx",
        ),
        migrations.AlterModelTable(
            name="directoryimport",
            table=None,
        ),
        migrations.AlterModelTable(
            name="service",
            table=None,
        ),
        migrations.AlterModelTable(
            name="serviceorganisation",
            table=None,
        ),
        move_content_types(
            "coordination", "directory", ["directoryimport", "service", "serviceorganisation"]
        ),
    ]
