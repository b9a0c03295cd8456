"""Reads about consent, and the one question every share asks: is there a current consent?"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from caseload.access import policies
from caseload.consents.models import Consent, ConsentKind, ShareCategory
from caseload.core import clock
from caseload.core.errors import NotFound

if TYPE_CHECKING:
    from caseload.clients.models import Client, RelatedPerson
    from caseload.staff.models import User


def _in_force(at: dt.datetime) -> Q:
    """In force at ``at``: given by that day, not expired that day, not revoked by then, and
    not entered in error (an entry made in error never allowed anything)."""
    day = timezone.localdate(at)
    return (
        Q(entered_in_error_at__isnull=True, given_on__lte=day)
        & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        & (Q(revoked_at__isnull=True) | Q(revoked_at__gt=at))
    )


def _moment(on: dt.date | dt.datetime | None) -> dt.datetime:
    """A day means the end of that day's checks at the current time: today is now, another
    day is its last moment (a revocation later that day still counts against it)."""
    if on is None:
        return clock.now()
    if isinstance(on, dt.datetime):
        return on
    if on == clock.today():
        return clock.now()
    return timezone.make_aware(dt.datetime.combine(on, dt.time.max))


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


def current_consents(
    client: Client, kind: str, on: dt.date | dt.datetime | None = None
) -> QuerySet[Consent]:
    """The client's consents of ``kind`` in force at ``on`` (now): none revoked, expired or
    entered in error."""
    return Consent.objects.filter(_in_force(_moment(on)), client=client, kind=kind)


def missing_categories(consent: Consent, categories: Iterable[str]) -> list[str]:
    """The kinds of information in ``categories`` that ``consent`` does not cover."""
    allowed = set(consent.categories)
    return [c for c in dict.fromkeys(categories) if c not in allowed]


def _first_covering(consents: QuerySet[Consent], categories: Iterable[str]) -> Consent | None:
    wanted = list(categories)
    for consent in consents.order_by("-given_on", "-created_at"):
        if not missing_categories(consent, wanted):
            return consent
    return None


def share_consents_for_person(
    client: Client, person: RelatedPerson, *, at: dt.date | dt.datetime | None = None
) -> QuerySet[Consent]:
    """Consents to share with this family member or caregiver in force at ``at`` (now); none
    for a person entered in error."""
    return current_consents(client, ConsentKind.SHARE_RELATED_PERSON, at).filter(
        related_person=person, related_person__entered_in_error_at__isnull=True
    )


def share_consent_for_person(
    client: Client,
    person: RelatedPerson,
    *,
    categories: Iterable[str] = (),
    at: dt.date | dt.datetime | None = None,
) -> Consent | None:
    """The consent in force at ``at`` (now) to share ``categories`` with this family member or
    caregiver, if any."""
    return _first_covering(share_consents_for_person(client, person, at=at), categories)


def _provider_names(names: str | Iterable[str]) -> list[str]:
    found = [names] if isinstance(names, str) else list(names)
    return [n.strip() for n in found if n and n.strip()]


def share_consents_for_provider(
    client: Client, names: str | Iterable[str], *, at: dt.date | dt.datetime | None = None
) -> QuerySet[Consent]:
    """Consents in force at ``at`` (now) to share with a provider known by any of ``names``
    (a service's name or its organisation's; letter case and outer spaces ignored)."""
    match = Q(pk__in=[])
    for name in _provider_names(names):
        match |= Q(provider_name__iexact=name)
    return current_consents(client, ConsentKind.SHARE_PROVIDER, at).filter(match)


def share_consent_for_provider(
    client: Client,
    names: str | Iterable[str],
    *,
    categories: Iterable[str] = (),
    at: dt.date | dt.datetime | None = None,
) -> Consent | None:
    """The consent in force at ``at`` (now) to share ``categories`` with the named provider."""
    return _first_covering(share_consents_for_provider(client, names, at=at), categories)


def provider_consents(*, actor: User, client: Client) -> list[Consent]:
    """The client's current consents to share with providers, newest first (none out of
    ``actor``'s scope)."""
    return list(
        current_consents(client, ConsentKind.SHARE_PROVIDER)
        .filter(policies.rows_of_client(actor, client.pk))
        .order_by("-given_on", "-created_at")
    )


#: What a family member or caregiver "receiving updates" is given: progress updates.
UPDATE_CATEGORIES = (ShareCategory.NOTES,)


def update_consents_by_person(consents: Iterable[Consent]) -> dict[Any, Consent]:
    """From a client's loaded consents: each family member or caregiver whose consent in force
    now covers progress updates, with that consent (the newest)."""
    now = clock.now()
    allowed: dict[Any, Consent] = {}
    for consent in sorted(consents, key=lambda c: (c.given_on, c.created_at), reverse=True):
        if (
            consent.kind == ConsentKind.SHARE_RELATED_PERSON
            and consent.related_person_id not in allowed
            and consent.is_in_force(now)
            and consent.covers(UPDATE_CATEGORIES)
        ):
            allowed[consent.related_person_id] = consent
    return allowed


def people_who_may_receive_updates(*, actor: User, client: Client) -> dict[Any, Consent]:
    """Family members and caregivers whose current consent covers progress updates, each with
    the consent that allows it (the newest); none entered in error, none out of ``actor``'s
    scope."""
    return update_consents_by_person(
        current_consents(client, ConsentKind.SHARE_RELATED_PERSON).filter(
            policies.rows_of_client(actor, client.pk),
            related_person__entered_in_error_at__isnull=True,
        )
    )


def billing_consent_programs(*, clients: Q, first: dt.date, last: dt.date) -> dict[Any, list[str]]:
    """For the program rules' monthly evaluation: the billing program words of each client's
    time-based billing consents in force at some time from ``first`` to ``last`` (by client id).
    ``clients`` is a condition on the consent's ``client_id`` naming the clients evaluated; the
    caller decides who may see the results."""
    start = timezone.make_aware(dt.datetime.combine(first, dt.time()))
    rows = (
        Consent.objects.filter(
            clients,
            kind=ConsentKind.BILLING,
            entered_in_error_at__isnull=True,
            given_on__lte=last,
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=first))
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=start))
        .values_list("client_id", "billing_program")
    )
    found: dict[Any, list[str]] = {}
    for client_id, words in rows:
        found.setdefault(client_id, []).append(words)
    return found
