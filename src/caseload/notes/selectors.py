"""Reads for progress notes, always scoped through access.policies.client_scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from caseload.access.policies import client_scope
from caseload.careplans.models import CosignStatus
from caseload.clients.models import RelatedPerson
from caseload.core.errors import NotFound
from caseload.notes.models import NoteAddendum, ProgressNote

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User


def _scoped_notes(actor: User, client: Client | None = None) -> QuerySet[ProgressNote]:
    """Every note ``actor`` may see, including notes entered in error (their own page); with
    ``client``, that client's notes only."""
    if client is not None:
        return ProgressNote.objects.filter(
            client_id=client.pk, client__in=_client_in_scope(actor, client)
        )
    return ProgressNote.objects.filter(client__in=client_scope(actor))


def _client_in_scope(actor: User, client: Client) -> QuerySet[Client]:
    """The scope narrowed to one client: a lookup of that row, where the whole scope (an ``IN``
    list SQLite builds by checking every client of the organisation) costs ~80 ms at 10,000."""
    return client_scope(actor).filter(pk=client.pk)


def _current_notes(actor: User, client: Client | None = None) -> QuerySet[ProgressNote]:
    """Notes for normal views: those entered in error are left out."""
    return _scoped_notes(actor, client).filter(entered_in_error_at__isnull=True)


def _with_people(qs: QuerySet[ProgressNote]) -> QuerySet[ProgressNote]:
    return qs.select_related("author", "related_person", "cosigner").prefetch_related(
        Prefetch("addenda", queryset=NoteAddendum.objects.select_related("author"))
    )


def note_list_for_client(*, actor: User, client: Client, limit: int = 50) -> list[ProgressNote]:
    """The client's newest ``limit`` notes (people and addenda loaded) visible to ``actor``."""
    qs = _with_people(_current_notes(actor, client)).order_by("-contact_at", "-created_at")
    return list(qs[:limit])


def note_get(*, actor: User, note_id: Any) -> ProgressNote:
    """One note in ``actor``'s scope (entered in error or not) with client, people and addenda
    loaded, else NotFound."""
    try:
        return _with_people(
            _scoped_notes(actor).select_related(
                "client", "enrolment__program", "entered_in_error_by"
            )
        ).get(pk=note_id)
    except (ProgressNote.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise NotFound("Note not found.") from exc


def notes_awaiting_cosign(*, actor: User) -> list[ProgressNote]:
    """Signed notes waiting for ``actor``'s co-sign, oldest first, with client and author."""
    return list(
        _current_notes(actor)
        .filter(cosigner_id=actor.pk, cosign_status=CosignStatus.PENDING)
        .select_related("client", "author", "related_person")
        .order_by("signed_at", "contact_at")
    )


def note_contact_people(*, actor: User, client: Client) -> QuerySet[RelatedPerson]:
    """The client's active family members and caregivers, for 'who was the contact with'
    (people entered in error left out)."""
    return RelatedPerson.objects.filter(
        client_id=client.pk,
        client__in=_client_in_scope(actor, client),
        is_active=True,
        entered_in_error_at__isnull=True,
    )


def notes_entered_in_error_for_client(*, actor: User, client: Client) -> list[ProgressNote]:
    """The client's notes entered in error, most recently marked first, people loaded."""
    return list(
        _with_people(_scoped_notes(actor, client).filter(entered_in_error_at__isnull=False))
        .select_related("entered_in_error_by")
        .order_by("-entered_in_error_at", "-contact_at")
    )


def note_entered_in_error_count(*, actor: User, client: Client) -> int:
    """How many of the client's notes are entered in error (the chart's link says so)."""
    return _scoped_notes(actor, client).filter(entered_in_error_at__isnull=False).count()
