"""Referrals and their history, moved here from coordination with their rows.

Taken into this app's migration state as the tables stand (coordination_referral, ...; no
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
        ("careplans", "0002_initial"),
        ("clients", "0005_name_prefix_indexes"),
        ("consents", "0002_entered_in_error"),
        ("directory", "0001_initial"),
        ("enrolments", "0002_initial"),
        ("tasks", "0003_entered_in_error"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Referral",
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
                        ("provider_name", models.CharField(blank=True, max_length=200)),
                        ("provider_contact", models.CharField(blank=True, max_length=300)),
                        ("reason", models.TextField()),
                        (
                            "urgency",
                            models.CharField(
                                choices=[
                                    ("urgent", "Urgent: answer by the next business day"),
                                    ("soon", "Soon: answer within 2 business days"),
                                    ("routine", "Routine: answer within 3 business days"),
                                ],
                                default="routine",
                                max_length=10,
                            ),
                        ),
                        ("shared_fields", models.JSONField(blank=True, default=list)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "Draft"),
                                    ("sent", "Sent"),
                                    ("received", "Received"),
                                    ("accepted", "Accepted"),
                                    ("declined", "Declined"),
                                    ("scheduled", "Scheduled"),
                                    ("completed", "Completed"),
                                    ("no_show", "Did not attend"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="draft",
                                max_length=12,
                            ),
                        ),
                        ("status_changed_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_on", models.DateField(blank=True, null=True)),
                        ("response_due_on", models.DateField(blank=True, null=True)),
                        ("scheduled_for", models.DateTimeField(blank=True, null=True)),
                        ("outcome_note", models.TextField(blank=True)),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        ("writeback_note", models.TextField(blank=True)),
                        (
                            "client",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="referrals",
                                to="clients.client",
                            ),
                        ),
                        (
                            "closed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "consent",
                            models.ForeignKey(
                                blank=True,
                                help_text="The consent to share under which the referral was sent. The letter checks again, each time it is printed, that a consent is still in force.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="referrals",
                                to="consents.consent",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "enrolment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="referrals",
                                to="enrolments.enrolment",
                            ),
                        ),
                        (
                            "followup_task",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="tasks.task",
                            ),
                        ),
                        (
                            "goal",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="referrals",
                                to="careplans.goal",
                            ),
                        ),
                        (
                            "intervention",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="referrals",
                                to="careplans.intervention",
                            ),
                        ),
                        (
                            "problem",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="careplans.problem",
                            ),
                        ),
                        (
                            "service",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="referrals",
                                to="directory.service",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "coordination_referral",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="ReferralEvent",
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
                                    ("created", "Created"),
                                    ("status", "Status changed"),
                                    ("reopened", "Reopened"),
                                    ("followup", "Follow-up task created"),
                                ],
                                max_length=12,
                            ),
                        ),
                        (
                            "from_status",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("draft", "Draft"),
                                    ("sent", "Sent"),
                                    ("received", "Received"),
                                    ("accepted", "Accepted"),
                                    ("declined", "Declined"),
                                    ("scheduled", "Scheduled"),
                                    ("completed", "Completed"),
                                    ("no_show", "Did not attend"),
                                    ("cancelled", "Cancelled"),
                                ],
                                max_length=12,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("draft", "Draft"),
                                    ("sent", "Sent"),
                                    ("received", "Received"),
                                    ("accepted", "Accepted"),
                                    ("declined", "Declined"),
                                    ("scheduled", "Scheduled"),
                                    ("completed", "Completed"),
                                    ("no_show", "Did not attend"),
                                    ("cancelled", "Cancelled"),
                                ],
                                max_length=12,
                            ),
                        ),
                        ("note", models.TextField(blank=True)),
                        ("occurred_at", models.DateTimeField()),
                        (
                            "actor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "referral",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="events",
                                to="referrals.referral",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "coordination_referralevent",
                        "ordering": ["occurred_at", "created_at"],
                    },
                ),
                migrations.AddIndex(
                    model_name="referral",
                    index=models.Index(
                        fields=["client", "status"], name="coordinatio_client__6e73ac_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="referral",
                    index=models.Index(
                        fields=["status", "response_due_on"], name="coordinatio_status_0bd7ba_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="referral",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("service__isnull", False),
                            models.Q(("provider_name", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="referral_to_service_or_named_provider",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RenameIndex(
            model_name="referral",
            new_name="referrals_r_client__a9899b_idx",
            old_name="coordinatio_client__6e73ac_idx",
        ),
        migrations.RenameIndex(
            model_name="referral",
            new_name="referrals_r_status_127eff_idx",
            old_name="coordinatio_status_0bd7ba_idx",
        ),
        migrations.AlterModelTable(
            name="referral",
            table=None,
        ),
        migrations.AlterModelTable(
            name="referralevent",
            table=None,
        ),
        move_content_types("coordination", "referrals", ["referral", "referralevent"]),
    ]
