"""Recording and revoking consent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.consents import selectors
from caseload.consents.models import Consent, ConsentKind, ShareCategory
from caseload.core import clock, entered_in_error
from caseload.core.errors import Conflict, NotFound, ValidationFailed

if TYPE_CHECKING:
    from caseload.clients.models import Client, RelatedPerson
    from caseload.enrolments.models import Program
    from caseload.staff.models import User


def consent_record(
    *,
    actor: User,
    client: Client,
    kind: str,
    method: str,
    given_on: dt.date,
    expires_on: dt.date | None = None,
    program: Program | None = None,
    billing_program: str = "",
    related_person: RelatedPerson | None = None,
    provider_name: str = "",
    categories: list[str] | None = None,
    note: str = "",
) -> Consent:
    """Record a consent the client gave; ValidationFailed names each missing or wrong field."""
    if not policies.client_in_scope(actor, client.pk):
        raise NotFound("Client not found.")
    categories = categories or []
    errors: dict[str, list[str]] = {}
    if given_on > clock.today():
        errors["given_on"] = ["The date consent was given cannot be in the future."]
    if expires_on and expires_on <= given_on:
        errors["expires_on"] = ["The expiry date must be after the date consent was given."]
    if kind == ConsentKind.PROGRAM and program is None:
        errors["program"] = ["Choose the program the client consented to."]
    if kind == ConsentKind.BILLING and not billing_program.strip():
        errors["billing_program"] = ["Name the billing program, e.g. chronic care management."]
    if kind == ConsentKind.SHARE_RELATED_PERSON and (
        related_person is None
        or related_person.client_id != client.pk
        or related_person.is_entered_in_error
    ):
        errors["related_person"] = ["Choose the family member or caregiver."]
    if kind == ConsentKind.SHARE_PROVIDER and not provider_name.strip():
        errors["provider_name"] = ["Name the provider or service."]
    if kind in (ConsentKind.SHARE_RELATED_PERSON, ConsentKind.SHARE_PROVIDER):
        if not categories:
            errors["categories"] = ["Choose what the client agreed to share."]
        elif not set(categories) <= set(ShareCategory.values):
            errors["categories"] = ["Choose from the listed kinds of information."]
    if errors:
        raise ValidationFailed("Check the highlighted fields.", field_errors=errors)
    with transaction.atomic():
        consent = Consent.objects.create(
            client=client,
            kind=kind,
            method=method,
            given_on=given_on,
            expires_on=expires_on,
            program=program if kind == ConsentKind.PROGRAM else None,
            billing_program=billing_program.strip() if kind == ConsentKind.BILLING else "",
            related_person=related_person if kind == ConsentKind.SHARE_RELATED_PERSON else None,
            provider_name=provider_name.strip() if kind == ConsentKind.SHARE_PROVIDER else "",
            categories=categories,
            recorded_by=actor,
            note=note,
        )
        audit_record(
            actor=actor,
            action="consent.recorded",
            target=consent,
            client=client,
            detail={"kind": kind, "method": method, "party": consent.party},
        )
    return consent


def consent_revoke(*, actor: User, consent: Consent, reason: str) -> Consent:
    """Revoke a consent at once; a reason is required."""
    if not policies.client_in_scope(actor, consent.client_id):
        raise NotFound("Consent not found.")
    if consent.is_entered_in_error:
        raise ValidationFailed(
            "This consent was entered in error: it allows nothing and cannot be revoked."
        )
    if consent.revoked_at is not None:
        raise ValidationFailed("This consent was already revoked.")
    if not reason.strip():
        raise ValidationFailed(
            "Say why consent was revoked.", field_errors={"reason": ["Enter the reason."]}
        )
    with transaction.atomic():
        consent.revoked_at = clock.now()
        consent.revoked_by = actor
        consent.revocation_reason = reason.strip()
        consent.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="consent.revoked",
            target=consent,
            client=consent.client,
            detail={"reason": consent.revocation_reason},
        )
    return consent


def consent_mark_entered_in_error(*, actor: User, consent: Consent, reason: str) -> Consent:
    """Take a consent recorded in error out of every check at once (it no longer allows any
    share); it stays on the client's consent list, marked, with who, when and why.

    Raises NotFound (client out of scope), Conflict (already entered in error),
    ValidationFailed (no reason).
    """
    with transaction.atomic():
        policies.require_clinical(actor)
        policies.require_client(actor, consent.client_id)
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.is_entered_in_error:
            raise Conflict("This consent is already marked entered in error.", code="already")
        reason = entered_in_error.clean_reason(reason)
        fields = entered_in_error.mark(locked, actor=actor, reason=reason)
        locked.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="consent.entered_in_error",
            target=locked,
            client=locked.client,
            detail={"reason": reason, "kind": locked.kind, "party": locked.party},
        )
    for field in fields:
        setattr(consent, field, getattr(locked, field))
    return consent


def _labels(categories: Iterable[str]) -> str:
    names = dict(ShareCategory.choices)
    return ", ".join(names.get(c, c).lower() for c in categories)


def _refuse(
    client: Client,
    party: str,
    found: list[Consent],
    categories: list[str],
    at: dt.date | dt.datetime | None,
) -> ValidationFailed:
    """Why no consent allows this share: none at all, or none covering what is shared."""
    if not found:
        if at is None:
            none = f"{client.full_name} has no current consent"
        else:
            day = timezone.localdate(at) if isinstance(at, dt.datetime) else at
            none = f"{client.full_name} had no consent in force on {day:%d %b %Y}"
        return ValidationFailed(
            f"{none} to share information with {party}. Record the client's consent first.",
            code="no_consent",
        )
    missing = selectors.missing_categories(found[0], categories)
    return ValidationFailed(
        f"{client.full_name}'s consent to share with {party} does not cover "
        f"{_labels(missing)}. Share only what it covers, or record the client's consent "
        "to share that as well.",
        code="consent_too_narrow",
        params={"missing": missing, "consent": str(found[0].pk)},
    )


def require_share_with_person(
    client: Client,
    person: RelatedPerson,
    *,
    categories: Iterable[str] = (),
    at: dt.date | dt.datetime | None = None,
) -> Consent:
    """The consent in force at ``at`` (now) to share ``categories`` with ``person``; otherwise
    ValidationFailed saying whether there is none or it is too narrow."""
    wanted = list(categories)
    consent = selectors.share_consent_for_person(client, person, categories=wanted, at=at)
    if consent is not None:
        return consent
    found = list(selectors.share_consents_for_person(client, person, at=at))
    raise _refuse(client, person.name, found, wanted, at)


def require_share_with_provider(
    client: Client,
    names: str | Iterable[str],
    *,
    categories: Iterable[str] = (),
    party: str = "",
) -> Consent:
    """The current consent to share ``categories`` with the provider known by any of
    ``names`` (called ``party`` in messages; the first name by default); otherwise
    ValidationFailed saying whether there is none or it is too narrow."""
    wanted = list(categories)
    consent = selectors.share_consent_for_provider(client, names, categories=wanted)
    if consent is not None:
        return consent
    found = list(selectors.share_consents_for_provider(client, names))
    named = [names] if isinstance(names, str) else list(names)
    raise _refuse(client, party or named[0].strip(), found, wanted, None)
