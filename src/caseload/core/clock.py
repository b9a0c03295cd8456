"""The time seam: every 'now' and 'today' in Caseload comes from here, so tests can pin it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    """Today in the organisation's time zone."""
    return timezone.localdate(now())
