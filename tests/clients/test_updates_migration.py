"""Migration clients/0004: each "may receive updates" box becomes a consent record."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from caseload.clients import services
from caseload.consents.models import Consent
from caseload.consents.selectors import people_who_may_receive_updates

BEFORE = [("clients", "0003_entered_in_error")]


@pytest.mark.django_db(transaction=True)
def test_each_ticked_box_becomes_a_verbal_consent_recorded_by_whoever_added_the_person(
    org: Any,
) -> None:
    ticked = services.related_person_create(
        actor=org.junior, client=org.junior_client, name="Ingrid Lindqvist", relationship="child"
    )
    unticked = services.related_person_create(
        actor=org.junior, client=org.junior_client, name="Nils Lindqvist", relationship="child"
    )
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("clients", "RelatedPerson")
    old.objects.filter(pk=ticked.pk).update(may_receive_updates=True)

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    consent = Consent.objects.get()
    assert (consent.related_person_id, consent.recorded_by_id) == (ticked.pk, org.junior.pk)
    assert (consent.kind, consent.method) == ("share_related_person", "verbal")
    assert consent.given_on == timezone.localdate(ticked.created_at)
    assert "Carried over" in consent.note
    allowed = people_who_may_receive_updates(actor=org.junior, client=org.junior_client)
    assert ticked.pk in allowed and unticked.pk not in allowed
