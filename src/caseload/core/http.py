"""Small helpers of the page views: which methods a page takes (who is asking:
`caseload.staff.http.request_actor`).

Pages about one record look the record up (in the actor's scope) before refusing a method, so
a record out of scope is "not found" whatever the method; only then is the method refused.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed


def post_only(request: HttpRequest) -> HttpResponse | None:
    """405 for anything but POST, else None."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def get_only(request: HttpRequest) -> HttpResponse | None:
    """405 for anything but GET or HEAD, else None."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return None
