"""Reads of bulk reassignment: the enrolments a senior may move, the receivers, and the
distribution's inputs built from them (one query each, whatever the batch's size)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from caseload.access import policies
from caseload.enrolments.models import Enrolment, Program
from caseload.enrolments.selectors import enrolments_reassignable, open_enrolment_counts
from caseload.staff.models import User
from caseload.team import credentials
from caseload.team.distribution import ClientToPlace, Receiver, spoken_languages


@dataclass(frozen=True)
class Filters:
    """Which of the actor's reassignable open enrolments to offer."""

    care_manager: User | None = None
    program_id: Any = None
    acuity: int | None = None
    language: str = ""
    area: str = ""


def household_key(address_line: str, postal_code: str) -> str | None:
    """Clients at one address (street line and postal code, spelled loosely alike) live
    together; no address, no household."""
    street = " ".join((address_line or "").replace(",", " ").split()).casefold()
    if not street:
        return None
    return f"{street}|{''.join((postal_code or '').split()).casefold()}"


def reassignable(actor: User, condition: Q | None = None) -> QuerySet[Enrolment]:
    """Open enrolments ``actor`` may move (none for anyone who does not lead a program)."""
    return enrolments_reassignable(actor=actor, condition=condition)


def enrolments_to_offer(*, actor: User, filters: Filters) -> list[Enrolment]:
    """The enrolments matching ``filters``, with their clients, by client name."""
    condition = Q()
    if filters.care_manager is not None:
        condition &= Q(care_manager=filters.care_manager)
    if filters.program_id:
        condition &= Q(program_id=filters.program_id)
    if filters.acuity:
        condition &= Q(acuity=filters.acuity)
    if filters.language:
        condition &= Q(client__preferred_language__iexact=filters.language)
    if filters.area:
        condition &= Q(client__city__iexact=filters.area)
    return list(
        reassignable(actor, condition).order_by(
            "client__family_name", "client__given_name", "program__name"
        )
    )


def enrolments_by_id(*, actor: User, ids: Iterable[Any]) -> list[Enrolment]:
    """The enrolments with these ids that ``actor`` may move (others are silently left out:
    they are either out of scope or no longer open, and the preview shows what is left)."""
    wanted = _valid_uuids([str(i) for i in ids])
    return list(
        reassignable(actor, Q(pk__in=wanted)).order_by(
            "client__family_name", "client__given_name", "program__name"
        )
    )


def _valid_uuids(values: Sequence[str]) -> list[str]:
    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value)))
        except (ValueError, AttributeError):
            continue
    return valid


def care_managers_with_reassignable(actor: User) -> list[tuple[User, int]]:
    """Whose caseloads ``actor`` may hand on, with the number of open enrolments of each."""
    counts = dict(
        reassignable(actor)
        .values_list("care_manager_id")
        .annotate(n=Count("pk"))
        .values_list("care_manager_id", "n")
    )
    people = User.objects.filter(pk__in=counts).order_by("last_name", "first_name")
    return [(person, counts[person.pk]) for person in people]


def filter_choices(actor: User) -> dict[str, list[Any]]:
    """Programs, languages and areas among the enrolments ``actor`` may move."""
    rows = reassignable(actor)
    programs = Program.objects.filter(pk__in=rows.values("program_id")).order_by("name")
    languages = sorted(
        set(rows.values_list("client__preferred_language", flat=True).distinct()) - {""}
    )
    areas = sorted(set(rows.values_list("client__city", flat=True).distinct()) - {""})
    return {"programs": list(programs), "languages": languages, "areas": areas}


def receiver_choices(actor: User) -> list[User]:
    return list(
        policies.reassignment_receivers(actor)
        .prefetch_related("programs")
        .order_by("last_name", "first_name")
    )


def open_counts(user_ids: Iterable[Any]) -> dict[Any, int]:
    """Open enrolments each of these people manage now (one aggregate query)."""
    return open_enrolment_counts(user_ids)


def receivers_for(people: Sequence[User]) -> list[Receiver]:
    """The distribution's view of each receiving care manager."""
    counts = open_counts(p.pk for p in people)
    held = credentials.credentials_held(p.pk for p in people)
    return [
        Receiver(
            key=person.pk,
            name=str(person),
            cap=person.caseload_cap,
            current=counts[person.pk],
            program_ids=frozenset(program.pk for program in person.programs.all()),
            languages=spoken_languages(person.languages),
            credentials=held.get(person.pk, frozenset()),
        )
        for person in people
    ]


def clients_for(enrolments: Sequence[Enrolment]) -> list[ClientToPlace]:
    """The distribution's view of each enrolment to move. Two enrolments of one client share the
    client's household (or, without an address, the client) so they go to one receiver."""
    required = credentials.required_credentials({e.program_id for e in enrolments})
    per_client = Counter(enrolment.client_id for enrolment in enrolments)
    placed = []
    for enrolment in enrolments:
        client = enrolment.client
        household = household_key(client.address_line, client.postal_code)
        if household is None and per_client[client.pk] > 1:
            household = f"client:{client.pk}"
        placed.append(
            ClientToPlace(
                key=enrolment.pk,
                client_name=client.full_name,
                program_id=enrolment.program_id,
                program_name=enrolment.program.name,
                language=client.preferred_language or "English",
                household=household,
                required_credentials=required.get(enrolment.program_id, frozenset()),
            )
        )
    return placed
