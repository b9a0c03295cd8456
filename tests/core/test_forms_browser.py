"""Forms with errors in Chromium: the error summary's links move the focus to the field they
name (a group's first input), and axe-core finds nothing serious on the pages with errors."""

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


def test_a_groups_summary_link_moves_the_focus_to_its_first_input(page: Any, org: Any) -> None:
    sign_in(page, "junior", factories.PASSWORD)
    page.goto(f"/consents/for/{org.junior_client.pk}/")
    page.get_by_role("button", name="Record consent").click()
    page.wait_for_selector(".error-summary")
    snap(page, "forms-consent-errors")

    page.get_by_role(
        "link", name="What did the client consent to?: This field is required."
    ).click()
    assert page.evaluate("document.activeElement.id") == "id_kind_0"
    # The question is in view above its first answer, not scrolled off the top.
    legend = page.locator("legend", has_text="What did the client consent to?").bounding_box()
    assert legend is not None and legend["y"] >= 0

    page.get_by_role("link", name="How was consent given?: This field is required.").click()
    assert page.evaluate("document.activeElement.id") == "id_method_0"


@pytest.mark.parametrize(
    ("name", "path", "button"),
    [
        ("forms-client-errors", "/clients/new/", "Register client"),
        ("forms-note-errors", "/notes/for/{client}/new/", "Save and sign"),
        (
            "forms-appointment-errors",
            "/coordination/for/{client}/appointments/new/",
            "Book appointment",
        ),
        (
            "forms-phq9-errors",
            "/assessments/clients/{client}/give/?instrument=phq9",
            "Complete and score",
        ),
    ],
)
def test_pages_with_errors_pass_axe_and_their_summary_links_focus_an_input(
    page: Any, org: Any, name: str, path: str, button: str
) -> None:
    sign_in(page, "junior", factories.PASSWORD)
    page.goto(path.format(client=org.junior_client.pk))
    page.get_by_role("button", name=button).click()
    page.wait_for_selector(".error-summary a")
    snap(page, name)
    links = page.locator(".error-summary a")
    for index in range(links.count()):
        link = links.nth(index)
        target = (link.get_attribute("href") or "")[1:]
        link.click()
        assert page.evaluate("document.activeElement.id") == target
