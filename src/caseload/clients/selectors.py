"""Reads for clients: a related person, a flag, and the client's flags and people for the chart."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from caseload.access import policies
from caseload.clients.models import Client, Flag, FlagKind, RelatedPerson
from caseload.core.errors import NotFound

if TYPE_CHECKING:
    from caseload.staff.models import User


@dataclass(frozen=True)
class ClientFlags:
    """The client's active flags (newest first) and those entered in error (most recently
    marked first); resolved flags are in neither."""

    active: list[Flag]
    entered_in_error: list[Flag]


def flags_for_client(*, actor: User, client: Client) -> ClientFlags:
    """The flags the chart shows and discloses, in one query (none out of scope)."""
    flags = list(
        Flag.objects.filter(policies.rows_of_client(actor, client.pk))
        .filter(
            Q(is_active=True, entered_in_error_at__isnull=True)
            | Q(entered_in_error_at__isnull=False)
        )
        .select_related("raised_by", "entered_in_error_by")
        .order_by("-created_at")
    )
    active = [f for f in flags if f.entered_in_error_at is None]
    in_error = [f for f in flags if f.entered_in_error_at is not None]
    in_error.sort(key=lambda f: f.entered_in_error_at or f.created_at, reverse=True)
    return ClientFlags(active=active, entered_in_error=in_error)


@dataclass(frozen=True)
class ClientPeople:
    """The client's family members and caregivers still involved, and those entered in error."""

    current: list[RelatedPerson]
    entered_in_error: list[RelatedPerson]


def related_people_for_client(*, actor: User, client: Client) -> ClientPeople:
    """The people the chart lists and discloses, in one query (none out of scope)."""
    people = list(
        RelatedPerson.objects.filter(policies.rows_of_client(actor, client.pk))
        .filter(Q(is_active=True) | Q(entered_in_error_at__isnull=False))
        .select_related("entered_in_error_by")
    )
    return ClientPeople(
        current=[p for p in people if not p.is_entered_in_error],
        entered_in_error=[p for p in people if p.is_entered_in_error],
    )


def contact_people_for_client(*, actor: User, client: Client) -> QuerySet[RelatedPerson]:
    """The client's active family members and caregivers, for 'who was the contact with'
    (people entered in error left out)."""
    return RelatedPerson.objects.filter(
        policies.rows_of_client(actor, client.pk),
        is_active=True,
        entered_in_error_at__isnull=True,
    )


def active_safety_flag(*, actor: User, client: Client) -> Flag | None:
    """The client's active safety flag, if any (entered-in-error flags are inactive)."""
    return (
        Flag.objects.filter(
            policies.rows_of_client(actor, client.pk), kind=FlagKind.SAFETY, is_active=True
        )
        .order_by("created_at")
        .first()
    )


def related_person_get(*, actor: User, client_id: Any, person_id: Any) -> RelatedPerson:
    """A related person of a client in scope (entered in error or not); NotFound otherwise."""
    try:
        return (
            RelatedPerson.objects.filter(client__in=policies.client_scope(actor))
            .select_related("client", "entered_in_error_by")
            .get(pk=person_id, client_id=client_id)
        )
    except (RelatedPerson.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Person not found.") from exc


def flag_get(*, actor: User, client_id: Any, flag_id: Any) -> Flag:
    """A flag on a client in scope (entered in error or not); NotFound otherwise."""
    try:
        return (
            Flag.objects.filter(client__in=policies.client_scope(actor))
            .select_related("client", "raised_by", "resolved_by", "entered_in_error_by")
            .get(pk=flag_id, client_id=client_id)
        )
    except (Flag.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Flag not found.") from exc


# For the worklist (top floor).


def has_safety_flag() -> Exists:
    """Whether the outer client has an active safety flag.
    Correlated with ``OuterRef("pk")`` of a client queryset that starts from
    ``access.policies.client_scope`` (the worklist's): the outer query carries the scope."""
    return Exists(
        Flag.objects.filter(
            client_id=OuterRef("pk"),
            kind=FlagKind.SAFETY,
            is_active=True,
            entered_in_error_at__isnull=True,
        )
    )


def active_flags_by_client(client_ids: list[Any]) -> dict[Any, list[Any]]:
    """Each listed client's active flags (kind, description), newest first, for clients the
    caller has just read through ``client_scope`` (the worklist's page of rows)."""
    flags: dict[Any, list[Any]] = defaultdict(list)
    for flag in (
        Flag.objects.filter(
            client_id__in=client_ids, is_active=True, entered_in_error_at__isnull=True
        )
        .order_by("-created_at")
        .values("client_id", "kind", "description")
    ):
        flags[flag["client_id"]].append(flag)
    return flags
