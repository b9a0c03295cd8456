# Placeholder views, replaced as each page is built.
from django.http import Http404, HttpRequest, HttpResponse

def create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def chart(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def related_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def related_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def flag_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def flag_resolve(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def access_history(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404

