"""coordination's models moved to core, directory, referrals, appointments and transitions: a
database made before the split migrates forward with every row, every foreign key, the admin's
change history and the permissions granted on the moved models.

The test migrates its own database back to the last migrations before the split, writes a row of
every moved model through the historical models, migrates forward and compares. It changes the
schema, so it runs outside a test transaction (pytest-django runs such tests after the others
in its worker, and each worker has its own database).
"""

from __future__ import annotations

import datetime as dt
import importlib
import uuid
from typing import Any

import pytest
from django.apps import apps as current_apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from caseload.consents.models import Consent
from tests import factories

#: The last migration of coordination before the split; the split's migrations all follow it.
BEFORE_SPLIT = [("coordination", "0003_referral_consent_record")]
#: Each moved model and the app that holds it now.
MOVED = {
    "Holiday": "core",
    "ServiceOrganisation": "directory",
    "Service": "directory",
    "DirectoryImport": "directory",
    "Referral": "referrals",
    "ReferralEvent": "referrals",
    "Appointment": "appointments",
    "CalendarFeed": "appointments",
    "TransitionalCareEpisode": "transitions",
    "TransitionalClock": "transitions",
}


def _migrate(targets: list[tuple[str, str | None]] | None = None) -> MigrationExecutor:
    """Migrate to ``targets`` (default: the latest migrations) with a fresh executor."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()
    return executor


def _write_rows_before_the_split(old: Any, org: Any) -> dict[str, Any]:
    """One row of every moved model, through the historical models, with every foreign key set;
    returns the rows' ids by model."""
    client = org.junior_client
    enrolment = client.enrolments.get()
    plan = factories.CarePlanFactory(enrolment=enrolment, author=org.junior)
    problem = factories.ProblemFactory(careplan=plan)
    goal = factories.GoalFactory(problem=problem, careplan=plan)
    intervention = factories.InterventionFactory(goal=goal, careplan=plan)
    task = factories.TaskFactory(client=client, owner=org.junior, created_by=org.junior)
    consent = Consent.objects.create(
        client=client,
        kind="share_provider",
        method="written",
        given_on=timezone.localdate(),
        provider_name="Eastside Meals",
        categories=["contact"],
        recorded_by=org.junior,
    )
    now = timezone.now()

    def make(model: str, **values: Any) -> Any:
        return old.get_model("coordination", model).objects.create(id=uuid.uuid4(), **values)

    holiday = make("Holiday", date=dt.date(2031, 12, 26), name="Agency closure")
    organisation = make("ServiceOrganisation", name="Eastside Meals", website="https://e.org")
    service = make(
        "Service",
        organisation_id=organisation.pk,
        name="Home-delivered meals",
        service_type="meals",
        languages="English, Spanish",
    )
    upload = make(
        "DirectoryImport",
        uploaded_by_id=org.admin.pk,
        filename="services.csv",
        content="organisation,service,type\n",
        summary={"add": 1},
    )
    referral = make(
        "Referral",
        client_id=client.pk,
        enrolment_id=enrolment.pk,
        service_id=service.pk,
        reason="Food insecurity",
        problem_id=problem.pk,
        goal_id=goal.pk,
        intervention_id=intervention.pk,
        urgency="soon",
        shared_fields=["name", "reason"],
        consent_id=consent.pk,
        status="sent",
        status_changed_at=now,
        sent_on=timezone.localdate(),
        response_due_on=timezone.localdate() + dt.timedelta(days=2),
        followup_task_id=task.pk,
        closed_by_id=org.junior.pk,
        created_by_id=org.junior.pk,
    )
    event = make(
        "ReferralEvent",
        referral_id=referral.pk,
        kind="status",
        from_status="draft",
        to_status="sent",
        actor_id=org.junior.pk,
        occurred_at=now,
    )
    appointment = make(
        "Appointment",
        client_id=client.pk,
        enrolment_id=enrolment.pk,
        referral_id=referral.pk,
        purpose="First delivery",
        with_kind="service",
        service_id=service.pk,
        staff_id=org.junior.pk,
        location_kind="in_person",
        location="4 Elm Street",
        starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1, hours=1),
        owner_id=org.junior.pk,
        reminder_task_id=task.pk,
        created_by_id=org.junior.pk,
    )
    feed = make("CalendarFeed", user_id=org.junior.pk, token_hash="f" * 64)
    episode = make(
        "TransitionalCareEpisode",
        client_id=client.pk,
        enrolment_id=enrolment.pk,
        discharged_on=timezone.localdate(),
        discharged_from="hospital",
        facility_name="General Hospital",
        complexity="high",
        ends_on=timezone.localdate() + dt.timedelta(days=29),
        recorded_by_id=org.junior.pk,
    )
    clock = make(
        "TransitionalClock",
        episode_id=episode.pk,
        kind="face_to_face",
        due_on=timezone.localdate() + dt.timedelta(days=7),
        recorded_by_id=org.junior.pk,
        task_id=task.pk,
    )
    return {
        "Holiday": holiday.pk,
        "ServiceOrganisation": organisation.pk,
        "Service": service.pk,
        "DirectoryImport": upload.pk,
        "Referral": referral.pk,
        "ReferralEvent": event.pk,
        "Appointment": appointment.pk,
        "CalendarFeed": feed.pk,
        "TransitionalCareEpisode": episode.pk,
        "TransitionalClock": clock.pk,
    }


SEEDED_HOLIDAYS = importlib.import_module(
    "caseload.coordination.migrations.0002_us_federal_holidays"
).US_FEDERAL_HOLIDAYS


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_split_keeps_every_row_and_link(org: Any) -> None:
    try:
        executor = _migrate(BEFORE_SPLIT)
        old = executor.loader.project_state(BEFORE_SPLIT).apps
        ids = _write_rows_before_the_split(old, org)
        before = {
            name: list(old.get_model("coordination", name).objects.order_by("pk").values())
            for name in MOVED
        }
        # core/0002 removes the federal holidays coordination/0002 seeded (the holidays
        # library gives them now); the organisation's own day stays.
        seeded = {(dt.date.fromisoformat(day), name) for day, name in SEEDED_HOLIDAYS}
        before["Holiday"] = [h for h in before["Holiday"] if (h["date"], h["name"]) not in seeded]
        service_type = ContentType.objects.get(app_label="coordination", model="service")
        LogEntry.objects.create(
            user=org.admin,
            content_type=service_type,
            object_id=str(ids["Service"]),
            object_repr="Home-delivered meals",
            action_flag=CHANGE,
        )
        editors = Group.objects.create(name="Directory editors")
        editors.permissions.add(
            Permission.objects.get(content_type=service_type, codename="change_service")
        )
    finally:
        _migrate()  # whatever happened, the database is left at the latest migrations

    tables = set(connection.introspection.table_names())
    assert not {t for t in tables if t.startswith("coordination_")}
    for name, app in MOVED.items():
        model = current_apps.get_model(app, name)
        assert model._meta.db_table in tables
        # (the fields the model had then: later migrations may have added some)
        fields = list(before[name][0]) if before[name] else []
        assert list(model.objects.order_by("pk").values(*fields)) == before[name], name
        assert model.objects.filter(pk=ids[name]).exists(), name

    # Foreign keys between the moved tables and to the others still hold, in the database too.
    appointment = current_apps.get_model("appointments", "Appointment").objects.get(
        pk=ids["Appointment"]
    )
    assert appointment.referral.service.organisation.pk == ids["ServiceOrganisation"]
    assert appointment.referral.goal.problem.careplan.client == org.junior_client
    clock = current_apps.get_model("transitions", "TransitionalClock").objects.get(
        pk=ids["TransitionalClock"]
    )
    assert clock.episode.pk == ids["TransitionalCareEpisode"]
    assert clock.task == appointment.reminder_task
    with pytest.raises(IntegrityError), transaction.atomic():
        type(appointment).objects.filter(pk=appointment.pk).update(referral_id=uuid.uuid4())

    # The content type moved with the model: the admin's history and permissions follow it.
    assert not ContentType.objects.filter(app_label="coordination").exists()
    moved_type = ContentType.objects.get(app_label="directory", model="service")
    assert moved_type.pk == service_type.pk
    entry = LogEntry.objects.get(object_id=str(ids["Service"]))
    assert entry.get_edited_object().pk == ids["Service"]
    assert set(editors.permissions.values_list("content_type__app_label", "codename")) == {
        ("directory", "change_service")
    }
