"""The referral status machine, every pair of statuses, and reopening."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.utils import timezone

from caseload.core.errors import Conflict
from caseload.referrals import services
from caseload.referrals.models import ReferralEvent, ReferralStatus
from tests.referrals.conftest import make_referral

R = ReferralStatus
ALLOWED = {
    "draft": {"sent", "cancelled"},
    "sent": {"received", "accepted", "declined", "cancelled"},
    "received": {"accepted", "declined", "cancelled"},
    "accepted": {"scheduled", "cancelled"},
    "scheduled": {"completed", "no_show", "cancelled"},
    "declined": set(),
    "completed": set(),
    "no_show": set(),
    "cancelled": set(),
}
CLOSED = {"declined", "completed", "no_show", "cancelled"}
PAIRS = list(itertools.product(R.values, R.values))


def test_the_machine_is_the_documented_one() -> None:
    assert {k: set(v) for k, v in services.REFERRAL_TRANSITIONS.items()} == ALLOWED


def _inputs(to_status: str) -> dict[str, Any]:
    return {
        "note": "Service confirmed." if to_status in CLOSED else "",
        "scheduled_for": timezone.now() + dt.timedelta(days=3)
        if to_status == "scheduled"
        else None,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_referral_transition_allowed_exactly_when_the_machine_says(
    org: Any, meals: Any, from_status: str, to_status: str
) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status=from_status
    )
    if to_status in ALLOWED[from_status]:
        updated = services.referral_transition(
            actor=org.junior,
            referral=referral,
            to_status=to_status,
            expected_version=referral.version,
            **_inputs(to_status),
        )
        assert updated.status == to_status
        event = ReferralEvent.objects.filter(referral=referral).latest("occurred_at", "created_at")
        assert (event.from_status, event.to_status, event.actor) == (
            from_status,
            to_status,
            org.junior,
        )
        assert (updated.closed_at is not None) == (to_status in CLOSED)
    else:
        with pytest.raises(Conflict) as caught:
            services.referral_transition(
                actor=org.junior,
                referral=referral,
                to_status=to_status,
                expected_version=referral.version,
                **_inputs(to_status),
            )
        assert caught.value.code == "transition_not_allowed"
        assert caught.value.params["allowed"] == services.allowed_referral_transitions(from_status)
        message = caught.value.message
        for allowed in ALLOWED[from_status]:
            assert R(allowed).label.lower() in message
        if not ALLOWED[from_status]:
            assert "Reopen" in message
        referral.refresh_from_db()
        assert referral.status == from_status


def test_refusal_names_the_allowed_statuses_in_plain_words() -> None:
    assert services.referral_transition_refusal("sent", "completed") == (
        "A referral that is sent can only become received, accepted, declined or cancelled, "
        "not completed."
    )
    assert services.referral_transition_refusal("completed", "sent").startswith(
        "A referral that is completed is closed and cannot become sent. Reopen it"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("status", R.values)
def test_only_a_closed_referral_can_be_reopened_and_it_returns_to_where_it_was(
    org: Any, meals: Any, status: str
) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status=status
    )
    if status not in CLOSED:
        with pytest.raises(Conflict) as caught:
            services.referral_reopen(
                actor=org.junior, referral=referral, reason="Mistake", expected_version=1
            )
        assert caught.value.code == "referral_not_closed"
        return
    reopened = services.referral_reopen(
        actor=org.junior, referral=referral, reason="Service called back", expected_version=1
    )
    expected = {
        "declined": "received",
        "completed": "scheduled",
        "no_show": "scheduled",
        "cancelled": "sent",
    }[status]
    assert reopened.status == expected
    assert reopened.closed_at is None
    event = ReferralEvent.objects.get(referral=referral, kind="reopened")
    assert (event.from_status, event.to_status, event.note) == (
        status,
        expected,
        "Service called back",
    )
