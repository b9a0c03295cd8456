"""Referral test helpers: a consent to share with a provider, a referral put in any state, a
care plan goal to write outcomes back to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caseload.consents.models import Consent
from caseload.consents.selectors import share_consent_for_provider
from caseload.consents.services import consent_record
from caseload.core import clock
from caseload.directory.models import Service
from caseload.referrals.models import Referral, ReferralEvent
from tests import factories

#: What the referral letters in these tests share, in consent terms.
REFERRAL_CATEGORIES = ["contact", "conditions", "care_plan"]


def give_provider_consent(
    client: Any,
    actor: Any,
    provider_name: str,
    *,
    categories: list[str] | None = None,
    given_on: dt.date | None = None,
) -> Consent:
    """The client's written consent, given today, to share with ``provider_name``."""
    return consent_record(
        actor=actor,
        client=client,
        kind="share_provider",
        method="written",
        given_on=given_on or clock.today(),
        provider_name=provider_name,
        categories=categories if categories is not None else REFERRAL_CATEGORIES,
    )


def make_referral(
    *,
    client: Any,
    owner: Any,
    service: Service,
    status: str = "draft",
    goal: Any = None,
    intervention: Any = None,
    shared_fields: list[str] | None = None,
    consent: bool = True,
    response_due_on: dt.date | None = None,
) -> Referral:
    """A referral put directly in ``status`` (with the history the machine would have left)."""
    enrolment = client.enrolments.first()
    given = None
    if consent:
        organisation = service.organisation.name
        given = share_consent_for_provider(client, organisation) or give_provider_consent(
            client, owner, organisation
        )
    referral = Referral.objects.create(
        client=client,
        enrolment=enrolment,
        service=service,
        reason="Food insecurity found on the HRSN screen.",
        goal=goal,
        intervention=intervention,
        urgency="routine",
        shared_fields=shared_fields if shared_fields is not None else ["name", "phone", "reason"],
        consent=given if status != "draft" else None,
        status=status,
        sent_on=clock.today() if status != "draft" else None,
        response_due_on=response_due_on,
        created_by=owner,
    )
    previous = {
        "sent": "draft",
        "received": "sent",
        "accepted": "received",
        "declined": "received",
        "scheduled": "accepted",
        "completed": "scheduled",
        "no_show": "scheduled",
        "cancelled": "sent",
    }
    if status in previous:
        ReferralEvent.objects.create(
            referral=referral,
            kind="status",
            from_status=previous[status],
            to_status=status,
            actor=owner,
            occurred_at=clock.now(),
        )
    return referral


def goal_for(client: Any, owner: Any, **kwargs: Any) -> Any:
    enrolment = client.enrolments.first()
    plan = factories.CarePlanFactory(enrolment=enrolment, author=owner)
    problem = factories.ProblemFactory(careplan=plan, description="Food insecurity")
    return factories.GoalFactory(
        problem=problem,
        careplan=plan,
        description="Eats two balanced meals a day",
        measure="Balanced meals a day",
        target_value="2",
        **kwargs,
    )
