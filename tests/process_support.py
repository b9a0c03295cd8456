"""Running Caseload's own processes (the job worker, gunicorn) against the test database."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[1]


def database_url(settings_dict: dict[str, Any] | None = None) -> str:
    """The test database (as the test process uses it) as a DATABASE_URL."""
    db = settings_dict or connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    """The test settings, the test database, the repository on the path; plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        DJANGO_SETTINGS_MODULE="caseload.config.test_settings",
        DATABASE_URL=database_url(),
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
