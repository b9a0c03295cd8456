"""Progress note services: validation, the sign / co-sign / return / addendum state machine."""

from __future__ import annotations

import datetime as dt

import pytest

from caseload.audit.models import AuditEvent
from caseload.careplans.models import CosignStatus
from caseload.core import clock
from caseload.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from caseload.notes import services
from caseload.notes.models import NoteAddendum, NoteStatus, ProgressNote
from tests import factories
from tests.notes.helpers import make_note, note_kwargs

pytestmark = pytest.mark.django_db


def _actions(note: ProgressNote) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(note.pk))
        .order_by("occurred_at", "id")
        .values_list("action", flat=True)
    )


# --- creating ---------------------------------------------------------------------------------


def test_create_saves_a_draft_and_audits_it(org):
    note = make_note(org.junior, org.junior_client)
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT
    assert note.cosign_status == CosignStatus.NOT_REQUIRED
    assert note.author == org.junior
    assert note.version == 1
    event = AuditEvent.objects.get(action="note.created")
    assert event.client == org.junior_client
    assert event.target_id == str(note.pk)


def test_create_for_a_client_out_of_scope_is_not_found(org):
    with pytest.raises(NotFound):
        make_note(org.junior, org.other_client)
    assert not ProgressNote.objects.exists()


def test_administrator_cannot_write_notes(org):
    with pytest.raises(NotFound):
        make_note(org.admin, org.junior_client)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"contact_with": "related_person"}, "related_person"),
        ({"contact_with": "provider", "provider_name": "  "}, "provider_name"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 601}, "minutes"),
        ({"minutes": None}, "minutes"),
        ({"narrative": "   \n "}, "narrative"),
        ({"contact_type": "telepathy"}, "contact_type"),
        ({"contact_with": "nobody"}, "contact_with"),
        ({"contact_at": None}, "contact_at"),
    ],
)
def test_create_refuses_invalid_input_naming_the_field(org, overrides, field):
    with pytest.raises(ValidationFailed) as caught:
        make_note(org.junior, org.junior_client, **overrides)
    assert field in caught.value.field_errors
    assert not ProgressNote.objects.exists()


def test_contact_in_the_future_is_refused(org):
    with pytest.raises(ValidationFailed) as caught:
        make_note(org.junior, org.junior_client, contact_at=clock.now() + dt.timedelta(minutes=5))
    assert "future" in caught.value.field_errors["contact_at"][0]


@pytest.mark.parametrize("minutes", [1, 600])
def test_minutes_at_the_limits_are_accepted(org, minutes):
    assert make_note(org.junior, org.junior_client, minutes=minutes).minutes == minutes


def test_related_person_must_belong_to_the_client(org):
    stranger = factories.RelatedPersonFactory(client=org.supervisor_client)
    with pytest.raises(ValidationFailed) as caught:
        make_note(
            org.supervisor,
            org.junior_client,
            contact_with="related_person",
            related_person=stranger,
        )
    assert "related_person" in caught.value.field_errors


def test_note_with_a_related_person_keeps_them(org):
    daughter = factories.RelatedPersonFactory(client=org.junior_client, name="Ingrid Lindqvist")
    note = make_note(
        org.junior, org.junior_client, contact_with="related_person", related_person=daughter
    )
    assert note.related_person == daughter


def test_contact_with_the_client_drops_stray_person_and_provider(org):
    daughter = factories.RelatedPersonFactory(client=org.junior_client)
    note = make_note(
        org.junior,
        org.junior_client,
        contact_with="client",
        related_person=daughter,
        provider_name="Sunrise Home Care",
    )
    assert note.related_person is None
    assert note.provider_name == ""


def test_enrolment_of_another_client_is_refused(org):
    other = org.supervisor_client.enrolments.get()
    with pytest.raises(ValidationFailed) as caught:
        make_note(org.supervisor, org.junior_client, enrolment=other)
    assert "enrolment" in caught.value.field_errors


# --- signing -----------------------------------------------------------------------------------


def test_care_manager_signing_needs_no_cosign(org):
    note = make_note(org.supervisor, org.supervisor_client)
    services.note_sign(actor=org.supervisor, note=note, expected_version=note.version)
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED
    assert note.signed_at is not None
    assert note.cosign_status == CosignStatus.NOT_REQUIRED
    assert note.cosigner is None
    assert note.version == 2
    assert _actions(note) == ["note.created", "note.signed"]


def test_junior_signing_sends_the_note_to_their_supervisor(org):
    note = make_note(org.junior, org.junior_client)
    services.note_sign(actor=org.junior, note=note, expected_version=note.version)
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED
    assert note.cosign_status == CosignStatus.PENDING
    assert note.cosigner == org.supervisor
    event = AuditEvent.objects.get(action="note.signed")
    assert event.detail == {"cosign_status": "pending", "cosigner": "supervisor"}
    assert event.client == org.junior_client


def test_junior_without_a_supervisor_cannot_sign_and_the_note_stays_a_draft(org):
    note = make_note(org.junior, org.junior_client)
    org.junior.supervisor = None
    org.junior.save(update_fields=["supervisor"])
    with pytest.raises(ValidationFailed) as caught:
        services.note_sign(actor=org.junior, note=note, expected_version=note.version)
    assert caught.value.code == "no_supervisor"
    assert "supervisor" in caught.value.message
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT
    assert "note.signed" not in _actions(note)


def test_save_and_sign_in_one_step(org):
    daughter = factories.RelatedPersonFactory(client=org.junior_client)
    note = make_note(
        org.junior,
        org.junior_client,
        sign=True,
        contact_with="related_person",
        related_person=daughter,
        minutes=12,
    )
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED
    assert note.cosign_status == CosignStatus.PENDING
    assert note.cosigner == org.supervisor
    assert _actions(note) == ["note.created", "note.signed"]


def test_save_and_sign_without_a_supervisor_saves_nothing(org):
    org.junior.supervisor = None
    org.junior.save(update_fields=["supervisor"])
    with pytest.raises(ValidationFailed):
        make_note(org.junior, org.junior_client, sign=True)
    assert not ProgressNote.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="note.").exists()


def test_only_the_author_signs(org):
    note = make_note(org.junior, org.junior_client)
    with pytest.raises(PermissionDenied):
        services.note_sign(actor=org.supervisor, note=note, expected_version=note.version)


def test_signing_a_stale_version_is_a_conflict(org):
    note = make_note(org.junior, org.junior_client)
    with pytest.raises(Conflict):
        services.note_sign(actor=org.junior, note=note, expected_version=note.version + 1)


# --- editing drafts --------------------------------------------------------------------------


def test_author_updates_a_draft_with_the_current_version(org):
    note = make_note(org.junior, org.junior_client)
    services.note_update(
        actor=org.junior,
        note=note,
        expected_version=1,
        **note_kwargs(narrative="Corrected wording.", minutes=20),
    )
    note.refresh_from_db()
    assert note.narrative == "Corrected wording."
    assert note.minutes == 20
    assert note.version == 2
    assert _actions(note) == ["note.created", "note.updated"]


def test_update_with_a_stale_version_is_a_conflict_and_changes_nothing(org):
    note = make_note(org.junior, org.junior_client)
    services.note_update(actor=org.junior, note=note, expected_version=1, **note_kwargs())
    with pytest.raises(Conflict) as caught:
        services.note_update(
            actor=org.junior, note=note, expected_version=1, **note_kwargs(narrative="Lost?")
        )
    assert caught.value.code == "stale_version"
    note.refresh_from_db()
    assert note.narrative != "Lost?"


def test_only_the_author_edits_a_draft(org):
    note = make_note(org.junior, org.junior_client)
    with pytest.raises(PermissionDenied):
        services.note_update(
            actor=org.supervisor, note=note, expected_version=1, **note_kwargs(narrative="x")
        )


def test_update_validates_like_create(org):
    note = make_note(org.junior, org.junior_client)
    with pytest.raises(ValidationFailed) as caught:
        services.note_update(
            actor=org.junior, note=note, expected_version=1, **note_kwargs(minutes=0)
        )
    assert "minutes" in caught.value.field_errors


def test_update_and_sign_in_one_step(org):
    note = make_note(org.junior, org.junior_client)
    services.note_update(
        actor=org.junior, note=note, expected_version=1, sign=True, **note_kwargs()
    )
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED
    assert note.cosign_status == CosignStatus.PENDING


# --- the state machine, exhaustively ------------------------------------------------------------

STATES = {
    "draft": (NoteStatus.DRAFT, CosignStatus.NOT_REQUIRED),
    "signed": (NoteStatus.SIGNED, CosignStatus.NOT_REQUIRED),
    "pending": (NoteStatus.SIGNED, CosignStatus.PENDING),
    "cosigned": (NoteStatus.SIGNED, CosignStatus.COSIGNED),
    "returned": (NoteStatus.SIGNED, CosignStatus.RETURNED),
}


def _note_in(org, state: str) -> ProgressNote:
    note = make_note(org.junior, org.junior_client)
    status, cosign_status = STATES[state]
    ProgressNote.objects.filter(pk=note.pk).update(
        status=status,
        cosign_status=cosign_status,
        cosigner=org.supervisor if cosign_status != CosignStatus.NOT_REQUIRED else None,
        signed_at=clock.now() if status == NoteStatus.SIGNED else None,
    )
    note.refresh_from_db()
    return note


def _do(org, note: ProgressNote, action: str) -> None:
    if action == "update":
        services.note_update(
            actor=org.junior, note=note, expected_version=note.version, **note_kwargs()
        )
    elif action == "sign":
        services.note_sign(actor=org.junior, note=note, expected_version=note.version)
    elif action == "cosign":
        services.note_cosign(actor=org.supervisor, note=note, expected_version=note.version)
    elif action == "return":
        services.note_return(
            actor=org.supervisor,
            note=note,
            comment="Add the plan agreed.",
            expected_version=note.version,
        )
    elif action == "addendum":
        services.note_add_addendum(actor=org.junior, note=note, text="Also discussed meals.")
    else:  # pragma: no cover
        raise AssertionError(action)


# (state, action) → state after, or the error raised. Anything not listed here is refused.
TRANSITIONS: dict[tuple[str, str], str | type[Exception]] = {
    ("draft", "update"): "draft",
    ("draft", "sign"): "pending",
    ("draft", "cosign"): Conflict,
    ("draft", "return"): Conflict,
    ("draft", "addendum"): Conflict,
    ("signed", "update"): Conflict,
    ("signed", "sign"): Conflict,
    ("signed", "cosign"): Conflict,
    ("signed", "return"): Conflict,
    ("signed", "addendum"): "signed",
    ("pending", "update"): Conflict,
    ("pending", "sign"): Conflict,
    ("pending", "cosign"): "cosigned",
    ("pending", "return"): "returned",
    ("pending", "addendum"): "pending",
    ("cosigned", "update"): Conflict,
    ("cosigned", "sign"): Conflict,
    ("cosigned", "cosign"): Conflict,
    ("cosigned", "return"): Conflict,
    ("cosigned", "addendum"): "cosigned",
    ("returned", "update"): Conflict,
    ("returned", "sign"): Conflict,
    ("returned", "cosign"): Conflict,
    ("returned", "return"): Conflict,
    ("returned", "addendum"): "pending",
}


@pytest.mark.parametrize(("state", "action"), list(TRANSITIONS))
def test_note_state_machine(org, state, action):
    note = _note_in(org, state)
    before = (note.status, note.cosign_status, note.narrative)
    expected = TRANSITIONS[(state, action)]
    if isinstance(expected, type):
        with pytest.raises(expected):
            _do(org, note, action)
        note.refresh_from_db()
        assert (note.status, note.cosign_status, note.narrative) == before
    else:
        _do(org, note, action)
        note.refresh_from_db()
        assert (note.status, note.cosign_status) == STATES[expected]


@pytest.mark.parametrize("state", ["signed", "pending", "cosigned", "returned"])
def test_signed_notes_can_never_be_edited_even_with_the_right_version(org, state):
    note = _note_in(org, state)
    with pytest.raises(Conflict) as caught:
        services.note_update(
            actor=org.junior, note=note, expected_version=note.version, **note_kwargs()
        )
    assert "addendum" in caught.value.message


# --- co-sign and return ------------------------------------------------------------------------


def test_cosigner_cosigns_and_it_is_audited(org):
    note = make_note(org.junior, org.junior_client, sign=True)
    services.note_cosign(actor=org.supervisor, note=note, expected_version=note.version)
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.COSIGNED
    assert note.cosigned_at is not None
    event = AuditEvent.objects.get(action="note.cosigned")
    assert event.actor == org.supervisor
    assert event.client == org.junior_client


@pytest.mark.parametrize("who", ["junior", "senior", "director"])
def test_only_the_assigned_cosigner_may_cosign_or_return(org, who):
    note = make_note(org.junior, org.junior_client, sign=True)
    actor = getattr(org, who)
    with pytest.raises(PermissionDenied):
        services.note_cosign(actor=actor, note=note, expected_version=note.version)
    with pytest.raises(PermissionDenied):
        services.note_return(actor=actor, note=note, comment="No.", expected_version=note.version)
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING


def test_someone_out_of_scope_gets_not_found_for_every_write(org):
    note = make_note(org.junior, org.junior_client, sign=True)
    for call in (
        lambda: services.note_cosign(actor=org.other_cm, note=note, expected_version=note.version),
        lambda: services.note_return(
            actor=org.other_cm, note=note, comment="x", expected_version=note.version
        ),
        lambda: services.note_add_addendum(actor=org.other_cm, note=note, text="x"),
        lambda: services.note_sign(actor=org.other_cm, note=note, expected_version=note.version),
        lambda: services.note_update(
            actor=org.other_cm, note=note, expected_version=note.version, **note_kwargs()
        ),
    ):
        with pytest.raises(NotFound):
            call()


def test_return_needs_a_comment(org):
    note = make_note(org.junior, org.junior_client, sign=True)
    with pytest.raises(ValidationFailed) as caught:
        services.note_return(
            actor=org.supervisor, note=note, comment="  ", expected_version=note.version
        )
    assert "comment" in caught.value.field_errors
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING


def test_return_then_addendum_then_cosign(org):
    note = make_note(org.junior, org.junior_client, sign=True)
    services.note_return(
        actor=org.supervisor,
        note=note,
        comment="Say who else was there.",
        expected_version=note.version,
    )
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.RETURNED
    assert note.return_comment == "Say who else was there."
    services.note_add_addendum(actor=org.junior, note=note, text="Her son Erik was present.")
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING
    services.note_cosign(actor=org.supervisor, note=note, expected_version=note.version)
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.COSIGNED
    assert _actions(note) == [
        "note.created",
        "note.signed",
        "note.returned",
        "note.addendum_added",
        "note.cosigned",
    ]


def test_addendum_by_someone_else_leaves_a_returned_note_with_its_author(org):
    note = make_note(org.junior, org.junior_client, sign=True)
    services.note_return(
        actor=org.supervisor, note=note, comment="Clarify.", expected_version=note.version
    )
    services.note_add_addendum(actor=org.supervisor, note=note, text="See my comment.")
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.RETURNED


def test_addendum_keeps_the_signed_text_and_records_who(org):
    note = make_note(org.supervisor, org.supervisor_client, sign=True)
    original = note.narrative
    addendum = services.note_add_addendum(
        actor=org.supervisor, note=note, text="  Correction: 15 minutes, not 12.  "
    )
    note.refresh_from_db()
    assert note.narrative == original
    assert addendum.text == "Correction: 15 minutes, not 12."
    assert addendum.author == org.supervisor
    assert NoteAddendum.objects.filter(note=note).count() == 1


def test_blank_addendum_is_refused(org):
    note = make_note(org.supervisor, org.supervisor_client, sign=True)
    with pytest.raises(ValidationFailed):
        services.note_add_addendum(actor=org.supervisor, note=note, text=" ")
    assert not NoteAddendum.objects.exists()
