"""Client pages through HTTP: response, database and audit row."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.audit.services import audit_record_many
from caseload.clients.models import Client, Flag, RelatedPerson
from caseload.core import clock, request_context
from tests import factories

pytestmark = pytest.mark.django_db


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


# --- register a client ------------------------------------------------------------------------


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


# --- chart ------------------------------------------------------------------------------------


def test_chart_shows_header_flags_sections_and_records_the_view(org, login):
    client = org.junior_client
    client.preferred_language = "Somali"
    client.interpreter_needed = True
    client.pronouns = "she/her"
    client.save()
    flag = factories.FlagFactory(client=client, raised_by=org.supervisor)
    factories.FlagFactory(client=client, raised_by=org.junior, is_active=False, description="Old")
    response = login(org.junior).get(reverse("clients:chart", args=[client.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert client.full_name in html
    assert f"born {client.date_of_birth:%-d %B %Y}" in html
    assert client.mrn in html
    assert "Interpreter needed" in html
    assert "she/her" in html
    assert "Geriatric care management" in html
    assert org.junior.display_name in html
    assert flag.description in html
    assert reverse("clients:flag_resolve", args=[client.pk, flag.pk]) in html
    assert "Old" not in html
    for anchor in ("care-plan", "notes", "tasks", "care-team", "enrolments"):
        assert f'href="#{anchor}"' in html
        assert f'id="{anchor}"' in html
    for url in (
        reverse("notes:create", args=[client.pk]),
        reverse("tasks:create", args=[client.pk]),
        reverse("enrolments:create", args=[client.pk]),
        reverse("clients:edit", args=[client.pk]),
        reverse("clients:related_create", args=[client.pk]),
    ):
        assert url in html
    audit = AuditEvent.objects.get(action="client.viewed")
    assert (audit.actor, audit.client_id, audit.target_id) == (
        org.junior,
        client.pk,
        str(client.pk),
    )


@pytest.mark.parametrize(
    ("who", "sees_link"),
    [("junior", False), ("supervisor", True), ("senior", True), ("director", True)],
)
def test_access_history_link_only_for_those_allowed(org, login, who, sees_link):
    html = (
        login(org.users()[who])
        .get(reverse("clients:chart", args=[org.junior_client.pk]))
        .content.decode()
    )
    assert (reverse("clients:access_history", args=[org.junior_client.pk]) in html) is sees_link


def test_chart_lists_family_and_care_team(org, login):
    client = org.junior_client
    person = factories.RelatedPersonFactory(
        client=client, name="Karin L", is_primary_caregiver=True
    )
    factories.CareTeamMemberFactory(enrolment=client.enrolments.get(), external_name="Dr. Ada Park")
    html = login(org.junior).get(reverse("clients:chart", args=[client.pk])).content.decode()
    assert "Karin L" in html and "Primary caregiver" in html
    assert reverse("clients:related_edit", args=[client.pk, person.pk]) in html
    assert "Dr. Ada Park" in html


def _fill_chart(org, n):
    """n more of everything the chart lists: notes, tasks, people, flags, enrolments, plans."""
    client = org.junior_client
    enrolment = client.enrolments.get(program=org.geriatric)
    for i in range(n):
        factories.ProgressNoteFactory(client=client, author=org.junior, enrolment=enrolment)
        factories.TaskFactory(client=client, owner=org.junior, title=f"Task {i}")
        factories.RelatedPersonFactory(client=client)
        factories.FlagFactory(client=client, raised_by=org.junior)
        factories.CareTeamMemberFactory(enrolment=enrolment, external_name=f"Person {i}")
        program = factories.ProgramFactory(code=f"extra-{n}-{i}")
        extra = factories.EnrolmentFactory(client=client, program=program, care_manager=org.junior)
        factories.CareTeamMemberFactory(enrolment=extra, external_name=f"Extra {i}")
        goal = factories.GoalFactory(problem__careplan=factories.CarePlanFactory(enrolment=extra))
        factories.InterventionFactory(goal=goal)


def test_chart_query_count_does_not_grow_with_the_record(org, login, django_assert_max_num_queries):
    http = login(org.junior)
    url = reverse("clients:chart", args=[org.junior_client.pk])
    _fill_chart(org, 1)
    with CaptureQueriesContext(connection) as small:
        assert http.get(url).status_code == 200
    _fill_chart(org, 15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = http.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Extra ") >= 16


def test_chart_stays_within_a_fixed_query_budget(org, login, django_assert_max_num_queries):
    _fill_chart(org, 10)
    http = login(org.supervisor)
    # Nine sections (plan, notes, tasks, assessments, referrals and appointments, consents,
    # people and care team, enrolments, flags), each a few fixed queries, plus sign-in and audit.
    with django_assert_max_num_queries(50):
        assert http.get(reverse("clients:chart", args=[org.junior_client.pk])).status_code == 200


# --- edit -------------------------------------------------------------------------------------


def _edit_form(client, **overrides):
    data = {
        "given_name": client.given_name,
        "family_name": client.family_name,
        "preferred_name": client.preferred_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "sex_at_birth": client.sex_at_birth,
        "gender_identity": "",
        "pronouns": "",
        "mrn": client.mrn,
        "payer_member_id": "",
        "phone": client.phone,
        "email": "",
        "address_line": "",
        "city": "",
        "state": "",
        "postal_code": "",
        "preferred_language": client.preferred_language,
        "what_matters_to_me": client.what_matters_to_me,
        "status": client.status,
        "version": str(client.version),
    }
    data.update(overrides)
    return data


def test_edit_saves_and_redirects_to_the_chart(org, login):
    client = org.junior_client
    http = login(org.junior)
    assert http.get(reverse("clients:edit", args=[client.pk])).status_code == 200
    response = http.post(
        reverse("clients:edit", args=[client.pk]),
        _edit_form(client, phone="555-0123", what_matters_to_me="My cat, Pelle"),
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.phone, client.what_matters_to_me, client.version) == (
        "555-0123",
        "My cat, Pelle",
        2,
    )
    assert AuditEvent.objects.get(action="client.updated").detail["fields"] == [
        "phone",
        "what_matters_to_me",
    ]


def test_edit_conflict_keeps_the_users_text_and_shows_the_saved_version(org, login):
    client = org.junior_client
    stale = _edit_form(client, what_matters_to_me="Walking to church on Sundays")
    # Daniel saves first.
    login(org.supervisor).post(
        reverse("clients:edit", args=[client.pk]), _edit_form(client, phone="555-0999")
    )
    response = login(org.junior).post(reverse("clients:edit", args=[client.pk]), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this while you were editing" in html
    assert "Walking to church on Sundays" in html
    assert "555-0999" in html  # the saved phone number, shown for comparison
    assert 'name="version" value="2"' in html
    client.refresh_from_db()
    assert (client.phone, client.what_matters_to_me) == ("555-0999", "")
    # Saving again deliberately overwrites.
    again = login(org.junior).post(
        reverse("clients:edit", args=[client.pk]),
        {**stale, "version": "2", "phone": "555-0999"},
    )
    assert again.status_code == 302
    client.refresh_from_db()
    assert client.what_matters_to_me == "Walking to church on Sundays"


def test_edit_nul_character_is_a_form_error(org, login):
    client = org.junior_client
    response = login(org.junior).post(
        reverse("clients:edit", args=[client.pk]), _edit_form(client, city="Ber\x00gen")
    )
    assert response.status_code == 400
    assert "Remove the invalid control character" in response.content.decode()


# --- related people ---------------------------------------------------------------------------


def test_add_and_edit_a_family_member(org, login):
    client = org.junior_client
    http = login(org.junior)
    response = http.post(
        reverse("clients:related_create", args=[client.pk]),
        {
            "name": "Karin Lindqvist",
            "relationship": "child",
            "phone": "555-0111",
        },
    )
    assert response.status_code == 302
    person = RelatedPerson.objects.get(client=client)
    assert AuditEvent.objects.filter(action="related_person.created", client=client).exists()
    edit_url = reverse("clients:related_edit", args=[client.pk, person.pk])
    assert http.get(edit_url).status_code == 200
    response = http.post(
        edit_url,
        {
            "name": "Karin Lindqvist",
            "relationship": "child",
            "phone": "555-0222",
            "is_active": "on",
            "version": "1",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.version) == ("555-0222", 2)
    assert AuditEvent.objects.filter(action="related_person.updated").exists()


def test_related_person_edit_conflict_keeps_text(org, login):
    person = factories.RelatedPersonFactory(client=org.junior_client, name="Karin")
    url = reverse("clients:related_edit", args=[org.junior_client.pk, person.pk])
    base = {"name": "Karin", "relationship": "child", "is_active": "on", "version": "1"}
    login(org.supervisor).post(url, {**base, "phone": "555-0001"})
    response = login(org.junior).post(url, {**base, "notes": "Call after 6pm"})
    assert response.status_code == 409
    assert "Call after 6pm" in response.content.decode()
    person.refresh_from_db()
    assert person.notes == ""


def test_related_person_missing_name_is_400(org, login):
    response = login(org.junior).post(
        reverse("clients:related_create", args=[org.junior_client.pk]),
        {"name": "", "relationship": "child"},
    )
    assert response.status_code == 400
    assert "Enter the person&#x27;s name." in response.content.decode()


# --- flags ------------------------------------------------------------------------------------


def test_raise_and_resolve_a_flag(org, login):
    client = org.junior_client
    http = login(org.junior)
    assert http.get(reverse("clients:flag_create", args=[client.pk])).status_code == 200
    response = http.post(
        reverse("clients:flag_create", args=[client.pk]),
        {"kind": "fall_risk", "description": "Two falls this month"},
    )
    assert response.status_code == 302
    flag = Flag.objects.get(client=client)
    assert AuditEvent.objects.filter(action="flag.raised", target_id=str(flag.pk)).exists()
    resolve_url = reverse("clients:flag_resolve", args=[client.pk, flag.pk])
    assert http.get(resolve_url).status_code == 200
    assert http.post(resolve_url, {"resolution_note": ""}).status_code == 400
    response = http.post(resolve_url, {"resolution_note": "Grab rails fitted"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert not flag.is_active and flag.resolution_note == "Grab rails fitted"
    assert AuditEvent.objects.filter(action="flag.resolved", target_id=str(flag.pk)).exists()
    assert http.post(resolve_url, {"resolution_note": "Again"}).status_code == 409


# --- access history ---------------------------------------------------------------------------


def test_access_history_table_is_paginated(org, login):
    client = org.junior_client
    _record_views(org, client, 60)
    http = login(org.supervisor)
    url = reverse("clients:access_history", args=[client.pk])
    response = http.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("When", "Who", "Action", "From IP address", "Request ID"):
        assert f'<th scope="col">{heading}</th>' in html
    assert "Page 1 of 2" in html
    assert "10.0.0.7" in html and "req-abc123" in html and "client.viewed" in html
    assert http.get(url + "?page=2").status_code == 200
    assert AuditEvent.objects.filter(action="client.access_history_viewed").count() == 2


def _record_views(org, client, count):
    token = request_context.set_current(
        request_context.RequestInfo(request_id="req-abc123", ip_address="10.0.0.7")
    )
    try:
        audit_record_many(
            actor=org.junior, action="client.viewed", targets=[(client, client)] * count
        )
    finally:
        request_context.reset(token)


def test_junior_cannot_see_access_history(org, login):
    response = login(org.junior).get(reverse("clients:access_history", args=[org.junior_client.pk]))
    assert response.status_code == 404


# --- scope ------------------------------------------------------------------------------------


def _client_urls(org, client):
    person = factories.RelatedPersonFactory(client=client)
    flag = factories.FlagFactory(client=client, raised_by=org.other_cm)
    return [
        reverse("clients:chart", args=[client.pk]),
        reverse("clients:edit", args=[client.pk]),
        reverse("clients:related_create", args=[client.pk]),
        reverse("clients:related_edit", args=[client.pk, person.pk]),
        reverse("clients:flag_create", args=[client.pk]),
        reverse("clients:flag_resolve", args=[client.pk, flag.pk]),
        reverse("clients:access_history", args=[client.pk]),
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_client_page_is_not_found_out_of_scope(org, login, method):
    http = login(org.junior)
    for url in _client_urls(org, org.other_client):
        response = getattr(http, method)(url, {"resolution_note": "x", "name": "x"})
        assert response.status_code == 404, url
    assert not AuditEvent.objects.exists()


def test_every_client_page_is_not_found_for_unknown_ids(org, login):
    http = login(org.director)
    unknown = uuid.uuid4()
    client = org.junior_client
    person = factories.RelatedPersonFactory(client=org.other_client)
    flag = factories.FlagFactory(client=org.other_client, raised_by=org.other_cm)
    for url in [
        reverse("clients:chart", args=[unknown]),
        reverse("clients:edit", args=[unknown]),
        reverse("clients:related_create", args=[unknown]),
        reverse("clients:related_edit", args=[client.pk, unknown]),
        reverse("clients:related_edit", args=[client.pk, person.pk]),  # someone else's person
        reverse("clients:flag_create", args=[unknown]),
        reverse("clients:flag_resolve", args=[client.pk, flag.pk]),  # someone else's flag
        reverse("clients:access_history", args=[unknown]),
    ]:
        assert http.get(url).status_code == 404, url


def test_administrator_sees_no_client_pages(org, login):
    http = login(org.admin)
    for url in _client_urls(org, org.junior_client):
        assert http.get(url).status_code == 404, url


def test_every_client_page_that_shows_the_record_audits_the_view(org, login):
    http = login(org.supervisor)
    for url in _client_urls(org, org.junior_client):
        before = AuditEvent.objects.count()
        assert http.get(url).status_code == 200, url
        new = AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before]
        assert new, url
        assert all(e.client_id == org.junior_client.pk for e in new), url
        assert all(e.actor == org.supervisor for e in new), url


def test_chart_and_access_history_only_answer_get(org, login):
    http = login(org.supervisor)
    for url in (
        reverse("clients:chart", args=[org.junior_client.pk]),
        reverse("clients:access_history", args=[org.junior_client.pk]),
        reverse("enrolments:detail", args=[org.junior_client.enrolments.get().pk]),
    ):
        assert http.post(url).status_code == 405, url
    assert not AuditEvent.objects.exists()
