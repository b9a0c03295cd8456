"""Reads for progress notes, always scoped through access.policies.client_scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth

from caseload.access.policies import client_scope, rows_of_client
from caseload.core.errors import NotFound
from caseload.core.models import CosignStatus
from caseload.notes.models import ContactType, ContactWith, NoteAddendum, NoteStatus, ProgressNote

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User


def _scoped_notes(actor: User, client: Client | None = None) -> QuerySet[ProgressNote]:
    """Every note ``actor`` may see, including notes entered in error (their own page); with
    ``client``, that client's notes only."""
    if client is not None:
        return ProgressNote.objects.filter(rows_of_client(actor, client.pk))
    return ProgressNote.objects.filter(client__in=client_scope(actor))


def _current_notes(actor: User, client: Client | None = None) -> QuerySet[ProgressNote]:
    """Notes for normal views: those entered in error are left out."""
    return _scoped_notes(actor, client).filter(entered_in_error_at__isnull=True)


def _with_people(qs: QuerySet[ProgressNote]) -> QuerySet[ProgressNote]:
    return qs.select_related("author", "related_person", "cosigner").prefetch_related(
        Prefetch("addenda", queryset=NoteAddendum.objects.select_related("author"))
    )


#: Notes per page of a client's timeline (the chart shows the first page).
TIMELINE_PAGE = 20

# Newest contact first; notes of the same minute by when they were written, then by id, so
# that every note has one place in the order and a page boundary never skips or repeats one.
_TIMELINE_ORDER = ("-contact_at", "-created_at", "-id")


@dataclass(frozen=True)
class NotePage:
    """One page of a client's timeline, newest first, and whether older notes follow."""

    notes: list[ProgressNote]
    has_older: bool

    @property
    def last(self) -> ProgressNote | None:
        """The oldest note shown: the next page starts after it."""
        return self.notes[-1] if self.notes else None


def _older_than(note: ProgressNote) -> Q:
    """Notes after ``note`` in the timeline order (keyset: no offset to count through)."""
    return (
        Q(contact_at__lt=note.contact_at)
        | Q(contact_at=note.contact_at, created_at__lt=note.created_at)
        | Q(contact_at=note.contact_at, created_at=note.created_at, id__lt=note.pk)
    )


def note_page_for_client(
    *,
    actor: User,
    client: Client,
    after: ProgressNote | None = None,
    limit: int = TIMELINE_PAGE,
) -> NotePage:
    """The client's notes visible to ``actor``, newest first, ``limit`` at a time, people and
    addenda loaded (two queries): the first page, or the page that follows ``after``."""
    qs = _current_notes(actor, client)
    if after is not None:
        qs = qs.filter(_older_than(after))
    rows = list(_with_people(qs).order_by(*_TIMELINE_ORDER)[: limit + 1])
    return NotePage(notes=rows[:limit], has_older=len(rows) > limit)


def timeline_note_get(*, actor: User, client: Client, note_id: Any) -> ProgressNote:
    """A note of ``client`` to page the timeline from; NotFound for any other id."""
    try:
        return _scoped_notes(actor, client).get(pk=note_id)
    except (ProgressNote.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise NotFound("Note not found.") from exc


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
        .filter(ProgressNote.awaiting_cosign_by(actor.pk))
        .select_related("client", "author", "related_person")
        .order_by("signed_at", "contact_at")
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


# For the worklist (top floor).


def last_contact_subquery() -> Subquery:
    """When the outer client was last reached (a signed note, not entered in error).
    Correlated with ``OuterRef("pk")`` of a client queryset that starts from
    ``access.policies.client_scope`` (the worklist's): the outer query carries the scope."""
    return Subquery(
        ProgressNote.objects.filter(
            client_id=OuterRef("pk"),
            status=NoteStatus.SIGNED,
            reached=True,
            entered_in_error_at__isnull=True,
        )
        .order_by("-contact_at")
        .values("contact_at")[:1]
    )


# For the team view (top floor): ``author_ids`` are the team's, from
# access.policies.team_members; the clients behind a figure are listed through client_scope.

#: A note that reached the client or their family (what "not reached in N days" looks for).
REACHED = Q(
    status=NoteStatus.SIGNED,
    reached=True,
    entered_in_error_at__isnull=True,
    contact_with__in=[ContactWith.CLIENT, ContactWith.RELATED_PERSON],
)


def clients_reached_since(since: dt.datetime) -> QuerySet[ProgressNote, Any]:
    """The ids of the clients reached (``REACHED``) at or after ``since``, as an uncorrelated
    subquery for ``client_id__in`` on rows that start from a scope: PostgreSQL reads the recent
    notes once (the partial index ``note_reached_contact_idx``) and hashes them, rather than
    probing every client's notes."""
    return ProgressNote.objects.filter(REACHED, contact_at__gte=since).values("client_id")


def notes_awaiting_cosign_by(author_ids: list[Any]) -> QuerySet[ProgressNote]:
    """These authors' notes waiting for their supervisor's co-sign."""
    return ProgressNote.objects.filter(
        author_id__in=author_ids,
        cosign_status=CosignStatus.PENDING,
        entered_in_error_at__isnull=True,
    )


# --- The month report (reports/) -----------------------------------------------------------
REPORT_CONTACT_TYPES = (
    ContactType.PHONE,
    ContactType.VIDEO,
    ContactType.VISIT,
    ContactType.MESSAGE,
)


def contacts_for_report(program_ids: list[Any] | None) -> QuerySet[ProgressNote]:
    """Signed notes of a contact that reached someone, by phone, video, in person or message,
    written in an enrolment of these programs (None: every program)."""
    rows = ProgressNote.objects.filter(
        status=NoteStatus.SIGNED,
        entered_in_error_at__isnull=True,
        enrolment__isnull=False,
        reached=True,
        contact_type__in=REPORT_CONTACT_TYPES,
    )
    return rows if program_ids is None else rows.filter(enrolment__program_id__in=program_ids)


def clients_reached_between(start: dt.datetime, end: dt.datetime) -> QuerySet[Any]:
    """The ids of clients a signed contact reached (them or their family) in [start, end): a
    subquery (``client_id__in=``), read from the partial index note_reached_contact_idx."""
    return ProgressNote.objects.filter(REACHED, contact_at__gte=start, contact_at__lt=end).values(
        "client_id"
    )


#: contact_counts_by_month's counts: name → the condition on a contact note.
CONTACT_COUNTS: dict[str, Q] = {
    "contacts": Q(),
    "contacts_phone": Q(contact_type=ContactType.PHONE),
    "contacts_video": Q(contact_type=ContactType.VIDEO),
    "contacts_visit": Q(contact_type=ContactType.VISIT),
    "contacts_message": Q(contact_type=ContactType.MESSAGE),
    "with_client": Q(contact_with=ContactWith.CLIENT),
    "with_family": Q(contact_with=ContactWith.RELATED_PERSON),
    "with_provider": Q(contact_with=ContactWith.PROVIDER),
}


def contact_counts_by_month(
    *, start: dt.datetime, end: dt.datetime, tz: dt.tzinfo, program_ids: list[Any] | None
) -> list[dict[str, Any]]:
    """The report's contacts in [start, end), counted per calendar month in ``tz``, program and
    care manager (of the note's enrolment): one grouped aggregate, read from the partial index
    note_contact_month_idx. Each row: month (its first day), program_id, care_manager_id and
    one count per ``CONTACT_COUNTS`` name."""
    rows = (
        contacts_for_report(program_ids)
        .filter(contact_at__gte=start, contact_at__lt=end)
        .annotate(month=TruncMonth("contact_at", tzinfo=tz))
        .order_by()
        .values("month", "enrolment__program_id", "enrolment__care_manager_id")
        .annotate(
            **{name: Count("pk", filter=condition) for name, condition in CONTACT_COUNTS.items()}
        )
    )
    return [
        {
            **row,
            "month": row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"],
            "program_id": row.pop("enrolment__program_id"),
            "care_manager_id": row.pop("enrolment__care_manager_id"),
        }
        for row in rows
    ]
