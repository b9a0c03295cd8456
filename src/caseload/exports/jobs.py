"""The exports' background jobs (caseload.core.jobs)."""

from __future__ import annotations

from caseload.exports import services


def export_write(export_id: str) -> str:
    """Write one requested export (queued by ``services.export_request``)."""
    return services.export_write(export_id=export_id)


def exports_expire() -> str:
    """Delete expired export files (periodic, every hour)."""
    return services.exports_expire()
