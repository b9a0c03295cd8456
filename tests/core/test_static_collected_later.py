"""A static file collected after the server started is served (StaticFilesMiddleware).

During an upgrade the new release's `collectstatic` adds files while the old release's workers
still serve; the upgrade drill (scripts/upgrade-drill.sh, docs/operations.md) saw an old worker
answer 404 for the new stylesheet that a new worker's page linked. WhiteNoise alone lists the
files once, at start; Caseload's middleware looks a path it did not list up on disk.
"""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.test import RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

from caseload.core.middleware import StaticFilesMiddleware

NEW_STYLESHEET = "css/caseload.0123456789ab.css"


def _not_found(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound("not found by the application")


def _get(middleware: WhiteNoiseMiddleware, path: str) -> HttpResponse:
    return middleware(RequestFactory().get(path))


def test_a_file_collected_after_start_is_served_and_others_still_fall_through(
    tmp_path: Path,
) -> None:
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "caseload.aaaaaaaaaaaa.css").write_text("body { color: black }")
    with override_settings(STATIC_ROOT=tmp_path, DEBUG=False, WHITENOISE_AUTOREFRESH=False):
        ours = StaticFilesMiddleware(_not_found)
        plain = WhiteNoiseMiddleware(_not_found)
        assert _get(ours, "/static/css/caseload.aaaaaaaaaaaa.css").status_code == 200

        # The new release's collectstatic, after both processes started.
        (tmp_path / NEW_STYLESHEET).write_text("body { color: navy }")
        assert _get(plain, f"/static/{NEW_STYLESHEET}").status_code == 404  # WhiteNoise alone
        response = _get(ours, f"/static/{NEW_STYLESHEET}")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"body { color: navy }"  # type: ignore[attr-defined]
        assert f"/static/{NEW_STYLESHEET}" in ours.files  # looked up once

        missing = _get(ours, "/static/css/caseload.bbbbbbbbbbbb.css")
        assert missing.status_code == 404
        assert missing.content == b"not found by the application"
        assert _get(ours, "/static/../settings.py").status_code == 404  # only under STATIC_ROOT
        assert _get(ours, "/clients/").content == b"not found by the application"
