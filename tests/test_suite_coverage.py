"""The suites generated from the configuration leave nothing out.

The access matrix (tests/test_access_matrix.py) and the hostile-input suite
(tests/security/test_hostile_input.py) walk the URL configuration's *named* patterns, and the
stored-script sweep fills the text fields of the apps it lists. A page added without a name, or
an app with text fields left off the list, would be skipped in silence: these tests fail instead.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.test_hostile_input import CLIENT_APPS
from tests.test_access_matrix import APP_ROUTES

# Apps whose text is not a client record's: the audit trail (written by the system), staff
# accounts and access grants, exports (their kind, file name and error are the system's), the
# month report's kept months (scope keys, family and table names). A decision per app, not a
# default: a new app is refused above.
NOT_CLIENT_TEXT = {"audit", "staff", "access", "exports", "reports"}


def _unnamed(patterns: list[Any], prefix: str = "") -> list[str]:
    found: list[str] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _unnamed(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and not entry.name:
            found.append(prefix + str(entry.pattern))
    return found


def test_every_page_has_a_name_so_the_generated_suites_reach_it() -> None:
    unnamed = [
        p for p in _unnamed(get_resolver().url_patterns) if not p.lstrip("^").startswith("admin/")
    ]
    assert not unnamed, f"name these URL patterns (path(..., name=...)): {unnamed}"


def test_the_access_matrix_covers_every_app_with_pages() -> None:
    namespaces = {name.split(":")[0] for name, _ in APP_ROUTES if ":" in name}
    for app in ("clients", "referrals", "appointments", "transitions", "directory", "chart"):
        assert app in namespaces


def test_every_app_with_text_fields_is_in_the_stored_script_sweep() -> None:
    with_text = {
        model._meta.app_label
        for model in apps.get_models()
        if model.__module__.startswith("caseload.")
        and any(
            isinstance(field, (models.CharField, models.TextField))
            for field in model._meta.concrete_fields
        )
    }
    missing = with_text - CLIENT_APPS - NOT_CLIENT_TEXT
    assert not missing, (
        f"add {sorted(missing)} to CLIENT_APPS in tests/security/test_hostile_input.py "
        "(or, if their text never reaches a page, to NOT_CLIENT_TEXT here)"
    )
