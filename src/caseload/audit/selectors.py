"""Reading the audit trail: a client's access history, for those allowed to see it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from caseload.access import policies
from caseload.audit.models import AuditEvent
from caseload.core.errors import NotFound

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User

__all__ = ["AccessReport", "AuditQuery", "audit_search", "client_access_history"]


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
    from caseload.clients.models import Client

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
    from caseload.clients.models import Client

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
