"""Fixtures for coordination tests: a pinned clock, a directory service, referrals in any state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from caseload.consents.models import Consent
from caseload.consents.selectors import share_consent_for_provider
from caseload.consents.services import consent_record
from caseload.core import clock
from caseload.directory.models import Service, ServiceOrganisation
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


@pytest.fixture
def pin(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], dt.datetime]:
    """pin("2026-11-20 16:45") fixes clock.now() at that local (organisation) time."""

    def _pin(when: str) -> dt.datetime:
        naive = dt.datetime.fromisoformat(when)
        moment = timezone.make_aware(naive, timezone.get_current_timezone())
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    return _pin


@pytest.fixture
def meals(db: None) -> Service:
    organisation = ServiceOrganisation.objects.create(
        name="Eastside Meals on Wheels", website="https://meals.example.org"
    )
    return Service.objects.create(
        organisation=organisation,
        name="Home-delivered meals",
        service_type="meals",
        description="Hot lunches delivered five days a week.",
        eligibility="Adults 60 and over who cannot shop or cook.",
        languages="English, Spanish, Haitian Creole",
        address_line="12 Market Street",
        city="Springfield",
        state="MA",
        postal_code="01103",
        phone="555-0142",
        email="intake@meals.example.org",
        hours="Mon to Fri 8:00 to 16:00",
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
