"""Client pages through HTTP: response, database and audit row."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.audit.services import audit_record_many
from caseload.clients.models import Flag, RelatedPerson
from caseload.core import request_context
from tests import factories

pytestmark = pytest.mark.django_db


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
