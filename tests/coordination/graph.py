"""What the project-wide access matrix needs to reach coordination's pages.

``coordination_ids(client, owner)`` builds one referral, appointment and transitional-care
episode for ``client`` (on ``owner``'s caseload) and a calendar feed for ``owner``, and returns
the URL parameters: referral_id, appointment_id, episode_id, token.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from caseload.appointments import services as appointment_services
from caseload.directory.models import Service, ServiceOrganisation
from caseload.referrals import services as referral_services
from caseload.transitions import services as transition_services
from tests.referrals.conftest import give_provider_consent


def coordination_ids(client: Any, owner: Any) -> dict[str, Any]:
    organisation, _ = ServiceOrganisation.objects.get_or_create(name="Matrix Community Services")
    service, _ = Service.objects.get_or_create(
        organisation=organisation, name="Matrix meals", defaults={"service_type": "meals"}
    )
    enrolment = client.enrolments.first()
    give_provider_consent(client, owner, organisation.name)
    referral = referral_services.referral_create(
        actor=owner,
        client=client,
        enrolment=enrolment,
        service=service,
        reason="Needs meals",
        urgency="routine",
        shared_fields=["name", "reason"],
    )
    start = timezone.now() + dt.timedelta(days=2)
    appointment = appointment_services.appointment_create(
        actor=owner,
        client=client,
        purpose="Home visit",
        with_kind="staff",
        staff=owner,
        location_kind="in_person",
        location="At home",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        allow_double_booking=True,
    )
    episode = transition_services.discharge_record(
        actor=owner,
        client=client,
        enrolment=enrolment,
        discharged_on=timezone.localdate(),
        discharged_from="hospital",
        facility_name="General Hospital",
        complexity="high",
    )
    _, token = appointment_services.calendar_feed_create(actor=owner)
    return {
        "referral_id": referral.pk,
        "appointment_id": appointment.pk,
        "episode_id": episode.pk,
        "token": token,
    }
