from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.browser_support import sign_in, snap

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_page_shows_errors_and_signs_in(page: Any) -> None:
    factories.UserFactory(
        username="maya", first_name="Maya", last_name="Chen", career_level="junior"
    )
    page.goto("/accounts/sign-in/")
    snap(page, "sign-in")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    snap(page, "sign-in-error")
    sign_in(page, "maya", factories.PASSWORD)
    assert page.get_by_role("link", name="Maya Chen").is_visible()
