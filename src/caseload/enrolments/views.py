# Placeholder views, replaced as each page is built.
from django.http import Http404, HttpRequest, HttpResponse

def create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def transition(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def reassign(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def team_add(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def team_end(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404

