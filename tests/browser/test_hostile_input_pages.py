"""What a person sees when input is refused (issue 10): the appointment form with a start in
year 9999 says the window next to the field; a calendar address with a value that is not one
says which; both pass axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.browser_support import sign_in, snap

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
]


def test_refused_input_is_explained_on_the_page(page: Any, org: Any) -> None:
    client = org.junior_client
    sign_in(page, "junior", factories.PASSWORD)
    page.goto(f"/coordination/for/{client.pk}/appointments/new/")
    page.get_by_label("What it is for").fill("Podiatry")
    page.locator("input[name=starts_at]").fill("9999-12-31T22:00")
    page.locator("input[name=ends_at]").fill("9999-12-31T23:00")
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()
    assert page.get_by_text("Start must be on or before").first.is_visible()
    snap(page, "inputs-appointment-year-9999")

    page.goto("/coordination/appointments/week/?start=9999-12-31&staff=abc")
    assert page.get_by_text("cannot be used").is_visible()
    snap(page, "inputs-calendar-bad-address")
