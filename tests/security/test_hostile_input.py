"""Hostile input against every page, generated from the URL configuration.

- CSRF: every route refuses a state-changing POST without a token.
- Bad input: every form on every page, posted with NUL characters, oversized text and malformed
  dates and ids, answers with a clear 4xx or a redirect — never a server error, on SQLite and
  PostgreSQL alike.
- Stored XSS: every free-text field of every record holds a script payload; no page renders it
  unescaped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client as HttpClient
from django.urls import reverse

from tests.test_access_matrix import APP_ROUTES, PUBLIC, _graph, _kwargs_of

PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
CLIENT_APPS = {
    "clients",
    "enrolments",
    "careplans",
    "notes",
    "tasks",
    "consents",
    "assessments",
    "core",
    "directory",
    "referrals",
    "appointments",
    "transitions",
    "workforce",
}


class _Forms(HTMLParser):
    """Collects each POST form's action and its named fields with their kind."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._current = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._current)
        elif self._current is not None and tag in {"input", "textarea", "select"}:
            name = a.get("name")
            if name and name != "csrfmiddlewaretoken":
                kind = a.get("type", tag) if tag == "input" else tag
                self._current["fields"][name] = kind

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _urls(org: Any) -> list[tuple[str, str]]:
    graph = _graph(org, "own")
    urls = []
    for name, pattern in APP_ROUTES:
        names = _kwargs_of(pattern)
        urls.append((name, reverse(name, kwargs={n: graph.ids[n] for n in names} or None)))
    return urls


def _hostile(kind: str, variant: str) -> str:
    if variant == "nul":
        return "bad\x00value" if kind not in {"hidden"} else "1\x00"
    if variant == "huge":
        return "x" * 100_000
    # malformed: wrong shapes for dates, numbers, ids and choices
    return {"date": "31/02/20x6", "number": "-1e999", "datetime-local": "yesterday"}.get(
        kind, "not-a-valid-00000000-id"
    )


def post_hostile_forms(
    http: HttpClient, urls: list[tuple[str, str]], variant: str
) -> tuple[int, list[tuple[str, int]]]:
    """Fill every POST form on each page (that answers 200 with HTML) with ``variant`` input
    and post it; returns how many were posted and (what was posted, status) for each."""
    posted, answers = 0, []
    for name, url in urls:
        page = http.get(url)
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(page.content.decode())
        for form in parser.forms:
            action = form["action"] or url
            if action == reverse("logout"):
                continue
            data = {field: _hostile(kind, variant) for field, kind in form["fields"].items()}
            status = http.post(action, data).status_code
            posted += 1
            answers.append((f"{name}: POST {action} with {variant} input -> {status}", status))
    return posted, answers


@pytest.mark.django_db
def test_every_state_changing_route_requires_a_csrf_token(org: Any) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(org.supervisor)
    failures = [
        f"{name} {url}: {status}"
        for name, url in _urls(org)
        if name not in PUBLIC and (status := http.post(url, {}).status_code) != 403
    ]
    assert not failures, "POST without a CSRF token was not refused:\n" + "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("variant", ["nul", "huge", "malformed"])
def test_hostile_form_input_never_causes_a_server_error(org: Any, variant: str) -> None:
    http = HttpClient(raise_request_exception=False)
    http.force_login(org.supervisor)
    posted, answers = post_hostile_forms(http, _urls(org), variant)
    failures = [answer for answer, status in answers if status >= 500]
    assert posted > 10, "too few forms found: is the page walk broken?"
    assert not failures, "\n".join(failures)


def _fill_text_fields_with_payload() -> int:
    filled = 0
    for model in apps.get_models():
        if model._meta.app_label not in CLIENT_APPS:
            continue
        text_fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
            and not f.choices
            and not isinstance(f, (models.EmailField, models.SlugField))
            and not f.unique
            and f.name not in {"mrn"}
        ]
        if text_fields:
            filled += model._default_manager.update(
                **{f: PAYLOAD[: model._meta.get_field(f).max_length or None] for f in text_fields}
            )
    return filled


@pytest.mark.django_db
def test_stored_script_payloads_are_rendered_escaped_on_every_page(org: Any) -> None:
    urls = _urls(org)
    assert _fill_text_fields_with_payload() > 10
    http = HttpClient()
    http.force_login(org.director)
    shown, failures = 0, []
    for name, url in [*urls, ("worklist", "/?q=" + org.junior_client.family_name[:3])]:
        response = http.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if re.search(r"<script>alert|<img src=x onerror", html):
            failures.append(name)
        shown += html.count("&lt;script&gt;alert")
    assert shown > 0, "no page showed a stored payload at all: the test checked nothing"
    assert not failures, f"unescaped script payload on: {failures}"
