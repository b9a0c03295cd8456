"""One CSV writer for every export, and no export lets a spreadsheet run a formula."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from caseload.core.csv import cell
from tests import factories
from tests.exports_support import csv_dicts, exported

FORMULA_MRN = '=HYPERLINK("http://x","y")'
SRC = Path(__file__).resolve().parents[2] / "src" / "caseload"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        (FORMULA_MRN, "'" + FORMULA_MRN),
        ("-38", "-38"),
        ("+2.5", "+2.5"),
        (-38, "-38"),
        ("MRN000123", "MRN000123"),
        ("O'Brien", "O'Brien"),
        (None, ""),
        (True, "yes"),
    ],
)
def test_a_cell_that_would_run_as_a_formula_is_written_as_text(value: Any, written: str) -> None:
    assert cell(value) == written


def test_every_csv_export_goes_through_the_one_writer() -> None:
    """A module that writes CSV with the standard library directly would skip the defusing."""
    direct = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path != SRC / "core" / "csv.py"
        and re.search(r"\bcsv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))
    ]
    assert direct == []


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


@pytest.mark.django_db
def test_a_formula_mrn_is_defused_in_the_audit_export(org: Any, login: Any) -> None:
    client = factories.EnrolmentFactory(
        program=org.geriatric, care_manager=org.junior, client__mrn=FORMULA_MRN
    ).client
    assert login(org.junior).get(reverse("clients:chart", args=[client.pk])).status_code == 200
    rows = csv_dicts(exported(login(org.director), reverse("audit:export")))
    mrns = {row["client_mrn"] for row in rows if row["client_id"] == str(client.pk)}
    assert mrns == {"'" + FORMULA_MRN}


@pytest.mark.django_db
def test_a_formula_mrn_is_defused_in_the_registry_export(org: Any, login: Any) -> None:
    factories.EnrolmentFactory(
        program=org.geriatric, care_manager=org.junior, client__mrn=FORMULA_MRN
    )
    url = reverse("assessments:registry_csv", args=[org.geriatric.pk])
    mrns = {row["MRN"] for row in csv_dicts(exported(login(org.director), url))}
    assert "'" + FORMULA_MRN in mrns
    assert FORMULA_MRN not in mrns
