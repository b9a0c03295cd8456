"""Per-request facts (request id, client address) that audit events carry."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    request_id: str = ""
    ip_address: str | None = None


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
