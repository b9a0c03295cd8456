from __future__ import annotations

from django.core.exceptions import ValidationError


def no_nul(value: object) -> None:
    """Refuse text with NUL characters: PostgreSQL cannot store them, and no person types one."""
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError("Remove the invalid control character from this text.", code="nul")
