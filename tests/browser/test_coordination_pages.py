"""Coordination pages in Chromium: screenshots and axe-core on each (no serious violations)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from caseload.appointments import services as appointment_services
from caseload.directory.demo import seed_directory
from caseload.referrals import services as referral_services
from caseload.transitions import services as transition_services
from tests import factories
from tests.browser_support import sign_in, snap
from tests.referrals.conftest import give_provider_consent, goal_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
]


def test_coordination_pages_are_accessible(page: Any, org: Any) -> None:
    seed_directory()
    from caseload.directory.models import Service

    meals = Service.objects.get(name="Home-delivered meals")
    client = org.junior_client
    factories.RelatedPersonFactory(client=client, is_primary_caregiver=True)
    goal = goal_for(client, org.junior)
    give_provider_consent(client, org.junior, meals.organisation.name)
    referral = referral_services.referral_create(
        actor=org.junior,
        client=client,
        enrolment=client.enrolments.first(),
        service=meals,
        reason="Food insecurity on the HRSN screen",
        urgency="routine",
        goal=goal,
        shared_fields=["name", "phone", "reason"],
    )
    referral = referral_services.referral_transition(
        actor=org.junior, referral=referral, to_status="sent", expected_version=referral.version
    )
    start = timezone.now() + dt.timedelta(days=1)
    appointment = appointment_services.appointment_create(
        actor=org.junior,
        client=client,
        purpose="Home visit",
        with_kind="staff",
        staff=org.junior,
        location_kind="in_person",
        location="4 Elm Street",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        transport_needed=True,
    )
    episode = transition_services.discharge_record(
        actor=org.junior,
        client=client,
        enrolment=client.enrolments.first(),
        discharged_on=timezone.localdate() - dt.timedelta(days=3),
        discharged_from="hospital",
        facility_name="Springfield General",
        complexity="high",
    )
    sign_in(page, "junior", factories.PASSWORD)
    for name, url in [
        ("coordination-directory", "/coordination/directory/?q=meals"),
        ("coordination-referral-new", f"/coordination/for/{client.pk}/referrals/new/"),
        ("coordination-referral", f"/coordination/referrals/{referral.pk}/"),
        ("coordination-my-referrals", "/coordination/referrals/"),
        ("coordination-appointment-new", f"/coordination/for/{client.pk}/appointments/new/"),
        ("coordination-appointment", f"/coordination/appointments/{appointment.pk}/"),
        ("coordination-week", f"/coordination/appointments/week/?start={start:%Y-%m-%d}"),
        (
            "coordination-day",
            f"/coordination/appointments/?date={timezone.localdate(start):%Y-%m-%d}",
        ),
        ("coordination-calendar", "/coordination/calendar/"),
        ("coordination-discharge", f"/coordination/for/{client.pk}/discharges/new/"),
        ("coordination-episode", f"/coordination/transitional-care/{episode.pk}/"),
        ("coordination-overview", f"/coordination/for/{client.pk}/"),
        ("coordination-chart-sections", f"/clients/{client.pk}/#referrals"),
    ]:
        page.goto(url)
        snap(page, name)
    # the error summary of a refused form is accessible too
    page.goto(f"/coordination/referrals/{referral.pk}/")
    page.get_by_label("Cancelled").check()
    page.get_by_role("button", name="Save status").click()
    assert page.get_by_role("alert").is_visible()
    snap(page, "coordination-referral-error")
