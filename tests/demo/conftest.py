"""The demo organisation, seeded once per test module and rolled back after it."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Run ``seed_demo`` once for the module (it takes seconds); returns what it printed.

    Each test still runs in its own transaction (the ``db`` fixture), nested inside this one,
    so what a test changes is undone; the seeded organisation is undone when the module ends.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        with override_settings(DEBUG=True):
            call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
