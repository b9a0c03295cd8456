"""Per-request facts (request id, client address) that audit events carry."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RequestInfo:
    request_id: str = ""
    ip_address: str | None = None
    #: Values worked out once per request (see ``memoised``); empty outside a request.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


_NO_REQUEST = RequestInfo()
_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "caseload_request", default=None
)


def current() -> RequestInfo:
    return _current.get() or _NO_REQUEST


def set_current(info: RequestInfo) -> contextvars.Token[RequestInfo | None]:
    return _current.set(info)


def reset(token: contextvars.Token[RequestInfo | None]) -> None:
    _current.reset(token)


def memoised(key: Any, compute: Callable[[], T]) -> T:
    """``compute()`` once per request for ``key`` (a tuple naming what and whose); outside a
    request (commands, tests calling services) it is computed every time, so nothing is ever
    kept longer than one request."""
    info = _current.get()
    if info is None:
        return compute()
    if key not in info.memo:
        info.memo[key] = compute()
    value: T = info.memo[key]
    return value


def remember(key: Any, value: Any) -> None:
    """Record ``value`` for ``key`` for the rest of the request (nothing outside a request)."""
    info = _current.get()
    if info is not None:
        info.memo[key] = value
