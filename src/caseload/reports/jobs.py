"""The month report's background jobs (caseload.core.jobs)."""

from __future__ import annotations

from caseload.reports import marks, selectors


def month_marks_fold() -> str:
    """Fold the month marks into one row per source and month (periodic, daily)."""
    return f"{marks.marks_compact()} month marks folded"


def month_totals_keep() -> str:
    """Keep the latest closed month's figures for every scope (periodic, daily)."""
    month, scopes = selectors.month_totals_keep()
    if month is None:
        return "no month is kept on this database"
    return f"{month.key}: figures kept for {scopes} scopes"
