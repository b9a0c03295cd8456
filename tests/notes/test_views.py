"""Note pages through HTTP: response, database and audit row."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.audit.models import AuditEvent
from caseload.careplans.models import CarePlanVersion, CosignStatus
from caseload.core import clock
from caseload.notes.models import NoteAddendum, NoteStatus, ProgressNote
from tests import factories
from tests.notes.helpers import make_note

pytestmark = pytest.mark.django_db


def _form(**overrides: str) -> dict[str, str]:
    when = timezone.localtime(clock.now() - dt.timedelta(minutes=20))
    data = {
        "contact_at": when.strftime("%Y-%m-%dT%H:%M"),
        "contact_type": "phone",
        "contact_with": "client",
        "related_person": "",
        "provider_name": "",
        "reached": "yes",
        "minutes": "12",
        "narrative": "Called Mrs. Lindqvist's daughter. Mother eating well.",
        "action": "draft",
    }
    data.update(overrides)
    return data


def _create_url(client) -> str:
    return reverse("notes:create", kwargs={"client_id": client.pk})


def _chart(client) -> str:
    return reverse("clients:chart", kwargs={"client_id": client.pk}) + "#notes"


# --- create -------------------------------------------------------------------------------------


def test_note_form_defaults_to_now_and_lists_the_clients_people(org, login):
    factories.RelatedPersonFactory(client=org.junior_client, name="Ingrid Lindqvist")
    factories.RelatedPersonFactory(client=org.other_client, name="Somebody Else")
    response = login(org.junior).get(_create_url(org.junior_client))
    assert response.status_code == 200
    html = response.content.decode()
    now = timezone.localtime(clock.now())
    assert now.strftime("%Y-%m-%dT") in html
    assert "Ingrid Lindqvist" in html
    assert "Somebody Else" not in html
    assert "Save and sign" in html
    assert "Save draft" in html


def test_save_and_sign_by_a_junior_goes_to_the_supervisor(org, login):
    daughter = factories.RelatedPersonFactory(client=org.junior_client, name="Ingrid")
    http = login(org.junior)
    response = http.post(
        _create_url(org.junior_client),
        _form(contact_with="related_person", related_person=str(daughter.pk), action="sign"),
    )
    assert response.status_code == 302
    assert response["Location"] == _chart(org.junior_client)
    note = ProgressNote.objects.get()
    assert note.status == NoteStatus.SIGNED
    assert note.cosign_status == CosignStatus.PENDING
    assert note.cosigner == org.supervisor
    assert note.related_person == daughter
    assert note.minutes == 12
    assert set(
        AuditEvent.objects.filter(client=org.junior_client).values_list("action", flat=True)
    ) >= {
        "note.created",
        "note.signed",
    }
    page = http.get(reverse("notes:detail", kwargs={"note_id": note.pk}))
    assert "sent to" in page.content.decode()
    assert org.supervisor.display_name in page.content.decode()


def test_save_draft_keeps_the_note_unsigned(org, login):
    response = login(org.junior).post(_create_url(org.junior_client), _form(action="draft"))
    assert response.status_code == 302
    note = ProgressNote.objects.get()
    assert note.status == NoteStatus.DRAFT
    assert note.author == org.junior


def test_missing_related_person_is_shown_next_to_the_field_and_input_kept(org, login):
    response = login(org.junior).post(
        _create_url(org.junior_client), _form(contact_with="related_person")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Choose which family member or caregiver" in html
    assert "Mother eating well." in html
    assert not ProgressNote.objects.exists()


def test_note_in_the_future_is_refused(org, login):
    later = timezone.localtime(clock.now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = login(org.junior).post(_create_url(org.junior_client), _form(contact_at=later))
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not ProgressNote.objects.exists()


@pytest.mark.parametrize(("minutes", "message"), [("0", "at least 1"), ("601", "600 or fewer")])
def test_minutes_out_of_range_are_refused(org, login, minutes, message):
    response = login(org.junior).post(_create_url(org.junior_client), _form(minutes=minutes))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_nul_character_is_refused_with_400(org, login):
    response = login(org.junior).post(
        _create_url(org.junior_client), _form(narrative="Called\x00 her")
    )
    assert response.status_code == 400
    assert not ProgressNote.objects.exists()


def test_junior_without_supervisor_signing_sees_why_and_keeps_the_text(org, login):
    org.junior.supervisor = None
    org.junior.save(update_fields=["supervisor"])
    response = login(org.junior).post(_create_url(org.junior_client), _form(action="sign"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "no supervisor set" in html
    assert "Mother eating well." in html
    assert not ProgressNote.objects.exists()


# --- detail, edit, sign -----------------------------------------------------------------------


def test_viewing_a_note_is_audited_with_the_client(org, login):
    note = make_note(org.junior, org.junior_client, narrative="<b>bold</b>\nsecond line")
    response = login(org.junior).get(reverse("notes:detail", kwargs={"note_id": note.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "Sign note" in html
    event = AuditEvent.objects.get(action="note.viewed")
    assert event.client == org.junior_client
    assert event.target_id == str(note.pk)


def test_author_edits_a_draft(org, login):
    note = make_note(org.junior, org.junior_client)
    http = login(org.junior)
    url = reverse("notes:edit", kwargs={"note_id": note.pk})
    assert http.get(url).status_code == 200
    response = http.post(url, _form(narrative="Updated narrative.", version="1"))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.narrative == "Updated narrative."
    assert note.version == 2
    assert AuditEvent.objects.filter(action="note.updated", client=org.junior_client).exists()


def test_stale_edit_shows_the_conflict_and_keeps_the_users_text(org, login):
    note = make_note(org.junior, org.junior_client, narrative="First version.")
    http = login(org.junior)
    url = reverse("notes:edit", kwargs={"note_id": note.pk})
    http.post(url, _form(narrative="Saved in another tab.", version="1"))
    response = http.post(url, _form(narrative="My careful rewrite.", version="1"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this" in html
    assert "My careful rewrite." in html
    assert "Saved in another tab." in html
    assert 'name="version" value="2"' in html
    note.refresh_from_db()
    assert note.narrative == "Saved in another tab."


def test_another_staff_member_cannot_edit_a_draft(org, login):
    note = make_note(org.junior, org.junior_client)
    response = login(org.supervisor).post(
        reverse("notes:edit", kwargs={"note_id": note.pk}), _form(version="1")
    )
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.version == 1


def test_signed_note_edit_page_sends_to_addenda(org, login):
    note = make_note(org.supervisor, org.supervisor_client, sign=True)
    response = login(org.supervisor).get(reverse("notes:edit", kwargs={"note_id": note.pk}))
    assert response.status_code == 302
    assert response["Location"].endswith("#addenda")


def test_sign_page_signs_the_draft(org, login):
    note = make_note(org.supervisor, org.supervisor_client)
    response = login(org.supervisor).post(
        reverse("notes:sign", kwargs={"note_id": note.pk}), {"version": "1"}
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED
    assert AuditEvent.objects.filter(action="note.signed", client=org.supervisor_client).exists()


def test_sign_needs_post(org, login):
    note = make_note(org.supervisor, org.supervisor_client)
    response = login(org.supervisor).get(reverse("notes:sign", kwargs={"note_id": note.pk}))
    assert response.status_code == 405


def test_signing_twice_shows_a_message_not_an_error_page(org, login):
    note = make_note(org.supervisor, org.supervisor_client, sign=True)
    http = login(org.supervisor)
    response = http.post(
        reverse("notes:sign", kwargs={"note_id": note.pk}), {"version": "1"}, follow=True
    )
    assert response.status_code == 200
    assert "already signed" in response.content.decode()


# --- addenda, co-sign, return ---------------------------------------------------------------


def test_addendum_is_added_to_a_signed_note(org, login):
    note = make_note(org.supervisor, org.supervisor_client, sign=True)
    response = login(org.supervisor).post(
        reverse("notes:addendum", kwargs={"note_id": note.pk}), {"text": "Minutes were 15."}
    )
    assert response.status_code == 302
    assert NoteAddendum.objects.get().text == "Minutes were 15."
    assert AuditEvent.objects.filter(
        action="note.addendum_added", client=org.supervisor_client
    ).exists()


@pytest.mark.parametrize("text", ["", "bad\x00text"])
def test_empty_or_nul_addendum_is_refused(org, login, text):
    note = make_note(org.supervisor, org.supervisor_client, sign=True)
    response = login(org.supervisor).post(
        reverse("notes:addendum", kwargs={"note_id": note.pk}), {"text": text}
    )
    assert response.status_code == 400
    assert not NoteAddendum.objects.exists()


def test_cosigner_sees_cosign_forms_and_cosigns(org, login):
    note = make_note(org.junior, org.junior_client, sign=True)
    http = login(org.supervisor)
    page = http.get(reverse("notes:detail", kwargs={"note_id": note.pk}))
    assert "Co-sign this note" in page.content.decode()
    response = http.post(
        reverse("notes:cosign", kwargs={"note_id": note.pk}), {"version": str(note.version)}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("notes:cosign_queue")
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.COSIGNED
    event = AuditEvent.objects.get(action="note.cosigned")
    assert event.actor == org.supervisor
    assert event.client == org.junior_client


def test_author_does_not_see_cosign_forms_and_cannot_cosign(org, login):
    note = make_note(org.junior, org.junior_client, sign=True)
    http = login(org.junior)
    page = http.get(reverse("notes:detail", kwargs={"note_id": note.pk}))
    assert "Co-sign this note" not in page.content.decode()
    response = http.post(
        reverse("notes:cosign", kwargs={"note_id": note.pk}), {"version": str(note.version)}
    )
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING


def test_return_with_comment(org, login):
    note = make_note(org.junior, org.junior_client, sign=True)
    response = login(org.supervisor).post(
        reverse("notes:return_note", kwargs={"note_id": note.pk}),
        {"comment": "Say what the plan is.", "version": str(note.version)},
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.RETURNED
    assert note.return_comment == "Say what the plan is."
    assert AuditEvent.objects.filter(action="note.returned", client=org.junior_client).exists()


def test_return_without_comment_is_refused(org, login):
    note = make_note(org.junior, org.junior_client, sign=True)
    response = login(org.supervisor).post(
        reverse("notes:return_note", kwargs={"note_id": note.pk}),
        {"comment": "", "version": str(note.version)},
    )
    assert response.status_code == 400
    assert "Say what the author should change." in response.content.decode()
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING


def test_author_answers_a_returned_note_with_an_addendum(org, login):
    note = make_note(org.junior, org.junior_client, sign=True)
    login(org.supervisor).post(
        reverse("notes:return_note", kwargs={"note_id": note.pk}),
        {"comment": "Who was there?", "version": str(note.version)},
    )
    http = login(org.junior)
    page = http.get(reverse("notes:detail", kwargs={"note_id": note.pk}))
    assert "Who was there?" in page.content.decode()
    http.post(reverse("notes:addendum", kwargs={"note_id": note.pk}), {"text": "Her son."})
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING


# --- co-sign queue --------------------------------------------------------------------------


def _pending_version(org) -> CarePlanVersion:
    plan = factories.CarePlanFactory(enrolment=org.junior_client.enrolments.get())
    return CarePlanVersion.objects.create(
        careplan=plan,
        number=1,
        snapshot={},
        reason="First plan",
        author=org.junior,
        cosign_status=CosignStatus.PENDING,
        cosigner=org.supervisor,
    )


def test_cosign_queue_lists_notes_and_care_plans_awaiting_the_actor(org, login):
    note = make_note(
        org.junior,
        org.junior_client,
        sign=True,
        narrative="Called the daughter about meals.\nMore detail here.",
    )
    make_note(org.supervisor, org.supervisor_client, sign=True)  # needs no co-sign
    version = _pending_version(org)
    response = login(org.supervisor).get(reverse("notes:cosign_queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Called the daughter about meals." in html
    assert "More detail here." not in html
    assert reverse("notes:detail", kwargs={"note_id": note.pk}) in html
    assert (
        reverse("careplans:version", kwargs={"plan_id": version.careplan_id, "number": 1}) in html
    )
    assert "<strong>1</strong> note" in html
    assert "<strong>1</strong> care plan" in html
    assert AuditEvent.objects.filter(action="note.listed", client=org.junior_client).count() == 1


def test_empty_cosign_queue_says_so(org, login):
    make_note(org.junior, org.junior_client, sign=True)
    response = login(org.other_cm).get(reverse("notes:cosign_queue"))
    assert response.status_code == 200
    assert "Nothing is waiting for your co-sign." in response.content.decode()


def test_cosign_queue_query_count_does_not_grow_with_rows(
    org, login, django_assert_max_num_queries
):
    http = login(org.supervisor)
    make_note(org.junior, org.junior_client, sign=True)
    _pending_version(org)
    with django_assert_max_num_queries(24) as few:
        http.get(reverse("notes:cosign_queue"))
    for _ in range(12):
        make_note(org.junior, org.junior_client, sign=True)
    second_client = factories.EnrolmentFactory(
        program=org.geriatric, care_manager=org.junior
    ).client
    make_note(org.junior, second_client, sign=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = http.get(reverse("notes:cosign_queue"))
    assert response.content.decode().count("Review<span") == 15


def test_non_clinical_staff_have_no_cosign_queue(org, login):
    clerk = factories.UserFactory(username="clerk", career_level="")
    assert login(clerk).get(reverse("notes:cosign_queue")).status_code == 404


# --- scope: every URL answers 404 outside the actor's scope ---------------------------------


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "detail"),
        ("get", "edit"),
        ("post", "edit"),
        ("post", "sign"),
        ("post", "addendum"),
        ("post", "cosign"),
        ("post", "return_note"),
    ],
)
def test_note_urls_are_not_found_outside_scope(org, login, method, name):
    note = make_note(org.other_cm, org.other_client)
    http = login(org.junior)
    url = reverse(f"notes:{name}", kwargs={"note_id": note.pk})
    data = {**_form(version="1"), "text": "x", "comment": "x"}
    response = getattr(http, method)(url, data) if method == "post" else http.get(url)
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT
    assert not NoteAddendum.objects.exists()


@pytest.mark.parametrize("name", ["detail", "edit"])
def test_unknown_note_id_is_not_found(org, login, name):
    url = reverse(f"notes:{name}", kwargs={"note_id": uuid.uuid4()})
    assert login(org.junior).get(url).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_create_for_a_client_out_of_scope_is_not_found(org, login, method):
    http = login(org.junior)
    url = _create_url(org.other_client)
    response = http.post(url, _form()) if method == "post" else http.get(url)
    assert response.status_code == 404
    assert not ProgressNote.objects.exists()


def test_signed_out_user_is_sent_to_sign_in(org, client):
    response = client.get(_create_url(org.junior_client))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_nul_in_a_return_comment_is_refused(org, login):
    note = make_note(org.junior, org.junior_client, sign=True)
    response = login(org.supervisor).post(
        reverse("notes:return_note", kwargs={"note_id": note.pk}), {"comment": "fix\x00this"}
    )
    assert response.status_code == 400
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING


def test_nul_in_an_edited_draft_is_refused(org, login):
    note = make_note(org.junior, org.junior_client, narrative="Original.")
    response = login(org.junior).post(
        reverse("notes:edit", kwargs={"note_id": note.pk}),
        _form(narrative="bad\x00", version="1"),
    )
    assert response.status_code == 400
    note.refresh_from_db()
    assert note.narrative == "Original."
