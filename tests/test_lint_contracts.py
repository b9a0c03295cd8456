"""`make lint`'s architecture checks bite: a planted violation fails them with its message.

Each test copies the source tree (and the configuration) into a temporary directory, plants one
violation there and runs the same command `make lint` runs; the real tree is never touched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _copy_tree(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "src" / "caseload",
        tmp_path / "src" / "caseload",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "fixtures"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "lint", tmp_path / "lint")
    return tmp_path


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (a fixed command from our own virtualenv)
        [str(BIN / "lint-imports"), "--no-cache", "--config", "pyproject.toml"],
        cwd=tree,
        env={"PYTHONPATH": str(tree / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _semgrep(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (a fixed command from our own virtualenv)
        [
            str(BIN / "semgrep"),
            "scan",
            "--metrics=off",
            "--disable-version-check",
            "--quiet",
            "--error",
            "--config",
            "lint/semgrep.yml",
            "src",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _plant(tree: Path, module: str, text: str) -> None:
    (tree / "src" / "caseload" / module).write_text(text)


def test_the_import_contracts_pass_on_the_tree_as_it_is(tmp_path: Path) -> None:
    result = _lint_imports(_copy_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


PLANTED_IMPORTS = {
    "core imports an app above it": (
        "core/planted.py",
        "from caseload.staff.models import User  # noqa\n",
        ["Floors:", "caseload.core.planted -> caseload.staff.models"],
    ),
    "a domain app imports the top floor": (
        "notes/planted.py",
        "from caseload.chart import selectors  # noqa\n",
        ["Floors:", "caseload.notes.planted -> caseload.chart.selectors"],
    ),
    # notes imports clients already: clients importing notes closes a cycle on one floor.
    "two apps import each other": (
        "clients/planted.py",
        "from caseload.notes import models  # noqa\n",
        ["No two apps import each other", ".clients -> .notes"],
    ),
    "an app is on no floor": (
        "newapp/__init__.py",
        "",
        ["not listed as layers", "caseload.newapp"],
    ),
}


@pytest.mark.parametrize("case", PLANTED_IMPORTS)
def test_a_planted_import_breaks_its_contract(tmp_path: Path, case: str) -> None:
    module, text, expected = PLANTED_IMPORTS[case]
    tree = _copy_tree(tmp_path)
    (tree / "src" / "caseload" / module).parent.mkdir(exist_ok=True)
    _plant(tree, module, text)
    result = _lint_imports(tree)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout
    for words in expected:
        assert words in result.stdout


PLANTED_READS = {
    "chart/planted.py": ("def f(Client):\n    return Client.objects.all()\n", "Client.objects"),
    "notes/views_planted.py": (
        "def f(ProgressNote):\n    return ProgressNote._default_manager.get(pk=1)\n",
        "ProgressNote._default_manager",
    ),
    "worklist/planted.py": (
        "def f(Referral):\n    return Referral.objects.filter(status='sent')\n",
        "Referral.objects",
    ),
}


def test_a_client_data_manager_outside_its_apps_selectors_fails_the_rule(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    for module, (text, _) in PLANTED_READS.items():
        _plant(tree, module, text)
    result = _semgrep(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    for module, (_, expected) in PLANTED_READS.items():
        assert module.split("/")[1] in result.stdout  # the file is named
        assert expected in result.stdout
    assert "caseload.notes.selectors" in result.stdout  # the message says where reads belong
    assert result.stdout.count("outside") == len(PLANTED_READS)


def test_the_client_data_rule_passes_on_the_tree_and_allows_the_owning_selectors(
    tmp_path: Path,
) -> None:
    tree = _copy_tree(tmp_path)
    selectors = tree / "src" / "caseload" / "clients" / "selectors.py"
    selectors.write_text(selectors.read_text() + "\n\ndef _planted():\n    return Client.objects\n")
    _plant(tree, "chart/planted.py", "def f(Client):\n    return Client.objects.none()\n")
    result = _semgrep(tree)
    assert result.returncode == 0, result.stdout + result.stderr
