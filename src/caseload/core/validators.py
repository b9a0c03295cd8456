"""Validators every form shares, and the limits free text is held to (in the model and the
form alike; docs/security.md, V5)."""

from __future__ import annotations

import re

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


#: An integer as people type it: ASCII digits, perhaps a minus sign. Python's int() also takes
#: "1_0" (10), surrounding spaces and other scripts' digits ("٣" is 3); Caseload does not.
ASCII_INTEGER = re.compile(r"-?[0-9]+")


def is_ascii_integer(value: object) -> bool:
    """Whether ``value`` is a string that is an integer written in ASCII digits."""
    return isinstance(value, str) and ASCII_INTEGER.fullmatch(value.strip()) is not None


def parse_ascii_integer(value: object) -> int | None:
    """``value`` as an int if it is one written in ASCII digits (or already an int), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and is_ascii_integer(value) else None
