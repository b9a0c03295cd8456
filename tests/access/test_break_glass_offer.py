"""A client search that finds nothing in scope offers break the glass (issue 10, item 8).

Found in a walk-through: break the glass was linked from nowhere. Now the caseload search, when
it finds no client the user may see, offers emergency access with its reason form, filled from
what was searched for — to the roles allowed to break the glass, and saying nothing about
whether such a client exists.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from caseload.access.models import BreakGlassGrant
from caseload.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
REASON = "On call at 2 a.m.: her daughter reports a fall and needs the medication list"
OFFER = "Emergency access to a client outside your caseload"


def _search(http: Any, q: str, **headers: str) -> str:
    response = http.get(reverse("worklist:caseload"), {"q": q}, **headers)
    assert response.status_code == 200
    return response.content.decode()


def _offer(html: str) -> str:
    """The offer's section, its CSRF token (masked anew on every page) left out."""
    start = html.index('<section class="panel narrow break-glass-offer"')
    section = html[start : html.index("</section>", start)]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", section)


def test_a_search_that_finds_no_client_in_scope_offers_break_the_glass(
    org: Any, login: Any
) -> None:
    target = org.other_client  # another program's client: the junior cannot see her
    html = _search(login(org.junior), target.family_name)
    assert OFFER in html
    offer = _offer(html)
    assert f'action="{reverse("access:break_glass")}"' in offer
    assert 'name="csrfmiddlewaretoken"' in _search(login(org.junior), "x").split(OFFER)[1]
    assert 'name="reason"' in offer
    assert f'value="{target.family_name}"' in offer  # filled from the search
    # Nothing about the client beyond what the user typed.
    assert target.given_name not in html
    assert target.mrn not in html


def test_the_offer_is_the_same_whether_or_not_such_a_client_exists(org: Any, login: Any) -> None:
    http = login(org.junior)
    existing = _offer(_search(http, org.other_client.family_name))
    missing = _offer(_search(http, "Zzyzx"))
    assert existing.replace(org.other_client.family_name, "NAME") == missing.replace(
        "Zzyzx", "NAME"
    )


@pytest.mark.parametrize(
    ("q", "field", "value"),
    [("1941-05-02", "date_of_birth", "1941-05-02"), ("MRN 004512", "mrn", "MRN 004512")],
)
def test_a_date_or_a_record_number_fills_its_own_field(
    org: Any, login: Any, q: str, field: str, value: str
) -> None:
    offer = _offer(_search(login(org.junior), q))
    named = rf'name="{field}"[^>]*value="{value}"'
    assert re.search(named, offer) or re.search(rf'value="{value}"[^>]*name="{field}"', offer)


def test_the_offer_comes_with_htmx_search_results_too(org: Any, login: Any) -> None:
    html = _search(login(org.junior), "Zzyzx", HTTP_HX_REQUEST="true")
    assert "<html" not in html
    assert OFFER in html


def test_breaking_the_glass_from_the_offer_opens_the_record_and_is_audited(
    org: Any, login: Any
) -> None:
    http = login(org.junior)
    target = org.other_client
    _search(http, target.family_name)
    response = http.post(
        reverse("access:break_glass"),
        {
            "family_name": target.family_name,
            "date_of_birth": target.date_of_birth.isoformat(),
            "mrn": "",
            "reason": REASON,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:chart", kwargs={"client_id": target.pk})
    assert BreakGlassGrant.objects.get().client == target
    assert AuditEvent.objects.filter(action="client.break_glass", client=target).exists()
    # Found in scope now: the search lists her, and offers nothing.
    html = _search(http, target.family_name)
    assert OFFER not in html
    assert target.given_name in html


@pytest.mark.parametrize("who", ["director", "junior"])
def test_no_offer_when_the_search_finds_someone_or_for_a_director(
    org: Any, login: Any, who: str
) -> None:
    http = login(getattr(org, who))
    # The junior finds her own client; the director sees everyone, so nothing is hidden.
    q = org.junior_client.family_name if who == "junior" else "Zzyzx"
    assert OFFER not in _search(http, q)


def test_no_offer_without_a_search(org: Any, login: Any) -> None:
    response = login(org.junior).get(reverse("worklist:caseload"), {"status": "on_hold"})
    assert OFFER not in response.content.decode()
