"""Validators every form shares, and the limits free text is held to (in the model and the
form alike; docs/security.md, V5)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

#: A reason, a comment, or a note on a change of status (entered in error, returned, revoked,
#: a clock met, an outcome).
SHORT_TEXT = 2_000
#: A description or the notes on a record (problem detail, task description, referral reason,
#: what matters to the client, family member's notes, directory descriptions).
LONG_TEXT = 5_000
#: A progress note's narrative and its addenda: the clinical record itself.
NARRATIVE_TEXT = 20_000


def too_long_message(limit: int) -> str:
    """The message for text over ``limit`` characters."""
    return f"Use {limit} characters or fewer."


def no_nul(value: object) -> None:
    """Refuse text with NUL characters: PostgreSQL cannot store them, and no person types one."""
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError("Remove the invalid control character from this text.", code="nul")
