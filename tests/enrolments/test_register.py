"""Registering a new client with their first enrolment (/clients/new/, ``clients:create``):
the service and the page, with the database and the audit rows each leaves."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caseload.access import policies
from caseload.audit.models import AuditEvent
from caseload.clients.models import Client
from caseload.core import clock
from caseload.core.errors import NotFound, PermissionDenied, ValidationFailed
from caseload.enrolments import services
from caseload.enrolments.models import Enrolment
from tests import factories

pytestmark = pytest.mark.django_db


# --- the service ------------------------------------------------------------------------------


def _register(org, actor=None, **overrides):
    referral = {
        "program": org.geriatric,
        "care_manager": org.junior,
        "acuity": 2,
        "referred_on": clock.today(),
        "referral_source": "Riverside hospital",
    }
    return services.client_register(
        actor=actor or org.junior, **factories.new_client_details(**{**referral, **overrides})
    )


def test_client_register_records_the_client_with_a_referred_enrolment(org):
    client = _register(org)
    enrolment = client.enrolments.get()
    assert (enrolment.status, enrolment.program, enrolment.care_manager) == (
        "referred",
        org.geriatric,
        org.junior,
    )
    assert enrolment.referral_source == "Riverside hospital"
    assert policies.client_in_scope(org.junior, client.pk)
    actions = set(AuditEvent.objects.filter(client=client).values_list("action", flat=True))
    assert actions == {"client.created", "enrolment.created"}


def test_junior_cannot_register_a_client_for_someone_else(org):
    with pytest.raises(PermissionDenied):
        _register(org, care_manager=org.supervisor)
    assert not Client.objects.filter(family_name="Lindqvist").exists()


def test_registration_refused_at_caseload_cap_leaves_nothing_behind(org):
    org.junior.caseload_cap_override = 1
    org.junior.save()
    with pytest.raises(ValidationFailed) as caught:
        _register(org)
    assert "caseload cap of 1" in caught.value.field_errors["care_manager"][0]
    assert not Client.objects.filter(family_name="Lindqvist").exists()
    assert not AuditEvent.objects.filter(action="client.created").exists()


def test_enrolment_counts_for_new_client_come_from_enrolment_create(org):
    """client_register goes through enrolment_create: the first event is the referral."""
    client = _register(org)
    enrolment = Enrolment.objects.get(client=client)
    assert list(enrolment.events.values_list("to_value", flat=True)) == ["referred"]


def test_administrator_cannot_register_clients(org):
    with pytest.raises(NotFound):
        _register(org, actor=org.admin, care_manager=org.admin)
    assert not Client.objects.filter(family_name="Lindqvist").exists()


def test_a_refused_detail_leaves_no_client_and_no_enrolment(org):
    with pytest.raises(ValidationFailed) as caught:
        _register(org, mrn=org.other_client.mrn)
    assert list(caught.value.field_errors) == ["mrn"]
    assert not Client.objects.filter(family_name="Lindqvist").exists()
    assert not AuditEvent.objects.exists()


# --- the page ---------------------------------------------------------------------------------


def _new_client_form(org, **overrides):
    data = {
        "given_name": "Ingrid",
        "family_name": "Lindqvist",
        "preferred_name": "",
        "date_of_birth": "1941-05-02",
        "sex_at_birth": "female",
        "gender_identity": "",
        "pronouns": "she/her",
        "mrn": "MRN-NEW-1",
        "payer_member_id": "",
        "phone": "555-0100",
        "email": "",
        "address_line": "",
        "city": "",
        "state": "",
        "postal_code": "",
        "preferred_language": "Swedish",
        "interpreter_needed": "on",
        "what_matters_to_me": "Staying in my own home",
        "program": str(org.geriatric.pk),
        "care_manager": str(org.junior.pk),
        "acuity": "2",
        "referred_on": clock.today().isoformat(),
        "referral_source": "Riverside hospital",
    }
    data.update(overrides)
    return data


def test_new_client_form_groups_questions_and_offers_junior_only_themselves(org, login):
    response = login(org.junior).get(reverse("clients:create"))
    assert response.status_code == 200
    html = response.content.decode()
    for legend in ("Identity", "Contact", "Language", "What matters", "First program"):
        assert f"<legend><h2>{legend}" in html
    options = response.context["form"].fields["care_manager"].queryset
    assert list(options) == [org.junior]
    assert "Only a senior care manager or a director can assign someone else" in html


def test_senior_may_choose_staff_of_their_programs(org, login):
    response = login(org.senior).get(reverse("clients:create"))
    options = set(response.context["form"].fields["care_manager"].queryset)
    assert {org.senior, org.supervisor, org.junior} <= options
    assert org.other_cm not in options


def test_registering_a_client_redirects_to_the_chart(org, login):
    http = login(org.junior)
    response = http.post(reverse("clients:create"), _new_client_form(org))
    client = Client.objects.get(mrn="MRN-NEW-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:chart", args=[client.pk])
    assert client.interpreter_needed and client.preferred_language == "Swedish"
    assert client.enrolments.get().status == "referred"
    audit = AuditEvent.objects.get(action="client.created")
    assert (audit.actor, audit.client_id) == (org.junior, client.pk)
    assert audit.request_id and audit.ip_address == "127.0.0.1"
    page = http.get(response["Location"])
    assert "Ingrid Lindqvist is registered and referred to Geriatric care management" in (
        page.content.decode()
    )


def test_junior_cannot_assign_someone_else_through_the_form(org, login):
    response = login(org.junior).post(
        reverse("clients:create"), _new_client_form(org, care_manager=str(org.supervisor.pk))
    )
    assert response.status_code == 400
    assert "You can only choose a care manager you are allowed to assign" in (
        response.content.decode()
    )
    assert not Client.objects.filter(mrn="MRN-NEW-1").exists()


def test_senior_cannot_assign_staff_to_a_program_they_do_not_lead(org, login):
    response = login(org.senior).post(
        reverse("clients:create"),
        _new_client_form(org, program=str(org.chronic.pk), care_manager=str(org.supervisor.pk)),
    )
    assert response.status_code == 400
    assert "Only a senior care manager of this program" in response.content.decode()
    assert not Client.objects.filter(mrn="MRN-NEW-1").exists()


def test_registration_over_caseload_cap_names_the_cap(org, login):
    org.junior.caseload_cap_override = 1
    org.junior.save()
    response = login(org.junior).post(reverse("clients:create"), _new_client_form(org))
    assert response.status_code == 400
    assert "caseload cap of 1 open enrolments" in response.content.decode()
    assert not Client.objects.filter(mrn="MRN-NEW-1").exists()


def test_duplicate_mrn_is_shown_next_to_the_mrn_field(org, login):
    response = login(org.junior).post(
        reverse("clients:create"), _new_client_form(org, mrn=org.other_client.mrn)
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "Another client already has MRN" in form.errors["mrn"][0]
    assert 'href="#id_mrn"' in response.content.decode()


def test_nul_character_is_refused_with_a_form_error_not_a_crash(org, login):
    response = login(org.junior).post(
        reverse("clients:create"), _new_client_form(org, what_matters_to_me="Home\x00")
    )
    assert response.status_code == 400
    assert "Remove the invalid control character" in response.content.decode()
    assert not Client.objects.filter(mrn="MRN-NEW-1").exists()


def test_missing_answers_are_listed_in_the_error_summary_and_input_is_kept(org, login):
    response = login(org.junior).post(
        reverse("clients:create"), _new_client_form(org, given_name="", sex_at_birth="")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Enter the client&#x27;s given (first) name." in html
    assert 'value="Lindqvist"' in html
    assert 'aria-describedby="id_given_name-error"' in html


def test_administrator_has_no_new_client_page(org, login):
    assert login(org.admin).get(reverse("clients:create")).status_code == 404
