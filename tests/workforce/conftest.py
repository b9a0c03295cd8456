from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    """CE certificates land in a throwaway directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
