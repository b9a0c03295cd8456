# Placeholder views, replaced as each page is built.
from django.http import Http404, HttpRequest, HttpResponse

def caseload(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404

