from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.browser_support import sign_in, snap

pytestmark = pytest.mark.django_db(transaction=True)
PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def test_script_in_client_records_is_shown_as_text_and_never_runs(page: Any) -> None:
    kim = factories.UserFactory(username="kim", career_level="care_manager")
    client = factories.ClientFactory(
        given_name="Rose", family_name="Baptiste", what_matters_to_me=PAYLOAD
    )
    factories.EnrolmentFactory(client=client, care_manager=kim)
    factories.ProgressNoteFactory(client=client, author=kim, narrative=PAYLOAD, status="signed")
    factories.TaskFactory(client=client, owner=kim, title=PAYLOAD[:200])
    factories.RelatedPersonFactory(client=client, name=PAYLOAD[:200])
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    sign_in(page, "kim", factories.PASSWORD)
    for path in (f"/clients/{client.pk}/", "/tasks/", "/"):
        page.goto(path)
        assert page.evaluate("window.__xss") is None, path
    page.goto(f"/clients/{client.pk}/")
    assert page.get_by_text("window.__xss=2").first.is_visible()
    snap(page, "xss-chart-shows-text")
    assert not dialogs
