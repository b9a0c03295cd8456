"""Transitional-care episodes and their clocks, moved here from coordination with their rows.

Taken into this app's migration state as the tables stand (coordination_transitionalclock, ...;
no database change), then the tables are renamed to this app's names, the indexes to the names
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
        ("clients", "0005_name_prefix_indexes"),
        ("enrolments", "0002_initial"),
        ("tasks", "0003_entered_in_error"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TransitionalCareEpisode",
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
                        ("version", models.PositiveIntegerField(default=1)),
                        ("discharged_on", models.DateField()),
                        (
                            "discharged_from",
                            models.CharField(
                                choices=[
                                    ("hospital", "Hospital (inpatient or observation)"),
                                    ("snf", "Skilled nursing facility"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("facility_name", models.CharField(max_length=200)),
                        (
                            "complexity",
                            models.CharField(
                                choices=[
                                    (
                                        "moderate",
                                        "Moderate complexity: face-to-face visit within 14 days (99495)",
                                    ),
                                    (
                                        "high",
                                        "High complexity: face-to-face visit within 7 days (99496)",
                                    ),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("notes", models.TextField(blank=True)),
                        ("ends_on", models.DateField()),
                        (
                            "status",
                            models.CharField(
                                choices=[("active", "Active"), ("closed", "Closed early")],
                                default="active",
                                max_length=10,
                            ),
                        ),
                        (
                            "close_reason",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("readmitted", "Readmitted"),
                                    ("deceased", "Died"),
                                    ("declined", "Client declined transitional care"),
                                    ("entered_in_error", "Entered in error"),
                                    ("other", "Other"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("close_note", models.TextField(blank=True)),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "client",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="transitional_episodes",
                                to="clients.client",
                            ),
                        ),
                        (
                            "enrolment",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="transitional_episodes",
                                to="enrolments.enrolment",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "coordination_transitionalcareepisode",
                        "ordering": ["-discharged_on"],
                    },
                ),
                migrations.CreateModel(
                    name="TransitionalClock",
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
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("interactive_contact", "Interactive contact"),
                                    ("face_to_face", "Face-to-face visit"),
                                    ("medication_reconciliation", "Medication reconciliation"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("due_on", models.DateField()),
                        ("met_on", models.DateField(blank=True, null=True)),
                        ("met_note", models.TextField(blank=True)),
                        (
                            "episode",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="clocks",
                                to="transitions.transitionalcareepisode",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "task",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="tasks.task",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "coordination_transitionalclock",
                        "ordering": ["due_on"],
                    },
                ),
                migrations.AddIndex(
                    model_name="transitionalcareepisode",
                    index=models.Index(
                        fields=["client", "status", "ends_on"],
                        name="coordinatio_client__f52a08_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="transitionalclock",
                    index=models.Index(
                        fields=["due_on", "met_on"], name="coordinatio_due_on_b083f6_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="transitionalclock",
                    constraint=models.UniqueConstraint(
                        fields=("episode", "kind"), name="one_clock_per_kind"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RenameIndex(
            model_name="transitionalcareepisode",
            new_name="transitions_client__d76415_idx",
            old_name="coordinatio_client__f52a08_idx",
        ),
        migrations.RenameIndex(
            model_name="transitionalclock",
            new_name="transitions_due_on_b57784_idx",
            old_name="coordinatio_due_on_b083f6_idx",
        ),
        migrations.AlterModelTable(
            name="transitionalcareepisode",
            table=None,
        ),
        migrations.AlterModelTable(
            name="transitionalclock",
            table=None,
        ),
        move_content_types(
            "coordination", "transitions", ["transitionalcareepisode", "transitionalclock"]
        ),
    ]
