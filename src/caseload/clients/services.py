"""Writes for clients, their related people and flags. Every write is audited."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.clients.models import (
    Client,
    ClientStatus,
    Flag,
    FlagKind,
    RelatedPerson,
    Relationship,
    SexAtBirth,
)
from caseload.core import clock, entered_in_error
from caseload.core.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
    VersionConflict,
    check_version,
)

if TYPE_CHECKING:
    from caseload.staff.models import User

NUL_MESSAGE = "Remove the invalid control character from this text."

#: Client fields a person may edit, with the kind of value each holds.
CLIENT_TEXT_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "gender_identity",
    "pronouns",
    "mrn",
    "payer_member_id",
    "phone",
    "email",
    "address_line",
    "city",
    "state",
    "postal_code",
    "preferred_language",
    "what_matters_to_me",
)
CLIENT_EDITABLE_FIELDS = (
    *CLIENT_TEXT_FIELDS,
    "date_of_birth",
    "sex_at_birth",
    "interpreter_needed",
    "status",
)
RELATED_PERSON_EDITABLE_FIELDS = (
    "name",
    "relationship",
    "phone",
    "email",
    "is_primary_caregiver",
    "notes",
    "is_active",
)
_REQUIRED_TEXT = {
    "given_name": "Enter the client's given (first) name.",
    "family_name": "Enter the client's family name.",
    "preferred_language": "Enter the client's preferred language.",
    "name": "Enter the person's name.",
}
_OLDEST_AGE_YEARS = 130


class _Errors:
    """Collects field errors so a form shows every problem at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise ValidationFailed(first, field_errors=self.fields)


def _clean_values(
    model: type[Client] | type[RelatedPerson], values: dict[str, Any], errors: _Errors
) -> dict[str, Any]:
    """Trim text, refuse NUL characters and over-long text, check required text and choices."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        if isinstance(value, str):
            value = value.strip()
            if "\x00" in value:
                errors.add(name, NUL_MESSAGE)
                continue
            max_length = getattr(field, "max_length", None)
            if max_length and len(value) > max_length:
                errors.add(name, f"Use {max_length} characters or fewer.")
                continue
            if name in _REQUIRED_TEXT and not value:
                errors.add(name, _REQUIRED_TEXT[name])
                continue
        cleaned[name] = value
    for name, choices, message in (
        ("sex_at_birth", SexAtBirth.values, "Choose the client's sex at birth."),
        ("status", ClientStatus.values, "Choose the client's status."),
        ("relationship", Relationship.values, "Choose how this person is related to the client."),
    ):
        if name in cleaned and cleaned[name] not in choices:
            errors.add(name, message)
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors.add(
                "email", "Enter an email address in the right format, like name@example.org."
            )
    if "date_of_birth" in cleaned:
        born = cleaned["date_of_birth"]
        today = clock.today()
        if not isinstance(born, dt.date):
            errors.add("date_of_birth", "Enter the client's date of birth.")
        elif born > today:
            errors.add("date_of_birth", "The date of birth must be in the past.")
        elif today.year - born.year > _OLDEST_AGE_YEARS:
            errors.add(
                "date_of_birth", f"Check the year: that is over {_OLDEST_AGE_YEARS} years ago."
            )
    return cleaned


def _mrn_taken(mrn: str, *, exclude_pk: Any = None) -> bool:
    if not mrn:
        return False
    others = Client.objects.filter(mrn=mrn)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def _mrn_error(mrn: str) -> str:
    return f"Another client already has MRN {mrn}. Check the number, or search for that client."


@transaction.atomic
def client_create(
    *,
    actor: User,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    sex_at_birth: str,
    preferred_name: str = "",
    gender_identity: str = "",
    pronouns: str = "",
    mrn: str = "",
    payer_member_id: str = "",
    phone: str = "",
    email: str = "",
    address_line: str = "",
    city: str = "",
    state: str = "",
    postal_code: str = "",
    preferred_language: str = "English",
    interpreter_needed: bool = False,
    what_matters_to_me: str = "",
) -> Client:
    """Record a new client's details; returns the client.

    A client with no enrolment is on nobody's caseload: registering someone new is
    ``enrolments.services.client_register``, which calls this and enrols them in one transaction.
    Raises NotFound (not clinical staff), ValidationFailed (input, duplicate MRN).
    """
    policies.require_clinical(actor)
    errors = _Errors()
    values = _clean_values(
        Client,
        {
            "given_name": given_name,
            "family_name": family_name,
            "preferred_name": preferred_name,
            "date_of_birth": date_of_birth,
            "sex_at_birth": sex_at_birth,
            "gender_identity": gender_identity,
            "pronouns": pronouns,
            "mrn": mrn,
            "payer_member_id": payer_member_id,
            "phone": phone,
            "email": email,
            "address_line": address_line,
            "city": city,
            "state": state,
            "postal_code": postal_code,
            "preferred_language": preferred_language,
            "interpreter_needed": bool(interpreter_needed),
            "what_matters_to_me": what_matters_to_me,
        },
        errors,
    )
    if "mrn" in values and _mrn_taken(values["mrn"]):
        errors.add("mrn", _mrn_error(values["mrn"]))
    errors.raise_if_any()
    client = Client(**values)
    try:
        with transaction.atomic():
            client.save(force_insert=True)
    except IntegrityError as exc:  # a concurrent registration took the MRN first
        message = _mrn_error(values["mrn"])
        raise ValidationFailed(message, field_errors={"mrn": [message]}) from exc
    audit_record(actor=actor, action="client.created", target=client, client=client)
    return client


def _lock_client(actor: User, client: Client) -> Client:
    if not policies.client_in_scope(actor, client.pk):
        raise NotFound("Client not found.")
    return Client.objects.select_for_update().get(pk=client.pk)


def _stale(what: str, current_version: int) -> VersionConflict:
    return VersionConflict(
        f"Someone else saved changes to {what} since you opened this form.",
        current_version=current_version,
    )


@transaction.atomic
def client_update(*, actor: User, client: Client, expected_version: int, **fields: Any) -> Client:
    """Change a client's details (optimistic lock); returns the saved client.

    Raises NotFound, Conflict (someone saved first), ValidationFailed.
    """
    unknown = set(fields) - set(CLIENT_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"client_update cannot change {sorted(unknown)}")
    policies.require_clinical(actor)
    locked = _lock_client(actor, client)
    if locked.version != expected_version:
        raise _stale("this client's details", locked.version)
    errors = _Errors()
    values = _clean_values(Client, fields, errors)
    if "mrn" in values and _mrn_taken(values["mrn"], exclude_pk=locked.pk):
        errors.add("mrn", _mrn_error(values["mrn"]))
    errors.raise_if_any()
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, values[name])
    locked.version += 1
    try:
        with transaction.atomic():
            locked.save(update_fields=[*changed, "version", "updated_at"])
    except IntegrityError as exc:
        message = _mrn_error(values.get("mrn", ""))
        raise ValidationFailed(message, field_errors={"mrn": [message]}) from exc
    audit_record(
        actor=actor,
        action="client.updated",
        target=locked,
        client=locked,
        detail={"fields": sorted(changed)},
    )
    return locked


@transaction.atomic
def related_person_create(
    *,
    actor: User,
    client: Client,
    name: str,
    relationship: str,
    phone: str = "",
    email: str = "",
    is_primary_caregiver: bool = False,
    notes: str = "",
) -> RelatedPerson:
    """Add a family member, caregiver or guardian to a client's record; returns them."""
    policies.require_clinical(actor)
    if not policies.client_in_scope(actor, client.pk):
        raise NotFound("Client not found.")
    errors = _Errors()
    values = _clean_values(
        RelatedPerson,
        {
            "name": name,
            "relationship": relationship,
            "phone": phone,
            "email": email,
            "is_primary_caregiver": bool(is_primary_caregiver),
            "notes": notes,
        },
        errors,
    )
    errors.raise_if_any()
    person = RelatedPerson.objects.create(client=client, **values)
    audit_record(
        actor=actor,
        action="related_person.created",
        target=person,
        client=client,
        detail={"relationship": person.relationship},
    )
    return person


@transaction.atomic
def related_person_update(
    *, actor: User, person: RelatedPerson, expected_version: int, **fields: Any
) -> RelatedPerson:
    """Change a related person (optimistic lock); returns them. Raises NotFound, Conflict."""
    unknown = set(fields) - set(RELATED_PERSON_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"related_person_update cannot change {sorted(unknown)}")
    policies.require_clinical(actor)
    if not policies.client_in_scope(actor, person.client_id):
        raise NotFound("Person not found.")
    locked = RelatedPerson.objects.select_for_update().select_related("client").get(pk=person.pk)
    entered_in_error.refuse_if_entered_in_error(locked, "person")
    if locked.version != expected_version:
        raise _stale(f"{locked.name}'s details", locked.version)
    errors = _Errors()
    values = _clean_values(RelatedPerson, fields, errors)
    errors.raise_if_any()
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, values[name])
    locked.version += 1
    locked.save(update_fields=[*changed, "version", "updated_at"])
    audit_record(
        actor=actor,
        action="related_person.updated",
        target=locked,
        client=locked.client,
        detail={"fields": sorted(changed)},
    )
    return locked


@transaction.atomic
def flag_raise(*, actor: User, client: Client, kind: str, description: str) -> Flag:
    """Raise a flag (safety, fall risk …) shown on the client's header until resolved."""
    policies.require_clinical(actor)
    if not policies.client_in_scope(actor, client.pk):
        raise NotFound("Client not found.")
    errors = _Errors()
    if kind not in FlagKind.values:
        errors.add("kind", "Choose the kind of flag.")
    description = (description or "").strip()
    if "\x00" in description:
        errors.add("description", NUL_MESSAGE)
    elif not description:
        errors.add("description", "Describe the concern in a sentence.")
    elif len(description) > Flag._meta.get_field("description").max_length:  # type: ignore[operator]
        errors.add("description", "Use 300 characters or fewer.")
    errors.raise_if_any()
    flag = Flag.objects.create(client=client, kind=kind, description=description, raised_by=actor)
    audit_record(
        actor=actor, action="flag.raised", target=flag, client=client, detail={"kind": kind}
    )
    return flag


@transaction.atomic
def flag_resolve(*, actor: User, flag: Flag, resolution_note: str) -> Flag:
    """Resolve an active flag with a note saying what was done; returns it.

    Raises NotFound, Conflict (already resolved), ValidationFailed (no note).
    """
    policies.require_clinical(actor)
    if not policies.client_in_scope(actor, flag.client_id):
        raise NotFound("Flag not found.")
    locked = Flag.objects.select_for_update().select_related("client").get(pk=flag.pk)
    entered_in_error.refuse_if_entered_in_error(locked, "flag")
    if not locked.is_active:
        raise Conflict("This flag has already been resolved.", code="already_resolved")
    note = (resolution_note or "").strip()
    if "\x00" in note:
        raise ValidationFailed(NUL_MESSAGE, field_errors={"resolution_note": [NUL_MESSAGE]})
    if not note:
        message = "Say what was done, or why the flag no longer applies."
        raise ValidationFailed(message, field_errors={"resolution_note": [message]})
    locked.is_active = False
    locked.resolved_by = actor
    locked.resolved_at = clock.now()
    locked.resolution_note = note
    locked.save(
        update_fields=["is_active", "resolved_by", "resolved_at", "resolution_note", "updated_at"]
    )
    audit_record(
        actor=actor,
        action="flag.resolved",
        target=locked,
        client=locked.client,
        detail={"kind": locked.kind},
    )
    return locked


def _follow(caller: Flag | RelatedPerson, saved: Flag | RelatedPerson, fields: list[str]) -> None:
    """Keep the caller's copy in step with what was saved."""
    for name in fields:
        setattr(caller, name, getattr(saved, name))


@transaction.atomic
def related_person_mark_entered_in_error(
    *, actor: User, person: RelatedPerson, reason: str, expected_version: int
) -> RelatedPerson:
    """Take a family member or caregiver recorded in error out of every list and choice.

    They stay in the history with who, when and why, and are no longer active (so nothing that
    looks for the client's involved people finds them). Raises NotFound (client out of scope),
    Conflict (already entered in error), VersionConflict (changed since ``expected_version``),
    ValidationFailed (no reason).
    """
    policies.require_clinical(actor)
    if not policies.client_in_scope(actor, person.client_id):
        raise NotFound("Person not found.")
    locked = RelatedPerson.objects.select_for_update().select_related("client").get(pk=person.pk)
    if locked.is_entered_in_error:
        raise Conflict("This person is already marked entered in error.", code="already")
    check_version(locked, expected_version, "person")
    reason = entered_in_error.clean_reason(reason)
    was_active = locked.is_active
    fields = entered_in_error.mark(locked, actor=actor, reason=reason)
    locked.is_active = False
    locked.version += 1
    locked.save(update_fields=[*fields, "is_active", "version"])
    audit_record(
        actor=actor,
        action="related_person.entered_in_error",
        target=locked,
        client=locked.client,
        detail={"reason": reason, "was_active": was_active},
    )
    _follow(person, locked, [*fields, "is_active", "version"])
    return locked


@transaction.atomic
def flag_mark_entered_in_error(*, actor: User, flag: Flag, reason: str) -> Flag:
    """Take a flag raised in error off the client's header and every count; it stays in the
    history with who, when and why, and is no longer active.

    Raises NotFound (client out of scope), Conflict (already entered in error),
    ValidationFailed (no reason).
    """
    policies.require_clinical(actor)
    if not policies.client_in_scope(actor, flag.client_id):
        raise NotFound("Flag not found.")
    locked = Flag.objects.select_for_update().select_related("client").get(pk=flag.pk)
    if locked.is_entered_in_error:
        raise Conflict("This flag is already marked entered in error.", code="already")
    reason = entered_in_error.clean_reason(reason)
    was_active = locked.is_active
    fields = entered_in_error.mark(locked, actor=actor, reason=reason)
    locked.is_active = False
    locked.save(update_fields=[*fields, "is_active"])
    audit_record(
        actor=actor,
        action="flag.entered_in_error",
        target=locked,
        client=locked.client,
        detail={"reason": reason, "kind": locked.kind, "was_active": was_active},
    )
    _follow(flag, locked, [*fields, "is_active"])
    return locked
