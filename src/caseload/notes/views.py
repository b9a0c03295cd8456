# Placeholder views, replaced as each page is built.
from django.http import Http404, HttpRequest, HttpResponse

def create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def sign(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def addendum(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def cosign(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def return_note(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def cosign_queue(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404

