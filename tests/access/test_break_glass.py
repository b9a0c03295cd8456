from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from caseload.access import policies
from caseload.access.models import BreakGlassGrant
from caseload.audit.models import AuditEvent
from caseload.core import clock

pytestmark = pytest.mark.django_db
REASON = "On call at 2 a.m.: client's daughter reports a fall, need medication list"


def test_break_the_glass_needs_a_reason_and_grants_time_limited_access(
    org: Any, login: Any
) -> None:
    http = login(org.junior)
    target = org.other_client
    assert not policies.client_in_scope(org.junior, target.pk)

    response = http.post(reverse("access:break_glass"), {"mrn": target.mrn, "reason": "need it"})
    assert response.status_code == 400
    assert "at least 20 characters" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()

    response = http.post(reverse("access:break_glass"), {"mrn": target.mrn, "reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:chart", kwargs={"client_id": target.pk})
    grant = BreakGlassGrant.objects.get()
    assert (grant.user, grant.client, grant.reason) == (org.junior, target, REASON)
    assert policies.client_in_scope(org.junior, target.pk)
    event = AuditEvent.objects.get(action="client.break_glass")
    assert event.client_id == target.pk
    assert event.detail["reason"] == REASON


def test_break_the_glass_access_expires(org: Any) -> None:
    BreakGlassGrant.objects.create(
        user=org.junior,
        client=org.other_client,
        reason=REASON,
        expires_at=clock.now() - dt.timedelta(minutes=1),
    )
    assert not policies.client_in_scope(org.junior, org.other_client.pk)


def test_break_the_glass_by_name_and_birth_date_and_unknown_client(org: Any, login: Any) -> None:
    http = login(org.junior)
    target = org.other_client
    response = http.post(
        reverse("access:break_glass"),
        {
            "family_name": target.family_name.upper(),
            "date_of_birth": target.date_of_birth.isoformat(),
            "reason": REASON,
        },
    )
    assert response.status_code == 302
    response = http.post(reverse("access:break_glass"), {"mrn": "NO-SUCH", "reason": REASON})
    assert response.status_code == 400
    assert "No single client matches" in response.content.decode()


def test_administrators_and_privacy_officers_cannot_break_the_glass(org: Any, login: Any) -> None:
    for user in (org.admin, org.privacy, org.director):
        http = login(user)
        response = http.post(
            reverse("access:break_glass"), {"mrn": org.other_client.mrn, "reason": REASON}
        )
        assert response.status_code == 404, user.username
    assert not BreakGlassGrant.objects.exists()


def test_supervisor_and_privacy_officer_review_break_the_glass(org: Any, login: Any) -> None:
    http = login(org.junior)
    http.post(reverse("access:break_glass"), {"mrn": org.other_client.mrn, "reason": REASON})
    http.get(reverse("clients:chart", kwargs={"client_id": org.other_client.pk}))
    grant = BreakGlassGrant.objects.get()

    queue = login(org.supervisor).get(reverse("access:review_queue"))
    assert queue.status_code == 200
    assert escape(REASON) in queue.content.decode()

    assert (
        escape(REASON)
        not in login(org.other_cm).get(reverse("access:review_queue")).content.decode()
    )
    response = login(org.other_cm).post(
        reverse("access:review", kwargs={"grant_id": grant.pk}), {"note": "fine"}
    )
    assert response.status_code == 404

    response = login(org.privacy).post(
        reverse("access:review", kwargs={"grant_id": grant.pk}),
        {"note": "Justified: fall at night"},
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == org.privacy
    assert AuditEvent.objects.filter(
        action="break_glass.reviewed", client=org.other_client
    ).exists()
