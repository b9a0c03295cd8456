"""Break the glass: opening a client outside one's scope, and reviewing that it was justified."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from caseload.access import policies
from caseload.access.models import BreakGlassGrant
from caseload.audit.services import audit_record
from caseload.core import clock
from caseload.core.errors import NotFound, ValidationFailed

if TYPE_CHECKING:
    from caseload.staff.models import User

MIN_REASON_LENGTH = 20


def break_glass_open(
    *, actor: User, mrn: str, family_name: str, date_of_birth: dt.date | None, reason: str
) -> BreakGlassGrant:
    """Grant ``actor`` time-limited access to one client found by MRN, or by name and birth date.

    Raises ValidationFailed for a missing reason or identifiers, NotFound when nothing matches.
    """
    from caseload.clients.models import Client

    if not policies.can_break_glass(actor):
        raise NotFound("Not found.")
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if len(reason) < MIN_REASON_LENGTH:
        errors["reason"] = [
            f"Say why you need this record now, in at least {MIN_REASON_LENGTH} characters."
        ]
    if not mrn.strip() and not (family_name.strip() and date_of_birth):
        errors["mrn"] = ["Enter the client's MRN, or their family name and date of birth."]
    if errors:
        raise ValidationFailed("Check the highlighted fields.", field_errors=errors)
    if mrn.strip():
        matches = Client.objects.filter(mrn=mrn.strip())
    else:
        assert date_of_birth is not None  # checked above  # noqa: S101
        matches = Client.objects.filter(
            family_name__iexact=family_name.strip(), date_of_birth=date_of_birth
        )
    found = list(matches[:2])
    if len(found) != 1:
        raise NotFound(
            "No single client matches. Check the MRN, or the family name and date of birth."
            if not found
            else "More than one client matches: use the MRN."
        )
    client = found[0]
    minutes = settings.BREAK_GLASS_MINUTES
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=actor,
            client=client,
            reason=reason,
            expires_at=clock.now() + dt.timedelta(minutes=minutes),
        )
        audit_record(
            actor=actor,
            action="client.break_glass",
            target=grant,
            client=client,
            detail={"reason": reason, "minutes": minutes},
        )
    return grant


def break_glass_review(*, actor: User, grant: BreakGlassGrant, note: str) -> BreakGlassGrant:
    """Record that a supervisor or the privacy officer reviewed a break-the-glass access."""
    if (
        not BreakGlassGrant.objects.filter(
            policies.break_glass_reviewable_user_ids(actor), pk=grant.pk
        ).exists()
        or grant.user_id == actor.pk
    ):
        raise NotFound("Not found.")
    if grant.reviewed_at is not None:
        raise ValidationFailed("This access has already been reviewed.")
    if not note.strip():
        raise ValidationFailed(
            "Say what you concluded.", field_errors={"note": ["Enter your review note."]}
        )
    with transaction.atomic():
        grant.reviewed_by = actor
        grant.reviewed_at = clock.now()
        grant.review_note = note.strip()
        grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note", "updated_at"])
        audit_record(
            actor=actor,
            action="break_glass.reviewed",
            target=grant,
            client=grant.client,
            detail={"note": grant.review_note},
        )
    return grant
