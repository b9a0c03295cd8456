"""Reads for transitions of care, always scoped through access.policies: an episode with its
clocks (and each clock's state today), a client's episodes (for the chart and the client
overview), and the worklist's building blocks (the earliest unmet clock per client)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from caseload.access import policies
from caseload.core import clock
from caseload.core.errors import NotFound, is_bad_id
from caseload.core.text import day_words
from caseload.transitions.models import (
    CLOCK_ORDER,
    ClockKind,
    ClockState,
    EpisodeCloseReason,
    EpisodeStatus,
    TransitionalCareEpisode,
    TransitionalClock,
)

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User


@dataclass(frozen=True)
class ClockView:
    """A transitional-care clock as a page shows it."""

    clock: TransitionalClock
    state: str

    @property
    def kind_label(self) -> str:
        return str(ClockKind(self.clock.kind).label)

    @property
    def state_label(self) -> str:
        return str(ClockState(self.state).label)

    @property
    def tag(self) -> str:
        tags: dict[str, str] = {
            ClockState.MET: "tag-ok",
            ClockState.MET_LATE: "tag-danger",
            ClockState.MISSED: "tag-danger",
            ClockState.DUE: "tag-warn",
        }
        return tags.get(self.state, "tag-muted")

    @property
    def is_open(self) -> bool:
        return self.state in (ClockState.DUE, ClockState.MISSED)


@dataclass(frozen=True)
class EpisodeView:
    episode: TransitionalCareEpisode
    clocks: list[ClockView]

    @property
    def day_number(self) -> int:
        """Which day of the 30 today is (1 = day of discharge)."""
        return (clock.today() - self.episode.discharged_on).days + 1

    @property
    def open_clocks(self) -> list[ClockView]:
        return [c for c in self.clocks if c.is_open and c.clock.met_on is None]


def _clock_views(
    episode: TransitionalCareEpisode, clocks: list[TransitionalClock]
) -> list[ClockView]:
    today = clock.today()
    closed_on = timezone.localdate(episode.closed_at) if episode.closed_at else None
    ordered = sorted(clocks, key=lambda c: CLOCK_ORDER.index(ClockKind(c.kind)))
    return [ClockView(clock=c, state=c.state_on(today, closed_on=closed_on)) for c in ordered]


def episode_get(*, actor: User, episode_id: Any) -> EpisodeView:
    """An episode with its clocks and their tasks (two queries), or NotFound."""
    policies.require_clinical(actor)
    try:
        episode = (
            TransitionalCareEpisode.objects.filter(client__in=policies.client_scope(actor))
            .select_related("client", "enrolment__program", "recorded_by")
            .prefetch_related(
                Prefetch(
                    "clocks",
                    queryset=TransitionalClock.objects.select_related("task", "recorded_by"),
                )
            )
            .get(pk=episode_id)
        )
    except TransitionalCareEpisode.DoesNotExist as exc:
        raise NotFound("Transitional-care episode not found.") from exc
    except Exception as exc:
        if is_bad_id(exc):
            raise NotFound("Transitional-care episode not found.") from exc
        raise
    return EpisodeView(episode=episode, clocks=_clock_views(episode, list(episode.clocks.all())))


def episode_list_for_client(*, actor: User, client: Client) -> list[TransitionalCareEpisode]:
    """Every transitional-care episode of ``client``, latest discharge first."""
    policies.require_client(actor, client.pk)
    return list(
        TransitionalCareEpisode.objects.filter(client_id=client.pk).order_by("-discharged_on")
    )


@dataclass(frozen=True)
class TransitionalCareSummary:
    """What the chart's "Transitional care" section shows."""

    episode: EpisodeView | None
    past_episodes_count: int


def transitional_care_for_client(*, actor: User, client: Client) -> TransitionalCareSummary:
    """The client's running transitional-care episode with its clocks, if any, and how many
    others there were; NotFound out of scope. Two queries.

    Does not audit: the chart page that includes it records "client.viewed".
    """
    policies.require_clinical_in_scope(actor, client.pk)
    episodes = list(
        TransitionalCareEpisode.objects.filter(client_id=client.pk)
        .prefetch_related("clocks")
        .order_by("-discharged_on")
    )
    running = next((e for e in episodes if e.is_running), None)
    return TransitionalCareSummary(
        episode=(
            EpisodeView(episode=running, clocks=_clock_views(running, list(running.clocks.all())))
            if running
            else None
        ),
        past_episodes_count=len(episodes) - (1 if running else 0),
    )


# ---------------------------------------------------------------------------------------------
# The worklist's building blocks


def _open_clocks(today: dt.date) -> QuerySet[TransitionalClock]:
    return TransitionalClock.objects.filter(
        episode__client_id=OuterRef("pk"),
        episode__status=EpisodeStatus.ACTIVE,
        episode__ends_on__gte=today,
        met_on__isnull=True,
    ).order_by("due_on", "kind")


def transitional_clock_due_on(today: dt.date | None = None) -> Subquery:
    """Annotation on Client rows: the earliest due date of an unmet clock of a running
    transitional-care episode (may be in the past: missed), else NULL."""
    return Subquery(_open_clocks(today or clock.today()).values("due_on")[:1])


def transitional_clock_kind(today: dt.date | None = None) -> Subquery:
    """Annotation on Client rows: which clock ``transitional_clock_due_on`` is (its kind)."""
    return Subquery(_open_clocks(today or clock.today()).values("kind")[:1])


def transitional_reason(due_on: dt.date, kind: str | None, today: dt.date | None = None) -> str:
    """'Transitional care: interactive contact due tomorrow' (or 'was due …' once missed)."""
    today = today or clock.today()
    what = ClockKind(kind).label.lower() if kind in ClockKind.values else "next step"
    if due_on < today:
        return f"Transitional care: {what} was due {day_words(due_on, today)}"
    return f"Transitional care: {what} due {day_words(due_on, today)}"


def clients_discharged_between(first: dt.date, last: dt.date) -> QuerySet[Any]:
    """The clients of the episodes ``episodes_discharged_between`` reads, as a subquery (the
    organisation's month is thousands of ids: no list of parameters)."""
    return (
        TransitionalCareEpisode.objects.filter(discharged_on__gte=first, discharged_on__lte=last)
        .exclude(close_reason=EpisodeCloseReason.ERROR)
        .values("client_id")
    )


@dataclass(frozen=True)
class DischargeEpisode:
    """What the program rules read of an episode: whose, when, how complex, and the day each
    clock was met (None: not met)."""

    client_id: Any
    discharged_on: dt.date
    complexity: str
    met_on: dict[str, dt.date | None]


def episodes_discharged_between(
    first: dt.date, last: dt.date, *, client_ids: Any = None
) -> list[DischargeEpisode]:
    """Transitional-care episodes discharged from ``first`` to ``last`` (not entered in error),
    with their clocks, for the program rules' transitional care codes; only ``client_ids``'
    when given. Two queries of plain values (the organisation's month is thousands)."""
    episodes = TransitionalCareEpisode.objects.filter(
        discharged_on__gte=first, discharged_on__lte=last
    ).exclude(close_reason=EpisodeCloseReason.ERROR)
    if client_ids is not None:
        episodes = episodes.filter(client_id__in=client_ids)
    met: dict[Any, dict[str, dt.date | None]] = defaultdict(dict)
    for episode_id, kind, met_on in TransitionalClock.objects.filter(
        episode__in=episodes.values("pk")
    ).values_list("episode_id", "kind", "met_on"):
        met[episode_id][kind] = met_on
    return [
        DischargeEpisode(client_id, discharged_on, complexity, met.get(pk, {}))
        for pk, client_id, discharged_on, complexity in episodes.order_by(
            "discharged_on"
        ).values_list("pk", "client_id", "discharged_on", "complexity")
    ]


# --- The month report (reports/) -----------------------------------------------------------


def clocks_for_report(program_ids: list[Any] | None) -> QuerySet[TransitionalClock]:
    """Transitional-care clocks, less those an episode closed early stopped (never met): a
    stopped clock is neither met nor missed."""
    rows = TransitionalClock.objects.exclude(
        episode__status=EpisodeStatus.CLOSED, met_on__isnull=True
    )
    if program_ids is None:
        return rows
    return rows.filter(episode__enrolment__program_id__in=program_ids)
