"""The referrals app's background jobs (caseload.core.jobs)."""

from __future__ import annotations

from caseload.referrals.services import referral_followups_create
from caseload.staff.services import system_actor


def referral_followups() -> str:
    """Periodic: a follow-up task for each referral whose response deadline passed unanswered
    (idempotent; ``caseload coordination_tick`` runs the same by hand)."""
    touched = referral_followups_create(actor=system_actor())
    return f"{len(touched)} referral follow-up task{'s' if len(touched) != 1 else ''} created"
