"""The month report's background jobs (caseload.core.jobs)."""

from __future__ import annotations

from caseload.reports import marks


def month_marks_fold() -> str:
    """Fold the month marks into one row per source and month (periodic, daily)."""
    return f"{marks.marks_compact()} month marks folded"
