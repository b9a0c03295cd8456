"""The staff app's background jobs (caseload.core.jobs)."""

from __future__ import annotations

from django.contrib.sessions.models import Session

from caseload.core import clock


def clear_expired_sessions() -> str:
    """Periodic: delete expired sessions (what ``caseload clearsessions`` does)."""
    deleted, _ = Session.objects.filter(expire_date__lt=clock.now()).delete()
    return f"{deleted} expired session{'s' if deleted != 1 else ''} deleted"
