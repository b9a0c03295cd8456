"""Every form on the client and enrolment pages, posted with NUL characters, oversized text
and malformed values, is answered with a form error, never a server error."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("xss")</script>'


class _Forms(HTMLParser):
    """Collects each POST form's action and its named inputs with their type."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post":
            self.forms.append({"action": a.get("action") or "", "fields": {}})
        elif tag in {"input", "select", "textarea"} and self.forms and a.get("name"):
            kind = a.get("type", tag)
            if a["name"] != "csrfmiddlewaretoken":
                self.forms[-1]["fields"][a["name"]] = kind


def _hostile(kind: str, variant: str) -> str:
    if variant == "nul":
        return "1\x00" if kind == "hidden" else "bad\x00value"
    if variant == "huge":
        return "x" * 100_000
    return {"date": "31/02/20x6", "number": "-1e999"}.get(kind, "not-a-valid-00000000-id")


def _pages(org):
    client = org.junior_client
    enrolment = client.enrolments.get()
    person = factories.RelatedPersonFactory(client=client)
    flag = factories.FlagFactory(client=client, raised_by=org.junior)
    member = factories.CareTeamMemberFactory(enrolment=enrolment)
    return [
        reverse("clients:create"),
        reverse("clients:chart", args=[client.pk]),
        reverse("clients:edit", args=[client.pk]),
        reverse("clients:related_create", args=[client.pk]),
        reverse("clients:related_edit", args=[client.pk, person.pk]),
        reverse("clients:flag_create", args=[client.pk]),
        reverse("clients:flag_resolve", args=[client.pk, flag.pk]),
        reverse("enrolments:create", args=[client.pk]),
        reverse("enrolments:detail", args=[enrolment.pk]),
        reverse("enrolments:transition", args=[enrolment.pk]),
        reverse("enrolments:reassign", args=[enrolment.pk]),
        reverse("enrolments:acuity", args=[enrolment.pk]),
        reverse("enrolments:team_add", args=[enrolment.pk]),
        reverse("enrolments:team_end", args=[enrolment.pk, member.pk]),
    ]


@pytest.mark.parametrize("variant", ["nul", "huge", "malformed"])
def test_hostile_form_input_is_a_form_error_not_a_server_error(org, variant):
    http = HttpClient(raise_request_exception=False)
    http.force_login(org.senior)
    posted, failures = 0, []
    for url in _pages(org):
        page = http.get(url)
        assert page.status_code == 200, url
        parser = _Forms()
        parser.feed(page.content.decode())
        for form in parser.forms:
            if not form["fields"]:
                continue  # a confirm button (sign out, end membership) has nothing to fill
            data = {name: _hostile(kind, variant) for name, kind in form["fields"].items()}
            response = http.post(form["action"] or url, data)
            posted += 1
            # Malformed text can still be valid text (a resolution note, say); anything else
            # must be refused as a form error.
            allowed = {400, 302} if variant == "malformed" else {400}
            if response.status_code not in allowed:
                failures.append(f"{form['action'] or url}: {response.status_code}")
    assert posted >= 12
    assert not failures, failures
