"""What the page frame offers the signed-in user: each link of the main navigation is an access
decision, so the templates ask `may.<decision>` and access/policies.py answers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from caseload.access import policies


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "may": {
            "work_with_clients": policies.is_clinical(user),
            "see_team": policies.can_see_team(user),
            "lead_programs": policies.leads_programs(user),
            "see_program_reports": policies.can_see_program_reports(user),
            "manage_workforce": policies.can_manage_workforce(user),
            "search_audit": policies.can_search_audit(user),
            "review_break_glass": policies.offers_break_glass_review(user),
            "use_admin": policies.can_use_admin(user),
            "administer": policies.is_administrator(user),
        }
    }
