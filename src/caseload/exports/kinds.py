"""The kinds of export: each app that offers a large CSV registers one from its ``ready()``.

A kind says who may have it (``check``: raises ``NotFound`` otherwise; asked when the export
is requested, when the job writes it and at every download), what it holds (``rows``: the
header, how many rows and the rows themselves, each with the client it is about, computed in
the job in the requester's scope), and what to write in the audit trail about what it
contained (``record_contents``, with the clients of the rows written: the same events the list
page writes for the clients it shows).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from caseload.core.errors import NotFound

if TYPE_CHECKING:
    from caseload.staff.models import User

Filters = dict[str, Any]
#: One row of cells and the client it is about (None for a row about no client).
Row = tuple[Sequence[Any], uuid.UUID | None]


@dataclass(frozen=True)
class ExportRows:
    header: Sequence[str]
    total: int
    rows: Iterable[Row]


@dataclass(frozen=True)
class ExportKind:
    name: str  # stored on the record: "audit.search"
    title: str  # "Audit trail search"
    nav: str  # the main navigation entry the export's page belongs to
    check: Callable[[User, Filters], None]
    rows: Callable[[User, Filters], ExportRows]
    record_contents: Callable[[User, Filters, list[uuid.UUID]], None]
    download_name: Callable[[User, Filters], str]
    back: Callable[[Filters], str]  # the address of the page it was asked for on


_kinds: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> None:
    """Offer an export kind (from an app's ``ready()``)."""
    _kinds[kind.name] = kind


def kind_get(name: str) -> ExportKind:
    """The registered kind called ``name``; NotFound if no app offers it."""
    try:
        return _kinds[name]
    except KeyError:
        raise NotFound("No such export.") from None
