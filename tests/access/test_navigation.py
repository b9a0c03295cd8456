"""The main navigation offers each member of staff the pages access/policies.py lets them use
(access.context_processors.navigation): nothing is decided in the template."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.worklist.helpers import sign_in_with_second_factor

LINKS = {
    "caseload": "My caseload",
    "career": "My career",
    "team": ">Team</a>",
    "reassign": "Reassign clients",
    "month_report": ">Month report</a>",
    "program_month": "Program month end",
    "credentials": ">Credentials</a>",
    "audit": "Audit</a>",
    "break_glass": "Break-glass review",
    "admin": "Administration",
}

CLINICAL = {"caseload", "career"}
LEADING = {"team", "reassign", "month_report", "program_month"}
OFFERED = {
    "junior": CLINICAL,
    "other_cm": CLINICAL | {"break_glass"},
    # A care manager who supervises juniors finds the team view, but leads no program.
    "supervisor": CLINICAL | {"team", "break_glass"},
    "senior": CLINICAL | LEADING | {"break_glass"},
    "director": CLINICAL | LEADING | {"credentials", "audit", "break_glass", "admin"},
    "admin": {"admin"},
    "privacy": {"audit", "break_glass"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", OFFERED)
def test_the_navigation_offers_what_policies_allow(org: Any, client: Any, role: str) -> None:
    http = sign_in_with_second_factor(client, org.users()[role])
    html = http.get(reverse("staff:me")).content.decode()
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    shown = {key for key, text in LINKS.items() if text in nav}
    assert shown == OFFERED[role]


@pytest.mark.django_db
def test_only_an_administrator_is_pointed_to_administration_from_no_caseload(
    org: Any, client: Any
) -> None:
    page = sign_in_with_second_factor(client, org.privacy).get(reverse("worklist:caseload"))
    assert "You have no caseload" in page.content.decode()
    assert reverse("admin:index") not in page.content.decode()
