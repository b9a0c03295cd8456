"""Family members, caregivers and flags entered in error: the services' rules, hidden from the
chart and every choice, kept and marked on their own pages, audited, 404 out of scope."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.clients import services
from caseload.clients.models import Flag, RelatedPerson
from caseload.consents.forms import ConsentForm
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from caseload.notes.services import note_mark_entered_in_error
from caseload.tasks.services import task_mark_entered_in_error
from tests import factories

pytestmark = pytest.mark.django_db

REASON = "Recorded on the wrong client"


def _person_url(person: RelatedPerson) -> str:
    return reverse("clients:related_person_entered_in_error", args=[person.client_id, person.pk])


def _flag_url(flag: Flag) -> str:
    return reverse("clients:flag_entered_in_error", args=[flag.client_id, flag.pk])


def _chart(client) -> str:
    return reverse("clients:chart", args=[client.pk])


# --- related people: the service ------------------------------------------------------------


def test_marking_a_person_keeps_them_with_who_when_why_inactive_and_audited(org):
    person = factories.RelatedPersonFactory(client=org.junior_client, name="Ingrid")
    marked = services.related_person_mark_entered_in_error(
        actor=org.junior,
        person=person,
        reason=f" {REASON} ",
        expected_version=person.version,
    )
    stored = RelatedPerson.objects.get(pk=person.pk)
    assert stored.is_entered_in_error
    assert (stored.entered_in_error_by, stored.entered_in_error_reason) == (org.junior, REASON)
    assert stored.is_active is False
    assert stored.version == 2
    assert marked.is_entered_in_error and person.is_entered_in_error
    event = AuditEvent.objects.get(action="related_person.entered_in_error")
    assert (event.client, event.actor, event.target_id) == (
        org.junior_client,
        org.junior,
        str(person.pk),
    )
    assert event.detail == {"reason": REASON, "was_active": True}


def test_any_clinical_staff_member_who_sees_the_client_may_mark_a_person(org):
    for actor in (org.supervisor, org.senior, org.director):
        person = factories.RelatedPersonFactory(client=org.junior_client)
        services.related_person_mark_entered_in_error(
            actor=actor, person=person, reason=REASON, expected_version=person.version
        )
        assert RelatedPerson.objects.get(pk=person.pk).entered_in_error_by == actor


def test_a_person_out_of_scope_is_not_found(org):
    person = factories.RelatedPersonFactory(client=org.other_client)
    for actor in (org.junior, org.admin, org.privacy):
        with pytest.raises(NotFound):
            services.related_person_mark_entered_in_error(
                actor=actor, person=person, reason=REASON, expected_version=person.version
            )
    assert not RelatedPerson.objects.get(pk=person.pk).is_entered_in_error


@pytest.mark.parametrize("reason", ["", "  ", "bad\x00reason"])
def test_a_person_needs_a_storable_reason(org, reason):
    person = factories.RelatedPersonFactory(client=org.junior_client)
    with pytest.raises(ValidationFailed) as caught:
        services.related_person_mark_entered_in_error(
            actor=org.junior,
            person=person,
            reason=reason,
            expected_version=person.version,
        )
    assert list(caught.value.field_errors) == ["reason"]
    assert not RelatedPerson.objects.get(pk=person.pk).is_entered_in_error


def test_a_person_is_marked_once_and_then_never_changed(org):
    person = factories.RelatedPersonFactory(client=org.junior_client, name="Ingrid")
    services.related_person_mark_entered_in_error(
        actor=org.junior, person=person, reason=REASON, expected_version=person.version
    )
    with pytest.raises(Conflict):
        services.related_person_mark_entered_in_error(
            actor=org.supervisor,
            person=person,
            reason="Again",
            expected_version=person.version,
        )
    with pytest.raises(Conflict):
        services.related_person_update(
            actor=org.junior, person=person, expected_version=2, name="Changed"
        )
    assert RelatedPerson.objects.get(pk=person.pk).name == "Ingrid"
    assert AuditEvent.objects.filter(action="related_person.entered_in_error").count() == 1


# --- related people: hidden, kept -------------------------------------------------------------


def test_the_chart_leaves_the_person_out_and_discloses_them_with_the_reason(org, login):
    factories.RelatedPersonFactory(client=org.junior_client, name="Kept Daughter")
    wrong = factories.RelatedPersonFactory(client=org.junior_client, name="Wrong Neighbour")
    services.related_person_mark_entered_in_error(
        actor=org.junior, person=wrong, reason=REASON, expected_version=wrong.version
    )
    html = login(org.junior).get(_chart(org.junior_client)).content.decode()
    table = html.split("<h3>Family and caregivers</h3>")[1].split("</table>")[0]
    assert "Kept Daughter" in table
    assert "Wrong Neighbour" not in table
    assert "1 person entered in error" in html
    assert f"Entered in error</span> — {REASON}, by {org.junior.display_name}" in html


def test_a_person_entered_in_error_cannot_be_chosen_for_consent(org):
    kept = factories.RelatedPersonFactory(client=org.junior_client, name="Kept")
    wrong = factories.RelatedPersonFactory(client=org.junior_client, name="Wrong")
    services.related_person_mark_entered_in_error(
        actor=org.junior, person=wrong, reason=REASON, expected_version=wrong.version
    )
    form = ConsentForm(client=org.junior_client)
    assert list(form.fields["related_person"].queryset) == [kept]  # type: ignore[attr-defined]


def test_the_edit_page_shows_the_person_marked_and_refuses_changes(org, login):
    person = factories.RelatedPersonFactory(client=org.junior_client, name="Ingrid")
    services.related_person_mark_entered_in_error(
        actor=org.senior, person=person, reason=REASON, expected_version=person.version
    )
    http = login(org.junior)
    url = reverse("clients:related_edit", args=[org.junior_client.pk, person.pk])
    response = http.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Entered in error</strong> — {REASON}, by {org.senior.display_name} on" in html
    assert 'name="version"' not in html
    response = http.post(url, {"name": "Changed", "relationship": "child", "version": "2"})
    assert response.status_code == 200
    assert RelatedPerson.objects.get(pk=person.pk).name == "Ingrid"


def test_the_edit_page_links_to_the_confirmation(org, login):
    person = factories.RelatedPersonFactory(client=org.junior_client)
    url = reverse("clients:related_edit", args=[org.junior_client.pk, person.pk])
    assert _person_url(person) in login(org.junior).get(url).content.decode()


# --- related people: the page -----------------------------------------------------------------


def test_the_person_confirmation_explains_and_is_audited(org, login):
    person = factories.RelatedPersonFactory(client=org.junior_client, name="Ingrid")
    response = login(org.junior).get(_person_url(person))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mark as entered in error" in html and "Ingrid" in html
    assert "stays in the history" in html
    event = AuditEvent.objects.get(action="related_person.viewed")
    assert event.client == org.junior_client
    assert event.detail == {"page": "entered_in_error"}


def test_posting_a_reason_marks_the_person_and_returns_to_the_chart(org, login):
    person = factories.RelatedPersonFactory(client=org.junior_client)
    response = login(org.junior).post(
        _person_url(person), {"reason": REASON, "version": person.version}
    )
    assert response.status_code == 302
    assert response["Location"] == _chart(org.junior_client)
    assert RelatedPerson.objects.get(pk=person.pk).entered_in_error_reason == REASON


@pytest.mark.parametrize("reason", ["", "bad\x00reason", "x" * 2001])
def test_the_person_form_refuses_a_missing_or_unstorable_reason(org, login, reason):
    person = factories.RelatedPersonFactory(client=org.junior_client)
    response = login(org.junior).post(_person_url(person), {"reason": reason})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not RelatedPerson.objects.get(pk=person.pk).is_entered_in_error


def test_the_person_confirmation_is_not_found_out_of_scope(org, login):
    person = factories.RelatedPersonFactory(client=org.junior_client)
    for who in (org.other_cm, org.admin):
        http = login(who)
        assert http.get(_person_url(person)).status_code == 404
        assert http.post(_person_url(person), {"reason": REASON}).status_code == 404
        assert http.delete(_person_url(person)).status_code == 404
    wrong_client = reverse(
        "clients:related_person_entered_in_error", args=[org.other_client.pk, person.pk]
    )
    assert login(org.director).get(wrong_client).status_code == 404
    unknown = reverse(
        "clients:related_person_entered_in_error", args=[org.junior_client.pk, uuid.uuid4()]
    )
    assert login(org.junior).get(unknown).status_code == 404
    assert not RelatedPerson.objects.get(pk=person.pk).is_entered_in_error


# --- flags ------------------------------------------------------------------------------------


def test_marking_a_flag_takes_it_off_the_header_and_keeps_it_audited(org, login):
    flag = services.flag_raise(
        actor=org.junior, client=org.junior_client, kind="safety", description="Wrong client flag"
    )
    services.flag_mark_entered_in_error(actor=org.supervisor, flag=flag, reason=REASON)
    stored = Flag.objects.get(pk=flag.pk)
    assert stored.is_entered_in_error and stored.is_active is False
    assert stored.resolved_at is None
    event = AuditEvent.objects.get(action="flag.entered_in_error")
    assert event.client == org.junior_client
    assert event.detail == {"reason": REASON, "kind": "safety", "was_active": True}
    html = login(org.junior).get(_chart(org.junior_client)).content.decode()
    assert "active flag" not in html
    assert "1 flag entered in error" in html
    assert "Wrong client flag" in html.split("1 flag entered in error")[1]


def test_a_flag_is_marked_once_and_is_then_not_resolvable(org):
    flag = factories.FlagFactory(client=org.junior_client, raised_by=org.junior)
    services.flag_mark_entered_in_error(actor=org.junior, flag=flag, reason=REASON)
    with pytest.raises(Conflict):
        services.flag_mark_entered_in_error(actor=org.junior, flag=flag, reason="Again")
    with pytest.raises(Conflict):
        services.flag_resolve(actor=org.junior, flag=flag, resolution_note="Done")


@pytest.mark.parametrize("reason", ["", "bad\x00reason"])
def test_a_flag_needs_a_storable_reason(org, reason):
    flag = factories.FlagFactory(client=org.junior_client, raised_by=org.junior)
    with pytest.raises(ValidationFailed) as caught:
        services.flag_mark_entered_in_error(actor=org.junior, flag=flag, reason=reason)
    assert list(caught.value.field_errors) == ["reason"]
    assert Flag.objects.get(pk=flag.pk).is_active


def test_a_flag_out_of_scope_is_not_found(org):
    flag = factories.FlagFactory(client=org.other_client, raised_by=org.other_cm)
    with pytest.raises(NotFound):
        services.flag_mark_entered_in_error(actor=org.junior, flag=flag, reason=REASON)


def test_the_chart_links_each_active_flag_to_the_confirmation(org, login):
    flag = factories.FlagFactory(client=org.junior_client, raised_by=org.junior)
    assert _flag_url(flag) in login(org.junior).get(_chart(org.junior_client)).content.decode()


def test_the_flag_page_marks_the_flag_and_the_resolve_page_then_says_so(org, login):
    flag = factories.FlagFactory(client=org.junior_client, raised_by=org.junior)
    http = login(org.junior)
    page = http.get(_flag_url(flag))
    assert page.status_code == 200
    assert AuditEvent.objects.filter(action="flag.viewed", client=org.junior_client).exists()
    response = http.post(_flag_url(flag), {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == _chart(org.junior_client)
    resolve = http.get(reverse("clients:flag_resolve", args=[org.junior_client.pk, flag.pk]))
    html = resolve.content.decode()
    assert f"Entered in error</strong> — {REASON}" in html
    assert 'name="resolution_note"' not in html
    again = http.post(
        reverse("clients:flag_resolve", args=[org.junior_client.pk, flag.pk]),
        {"resolution_note": "Done"},
    )
    assert again.status_code == 409
    assert Flag.objects.get(pk=flag.pk).resolved_at is None


def test_the_flag_form_refuses_a_nul_reason(org, login):
    flag = factories.FlagFactory(client=org.junior_client, raised_by=org.junior)
    response = login(org.junior).post(_flag_url(flag), {"reason": "bad\x00"})
    assert response.status_code == 400
    assert "Remove the invalid control character" in response.content.decode()
    assert not Flag.objects.get(pk=flag.pk).is_entered_in_error


def test_the_flag_confirmation_is_not_found_out_of_scope(org, login):
    flag = factories.FlagFactory(client=org.junior_client, raised_by=org.junior)
    http = login(org.other_cm)
    assert http.get(_flag_url(flag)).status_code == 404
    assert http.post(_flag_url(flag), {"reason": REASON}).status_code == 404
    assert not Flag.objects.get(pk=flag.pk).is_entered_in_error


# --- the chart's query budget -----------------------------------------------------------------


def test_records_entered_in_error_do_not_add_queries_per_row(org, login):
    http = login(org.junior)
    client = org.junior_client

    def one_of_each(n: int) -> None:
        for _ in range(n):
            person = factories.RelatedPersonFactory(client=client)
            services.related_person_mark_entered_in_error(
                actor=org.junior,
                person=person,
                reason=REASON,
                expected_version=person.version,
            )
            flag = factories.FlagFactory(client=client, raised_by=org.junior)
            services.flag_mark_entered_in_error(actor=org.junior, flag=flag, reason=REASON)
            task = factories.TaskFactory(client=client, owner=org.junior)
            task_mark_entered_in_error(
                actor=org.junior, task=task, reason=REASON, expected_version=task.version
            )
            note = factories.ProgressNoteFactory(client=client, author=org.junior)
            note_mark_entered_in_error(
                actor=org.junior, note=note, reason=REASON, expected_version=note.version
            )

    one_of_each(1)
    with CaptureQueriesContext(connection) as few:
        assert http.get(_chart(client)).status_code == 200
    one_of_each(6)
    with CaptureQueriesContext(connection) as many:
        html = http.get(_chart(client)).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "7 flags entered in error" in html
    assert "7 people entered in error" in html
    assert "7 tasks entered in error" in html
    assert "7 notes entered in error" in html
