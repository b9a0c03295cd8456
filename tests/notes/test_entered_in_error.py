"""A note entered in error: who may mark it, the reason, hidden from every normal view, kept in
its history and on its own page, audited."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.careplans.models import CosignStatus
from caseload.clients.selectors import contact_people_for_client
from caseload.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from caseload.notes import services
from caseload.notes.models import ProgressNote
from caseload.notes.selectors import (
    note_page_for_client,
    notes_awaiting_cosign,
)
from tests import factories
from tests.notes.helpers import make_note, note_kwargs

pytestmark = pytest.mark.django_db

REASON = "Written in the wrong client record"


def _url(note: ProgressNote) -> str:
    return reverse("notes:note_entered_in_error", kwargs={"note_id": note.pk})


def _list_url(client) -> str:
    return reverse("notes:entered_in_error_list", kwargs={"client_id": client.pk})


def _chart(client) -> str:
    return reverse("clients:chart", kwargs={"client_id": client.pk})


# --- the service ------------------------------------------------------------------------------


def test_author_marks_a_note_entered_in_error_with_who_when_why_and_an_audit_row(org):
    note = make_note(org.junior, org.junior_client, sign=True)
    version = note.version
    services.note_mark_entered_in_error(
        actor=org.junior, note=note, reason=f"  {REASON} ", expected_version=note.version
    )
    stored = ProgressNote.objects.get(pk=note.pk)
    assert stored.is_entered_in_error
    assert stored.entered_in_error_by == org.junior
    assert stored.entered_in_error_reason == REASON
    assert stored.version == version + 1
    assert note.is_entered_in_error  # the caller's copy follows
    event = AuditEvent.objects.get(action="note.entered_in_error")
    assert event.client == org.junior_client
    assert event.actor == org.junior
    assert event.target_id == str(note.pk)
    assert event.detail["reason"] == REASON


@pytest.mark.parametrize("who", ["supervisor", "senior", "director"])
def test_the_authors_supervisor_a_senior_or_a_director_may_mark_a_note(org, who):
    note = make_note(org.junior, org.junior_client, sign=True)
    actor = getattr(org, who)
    services.note_mark_entered_in_error(
        actor=actor, note=note, reason=REASON, expected_version=note.version
    )
    assert ProgressNote.objects.get(pk=note.pk).entered_in_error_by == actor


def test_another_care_manager_who_sees_the_client_may_not_mark_someone_elses_note(org):
    note = make_note(org.supervisor, org.junior_client, sign=True)
    with pytest.raises(PermissionDenied):
        services.note_mark_entered_in_error(
            actor=org.junior, note=note, reason=REASON, expected_version=note.version
        )
    assert not ProgressNote.objects.get(pk=note.pk).is_entered_in_error


def test_a_note_out_of_scope_is_not_found(org):
    note = make_note(org.other_cm, org.other_client)
    with pytest.raises(NotFound):
        services.note_mark_entered_in_error(
            actor=org.supervisor, note=note, reason=REASON, expected_version=note.version
        )
    with pytest.raises(NotFound):
        services.note_mark_entered_in_error(
            actor=org.admin, note=note, reason=REASON, expected_version=note.version
        )
    assert not ProgressNote.objects.get(pk=note.pk).is_entered_in_error


@pytest.mark.parametrize("reason", ["", "   ", "bad\x00reason", "x" * 2001])
def test_a_reason_is_required_and_must_be_storable(org, reason):
    note = make_note(org.junior, org.junior_client)
    with pytest.raises(ValidationFailed) as caught:
        services.note_mark_entered_in_error(
            actor=org.junior, note=note, reason=reason, expected_version=note.version
        )
    assert "reason" in caught.value.field_errors
    assert not ProgressNote.objects.get(pk=note.pk).is_entered_in_error
    assert not AuditEvent.objects.filter(action="note.entered_in_error").exists()


def test_a_note_cannot_be_marked_twice(org):
    note = make_note(org.junior, org.junior_client)
    services.note_mark_entered_in_error(
        actor=org.junior, note=note, reason=REASON, expected_version=note.version
    )
    with pytest.raises(Conflict):
        services.note_mark_entered_in_error(
            actor=org.supervisor, note=note, reason="Again", expected_version=note.version
        )
    assert ProgressNote.objects.get(pk=note.pk).entered_in_error_by == org.junior
    assert AuditEvent.objects.filter(action="note.entered_in_error").count() == 1


def test_a_note_awaiting_cosign_leaves_the_queue(org):
    note = make_note(org.junior, org.junior_client, sign=True)
    assert note.cosign_status == CosignStatus.PENDING
    services.note_mark_entered_in_error(
        actor=org.junior, note=note, reason=REASON, expected_version=note.version
    )
    assert ProgressNote.objects.get(pk=note.pk).cosign_status == CosignStatus.NOT_REQUIRED
    assert notes_awaiting_cosign(actor=org.supervisor) == []
    event = AuditEvent.objects.get(action="note.entered_in_error")
    assert event.detail["withdrawn_from_cosign"] is True


def test_a_note_entered_in_error_can_no_longer_be_changed_signed_cosigned_or_amended(org):
    draft = make_note(org.junior, org.junior_client)
    services.note_mark_entered_in_error(
        actor=org.junior, note=draft, reason=REASON, expected_version=draft.version
    )
    with pytest.raises(Conflict):
        services.note_update(
            actor=org.junior, note=draft, expected_version=draft.version, **note_kwargs()
        )
    with pytest.raises(Conflict):
        services.note_sign(actor=org.junior, note=draft, expected_version=draft.version)
    signed = make_note(org.junior, org.junior_client, sign=True)
    services.note_mark_entered_in_error(
        actor=org.supervisor, note=signed, reason=REASON, expected_version=signed.version
    )
    with pytest.raises(Conflict):
        services.note_add_addendum(actor=org.junior, note=signed, text="More")
    with pytest.raises(Conflict):
        services.note_cosign(actor=org.supervisor, note=signed, expected_version=signed.version)
    with pytest.raises(Conflict):
        services.note_return(
            actor=org.supervisor, note=signed, comment="Why", expected_version=signed.version
        )


def test_a_family_member_entered_in_error_is_not_a_contact_choice(org):
    from caseload.clients.services import related_person_mark_entered_in_error

    daughter = factories.RelatedPersonFactory(client=org.junior_client, name="Ingrid")
    wrong = factories.RelatedPersonFactory(client=org.junior_client, name="Wrong Person")
    related_person_mark_entered_in_error(
        actor=org.junior, person=wrong, reason=REASON, expected_version=wrong.version
    )
    people = list(contact_people_for_client(actor=org.junior, client=org.junior_client))
    assert people == [daughter]
    with pytest.raises(ValidationFailed) as caught:
        make_note(
            org.junior, org.junior_client, contact_with="related_person", related_person=wrong
        )
    assert "related_person" in caught.value.field_errors


# --- hidden from normal views, kept in the history --------------------------------------------


def test_the_chart_timeline_leaves_the_note_out_and_links_to_it(org, login):
    kept = make_note(org.junior, org.junior_client, sign=True, narrative="Kept note narrative")
    wrong = make_note(org.junior, org.junior_client, sign=True, narrative="Wrong client narrative")
    services.note_mark_entered_in_error(
        actor=org.junior, note=wrong, reason=REASON, expected_version=wrong.version
    )
    assert note_page_for_client(actor=org.junior, client=org.junior_client).notes == [kept]
    html = login(org.junior).get(_chart(org.junior_client)).content.decode()
    assert "Kept note narrative" in html
    assert "Wrong client narrative" not in html
    assert "1 note entered in error" in html
    assert _list_url(org.junior_client) in html


def test_the_chart_has_no_entered_in_error_link_when_there_are_none(org, login):
    make_note(org.junior, org.junior_client)
    html = login(org.junior).get(_chart(org.junior_client)).content.decode()
    assert "entered in error</a>" not in html


def test_the_cosign_queue_page_leaves_the_note_out(org, login):
    kept = make_note(org.junior, org.junior_client, sign=True)
    wrong = make_note(org.junior, org.junior_client, sign=True)
    services.note_mark_entered_in_error(
        actor=org.supervisor, note=wrong, reason=REASON, expected_version=wrong.version
    )
    html = login(org.supervisor).get(reverse("notes:cosign_queue")).content.decode()
    assert reverse("notes:detail", kwargs={"note_id": kept.pk}) in html
    assert reverse("notes:detail", kwargs={"note_id": wrong.pk}) not in html


def test_the_entered_in_error_list_shows_each_note_with_who_and_why_and_is_audited(org, login):
    wrong = make_note(org.junior, org.junior_client, sign=True, narrative="Wrong narrative")
    make_note(org.junior, org.junior_client, narrative="Fine narrative")
    services.note_mark_entered_in_error(
        actor=org.supervisor, note=wrong, reason=REASON, expected_version=wrong.version
    )
    response = login(org.junior).get(_list_url(org.junior_client))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wrong narrative" in html
    assert "Fine narrative" not in html
    assert f"Entered in error</strong> — {REASON}, by {org.supervisor.display_name}" in html
    assert AuditEvent.objects.filter(
        action="note.entered_in_error_list_viewed", client=org.junior_client, actor=org.junior
    ).exists()
    listed = AuditEvent.objects.get(action="note.listed", actor=org.junior)
    assert listed.target_id == str(wrong.pk)


def test_the_entered_in_error_list_query_count_does_not_grow_with_rows(
    org, login, django_assert_max_num_queries
):
    daughter = factories.RelatedPersonFactory(client=org.junior_client, name="Ingrid")
    http = login(org.supervisor)

    def wrong_notes(n: int) -> None:
        for _ in range(n):
            note = make_note(
                org.junior,
                org.junior_client,
                sign=True,
                contact_with="related_person",
                related_person=daughter,
            )
            services.note_add_addendum(actor=org.junior, note=note, text="Addendum")
            services.note_mark_entered_in_error(
                actor=org.junior, note=note, reason=REASON, expected_version=note.version
            )

    wrong_notes(1)
    with django_assert_max_num_queries(25) as few:
        http.get(_list_url(org.junior_client))
    wrong_notes(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = http.get(_list_url(org.junior_client))
    assert response.content.decode().count("Open note<span") == 9


def test_the_entered_in_error_list_of_a_client_out_of_scope_is_not_found(org, login):
    http = login(org.other_cm)
    assert http.get(_list_url(org.junior_client)).status_code == 404
    assert http.post(_list_url(org.junior_client)).status_code == 404
    unknown = reverse("notes:entered_in_error_list", kwargs={"client_id": uuid.uuid4()})
    assert http.get(unknown).status_code == 404


def test_the_note_page_still_shows_the_note_marked_without_actions(org, login):
    note = make_note(org.junior, org.junior_client, sign=True, narrative="The whole narrative")
    services.note_mark_entered_in_error(
        actor=org.junior, note=note, reason=REASON, expected_version=note.version
    )
    response = login(org.supervisor).get(reverse("notes:detail", kwargs={"note_id": note.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The whole narrative" in html
    assert f"Entered in error</strong> — {REASON}, by {org.junior.display_name} on" in html
    assert reverse("notes:cosign", kwargs={"note_id": note.pk}) not in html
    assert reverse("notes:addendum", kwargs={"note_id": note.pk}) not in html
    assert _url(note) not in html


# --- the page ---------------------------------------------------------------------------------


def test_the_note_page_links_to_the_confirmation_for_those_who_may_mark(org, login):
    note = make_note(org.supervisor, org.junior_client, sign=True)
    detail = reverse("notes:detail", kwargs={"note_id": note.pk})
    assert _url(note) in login(org.supervisor).get(detail).content.decode()
    assert _url(note) not in login(org.junior).get(detail).content.decode()


def test_the_confirmation_explains_that_the_note_stays_and_is_audited(org, login):
    note = make_note(org.junior, org.junior_client, sign=True)
    response = login(org.junior).get(_url(note))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mark as entered in error" in html
    assert "<textarea" in html and 'name="reason"' in html
    assert "stays in the history" in html
    event = AuditEvent.objects.get(action="note.viewed", actor=org.junior)
    assert event.client == org.junior_client
    assert event.detail == {"page": "entered_in_error"}


def test_posting_a_reason_marks_the_note_and_returns_to_it(org, login):
    note = make_note(org.junior, org.junior_client, sign=True)
    response = login(org.junior).post(_url(note), {"reason": REASON, "version": note.version})
    assert response.status_code == 302
    assert response["Location"] == reverse("notes:detail", kwargs={"note_id": note.pk})
    assert ProgressNote.objects.get(pk=note.pk).entered_in_error_reason == REASON


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say why this record is entered in error."),
        ("bad\x00reason", "Remove the invalid control character from this text."),
        ("x" * 2001, "Use 2000 characters or fewer."),
    ],
)
def test_a_missing_or_unstorable_reason_is_answered_on_the_form(org, login, reason, message):
    note = make_note(org.junior, org.junior_client)
    response = login(org.junior).post(_url(note), {"reason": reason})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgressNote.objects.get(pk=note.pk).is_entered_in_error


def test_marking_twice_through_the_page_says_so(org, login):
    note = make_note(org.junior, org.junior_client)
    http = login(org.junior)
    http.post(_url(note), {"reason": REASON, "version": note.version})
    response = http.post(
        _url(note), {"reason": "Second time", "version": note.version}, follow=True
    )
    assert "already marked entered in error" in response.content.decode()
    assert ProgressNote.objects.get(pk=note.pk).entered_in_error_reason == REASON


def test_a_draft_edited_since_the_page_showed_it_is_not_marked(org, login):
    note = make_note(org.junior, org.junior_client)
    http = login(org.junior)
    ProgressNote.objects.filter(pk=note.pk).update(version=note.version + 1)
    response = http.post(_url(note), {"reason": REASON, "version": note.version}, follow=True)
    assert response.redirect_chain[-1][0] == _url(note)
    assert "Someone else changed this note since you opened it." in response.content.decode()
    assert not ProgressNote.objects.get(pk=note.pk).is_entered_in_error
    fresh = http.post(_url(note), {"reason": REASON, "version": note.version + 1})
    assert fresh.status_code == 302
    assert ProgressNote.objects.get(pk=note.pk).is_entered_in_error


def test_the_confirmation_of_a_note_out_of_scope_is_not_found_for_get_and_post(org, login):
    note = make_note(org.junior, org.junior_client)
    http = login(org.other_cm)
    assert http.get(_url(note)).status_code == 404
    assert http.post(_url(note), {"reason": REASON}).status_code == 404
    assert http.put(_url(note)).status_code == 404
    assert not ProgressNote.objects.get(pk=note.pk).is_entered_in_error


def test_someone_in_scope_who_may_not_mark_the_note_is_refused(org, login):
    note = make_note(org.supervisor, org.junior_client, sign=True)
    http = login(org.junior)
    assert http.get(_url(note)).status_code == 403
    assert http.post(_url(note), {"reason": REASON}).status_code == 403
    assert not ProgressNote.objects.get(pk=note.pk).is_entered_in_error


def test_editing_a_draft_entered_in_error_goes_back_to_the_note(org, login):
    note = make_note(org.junior, org.junior_client)
    services.note_mark_entered_in_error(
        actor=org.junior, note=note, reason=REASON, expected_version=note.version
    )
    response = login(org.junior).get(reverse("notes:edit", kwargs={"note_id": note.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("notes:detail", kwargs={"note_id": note.pk})
