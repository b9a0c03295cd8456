# Placeholder views, replaced as each page is built.
from django.http import Http404, HttpRequest, HttpResponse

def mine(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def complete(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def cancel(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404

