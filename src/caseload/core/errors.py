"""One application error family, rendered as HTML messages, problem+json, or OperationOutcome.

Each error carries a stable ``code`` and ``params`` (as Django's ValidationError does) so every
interface can render the same failure in its own way.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status = 400
    default_code = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        params: dict[str, Any] | None = None,
        field_errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.params = params or {}
        self.field_errors = field_errors or {}


class NotFound(AppError):
    """The record does not exist, or the actor may not know it exists (out of scope)."""

    status = 404
    default_code = "not_found"


class PermissionDenied(AppError):
    """The actor can see the record but may not perform this action on it."""

    status = 403
    default_code = "permission_denied"


class Conflict(AppError):
    """The record changed since the actor loaded it, or the state forbids the change."""

    status = 409
    default_code = "conflict"


class VersionConflict(Conflict):
    """Someone saved the record since the actor loaded it (optimistic locking): the form's
    ``expected_version`` is behind. ``current_version`` is the record's version now, also in
    ``params`` for the JSON API."""

    default_code = "stale"

    def __init__(
        self,
        message: str,
        *,
        current_version: int,
        code: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            message, code=code, params={**(params or {}), "current_version": current_version}
        )
        self.current_version = current_version


class ValidationFailed(AppError):
    """Input is invalid; ``field_errors`` names each field and what is wrong with it."""

    status = 400
    default_code = "invalid"
