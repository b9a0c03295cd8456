"""Client services: a new client's details, optimistic locking, related people, flags, and the
audit row each write leaves (registering with a first enrolment: tests/enrolments/)."""

from __future__ import annotations

import datetime as dt

import pytest

from caseload.access import policies
from caseload.audit.models import AuditEvent
from caseload.clients import services
from caseload.clients.models import Client, RelatedPerson
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db


def _create(org, actor=None, **overrides):
    return services.client_create(
        actor=actor or org.junior, **factories.new_client_details(**overrides)
    )


def test_client_create_records_the_client_on_no_caseload_until_enrolled(org):
    client = _create(org)
    assert (client.given_name, client.preferred_language, client.interpreter_needed) == (
        "Ingrid",
        "Swedish",
        True,
    )
    assert not client.enrolments.exists()
    assert not policies.client_in_scope(org.junior, client.pk)
    audit = AuditEvent.objects.get(client=client)
    assert (audit.action, audit.actor) == ("client.created", org.junior)


def test_client_create_trims_text(org):
    client = _create(org, given_name="  Ingrid ", mrn=" MRN-9 ")
    assert (client.given_name, client.mrn) == ("Ingrid", "MRN-9")


def test_administrator_cannot_register_clients(org):
    with pytest.raises(NotFound):
        _create(org, actor=org.admin)
    assert not Client.objects.filter(family_name="Lindqvist").exists()


def test_duplicate_mrn_is_refused_on_the_mrn_field(org):
    with pytest.raises(ValidationFailed) as caught:
        _create(org, mrn=org.other_client.mrn)
    assert list(caught.value.field_errors) == ["mrn"]
    assert not Client.objects.filter(family_name="Lindqvist").exists()


def test_many_clients_may_have_no_mrn(org):
    _create(org, mrn="")
    _create(org, mrn="", given_name="Sven")
    assert Client.objects.filter(mrn="").count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name", ""),
        ("given_name", "Ing\x00rid"),
        ("what_matters_to_me", "x\x00"),
        ("sex_at_birth", "robot"),
        ("email", "not-an-email"),
        ("date_of_birth", dt.date(2999, 1, 1)),
        ("mrn", "x" * 41),
    ],
)
def test_client_create_names_the_field_in_error(org, field, value):
    with pytest.raises(ValidationFailed) as caught:
        _create(org, **{field: value})
    assert field in caught.value.field_errors


def test_client_update_saves_changes_and_bumps_version(org):
    client = org.junior_client
    updated = services.client_update(
        actor=org.junior,
        client=client,
        expected_version=1,
        phone="555-0199",
        what_matters_to_me="Staying in my garden",
    )
    client.refresh_from_db()
    assert (client.phone, client.what_matters_to_me, client.version) == (
        "555-0199",
        "Staying in my garden",
        2,
    )
    assert updated.version == 2
    audit = AuditEvent.objects.get(action="client.updated")
    assert audit.client_id == client.pk
    assert audit.detail == {"fields": ["phone", "what_matters_to_me"]}


def test_client_update_with_stale_version_is_a_conflict(org):
    client = org.junior_client
    services.client_update(actor=org.supervisor, client=client, expected_version=1, phone="1")
    with pytest.raises(Conflict) as caught:
        services.client_update(actor=org.junior, client=client, expected_version=1, phone="2")
    assert caught.value.params == {"current_version": 2}
    client.refresh_from_db()
    assert client.phone == "1"


def test_client_update_without_changes_writes_nothing(org):
    client = org.junior_client
    services.client_update(
        actor=org.junior, client=client, expected_version=1, given_name=client.given_name
    )
    client.refresh_from_db()
    assert client.version == 1
    assert not AuditEvent.objects.filter(action="client.updated").exists()


def test_client_update_refuses_another_clients_mrn(org):
    with pytest.raises(ValidationFailed) as caught:
        services.client_update(
            actor=org.junior,
            client=org.junior_client,
            expected_version=1,
            mrn=org.other_client.mrn,
        )
    assert "mrn" in caught.value.field_errors


def test_client_update_out_of_scope_is_not_found(org):
    with pytest.raises(NotFound):
        services.client_update(
            actor=org.junior, client=org.other_client, expected_version=1, phone="1"
        )


def test_related_person_create_and_update_are_versioned_and_audited(org):
    person = services.related_person_create(
        actor=org.junior,
        client=org.junior_client,
        name="Karin Lindqvist",
        relationship="child",
        phone="555-0111",
    )
    assert person.client == org.junior_client
    services.related_person_update(
        actor=org.junior, person=person, expected_version=1, phone="555-0222"
    )
    person.refresh_from_db()
    assert (person.phone, person.version) == ("555-0222", 2)
    with pytest.raises(Conflict):
        services.related_person_update(
            actor=org.junior, person=person, expected_version=1, phone="555-0333"
        )
    actions = list(
        AuditEvent.objects.filter(client=org.junior_client)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["related_person.created", "related_person.updated"]


def test_related_person_needs_name_and_relationship(org):
    with pytest.raises(ValidationFailed) as caught:
        services.related_person_create(
            actor=org.junior, client=org.junior_client, name=" ", relationship="robot"
        )
    assert set(caught.value.field_errors) == {"name", "relationship"}
    assert not RelatedPerson.objects.exists()


def test_related_person_for_client_out_of_scope_is_not_found(org):
    with pytest.raises(NotFound):
        services.related_person_create(
            actor=org.junior, client=org.other_client, name="A", relationship="child"
        )


def test_flag_raise_and_resolve(org):
    flag = services.flag_raise(
        actor=org.junior,
        client=org.junior_client,
        kind="safety",
        description="PHQ-9 item 9 answered 1",
    )
    assert flag.is_active and flag.raised_by == org.junior
    resolved = services.flag_resolve(
        actor=org.supervisor, flag=flag, resolution_note="Safety plan made with client"
    )
    assert not resolved.is_active
    assert resolved.resolved_by == org.supervisor
    assert resolved.resolved_at is not None
    actions = list(
        AuditEvent.objects.filter(client=org.junior_client)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["flag.raised", "flag.resolved"]


def test_flag_resolution_needs_a_note(org):
    flag = factories.FlagFactory(client=org.junior_client, raised_by=org.junior)
    with pytest.raises(ValidationFailed) as caught:
        services.flag_resolve(actor=org.junior, flag=flag, resolution_note="  ")
    assert "resolution_note" in caught.value.field_errors
    flag.refresh_from_db()
    assert flag.is_active


def test_resolving_a_resolved_flag_is_a_conflict(org):
    flag = factories.FlagFactory(client=org.junior_client, raised_by=org.junior)
    services.flag_resolve(actor=org.junior, flag=flag, resolution_note="Done")
    with pytest.raises(Conflict):
        services.flag_resolve(actor=org.junior, flag=flag, resolution_note="Again")


def test_flag_on_client_out_of_scope_is_not_found(org):
    with pytest.raises(NotFound):
        services.flag_raise(
            actor=org.junior, client=org.other_client, kind="safety", description="x"
        )
    flag = factories.FlagFactory(client=org.other_client, raised_by=org.other_cm)
    with pytest.raises(NotFound):
        services.flag_resolve(actor=org.junior, flag=flag, resolution_note="x")


def test_flag_needs_kind_and_description(org):
    with pytest.raises(ValidationFailed) as caught:
        services.flag_raise(actor=org.junior, client=org.junior_client, kind="", description="")
    assert set(caught.value.field_errors) == {"kind", "description"}
