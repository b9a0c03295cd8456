"""The JSON API's base: every error is problem+json, and the OpenAPI document says so.

Each app offers a django-ninja router; ``config/api.py`` mounts them on one ``CaseloadAPI``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from caseload.core.errors import AppError
from caseload.core.problems import (
    PROBLEM_CONTENT_TYPE,
    PROBLEM_SCHEMA,
    TITLES,
    app_error_problem,
    problem_response,
)

logger = logging.getLogger(__name__)

#: Error responses every operation may answer, declared in the OpenAPI document.
DECLARED_ERRORS = (400, 401, 403, 404, 409)


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """``("body", "payload", "answers", "q1")`` -> ``answers.q1``; ``("query", "n")`` -> ``n``."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body" and len(parts) > 2:
        parts = parts[2:]  # the source, then the view's body argument
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or "body"


# The handlers take ``exc: Any``: ninja types a handler's exception as "the class or an instance".


def _invalid(request: HttpRequest, exc: Any) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error.get("loc", ())), []).append(str(error.get("msg", "")))
    return problem_response(400, detail="The request is not valid.", code="invalid", errors=errors)


def _http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    status = int(exc.status_code)
    code = "csrf_failed" if status == 403 and "CSRF" in str(exc) else ""
    detail = {
        401: "Sign in to use the API.",
        403: "The CSRF token is missing or wrong." if code else "",
    }.get(status, "")
    return problem_response(status, detail=detail or str(exc), code=code)


def _not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return problem_response(404, detail="Not found.")


def _forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
    return problem_response(403, detail="You may not do this.")


def _app_error(request: HttpRequest, exc: Any) -> HttpResponse:
    return app_error_problem(exc)


def _unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return problem_response(
        500, detail="Something went wrong. The error was logged with this request id."
    )


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": TITLES[status],
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


class CaseloadAPI(NinjaAPI):
    """A NinjaAPI whose errors, of every kind, are RFC 9457 problem+json."""

    def set_default_exception_handlers(self) -> None:
        self.add_exception_handler(Exception, _unexpected)
        self.add_exception_handler(AppError, _app_error)
        self.add_exception_handler(Http404, _not_found)
        self.add_exception_handler(DjangoPermissionDenied, _forbidden)
        self.add_exception_handler(HttpError, _http_error)
        self.add_exception_handler(NinjaValidationError, _invalid)

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Ninja's document, with the Problem schema and the error responses on every
        operation (the handlers above answer them whatever the operation declares)."""
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status in DECLARED_ERRORS:
                    responses.setdefault(status, _problem_response(status))
        return schema
