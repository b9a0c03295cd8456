"""Logging: the request id on every record, JSON lines for log shippers, and the traceback of
a 500 whose exception Django caught without logging it.

Settings name these classes by dotted path (``LOGGING``); nothing here imports a model.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest

from caseload.core import request_context

#: Where the request id and a caught exception ride on the request (``request.META``), for
#: records logged after the request context has ended.
REQUEST_ID_KEY = "caseload.request_id"
EXCEPTION_KEY = "caseload.exc_info"


def remember_exception(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """``got_request_exception`` receiver: keeps the exception being handled on the request.

    Django sends the signal whenever it turns an exception into a 500, but when the exception
    is raised by an error page itself (the 404 page, say) it logs only "Internal Server Error:
    /path", without the exception; ``RequestFilter`` puts it back on that record.
    """
    if request is not None:
        request.META[EXCEPTION_KEY] = sys.exc_info()


class RequestFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside a request) and restores the traceback
    of a 500 logged without one."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        meta: dict[str, Any] = getattr(request, "META", None) or {}
        if not getattr(record, "request_id", ""):
            record.request_id = (
                request_context.current().request_id or meta.get(REQUEST_ID_KEY) or "-"
            )
        if (
            record.exc_info is None
            and getattr(record, "status_code", 0) >= 500
            and meta.get(EXCEPTION_KEY)
        ):
            record.exc_info = meta[EXCEPTION_KEY]
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id when the record
    belongs to a request, status_code on django.request records, exc_info as text."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "-")
        if request_id != "-":
            entry["request_id"] = request_id
        status_code = getattr(record, "status_code", None)
        if isinstance(status_code, int):
            entry["status_code"] = status_code
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)
