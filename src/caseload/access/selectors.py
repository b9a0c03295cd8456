"""Reads for break-the-glass review."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from caseload.access import policies
from caseload.access.models import BreakGlassGrant
from caseload.audit.models import AuditEvent
from caseload.core.errors import NotFound

if TYPE_CHECKING:
    from caseload.staff.models import User


@dataclass
class GrantReview:
    grant: BreakGlassGrant
    events: list[AuditEvent] = field(default_factory=list)


def break_glass_queue(
    *, actor: User, reviewed: bool = False, limit: int = 100
) -> list[GrantReview]:
    """Grants ``actor`` may review (pending by default), each with what was done under it."""
    if not (policies.can_search_audit(actor) or policies.is_clinical(actor)):
        raise NotFound("Not found.")
    grants = list(
        BreakGlassGrant.objects.filter(policies.break_glass_reviewable_user_ids(actor))
        .exclude(user=actor)
        .filter(reviewed_at__isnull=not reviewed)
        .select_related("user", "client", "reviewed_by")
        .order_by("-created_at")[:limit]
    )
    if not grants:
        return []
    events = AuditEvent.objects.filter(
        actor_id__in={g.user_id for g in grants},
        client_id__in={g.client_id for g in grants},
        occurred_at__gte=min(g.created_at for g in grants),
        occurred_at__lte=max(g.expires_at for g in grants),
    ).order_by("occurred_at")
    by_key: dict[tuple[Any, Any], list[AuditEvent]] = {}
    for event in events:
        by_key.setdefault((event.actor_id, event.client_id), []).append(event)
    return [
        GrantReview(
            grant=g,
            events=[
                e
                for e in by_key.get((g.user_id, g.client_id), [])
                if g.created_at <= e.occurred_at <= g.expires_at
            ],
        )
        for g in grants
    ]


def break_glass_grant_get(*, actor: User, grant_id: Any) -> BreakGlassGrant:
    try:
        return (
            BreakGlassGrant.objects.filter(policies.break_glass_reviewable_user_ids(actor))
            .exclude(user=actor)
            .select_related("user", "client")
            .get(pk=grant_id)
        )
    except BreakGlassGrant.DoesNotExist as exc:
        raise NotFound("Not found.") from exc
