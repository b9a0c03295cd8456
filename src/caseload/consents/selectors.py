"""Reads about consent, and the one question every share asks: is there a current consent?"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from caseload.access import policies
from caseload.consents.models import Consent, ConsentKind
from caseload.core import clock
from caseload.core.errors import NotFound

if TYPE_CHECKING:
    from caseload.clients.models import Client, RelatedPerson
    from caseload.staff.models import User


def _current(on: dt.date) -> Q:
    """In force on ``on``: given, not revoked, not expired, and not entered in error."""
    return Q(revoked_at__isnull=True, entered_in_error_at__isnull=True, given_on__lte=on) & (
        Q(expires_on__isnull=True) | Q(expires_on__gte=on)
    )


def consent_list_for_client(*, actor: User, client: Client) -> list[Consent]:
    """All consents of a client, those entered in error included (marked), newest first, for
    a viewer who may see the client."""
    if not policies.client_in_scope(actor, client.pk):
        raise NotFound("Client not found.")
    return list(
        Consent.objects.filter(client=client).select_related(
            "related_person", "program", "recorded_by", "revoked_by", "entered_in_error_by"
        )
    )


def consent_get(*, actor: User, consent_id: Any) -> Consent:
    """One consent of a client ``actor`` sees (entered in error or not), else NotFound."""
    try:
        return Consent.objects.select_related(
            "client", "related_person", "program", "recorded_by", "entered_in_error_by"
        ).get(pk=consent_id, client__in=policies.client_scope(actor))
    except (Consent.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise NotFound("Consent not found.") from exc


def current_consents(client: Client, kind: str, on: dt.date | None = None) -> QuerySet[Consent]:
    """The client's consents of ``kind`` in force on ``on`` (today): none revoked, expired or
    entered in error."""
    return Consent.objects.filter(_current(on or clock.today()), client=client, kind=kind)


def share_consent_for_person(client: Client, person: RelatedPerson) -> Consent | None:
    """The current consent to share with this family member or caregiver, if any (none for a
    person entered in error)."""
    return (
        current_consents(client, ConsentKind.SHARE_RELATED_PERSON)
        .filter(related_person=person, related_person__entered_in_error_at__isnull=True)
        .first()
    )


def share_consent_for_provider(client: Client, provider_name: str) -> Consent | None:
    """The current consent to share with this named provider or service, if any."""
    return (
        current_consents(client, ConsentKind.SHARE_PROVIDER)
        .filter(provider_name__iexact=provider_name.strip())
        .first()
    )


def related_person_ids_with_consent(client: Client) -> set[Any]:
    """Family members and caregivers with a current consent to share (none entered in error)."""
    return set(
        current_consents(client, ConsentKind.SHARE_RELATED_PERSON)
        .filter(related_person__entered_in_error_at__isnull=True)
        .values_list("related_person_id", flat=True)
    )
