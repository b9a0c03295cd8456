"""Reads about consent, and the one question every share asks: is there a current consent?"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from caseload.access import policies
from caseload.consents.models import Consent, ConsentKind
from caseload.core import clock
from caseload.core.errors import NotFound

if TYPE_CHECKING:
    from caseload.clients.models import Client, RelatedPerson
    from caseload.staff.models import User


def _current(on: dt.date) -> Q:
    return Q(revoked_at__isnull=True, given_on__lte=on) & (
        Q(expires_on__isnull=True) | Q(expires_on__gte=on)
    )


def consent_list_for_client(*, actor: User, client: Client) -> list[Consent]:
    """All consents of a client (current first), for a viewer who may see the client."""
    if not policies.client_in_scope(actor, client.pk):
        raise NotFound("Client not found.")
    return list(
        Consent.objects.filter(client=client).select_related(
            "related_person", "program", "recorded_by", "revoked_by"
        )
    )


def consent_get(*, actor: User, consent_id: Any) -> Consent:
    try:
        return Consent.objects.select_related("client", "related_person").get(
            pk=consent_id, client__in=policies.client_scope(actor)
        )
    except (Consent.DoesNotExist, ValueError) as exc:
        raise NotFound("Consent not found.") from exc


def current_consents(client: Client, kind: str, on: dt.date | None = None) -> QuerySet[Consent]:
    return Consent.objects.filter(_current(on or clock.today()), client=client, kind=kind)


def share_consent_for_person(client: Client, person: RelatedPerson) -> Consent | None:
    """The current consent to share with this family member or caregiver, if any."""
    return (
        current_consents(client, ConsentKind.SHARE_RELATED_PERSON)
        .filter(related_person=person)
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
    return set(
        current_consents(client, ConsentKind.SHARE_RELATED_PERSON).values_list(
            "related_person_id", flat=True
        )
    )
