"""Reads for break-the-glass review, and of the audit trail: a client's access history, the
audit search and the per-client access report, for those allowed to see them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from caseload.access import policies
from caseload.access.models import BreakGlassGrant
from caseload.audit.models import AuditEvent
from caseload.clients.models import Client
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


def client_access_history(*, actor: User, client: Client) -> QuerySet[AuditEvent]:
    """Every audit event about ``client``, newest first; NotFound if actor may not see it."""
    if not policies.can_view_access_history(actor, client):
        raise NotFound("Client not found.")
    return AuditEvent.objects.filter(client=client).select_related("actor")


@dataclass(frozen=True)
class AuditQuery:
    client: str = ""  # MRN (exact) or part of a client's name
    username: str = ""
    action: str = ""  # an action or its prefix, e.g. "client." or "note.signed"
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_search(*, actor: User, query: AuditQuery) -> QuerySet[AuditEvent]:
    """Audit events matching ``query``, newest first; directors and privacy officers only."""
    policies.require_audit_searcher(actor)
    events = AuditEvent.objects.select_related("actor", "client")
    if query.client:
        term = query.client.strip()
        clients = Client.objects.filter(
            Q(mrn=term)
            | Q(family_name__icontains=term)
            | Q(given_name__icontains=term)
            | Q(preferred_name__icontains=term)
        ).values("pk")
        events = events.filter(client_id__in=clients)
    if query.username:
        events = events.filter(actor_label__iexact=query.username.strip())
    if query.action:
        events = events.filter(action__startswith=query.action.strip())
    zone = timezone.get_current_timezone()
    if query.date_from:
        start = dt.datetime.combine(query.date_from, dt.time.min, tzinfo=zone)
        events = events.filter(occurred_at__gte=start)
    if query.date_to:
        end = dt.datetime.combine(query.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        events = events.filter(occurred_at__lt=end)
    return events.order_by("-sequence")


# Reads, by action name: a record opened (``client.viewed``, ``audit.client_report_viewed`` …)
# and a record shown in a list or export (``<thing>.listed``, and the names list pages used
# before that convention). Everything else changed the record.
_OPENED = Q(action__endswith="viewed") | Q(action__endswith=".form_opened")
_LISTED = Q(action__endswith=".listed") | Q(
    action__in=[
        "referral.list_viewed",
        "appointment.list_viewed",
        "assessment.registry_viewed",
        "assessment.registry_exported",
        "calendar_feed.client_shown",
    ]
)


@dataclass
class AccessReport:
    client: Client
    events: list[AuditEvent]
    people: list[dict[str, Any]]
    break_glass: list[Any]


def client_access_report(*, actor: User, client_id: Any) -> AccessReport:
    """Who has seen or changed a client's record: every event, a per-person summary and
    break-the-glass accesses. Directors and privacy officers only."""
    from caseload.access.models import BreakGlassGrant

    policies.require_audit_searcher(actor)
    try:
        client = Client.objects.get(pk=client_id)
    except (Client.DoesNotExist, ValueError) as exc:
        raise NotFound("Client not found.") from exc
    events = list(
        AuditEvent.objects.filter(client=client)
        .select_related("actor")
        .order_by("-sequence")[:2000]
    )
    people = list(
        AuditEvent.objects.filter(client=client)
        .values("actor_label")
        .annotate(
            views=Count("id", filter=_OPENED & ~_LISTED),
            listed=Count("id", filter=_LISTED),
            changes=Count("id", filter=~_OPENED & ~_LISTED),
            last=Max("occurred_at"),
        )
        .order_by("-last")
    )
    grants = list(
        BreakGlassGrant.objects.filter(client=client).select_related("user", "reviewed_by")
    )
    return AccessReport(client=client, events=events, people=people, break_glass=grants)
