"""Demo data for coordination of services (directory, referrals, appointments, transitional
care), built through the real services.

``seed_coordination_demo()`` runs after the demo organisation exists (clients, enrolments,
care plans). It imports the demo directory (``directory.demo``, the same path an
administrator's CSV upload takes), then gives a handful of clients referrals in several states,
appointments this week and one transitional-care episode. Idempotent: nothing happens when the
directory already has services.

Dates a service would stamp "now" (a referral sent five business days ago) are set on the rows
afterwards, as the main demo seed does for its history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from caseload.access import policies
from caseload.appointments import services as appointment_services
from caseload.careplans.models import Goal
from caseload.consents.models import ConsentKind, ConsentMethod, ShareCategory
from caseload.consents.selectors import share_consent_for_provider
from caseload.consents.services import consent_record
from caseload.core import business_days, clock
from caseload.directory.demo import seed_directory
from caseload.directory.models import Service
from caseload.enrolments.models import OPEN_STATUSES, Enrolment
from caseload.referrals import services as referral_services
from caseload.referrals.models import ReferralEvent
from caseload.transitions import services as transition_services


def _service(name: str) -> Service:
    return Service.objects.select_related("organisation").get(name=name)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _goal_of(enrolment: Enrolment) -> Goal | None:
    return Goal.objects.filter(careplan__enrolment=enrolment).order_by("created_at").first()


def seed_coordination_demo(
    discharged: Enrolment | None = None, discharged_on: dt.date | None = None
) -> dict[str, int]:
    """Directory, referrals, appointments and a transitional-care episode for the demo.

    ``discharged`` is the enrolment of the client discharged from hospital (Mr. Haddad, on
    ``discharged_on``, a Friday); without it the sixth open enrolment is used, discharged
    last Friday.
    """
    if Service.objects.exists():
        return {}
    made = {"services": seed_directory()}
    enrolments = [
        e
        for e in Enrolment.objects.filter(status__in=OPEN_STATUSES)
        .select_related("client", "care_manager", "program")
        .order_by("client__family_name", "client__given_name")[:60]
        if policies.is_clinical(e.care_manager)
    ]
    if len(enrolments) < 6:
        return made
    with_goals = set(
        Goal.objects.filter(careplan__enrolment__in=enrolments).values_list(
            "careplan__enrolment_id", flat=True
        )
    )
    # Clients with a care plan goal first, so the referrals can write their outcome back.
    enrolments.sort(key=lambda e: e.pk not in with_goals)
    today = clock.today()
    meals, tailored = _service("Home-delivered meals"), _service("Medically tailored meals")
    rides, therapy = _service("Medical appointment rides"), _service("Home physical therapy")
    counselling = _service("Grief and depression counselling")

    def refer(enrolment: Enrolment, service: Service, reason: str, **kwargs: Any) -> Any:
        organisation = service.organisation.name
        if kwargs.pop("consent", True) and not share_consent_for_provider(
            enrolment.client, organisation
        ):
            # Asked at the visit before the referral; written, on the agency's form.
            consent_record(
                actor=enrolment.care_manager,
                client=enrolment.client,
                kind=ConsentKind.SHARE_PROVIDER,
                method=ConsentMethod.WRITTEN,
                given_on=today - dt.timedelta(days=14),
                expires_on=today + dt.timedelta(days=351),
                provider_name=organisation,
                categories=[
                    ShareCategory.CONTACT,
                    ShareCategory.CONDITIONS,
                    ShareCategory.CARE_PLAN,
                ],
            )
        return referral_services.referral_create(
            actor=enrolment.care_manager,
            client=enrolment.client,
            enrolment=enrolment,
            service=service,
            reason=reason,
            urgency=kwargs.pop("urgency", "routine"),
            goal=_goal_of(enrolment),
            shared_fields=["name", "phone", "address", "language", "reason", "goal"],
        )

    def move(enrolment: Enrolment, referral: Any, *steps: tuple[str, dict[str, Any]]) -> Any:
        for status, extra in steps:
            referral = referral_services.referral_transition(
                actor=enrolment.care_manager,
                referral=referral,
                to_status=status,
                expected_version=referral.version,
                **extra,
            )
        return referral

    # 1. Sent five business days ago, no answer: overdue. Its follow-up task is created by the
    # periodic job "referral follow-ups" (caseload qcluster, started by `make run`).
    first = enrolments[0]
    overdue = move(first, refer(first, meals, "Food insecurity on the HRSN screen."), ("sent", {}))
    sent_on = today
    for _ in range(5):
        sent_on = business_days.business_day_before(sent_on)
    overdue.sent_on = sent_on
    overdue.response_due_on = referral_services.response_due_from(sent_on, overdue.urgency)
    overdue.save(update_fields=["sent_on", "response_due_on"])
    ReferralEvent.objects.filter(referral=overdue, to_status="sent").update(
        occurred_at=_at(sent_on, 10)
    )

    # 2. The whole loop closed, outcome written back to the goal.
    second = enrolments[1]
    move(
        second,
        refer(second, tailored, "Heart failure: low-sodium meals after discharge."),
        ("sent", {}),
        ("received", {"note": "Intake coordinator confirmed by phone."}),
        ("accepted", {}),
        ("scheduled", {"scheduled_for": _at(today - dt.timedelta(days=3), 11)}),
        ("completed", {"note": "Deliveries started: five meals a week."}),
    )

    # 3. Accepted and booked: an appointment later this week.
    third = enrolments[2]
    accepted = move(
        third,
        refer(third, therapy, "Two falls this month; needs strength and balance work."),
        ("sent", {}),
        ("accepted", {"note": "Therapist assigned."}),
    )
    start = _at(business_days.business_days_after(today, 2), 10)
    move(third, accepted, ("scheduled", {"scheduled_for": start}))
    appointment_services.appointment_create(
        actor=third.care_manager,
        client=third.client,
        referral=accepted,
        enrolment=third,
        purpose="First physical therapy visit",
        with_kind="service",
        service=therapy,
        location_kind="in_person",
        location=third.client.address_line or "At home",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        allow_double_booking=True,
    )

    # 4. A draft waiting for the client's consent; 5. an urgent one just sent.
    fourth, fifth = enrolments[3], enrolments[4]
    refer(fourth, counselling, "Low mood since the death of their spouse.", consent=False)
    move(fifth, refer(fifth, rides, "Dialysis three times a week.", urgency="urgent"), ("sent", {}))

    # Appointments this week for the care managers, one needing transport and an interpreter.
    for index, enrolment in enumerate(enrolments[5:11]):
        day = business_days.business_days_after(today, index % 4)
        begin = _at(day, 9 + index)
        appointment_services.appointment_create(
            actor=enrolment.care_manager,
            client=enrolment.client,
            enrolment=enrolment,
            purpose="Home visit" if index % 2 == 0 else "Cardiology follow-up",
            with_kind="staff" if index % 2 == 0 else "provider",
            staff=enrolment.care_manager if index % 2 == 0 else None,
            provider_name="" if index % 2 == 0 else "Dr. Ada Park, Boston Heart Clinic",
            location_kind="in_person",
            location=enrolment.client.address_line or "At home",
            starts_at=begin,
            ends_at=begin + dt.timedelta(minutes=45),
            transport_needed=index == 1,
            interpreter_needed=index == 1 and enrolment.client.interpreter_needed,
            interpreter_language=enrolment.client.preferred_language if index == 1 else "",
            allow_double_booking=True,
        )

    # The Friday 16:45 scenario: discharged on Friday after heart failure; the clocks run.
    patient = discharged or enrolments[5]
    friday = discharged_on or today - dt.timedelta(days=(today.weekday() - 4) % 7 or 7)
    episode = transition_services.discharge_record(
        actor=patient.care_manager,
        client=patient.client,
        enrolment=patient,
        discharged_on=friday,
        discharged_from="hospital",
        facility_name="Harbor General Hospital",
        complexity="high",
        notes="Heart failure (fluid overload), 6-day stay. Furosemide doubled; lisinopril and "
        "spironolactone started; potassium stopped.",
    )
    called = business_days.business_days_after(friday, 2)
    if called < today:  # the interactive contact was made on the day it was due
        transition_services.clock_record_met(
            actor=patient.care_manager,
            episode=episode,
            kind="interactive_contact",
            met_on=called,
            note="Phoned; spoke with the client and his wife. Weighing himself each morning.",
            expected_version=episode.version,
        )
    made.update(referrals=5, appointments=7, episodes=1)
    return made
