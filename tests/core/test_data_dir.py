"""The data directory: where the default SQLite database and collected static files live."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.checks import Warning, run_checks
from django.test import override_settings

CHECKOUT = Path(__file__).resolve().parents[2]
SHOW = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps([str(settings.DATA_DIR), settings.DATA_DIR_ORIGIN, "
    "str(settings.STATIC_ROOT), settings.DATABASES['default']['NAME']]))"
)


def settings_seen(cwd: Path, **env: str) -> list[str]:
    """DATA_DIR, its origin, STATIC_ROOT and the database name, as production settings read
    them from ``env`` in ``cwd``."""
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CASELOAD_DATA_DIR"}}
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", SHOW],
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "caseload.config.settings",
            "SECRET_KEY": "s" * 40,
            **env,
        },
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    seen: list[str] = json.loads(result.stdout)
    return seen


def test_caseload_data_dir_holds_the_sqlite_database_and_static_files(tmp_path: Path) -> None:
    data = tmp_path / "srv" / "caseload"
    seen = settings_seen(tmp_path, CASELOAD_DATA_DIR=str(data))
    assert seen == [
        str(data),
        "CASELOAD_DATA_DIR",
        str(data / "static"),
        str(data / "caseload.sqlite3"),
    ]
    assert data.is_dir()  # created for the SQLite file


def test_a_relative_data_dir_is_taken_from_the_directory_caseload_starts_in(
    tmp_path: Path,
) -> None:
    seen = settings_seen(tmp_path, CASELOAD_DATA_DIR="data")
    assert seen[0] == str(tmp_path.resolve() / "data")


def test_a_source_checkout_keeps_its_files_in_its_own_var(tmp_path: Path) -> None:
    seen = settings_seen(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert seen[:3] == [str(CHECKOUT / "var"), "source checkout", str(CHECKOUT / "var" / "static")]


def test_check_deploy_warns_while_an_installed_caseload_defaults_to_the_current_directory() -> None:
    with override_settings(DATA_DIR=Path("/srv/app/var"), DATA_DIR_ORIGIN="current directory"):
        deploy = run_checks(include_deployment_checks=True, tags=["caseload"])
        everyday = run_checks(tags=["caseload"])
    assert [(type(m), m.id) for m in deploy] == [(Warning, "caseload.W001")]
    assert "/srv/app/var" in deploy[0].msg
    assert everyday == []
    with override_settings(DATA_DIR_ORIGIN="CASELOAD_DATA_DIR"):
        assert run_checks(include_deployment_checks=True, tags=["caseload"]) == []
