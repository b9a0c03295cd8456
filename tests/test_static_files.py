"""Static files as production collects them: WhiteNoise's manifest storage, every reference whole.

`caseload collectstatic` with CompressedManifestStaticFilesStorage rewrites each CSS and
JavaScript reference (url(), sourceMappingURL) to the hashed name of the file it points at, and
fails when that file is missing; production then serves every page from the manifest it writes.
"""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

SRC = Path(__file__).resolve().parents[1] / "src" / "caseload"
STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]\s*%\}""")

PRODUCTION_STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty folder that collectstatic fills as production does."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        # Raises (failing the test) when a file references one that is not there.
        call_command("collectstatic", "--no-input", verbosity=0, stdout=StringIO())
    return root


@pytest.fixture(scope="module")
def collected(static_root: Path) -> dict[str, str]:
    """The manifest: each collected name and the hashed name production serves it under."""
    paths: dict[str, str] = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    for hashed in paths.values():
        assert (static_root / hashed).is_file()
    return paths


def test_every_static_file_a_template_names_is_in_the_manifest(
    collected: dict[str, str],
) -> None:
    named = {
        match
        for template in SRC.rglob("templates/**/*.html")
        for match in STATIC_TAG.findall(template.read_text())
    }
    assert "vendor/chart-4.6.1.umd.min.js" in named  # the scan finds what pages load
    assert sorted(named - collected.keys()) == []


def test_the_vendored_chart_js_points_at_its_hashed_source_map(
    static_root: Path, collected: dict[str, str]
) -> None:
    chart = collected["vendor/chart-4.6.1.umd.min.js"]
    hashed_map = collected["vendor/chart.umd.min.js.map"]
    assert chart != "vendor/chart-4.6.1.umd.min.js"  # a content hash in the name
    last_line = (static_root / chart).read_text().splitlines()[-1]
    assert last_line == f"//# sourceMappingURL={Path(hashed_map).name}"
    assert (static_root / f"{hashed_map}.gz").is_file()  # WhiteNoise compressed it too


def test_no_vendored_file_references_a_file_that_is_not_shipped() -> None:
    """The same rule as the manifest storage's, read from the sources, so a failure names
    the file: sourceMappingURL comments and CSS url()s resolve to a file beside them."""
    reference = re.compile(
        r"""sourceMappingURL=([^\s*'"]+)|url\(\s*['"]?(?!data:|https?:|#)([^'")\s]+)"""
    )
    missing = []
    static_dirs = [SRC / "static", *SRC.glob("*/static")]
    for folder in static_dirs:
        for path in folder.rglob("*"):
            if path.suffix not in {".js", ".css"}:
                continue
            for match in reference.finditer(path.read_text(encoding="utf-8")):
                target = (match.group(1) or match.group(2)).split("?")[0].split("#")[0]
                if not (path.parent / target).is_file():
                    missing.append(f"{path.relative_to(SRC)} -> {target}")
    assert missing == []
