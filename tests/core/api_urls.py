"""The project's URLs plus a small API on the project's API class whose operations fail in
the ways no real operation is meant to (an unexpected exception, Django's own 404 and 403)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import path

from caseload.config.urls import urlpatterns as project_urlpatterns
from caseload.core.api import CaseloadAPI

failing = CaseloadAPI(urls_namespace="failing-api-test", docs_url=None)


@failing.get("/crash")
def crash(request: HttpRequest) -> None:
    raise RuntimeError("secret internals: /srv/caseload/settings.py line 12")


@failing.get("/django-404")
def django_404(request: HttpRequest) -> None:
    raise Http404("No Client matches the given query.")


@failing.get("/django-403")
def django_403(request: HttpRequest) -> None:
    raise PermissionDenied


urlpatterns = [path("api/failing/", failing.urls), *project_urlpatterns]
