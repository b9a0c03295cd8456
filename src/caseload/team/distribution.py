"""Who takes which client when a caseload is handed on: a pure function, no database.

``distribute(clients, receivers)`` proposes a receiving care manager for every client and says
which wishes it could not honour. The rules, in the order they give way:

1. **Program** (never given up): a receiver takes a client only in a program they work in.
2. **Credentials** (never given up): a receiver must hold every credential the client's program
   requires (``credentials.py`` supplies none until the workforce app exists).
3. **Caseload cap** (never exceeded): a receiver's open enrolments after the move stay within
   their cap.
4. **Household** (given up last): clients who share a household go to one receiver. When no
   receiver can take the whole household, its members are placed one by one, and the proposal
   says so.
5. **Language**: a receiver who speaks the client's preferred language is preferred. English,
   the organisation's working language, every care manager speaks.
6. **Balance**: among equally good receivers, the one whose caseload is lightest against their
   cap after the move (then by name, so the same input always gives the same proposal).

A client no receiver may take (program, credential or cap) is left unplaced, with the reason:
they stay with their care manager unless the senior chooses someone for them on the preview.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

WORKING_LANGUAGE = "english"


def language_key(language: str) -> str:
    return " ".join((language or "").split()).casefold()


def spoken_languages(listed: str) -> frozenset[str]:
    """A staff member's languages ("Spanish, Tagalog") as keys, with the working language."""
    keys = {language_key(part) for part in (listed or "").split(",")}
    return frozenset({WORKING_LANGUAGE, *(key for key in keys if key)})


@dataclass(frozen=True)
class ClientToPlace:
    """One enrolment to hand on (a client with two enrolments moving is two of these, with the
    same household key, so they stay together)."""

    key: Hashable  # the enrolment's id
    client_name: str
    program_id: Hashable
    program_name: str
    language: str = "English"
    household: Hashable = None  # clients with the same non-empty key live together
    required_credentials: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Receiver:
    key: Hashable  # the user's id
    name: str
    cap: int
    current: int  # open enrolments now
    program_ids: frozenset[Hashable]
    languages: frozenset[str] = frozenset({WORKING_LANGUAGE})
    credentials: frozenset[str] = frozenset()

    def speaks(self, language: str) -> bool:
        return language_key(language) in self.languages


@dataclass(frozen=True)
class Load:
    receiver: Receiver
    before: int
    after: int

    @property
    def cap(self) -> int:
        return self.receiver.cap

    @property
    def over_cap(self) -> bool:
        return self.after > self.receiver.cap


@dataclass
class Distribution:
    #: enrolment key → receiver key, or None when nobody could take the client.
    placements: dict[Hashable, Hashable | None]
    #: what could not be honoured, in words, one line per kind of reason and group of clients.
    unmet: list[str] = field(default_factory=list)
    #: enrolment key → what could not be honoured for that client.
    notes: dict[Hashable, list[str]] = field(default_factory=dict)

    def unplaced(self) -> list[Hashable]:
        return [key for key, receiver in self.placements.items() if receiver is None]


def loads(receivers: Sequence[Receiver], placements: dict[Hashable, Hashable | None]) -> list[Load]:
    """Each receiver's caseload before and after ``placements``."""
    gained = Counter(receiver for receiver in placements.values() if receiver is not None)
    return [Load(r, r.current, r.current + gained.get(r.key, 0)) for r in receivers]


def _groups(clients: Sequence[ClientToPlace]) -> list[list[ClientToPlace]]:
    """Households together; the hardest to place first (largest, then a language other than
    English, where receivers are fewest), then by name for a stable order."""
    by_household: dict[Hashable, list[ClientToPlace]] = defaultdict(list)
    singles: list[list[ClientToPlace]] = []
    for client in clients:
        if client.household in (None, ""):
            singles.append([client])
        else:
            by_household[client.household].append(client)
    groups = [*by_household.values(), *singles]

    def hardness(group: list[ClientToPlace]) -> tuple[int, int, str]:
        english = all(language_key(c.language) == WORKING_LANGUAGE for c in group)
        return (-len(group), 1 if english else 0, group[0].client_name.casefold())

    return sorted(groups, key=hardness)


def _group_language(group: list[ClientToPlace]) -> str:
    counts = Counter(c.language for c in group if language_key(c.language) != WORKING_LANGUAGE)
    return counts.most_common(1)[0][0] if counts else "English"


class _Board:
    """The receivers and the room each has left while the proposal is built."""

    def __init__(self, receivers: Sequence[Receiver]) -> None:
        self.receivers = sorted(receivers, key=lambda r: (r.name.casefold(), str(r.key)))
        self.load = {r.key: r.current for r in receivers}

    def room(self, receiver: Receiver) -> int:
        return receiver.cap - self.load[receiver.key]

    def eligible(self, client: ClientToPlace) -> list[Receiver]:
        return [
            r
            for r in self.receivers
            if client.program_id in r.program_ids and client.required_credentials <= r.credentials
        ]

    def lightest(self, candidates: Iterable[Receiver], size: int) -> Receiver:
        def after(r: Receiver) -> tuple[float, str]:
            return ((self.load[r.key] + size) / r.cap if r.cap else 1e9, r.name.casefold())

        return min(candidates, key=after)

    def take(self, receiver: Receiver, count: int) -> None:
        self.load[receiver.key] += count


def _names(group: list[ClientToPlace]) -> str:
    names = sorted({c.client_name for c in group})
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _why_nobody(client: ClientToPlace, board: _Board) -> str:
    in_program = [r for r in board.receivers if client.program_id in r.program_ids]
    if not in_program:
        return f"no receiver works in {client.program_name}"
    credentialed = [r for r in in_program if client.required_credentials <= r.credentials]
    if not credentialed:
        missing = ", ".join(sorted(client.required_credentials))
        return f"no receiver in {client.program_name} holds the credential {missing}"
    return f"no receiver in {client.program_name} has room under their caseload cap"


def _sentence(reason: str, names: list[str]) -> str:
    text = reason[0].upper() + reason[1:]
    if reason.startswith("could not keep the household"):
        return text + "."
    return f"{text}: {', '.join(sorted(names))}."


def distribute(clients: Sequence[ClientToPlace], receivers: Sequence[Receiver]) -> Distribution:
    """Propose a receiver for every client (see the module's rules)."""
    board = _Board(receivers)
    result = Distribution(placements={c.key: None for c in clients})
    reasons: dict[str, list[str]] = defaultdict(list)  # reason → client names

    def note(client: ClientToPlace, reason: str) -> None:
        result.notes.setdefault(client.key, []).append(reason)
        if client.client_name not in reasons[reason]:
            reasons[reason].append(client.client_name)

    def place(group: list[ClientToPlace]) -> bool:
        """Give the whole group to one receiver if anyone may take it all; True if placed."""
        candidates = [r for r in board.receivers if all(r in board.eligible(c) for c in group)]
        with_room = [r for r in candidates if board.room(r) >= len(group)]
        if not with_room:
            return False
        language = _group_language(group)
        speakers = [r for r in with_room if r.speaks(language)]
        chosen = board.lightest(speakers or with_room, len(group))
        if not speakers:
            if any(r.speaks(language) for r in candidates):
                reason = f"no receiver with room speaks {language}"
            else:
                reason = f"no receiver speaks {language}"
            for client in group:
                if language_key(client.language) == language_key(language):
                    note(client, reason)
        board.take(chosen, len(group))
        for client in group:
            result.placements[client.key] = chosen.key
        return True

    for group in _groups(clients):
        if place(group):
            continue
        if len(group) > 1:
            for client in group:
                note(client, f"could not keep the household of {_names(group)} together")
        for client in group:
            if not place([client]):
                note(client, _why_nobody(client, board))

    result.unmet = [_sentence(reason, names) for reason, names in reasons.items()]
    return result
