"""System checks for running Caseload in production (`caseload check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning


def data_dir_check(**kwargs: Any) -> list[CheckMessage]:
    """Warns when an installed Caseload keeps its files in var/ of whatever directory the
    command runs in, because CASELOAD_DATA_DIR is not set."""
    if getattr(settings, "DATA_DIR_ORIGIN", "") != "current directory":
        return []
    return [
        Warning(
            f"CASELOAD_DATA_DIR is not set, so Caseload keeps its files (static files, and the "
            f"SQLite database unless DATABASE_URL names another) in var/ of the current "
            f"directory: {settings.DATA_DIR}.",
            hint="Set CASELOAD_DATA_DIR to a directory of its own, e.g. /var/lib/caseload.",
            id="caseload.W001",
        )
    ]
