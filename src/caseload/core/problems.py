"""RFC 9457 problem details: the one shape of every error answered under ``/api/``.

``{"type", "title", "status", "detail", "code", "errors"?, "params"?, "request_id"}`` served as
``application/problem+json``. ``type`` is ``urn:caseload:error:<code>``; ``code`` is the
application error's stable code (as in ``core.errors``); ``errors`` maps a field (or an answer's
linkId) to its messages.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from caseload.core import request_context
from caseload.core.errors import AppError

API_PREFIX = "/api/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

#: The title of each status: the problem type's short summary (RFC 9457 §3.1.3).
TITLES = {
    400: "Invalid request",
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    429: "Too many requests",
    500: "Server error",
}
#: The code of a status when nothing more specific is known.
CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "throttled",
    500: "internal_error",
}


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def problem_response(
    status: int,
    *,
    detail: str = "",
    code: str = "",
    errors: dict[str, list[str]] | None = None,
    params: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> JsonResponse:
    """A problem+json response; ``code`` and the title default from ``status``."""
    code = code or CODES.get(status, "error")
    body: dict[str, Any] = {
        "type": f"urn:caseload:error:{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or TITLES.get(status, "Error"),
        "code": code,
    }
    if errors:
        body["errors"] = errors
    if params:
        body["params"] = {key: str(value) for key, value in params.items()}
    request_id = request_context.current().request_id
    if request_id:
        body["request_id"] = request_id
    body.update(extra or {})
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def app_error_problem(error: AppError, *, extra: dict[str, Any] | None = None) -> JsonResponse:
    """An application error (not found, permission, conflict, validation) as problem+json."""
    return problem_response(
        error.status,
        detail=error.message,
        code=error.code,
        errors=error.field_errors,
        params=error.params,
        extra=extra,
    )


#: The Problem schema the OpenAPI document declares for every error response.
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details, served as application/problem+json.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "example": "urn:caseload:error:not_found"},
        "title": {"type": "string", "example": "Not found"},
        "status": {"type": "integer", "example": 404},
        "detail": {"type": "string", "example": "Client not found."},
        "code": {"type": "string", "example": "not_found"},
        "errors": {
            "type": "object",
            "description": "Messages for each invalid field (or answer linkId).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "params": {"type": "object", "additionalProperties": {"type": "string"}},
        "request_id": {"type": "string", "description": "The X-Request-ID of the request."},
    },
}
