"""The credentials seam of bulk reassignment: which credentials a program requires of its care
managers, and which each member of staff holds.

Until the workforce app (credentials, CE hours) exists nothing is required, so the distribution
never turns a receiver away for a credential. When it lands, these two functions ask it; the
distribution (``distribution.py``) and the preview already honour and explain what they return.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def required_credentials(program_ids: Iterable[Any]) -> dict[Any, frozenset[str]]:
    """Program id → the credentials its care managers must hold (none yet)."""
    return {program_id: frozenset() for program_id in program_ids}


def credentials_held(user_ids: Iterable[Any]) -> dict[Any, frozenset[str]]:
    """User id → the current credentials they hold (none recorded yet)."""
    return {user_id: frozenset() for user_id in user_ids}
