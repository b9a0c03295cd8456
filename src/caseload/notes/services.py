"""Writes for progress notes: draft → signed (locked); juniors' notes await co-sign; addenda.

State machine (status / cosign_status):

    draft/not_required --sign (care manager and above)--> signed/not_required
    draft/not_required --sign (junior)--> signed/pending  (cosigner = the junior's supervisor)
    signed/pending --cosign (cosigner)--> signed/cosigned
    signed/pending --return (cosigner, comment)--> signed/returned
    signed/returned --addendum by the author--> signed/pending
    any --mark entered in error (author, supervisor, senior, director; reason)--> hidden, final
          (a note awaiting co-sign leaves the queue: cosign_status becomes not_required)

A signed note is never edited; corrections are addenda. Nothing is deleted: a note written in
error is marked so, with the reason, and stays in the client's history.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from caseload.access import policies
from caseload.access.cosign import cosign_approve, cosign_request, cosign_resubmit, cosign_return
from caseload.audit.services import audit_record
from caseload.consents.selectors import UPDATE_CATEGORIES
from caseload.consents.services import require_share_with_person
from caseload.core import clock, entered_in_error
from caseload.core.errors import (
    Conflict,
    PermissionDenied,
    ValidationFailed,
    VersionConflict,
    check_version,
)
from caseload.core.models import CosignStatus
from caseload.notes.models import (
    ContactType,
    ContactWith,
    NoteAddendum,
    NoteStatus,
    ProgressNote,
)
from caseload.programrules.services import TimeDetails, time_record_for_note
from caseload.staff.models import CareerLevel

if TYPE_CHECKING:
    from caseload.clients.models import Client, RelatedPerson
    from caseload.enrolments.models import Enrolment
    from caseload.staff.models import User

MIN_MINUTES = 1
MAX_MINUTES = 600
PROVIDER_NAME_MAX = 200


def _clean_contact(
    *,
    client: Client,
    enrolment: Enrolment | None,
    contact_at: dt.datetime | None,
    contact_type: str,
    contact_with: str,
    related_person: RelatedPerson | None,
    provider_name: str,
    minutes: int | None,
    narrative: str,
    gave_update: bool = False,
) -> dict[str, Any]:
    """Validate one note's contact details; returns the values to store or raises.

    An update given to a family member or caregiver needs the client's consent to share
    progress updates with that person, in force at the time of the contact.
    """
    errors: dict[str, list[str]] = {}
    provider_name = (provider_name or "").strip()
    narrative = (narrative or "").strip()

    if contact_at is None:
        errors["contact_at"] = ["Enter the date and time of the contact."]
    elif contact_at.tzinfo is None:
        errors["contact_at"] = ["Enter the date and time with a time zone."]
    elif contact_at > clock.now():
        errors["contact_at"] = ["The contact cannot be in the future. Check the date and time."]
    if contact_type not in ContactType.values:
        errors["contact_type"] = ["Choose how the contact happened."]
    if contact_with not in ContactWith.values:
        errors["contact_with"] = ["Choose who the contact was with."]
    if contact_with == ContactWith.RELATED_PERSON:
        if related_person is None:
            errors["related_person"] = ["Choose which family member or caregiver you spoke with."]
        elif related_person.client_id != client.pk or related_person.is_entered_in_error:
            errors["related_person"] = ["Choose one of this client's family members or caregivers."]
        elif gave_update and contact_at is not None and "contact_at" not in errors:
            try:
                require_share_with_person(
                    client, related_person, categories=UPDATE_CATEGORIES, at=contact_at
                )
            except ValidationFailed as refusal:
                errors["gave_update"] = [refusal.message]
    else:
        related_person = None
        gave_update = False
    if contact_with == ContactWith.PROVIDER:
        if not provider_name:
            errors["provider_name"] = ["Enter the name of the provider or service."]
        elif len(provider_name) > PROVIDER_NAME_MAX:
            errors["provider_name"] = [
                f"Provider name must be {PROVIDER_NAME_MAX} characters or fewer."
            ]
    else:
        provider_name = ""
    if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors["minutes"] = [f"Minutes must be a whole number from {MIN_MINUTES} to {MAX_MINUTES}."]
    if not narrative:
        errors["narrative"] = ["Write what happened in the contact."]
    if enrolment is not None and enrolment.client_id != client.pk:
        errors["enrolment"] = ["Choose one of this client's enrolments."]
    if errors:
        raise ValidationFailed("Check the note and try again.", field_errors=errors)
    return {
        "enrolment": enrolment,
        "contact_at": contact_at,
        "contact_type": contact_type,
        "contact_with": contact_with,
        "related_person": related_person,
        "provider_name": provider_name,
        "gave_update": bool(gave_update),
        "minutes": minutes,
        "narrative": narrative,
    }


def _default_time(note: ProgressNote) -> TimeDetails:
    """A note saved without time details keeps its entry's, or counts toward no program."""
    entry = getattr(note, "time_entry", None)
    if entry is not None:
        return TimeDetails(
            program=entry.program,
            activity=entry.activity,
            staff_type=entry.staff_type,
            billing_practitioner=entry.billing_practitioner,
        )
    return TimeDetails(
        program="",
        activity="phone_contact" if note.contact_type == ContactType.PHONE else "coordination",
        staff_type="clinical_staff",
    )


def _lock(note: ProgressNote) -> ProgressNote:
    """The note's current row, locked for this transaction (a no-op lock on SQLite)."""
    return ProgressNote.objects.select_for_update().get(pk=note.pk)


def _refresh_caller_copy(note: ProgressNote, current: ProgressNote) -> None:
    """Keep the caller's object in step with what was saved."""
    for field in ProgressNote._meta.concrete_fields:
        setattr(note, field.attname, getattr(current, field.attname))


_NOT_PENDING = {
    CosignStatus.NOT_REQUIRED: "This note does not need a co-sign.",
    CosignStatus.COSIGNED: "This note is already co-signed.",
    CosignStatus.RETURNED: "This note was returned to its author and is waiting for them.",
}


def _not_pending(note: ProgressNote) -> str:
    """Why ``note`` cannot be co-signed or returned, should it not be waiting for co-sign."""
    if note.status == NoteStatus.DRAFT:
        return "This note is still a draft: it is not awaiting co-sign."
    return _NOT_PENDING.get(CosignStatus(note.cosign_status), "")


def _sign(*, actor: User, note: ProgressNote) -> list[str]:
    """Apply the sign transition to a locked draft; returns the changed fields."""
    author: User = note.author
    note.status = NoteStatus.SIGNED
    note.signed_at = clock.now()
    cosigner = None
    if author.career_level == CareerLevel.JUNIOR:
        cosigner = author.supervisor
        if cosigner is None or not policies.is_clinical(cosigner):
            raise ValidationFailed(
                "Your notes need a supervisor's co-sign, but you have no supervisor set. "
                "Ask a senior care manager or an administrator to set one, then sign. "
                "Meanwhile you can save the note as a draft.",
                code="no_supervisor",
            )
    return ["status", "signed_at", *cosign_request(note, cosigner=cosigner)]


def _audit_signed(actor: User, note: ProgressNote) -> None:
    audit_record(
        actor=actor,
        action="note.signed",
        target=note,
        client=note.client,
        detail={
            "cosign_status": note.cosign_status,
            "cosigner": note.cosigner.get_username() if note.cosigner else "",
        },
    )


def note_create(
    *,
    actor: User,
    client: Client,
    enrolment: Enrolment | None = None,
    contact_at: dt.datetime | None,
    contact_type: str,
    contact_with: str,
    related_person: RelatedPerson | None = None,
    provider_name: str = "",
    gave_update: bool = False,
    reached: bool,
    minutes: int | None,
    narrative: str,
    significant_event: bool,
    sign: bool = False,
    time: TimeDetails | None = None,
) -> ProgressNote:
    """A new draft note about ``client`` (signed at once when ``sign``); raises on bad input.

    The note's minutes become its time entry (``time``: the program it counts toward, the
    activity and staff type; without it, counted toward no program)."""
    with transaction.atomic():
        policies.require_clinical(actor)
        client = policies.require_client(actor, client.pk)
        values = _clean_contact(
            client=client,
            enrolment=enrolment,
            contact_at=contact_at,
            contact_type=contact_type,
            contact_with=contact_with,
            related_person=related_person,
            provider_name=provider_name,
            minutes=minutes,
            narrative=narrative,
            gave_update=gave_update,
        )
        note = ProgressNote(
            client=client,
            author=actor,
            reached=bool(reached),
            significant_event=bool(significant_event),
            **values,
        )
        note.save()
        audit_record(
            actor=actor,
            action="note.created",
            target=note,
            client=client,
            detail={"significant_event": note.significant_event, "gave_update": note.gave_update},
        )
        time_record_for_note(actor=actor, note=note, time=time or _default_time(note))
        if sign:
            _sign(actor=actor, note=note)
            note.version += 1
            note.save(
                update_fields=[
                    "status",
                    "signed_at",
                    "cosign_status",
                    "cosigner",
                    "version",
                    "updated_at",
                ]
            )
            _audit_signed(actor, note)
    return note


def note_update(
    *,
    actor: User,
    note: ProgressNote,
    expected_version: int,
    contact_at: dt.datetime | None,
    contact_type: str,
    contact_with: str,
    related_person: RelatedPerson | None = None,
    provider_name: str = "",
    gave_update: bool = False,
    reached: bool,
    minutes: int | None,
    narrative: str,
    significant_event: bool,
    enrolment: Enrolment | None = None,
    sign: bool = False,
    time: TimeDetails | None = None,
) -> ProgressNote:
    """Change a draft note (author only, optimistic lock); signs it too when ``sign``. Its time
    entry follows (``time``, else the entry's own program, activity and staff type)."""
    with transaction.atomic():
        policies.require_client(actor, note.client_id)
        current = _lock(note)
        entered_in_error.refuse_if_entered_in_error(current, "note")
        policies.require_note_author(actor, current, "change")
        if current.status != NoteStatus.DRAFT:
            raise Conflict(
                "This note is signed and can no longer be changed. Add an addendum instead.",
                code="note_signed",
            )
        if current.version != expected_version:
            raise VersionConflict(
                "This note was changed in another window or tab since you opened it.",
                code="stale_version",
                current_version=current.version,
            )
        values = _clean_contact(
            client=current.client,
            enrolment=enrolment if enrolment is not None else current.enrolment,
            contact_at=contact_at,
            contact_type=contact_type,
            contact_with=contact_with,
            related_person=related_person,
            provider_name=provider_name,
            minutes=minutes,
            narrative=narrative,
            gave_update=gave_update,
        )
        for name, value in values.items():
            setattr(current, name, value)
        current.reached = bool(reached)
        current.significant_event = bool(significant_event)
        current.version += 1
        fields = [*values.keys(), "reached", "significant_event", "version", "updated_at"]
        if sign:
            fields += _sign(actor=actor, note=current)
        current.save(update_fields=fields)
        audit_record(actor=actor, action="note.updated", target=current, client=current.client)
        time_record_for_note(actor=actor, note=current, time=time or _default_time(current))
        if sign:
            _audit_signed(actor, current)
    _refresh_caller_copy(note, current)
    return note


def note_sign(*, actor: User, note: ProgressNote, expected_version: int) -> ProgressNote:
    """Sign and lock a draft (author only); a junior's note goes to their supervisor."""
    with transaction.atomic():
        policies.require_client(actor, note.client_id)
        current = _lock(note)
        entered_in_error.refuse_if_entered_in_error(current, "note")
        policies.require_note_author(actor, current, "sign")
        if current.status != NoteStatus.DRAFT:
            raise Conflict("This note is already signed.", code="already_signed")
        if current.version != expected_version:
            raise VersionConflict(
                "This note was changed in another window or tab. Read it again, then sign.",
                code="stale_version",
                current_version=current.version,
            )
        fields = _sign(actor=actor, note=current)
        current.version += 1
        current.save(update_fields=[*fields, "version", "updated_at"])
        _audit_signed(actor, current)
    _refresh_caller_copy(note, current)
    return note


def note_add_addendum(*, actor: User, note: ProgressNote, text: str) -> NoteAddendum:
    """Append a correction or addition to a signed note; the author's puts a returned note back."""
    with transaction.atomic():
        policies.require_clinical(actor)
        policies.require_client(actor, note.client_id)
        current = _lock(note)
        entered_in_error.refuse_if_entered_in_error(current, "note")
        if current.status != NoteStatus.SIGNED:
            raise Conflict(
                "Addenda are for signed notes. This note is still a draft: edit it instead.",
                code="note_not_signed",
            )
        text = (text or "").strip()
        if not text:
            raise ValidationFailed(
                "Write the addendum.", field_errors={"text": ["Write the addendum."]}
            )
        addendum = NoteAddendum.objects.create(note=current, author=actor, text=text)
        resubmitted = False
        if current.author_id == actor.pk:  # the author's answer sends a returned note back
            fields = cosign_resubmit(current)
            if fields:
                current.save(update_fields=[*fields, "updated_at"])
                resubmitted = True
        audit_record(
            actor=actor,
            action="note.addendum_added",
            target=current,
            client=current.client,
            detail={"addendum": str(addendum.pk), "resubmitted_for_cosign": resubmitted},
        )
    _refresh_caller_copy(note, current)
    return addendum


def note_cosign(*, actor: User, note: ProgressNote, expected_version: int) -> ProgressNote:
    """Co-sign a note awaiting the actor's co-sign (the author's supervisor only)."""
    with transaction.atomic():
        policies.require_client(actor, note.client_id)
        current = _lock(note)
        entered_in_error.refuse_if_entered_in_error(current, "note")
        cosign_approve(
            actor=actor,
            record=current,
            not_pending=_not_pending(current),
            action="note.cosigned",
            target=current,
            client=current.client,
            expected_version=expected_version,
        )
    _refresh_caller_copy(note, current)
    return note


def note_return(
    *, actor: User, note: ProgressNote, comment: str, expected_version: int
) -> ProgressNote:
    """Send a note awaiting co-sign back to its author with a comment (the co-signer only)."""
    with transaction.atomic():
        policies.require_client(actor, note.client_id)
        current = _lock(note)
        entered_in_error.refuse_if_entered_in_error(current, "note")
        cosign_return(
            actor=actor,
            record=current,
            comment=comment,
            not_pending=_not_pending(current),
            action="note.returned",
            target=current,
            client=current.client,
            expected_version=expected_version,
        )
    _refresh_caller_copy(note, current)
    return note


def note_mark_entered_in_error(
    *, actor: User, note: ProgressNote, reason: str, expected_version: int
) -> ProgressNote:
    """Hide a note from every normal view with who, when and why; it stays in the history.

    A note awaiting co-sign leaves the co-sign queue. Raises NotFound (client out of scope),
    PermissionDenied (not the author, their supervisor, a senior or a director), Conflict
    (already entered in error), VersionConflict (changed since ``expected_version``, the one its
    confirmation page showed), ValidationFailed (no reason).
    """
    with transaction.atomic():
        policies.require_clinical(actor)
        policies.require_client(actor, note.client_id)
        current = _lock(note)
        if not policies.can_mark_note_entered_in_error(actor, current):
            raise PermissionDenied(
                "Only the note's author, their supervisor, a senior care manager or a director "
                "may mark a note as entered in error.",
                code="not_allowed",
            )
        if current.is_entered_in_error:
            raise Conflict("This note is already marked entered in error.", code="already")
        check_version(current, expected_version, "note")
        reason = entered_in_error.clean_reason(reason)
        fields = entered_in_error.mark(current, actor=actor, reason=reason)
        withdrawn = current.cosign_status == CosignStatus.PENDING
        if withdrawn:
            current.cosign_status = CosignStatus.NOT_REQUIRED
            fields.append("cosign_status")
        current.version += 1
        current.save(update_fields=[*fields, "version"])
        audit_record(
            actor=actor,
            action="note.entered_in_error",
            target=current,
            client=current.client,
            detail={"reason": reason, "withdrawn_from_cosign": withdrawn},
        )
    _refresh_caller_copy(note, current)
    return note
