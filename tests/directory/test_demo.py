"""The demo directory file: every row imports."""

from __future__ import annotations

from caseload.directory.csv_import import check_directory_csv
from caseload.directory.demo import DIRECTORY_CSV


def test_the_demo_directory_file_imports_without_a_rejected_row(db: None) -> None:
    report = check_directory_csv(DIRECTORY_CSV.read_text(encoding="utf-8"))
    assert report.file_errors == []
    assert report.rejected == []
    assert len(report.accepted) >= 10
