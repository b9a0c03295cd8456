# Placeholder views, replaced as each page is built.
from django.http import Http404, HttpRequest, HttpResponse

def create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def problem_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def problem_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def goal_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def goal_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def intervention_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def intervention_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def publish(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def version(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def cosign(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def return_version(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404

