"""Hostile input against every page, generated from the URL configuration.

- CSRF: every route refuses a state-changing POST without a token.
- Bad input: every query parameter of every page, and every field of every form on it, with
  each hostile class (ids that are not integers, years 1 and 9999, NUL, a megabyte of text,
  malformed UUIDs) answers with a clear 4xx, a re-rendered form or a redirect — never a server
  error, on SQLite and PostgreSQL alike; and every page still renders whatever was stored.
- Stored XSS: every free-text field of every record holds a script payload; no page renders it
  unescaped.
"""

from __future__ import annotations

import inspect
import re
import sys
from functools import cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client as HttpClient
from django.urls import resolve, reverse

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
    "programrules",
}


def _urls(org: Any) -> list[tuple[str, str]]:
    graph = _graph(org, "own")
    urls = []
    for name, pattern in APP_ROUTES:
        names = _kwargs_of(pattern)
        urls.append((name, reverse(name, kwargs={n: graph.ids[n] for n in names} or None)))
    return urls


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


# --- one way to read input: every query parameter and every form field, hostile -------------

#: Hostile values by class (issue 10): ids that are not integers (an underscore Python's int()
#: accepts, an Arabic-Indic digit), years 1 and 9999, a NUL byte, a megabyte, a malformed UUID.
MEGABYTE = "x" * 1_000_000
HOSTILE = {
    "non-integer": "1_0",
    "arabic-indic digit": "\u0663",
    "word": "abc",
    "huge integer": "9" * 30,
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "datetime year 1": "0001-01-01T00:00",
    "datetime year 9999": "9999-12-31T22:00",
    "nul": "bad\x00value",
    "1 MB": MEGABYTE,
    "malformed uuid": "00000000-0000-0000-0000-00000000000g",
}
#: The values worth trying on each kind of form field, the others keeping the value the page
#: showed (so a date far out reaches the service with the rest of the form valid).
BY_KIND = {
    "date": ["year 1", "year 9999"],
    "datetime-local": ["datetime year 1", "datetime year 9999"],
    "number": ["non-integer", "arabic-indic digit", "huge integer"],
    "hidden": ["non-integer", "malformed uuid", "nul"],
    "select": ["malformed uuid", "arabic-indic digit", "nul"],
    "radio": ["malformed uuid"],
    "checkbox": ["nul"],
    "file": ["nul", "1 MB"],
}
#: Text inputs of a form take these all at once (a text field's parse does not depend on the
#: others); the other kinds one field at a time.
TEXT_VARIANTS = ["1 MB", "nul"]
#: For query parameters: each class once ("word" rather than "1_0": a parse that fails).
QUERY_VARIANTS = [
    "arabic-indic digit",
    "word",
    "huge integer",
    "year 1",
    "year 9999",
    "nul",
    "1 MB",
    "malformed uuid",
]
_PARAM_READ = re.compile(r"""request\.(?:GET|POST)(?:\.get\(|\[)\s*["'](\w+)["']""")


class _Page(HTMLParser):
    """A page's forms (method, action, fields with their kind and shown value) and its links'
    paths and query parameters."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.links: list[tuple[str, set[str]]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            href = urlsplit(a["href"])
            self.links.append((href.path, set(parse_qs(href.query, keep_blank_values=True))))
        if tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action", ""),
                "fields": {},
                "values": {},
            }
            self.forms.append(self._form)
            return
        if tag == "option" and self._form is not None and self._select:
            values = self._form["values"]
            if "selected" in a or (self._select not in values and a.get("value")):
                values[self._select] = a.get("value", "")
            return
        if self._form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"submit", "button", "reset", "image"}:
                if kind == "submit" and name not in self._form["values"]:
                    self._form["values"][name] = a.get("value", "")
                return
            self._form["fields"].setdefault(name, kind)
            if kind in {"checkbox", "radio"}:
                if "checked" in a or (kind == "radio" and name not in self._form["values"]):
                    self._form["values"][name] = a.get("value", "on")
            elif kind != "file":
                self._form["values"][name] = a.get("value", "")
        elif tag == "textarea":
            self._form["fields"][name] = "textarea"
            self._form["values"][name] = ""
            self._textarea = name
        elif tag == "select":
            self._form["fields"][name] = "select"
            self._select = name
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._form["values"].setdefault(name, a.get("value", ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["values"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _params_read_by(url: str) -> set[str]:
    """The query and form parameters the view behind ``url`` reads by hand
    (``request.GET.get("x")``), in its own body or in its module's helpers it calls."""
    view = inspect.unwrap(resolve(urlsplit(url).path).func)
    return _params_in(view.__module__, view.__name__)


@cache
def _params_in(module_name: str, view_name: str) -> set[str]:
    module = sys.modules[module_name]
    view_source = inspect.getsource(getattr(module, view_name))
    read = set(_PARAM_READ.findall(view_source))
    for helper, source in _helpers(module_name).items():
        if re.search(rf"\b{helper}\(", view_source):
            read |= set(_PARAM_READ.findall(source))
    return read


@cache
def _helpers(module_name: str) -> dict[str, str]:
    module = sys.modules[module_name]
    return {
        name: inspect.getsource(obj)
        for name, obj in vars(module).items()
        if name.startswith("_") and inspect.isfunction(obj) and obj.__module__ == module_name
    }


def _hostile_file(variant: str) -> SimpleUploadedFile:
    if variant == "nul":
        return SimpleUploadedFile("bad\x00name.csv", b"name,phone\nMeals\x00 on wheels,555\n")
    return SimpleUploadedFile("huge.csv", MEGABYTE.encode())


def _pages(http: HttpClient, urls: list[tuple[str, str]]) -> list[tuple[str, str, _Page]]:
    pages = []
    for name, url in urls:
        if name in PUBLIC or name == "logout":
            continue
        response = http.get(url)
        assert response.status_code < 500, f"{name}: GET {url} -> {response.status_code}"
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            pages.append((name, url, _parse(response.content.decode())))
    return pages


def _walk_query_parameters(http: HttpClient, pages: list[tuple[str, str, _Page]]) -> list[str]:
    failures = []
    for name, url, page in pages:
        path = urlsplit(url).path
        params = _params_read_by(url).union(
            *(names for target, names in page.links if target in ("", path))
        )
        for form in page.forms:
            if form["method"] == "get":
                params |= set(form["fields"])
        for param in sorted(params):
            for label in QUERY_VARIANTS:
                status = http.get(url, {param: HOSTILE[label]}).status_code
                if status >= 500:
                    failures.append(f"{name}: GET {url}?{param}=<{label}> -> {status}")
    return failures


def _post_forms(
    http: HttpClient, pages: list[tuple[str, str, _Page]], seen: set[tuple[str, ...]]
) -> tuple[int, list[str]]:
    failures, posted = [], 0
    for name, url, page in pages:
        for form in page.forms:
            action = form["action"] or url
            if form["method"] != "post" or action == reverse("logout"):
                continue
            key = (action, *sorted(form["fields"]))
            if key in seen:
                continue  # the same form on another page
            seen.add(key)
            fields = {f: k for f, k in form["fields"].items() if f != "csrfmiddlewaretoken"}
            text = [f for f, kind in fields.items() if kind not in BY_KIND]
            attempts = [(tuple(text), variant) for variant in TEXT_VARIANTS if text]
            attempts += [
                ((field,), variant)
                for field, kind in fields.items()
                if kind in BY_KIND
                for variant in BY_KIND[kind]
            ]
            for names, variant in attempts:
                data = dict(form["values"])
                data.pop("csrfmiddlewaretoken", None)
                for field in names:
                    data[field] = (
                        _hostile_file(variant) if fields[field] == "file" else HOSTILE[variant]
                    )
                status = http.post(action, data).status_code
                posted += 1
                if status >= 500:
                    failures.append(
                        f"{name}: POST {action} {'+'.join(names)}=<{variant}> -> {status}"
                    )
    return posted, failures


def _walk_as_each_user(org: Any, urls: list[tuple[str, str]], walk: Any) -> list[str]:
    """``walk(http, pages)`` for the pages each of a supervisor, a director and the IT
    administrator reaches (a page once, for the first who reaches it)."""
    failures: list[str] = []
    walked: set[str] = set()
    for user in (org.supervisor, org.director, org.admin):
        http = HttpClient(raise_request_exception=False)
        http.force_login(user)
        pages = _pages(http, [(name, url) for name, url in urls if url not in walked])
        walked |= {url for _, url, _ in pages}
        failures += walk(http, pages)
    return failures


@pytest.mark.django_db
def test_hostile_query_parameters_never_cause_a_server_error(org: Any) -> None:
    """Every page (from the URL resolver): every query parameter its own links, its GET forms
    or its view read, with each hostile class."""
    failures = _walk_as_each_user(org, _urls(org), _walk_query_parameters)
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_hostile_form_values_never_cause_a_server_error(org: Any) -> None:
    """Every form on every page: each field (text fields together) with each hostile class
    that fits its kind, the rest as the page filled them; then every page again — whatever
    the hostile input stored must still render."""
    forms_posted: set[tuple[str, ...]] = set()
    counts: list[int] = []

    def post(http: HttpClient, pages: list[tuple[str, str, _Page]]) -> list[str]:
        count, failures = _post_forms(http, pages, forms_posted)
        counts.append(count)
        return failures

    urls = _urls(org)
    failures = _walk_as_each_user(org, urls, post)
    assert sum(counts) > 100, "too few form fields found: is the page walk broken?"
    http = HttpClient(raise_request_exception=False)
    http.force_login(org.supervisor)
    for name, url in urls:
        if name not in PUBLIC and (status := http.get(url).status_code) >= 500:
            failures.append(f"{name}: GET {url} after the hostile posts -> {status}")
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
