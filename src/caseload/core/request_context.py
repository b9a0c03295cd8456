"""Per-request facts (request id, client address) that audit events carry."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    request_id: str = ""
    ip_address: str | None = None


_current: contextvars.ContextVar[RequestInfo] = contextvars.ContextVar(
    "caseload_request", default=RequestInfo()
)


def current() -> RequestInfo:
    return _current.get()


def set_current(info: RequestInfo) -> contextvars.Token[RequestInfo]:
    return _current.set(info)


def reset(token: contextvars.Token[RequestInfo]) -> None:
    _current.reset(token)
