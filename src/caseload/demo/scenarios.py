"""The records behind three SCENARIOS.md situations, made through the services that make them.

- Tuesday 9:00, Aisha: Daniela Ortiz's PHQ-9 by phone today scores 17 with item 9 = 1. The
  safety rule of the PHQ-9 raises her safety flag and the urgent task due today: neither is
  written by hand, so the flag says which assessment raised it.
- Any day, Kim: Mrs. Baptiste's HRSN screen found food insecurity; its suggested referral
  became her home-delivered meals referral, sent five business days ago and unanswered.
- Quarterly, Li: Kim, on call, broke the glass at 2 a.m. three nights ago to open a client
  outside her caseload, and looked at the chart and the care plan under that access.

Something that happened earlier (Kim's night, the screen a week ago) is run through the
services with the clock set to when it happened (``_clock_at``), so the grant, the audit events
and the views under the grant carry those times; the audit chain keeps them in the order they
were written, which its sequence numbers say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.utils import timezone

from caseload.assessments import services as assessments
from caseload.assessments.models import AssessmentResponse
from caseload.audit.services import audit_record
from caseload.careplans.models import CarePlan, Goal
from caseload.careplans.services import careplan_record_view
from caseload.clients.models import Client
from caseload.consents.models import ConsentKind, ConsentMethod, ShareCategory
from caseload.consents.selectors import share_consent_for_provider
from caseload.consents.services import consent_record
from caseload.core import business_days, clock
from caseload.demo import data
from caseload.directory.models import Service
from caseload.enrolments.models import Enrolment
from caseload.referrals import services as referrals
from caseload.referrals.models import Referral, ReferralEvent
from caseload.staff.services import system_actor
from caseload.tasks.models import Task, TaskStatus
from caseload.tasks.services import task_complete

if TYPE_CHECKING:
    from caseload.access.models import BreakGlassGrant
    from caseload.staff.models import User

#: Daniela Ortiz's PHQ-9 today: items 1-8 add up to 16, item 9 ("better off dead") is 1.
ORTIZ_PHQ9 = dict(zip([f"q{n}" for n in range(1, 10)], [3, 3, 2, 2, 2, 2, 1, 1, 1], strict=True))
_FREQUENCY = ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")  # "not at all" .. "nearly every day"

#: Mrs. Baptiste's HRSN screen: a steady home, food that runs out, no other need.
BAPTISTE_HRSN = {
    "living": "steady",
    "problems": ["none"],
    "food_worry": "often",
    "food_last": "often",
    "transport": "LA32-8",
    "utilities": "no",
    "hurt": "never",
    "insult": "never",
    "threaten": "never",
    "scream": "never",
}
MEALS_REASON = "Food insecurity on the HRSN screen: runs out of food before the end of the month."
KIM_REASON = (
    "On call: the client's son called at 2 a.m. after a fall; needed the medication list and "
    "advance directive for the paramedics."
)


@contextmanager
def _clock_at(moment: dt.datetime) -> Iterator[None]:
    """Run the services as if it were ``moment`` (``core.clock`` is the one source of now)."""
    real = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = real


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def ortiz_phq9_today(enrolment: Enrolment) -> None:
    """Aisha's PHQ-9 call with Daniela Ortiz this morning, completed and scored: its safety
    rule raises the safety flag and the urgent same-day task."""
    called = max(
        _local(clock.today(), 0, 10),
        (clock.now() - dt.timedelta(minutes=45)).replace(second=0, microsecond=0),
    )
    with _clock_at(called):
        assessments.response_submit(
            actor=enrolment.care_manager,
            client=enrolment.client,
            instrument_code="phq9",
            answers={code: _FREQUENCY[score] for code, score in ORTIZ_PHQ9.items()},
            complete=True,
            assessed_on=clock.today(),
        )


def baptiste_meals_referral() -> Referral | None:
    """Kim's HRSN screen with Mrs. Baptiste (food insecurity), and the home-delivered meals
    referral its suggestion became: sent five business days ago, unanswered, so the follow-up
    job has made its chase task."""
    enrolment = (
        Enrolment.objects.filter(
            client__family_name="Baptiste",
            client__mrn__startswith=data.MRN_PREFIX,
            care_manager__username="kim",
        )
        .select_related("care_manager", "client")
        .first()
    )
    meals = Service.objects.filter(name="Home-delivered meals").select_related("organisation")
    service = meals.first()
    if enrolment is None or service is None:
        return None
    kim, client = enrolment.care_manager, enrolment.client
    sent_on = clock.today()
    for _ in range(5):
        sent_on = business_days.business_day_before(sent_on)
    _screen(kim, client, business_days.business_day_before(sent_on))
    with _clock_at(_local(sent_on, 9, 30)):
        if not share_consent_for_provider(client, service.organisation.name):
            consent_record(  # asked at the screening visit, on the agency's form
                actor=kim,
                client=client,
                kind=ConsentKind.SHARE_PROVIDER,
                method=ConsentMethod.WRITTEN,
                given_on=business_days.business_day_before(sent_on),
                expires_on=sent_on + dt.timedelta(days=365),
                provider_name=service.organisation.name,
                categories=[
                    ShareCategory.CONTACT,
                    ShareCategory.CONDITIONS,
                    ShareCategory.CARE_PLAN,
                ],
            )
        referral = referrals.referral_create(
            actor=kim,
            client=client,
            enrolment=enrolment,
            service=service,
            reason=MEALS_REASON,
            urgency="routine",
            goal=Goal.objects.filter(
                careplan__enrolment=enrolment, description__icontains="meals"
            ).first(),
            shared_fields=["name", "phone", "address", "language", "reason", "goal"],
        )
        referral = referrals.referral_transition(
            actor=kim, referral=referral, to_status="sent", expected_version=referral.version
        )
    ReferralEvent.objects.filter(referral=referral).update(occurred_at=_local(sent_on, 9, 30))
    _close_suggestion(kim, client, f"Referred to {service.organisation.name} ({service.name}).")
    referrals.referral_followups_create(actor=system_actor())
    return referral


def hrsn_screens_behind_referrals() -> None:
    """Every demo referral that says it came from an HRSN screen gets that screen, given by
    whoever made the referral on the business day before it was sent."""
    for referral in Referral.objects.filter(reason__icontains="HRSN screen").select_related(
        "client", "created_by"
    ):
        if AssessmentResponse.objects.filter(
            client=referral.client, instrument_code="hrsn"
        ).exists():
            continue
        sent_on = referral.sent_on or clock.today()
        _screen(referral.created_by, referral.client, business_days.business_day_before(sent_on))
        _close_suggestion(referral.created_by, referral.client, f"Referred: {referral.reason}")


def _screen(actor: User, client: Client, day: dt.date) -> None:
    """The HRSN screen, given and completed on ``day``: positive for food insecurity, so its
    rule suggests a food resource referral (a task)."""
    with _clock_at(_local(day, 14, 20)):
        assessments.response_submit(
            actor=actor,
            client=client,
            instrument_code="hrsn",
            answers=BAPTISTE_HRSN,
            complete=True,
            assessed_on=day,
        )


def _close_suggestion(actor: User, client: Client, outcome: str) -> None:
    """The screen's suggested food referral, done: the referral was made."""
    suggested = Task.objects.filter(
        client=client, status=TaskStatus.OPEN, title__startswith="Suggested referral: Food"
    ).first()
    if suggested is not None:
        task_complete(
            actor=actor, task=suggested, expected_version=suggested.version, outcome_note=outcome
        )


def kim_breaks_the_glass_at_night() -> BreakGlassGrant | None:
    """Kim, on call three nights ago at 2:04, opened a geriatric client outside her caseload
    with her reason, then the chart and the care plan: the review queue shows both views."""
    from caseload.access.services import break_glass_open
    from caseload.staff.models import User

    kim = User.objects.get(username="kim")
    client = (
        Client.objects.exclude(enrolments__care_manager=kim)
        .filter(enrolments__program__code="geriatric")
        .order_by("family_name")
        .first()
    )
    if client is None:
        return None
    night = clock.today() - dt.timedelta(days=3)
    opened = _local(night, 2, 4)
    with _clock_at(opened):
        grant = break_glass_open(
            actor=kim,
            mrn=client.mrn,
            family_name="",
            date_of_birth=None,
            reason=KIM_REASON,
        )
    type(grant).objects.filter(pk=grant.pk).update(created_at=opened, updated_at=opened)
    grant.created_at = opened
    _looked_at(kim, client, _local(night, 2, 6), _local(night, 2, 9))
    return grant


def _looked_at(kim: User, client: Client, chart_at: dt.datetime, plan_at: dt.datetime) -> None:
    """What the chart and the care plan page record when they are opened."""
    with _clock_at(chart_at):
        audit_record(
            actor=kim,
            action="client.viewed",
            target=client,
            client=client,
            detail={"page": "chart"},
        )
    plan = CarePlan.objects.filter(client=client).first()
    if plan is not None:
        with _clock_at(plan_at):
            careplan_record_view(actor=kim, plan=plan)
