"""One application error family, rendered as HTML messages, problem+json, or OperationOutcome.

Each error carries a stable ``code`` and ``params`` (as Django's ValidationError does) so every
interface can render the same failure in its own way.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError

#: ``Conflict.code`` of a record changed by someone else since the actor loaded it.
STALE = "stale"
#: ``Conflict.code`` of a status change the record's state machine does not allow from here.
TRANSITION_NOT_ALLOWED = "transition_not_allowed"


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


def raise_if_invalid(errors: dict[str, list[str]]) -> None:
    """ValidationFailed with every field's errors (the first as its message), if there are any."""
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)


def check_version(record: Any, expected_version: int, what: str) -> None:
    """VersionConflict (code STALE) when ``record`` is no longer the version the actor loaded.
    There is no "don't check": a change must name the version it was made against."""
    if record.version != expected_version:
        raise VersionConflict(
            f"Someone else changed this {what} since you opened it.",
            code=STALE,
            current_version=record.version,
        )


def is_bad_id(exc: Exception) -> bool:
    """Whether looking a record up failed because the id could name no record (not a UUID):
    such a lookup is answered "not found", like an id out of scope."""
    return isinstance(exc, ValueError | TypeError | DjangoValidationError)
