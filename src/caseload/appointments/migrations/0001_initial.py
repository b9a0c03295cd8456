"""Appointments and calendar feeds, moved here from coordination with their rows.

Taken into this app's migration state as the tables stand (coordination_appointment, ...; no
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
        ("clients", "0005_name_prefix_indexes"),
        ("directory", "0001_initial"),
        ("enrolments", "0002_initial"),
        ("referrals", "0001_initial"),
        ("tasks", "0003_entered_in_error"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CalendarFeed",
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
                        ("token_hash", models.CharField(max_length=64, unique=True)),
                        ("show_client_names", models.BooleanField(default=False)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "db_table": "coordination_calendarfeed",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Appointment",
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
                        ("purpose", models.CharField(max_length=200)),
                        (
                            "with_kind",
                            models.CharField(
                                choices=[
                                    ("service", "A service in the directory"),
                                    ("provider", "Another provider or person"),
                                    ("staff", "A member of our staff"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("provider_name", models.CharField(blank=True, max_length=200)),
                        (
                            "location_kind",
                            models.CharField(
                                choices=[
                                    ("in_person", "In person"),
                                    ("video", "Video call"),
                                    ("phone", "Phone call"),
                                ],
                                max_length=10,
                            ),
                        ),
                        (
                            "location",
                            models.CharField(
                                blank=True,
                                help_text="The address, the video link or the phone number.",
                                max_length=300,
                            ),
                        ),
                        ("starts_at", models.DateTimeField()),
                        ("ends_at", models.DateTimeField()),
                        ("transport_needed", models.BooleanField(default=False)),
                        ("transport_note", models.CharField(blank=True, max_length=300)),
                        ("interpreter_needed", models.BooleanField(default=False)),
                        ("interpreter_language", models.CharField(blank=True, max_length=60)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("booked", "Booked"),
                                    ("attended", "Attended"),
                                    ("no_show", "Did not attend"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="booked",
                                max_length=10,
                            ),
                        ),
                        ("status_note", models.TextField(blank=True)),
                        ("notes", models.TextField(blank=True)),
                        (
                            "client",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appointments",
                                to="clients.client",
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
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appointments",
                                to="enrolments.enrolment",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="owned_appointments",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "coordination_appointment",
                        "ordering": ["starts_at"],
                    },
                ),
                migrations.AddField(
                    model_name="appointment",
                    name="referral",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="referrals.referral",
                    ),
                ),
                migrations.AddField(
                    model_name="appointment",
                    name="reminder_task",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tasks.task",
                    ),
                ),
                migrations.AddField(
                    model_name="appointment",
                    name="service",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="directory.service",
                    ),
                ),
                migrations.AddField(
                    model_name="appointment",
                    name="staff",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attending_appointments",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AddField(
                    model_name="calendarfeed",
                    name="user",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="calendar_feeds",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AddIndex(
                    model_name="appointment",
                    index=models.Index(
                        fields=["client", "starts_at"], name="coordinatio_client__47f65d_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="appointment",
                    index=models.Index(
                        fields=["owner", "starts_at"], name="coordinatio_owner_i_61cecd_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="appointment",
                    index=models.Index(
                        fields=["staff", "starts_at"], name="coordinatio_staff_i_a3afff_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="appointment",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="appointment_ends_after_start",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="calendarfeed",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("revoked_at__isnull", True)),
                        fields=("user",),
                        name="one_active_calendar_feed_per_user",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RenameIndex(
            model_name="appointment",
            new_name="appointment_client__f89268_idx",
            old_name="coordinatio_client__47f65d_idx",
        ),
        migrations.RenameIndex(
            model_name="appointment",
            new_name="appointment_owner_i_794e93_idx",
            old_name="coordinatio_owner_i_61cecd_idx",
        ),
        migrations.RenameIndex(
            model_name="appointment",
            new_name="appointment_staff_i_889911_idx",
            old_name="coordinatio_staff_i_a3afff_idx",
        ),
        migrations.AlterModelTable(
            name="appointment",
            table=None,
        ),
        migrations.AlterModelTable(
            name="calendarfeed",
            table=None,
        ),
        move_content_types("coordination", "appointments", ["appointment", "calendarfeed"]),
    ]
