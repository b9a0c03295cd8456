"""Reading the audit trail: a client's access history, for those allowed to see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from caseload.access import policies
from caseload.audit.models import AuditEvent
from caseload.core.errors import NotFound

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User


def client_access_history(*, actor: User, client: Client) -> QuerySet[AuditEvent]:
    """Every audit event about ``client``, newest first; NotFound if actor may not see it."""
    if not policies.can_view_access_history(actor, client):
        raise NotFound("Client not found.")
    return AuditEvent.objects.filter(client=client).select_related("actor")
