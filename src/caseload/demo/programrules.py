"""Demo data for the time-based care management programs (docs/programs.md), built through the
real services.

``seed_programrules_demo(today=..., now=...)`` runs after the demo organisation exists. This
month is in progress: some clients are just over a threshold and some just under (Mrs.
Lindqvist is 6 minutes short of 99490), one has chronic care management time but no consent on
file, one has both CCM and PCM time so the month's explanation shows ("PCM is not billed in a
month with CCM"). Last month is over and not yet closed: Grace closes it and downloads the
billing CSV.

The minutes are spread over the month up to now, so the demo is the same on any day of a month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from caseload.clients.models import Client
from caseload.consents.models import ConsentKind, ConsentMethod
from caseload.consents.services import consent_record
from caseload.programrules import services
from caseload.programrules.evaluation import month_of
from caseload.programrules.models import Activity, StaffType, TimeEntry, TimeSource
from caseload.staff.models import User

GERIATRIC_MD = "Dr. Helen Park, MD"
CHRONIC_MD = "Dr. Omar Siddiqui, MD"
BEHAVIOURAL_MD = "Dr. Ana Lima, MD (psychiatric consultant: Dr. Ben Ross)"

CONDITIONS = (
    ("Heart failure", "I50.9", True),
    ("Type 2 diabetes", "E11.9", False),
    ("COPD", "J44.9", True),
    ("Chronic kidney disease, stage 3", "N18.30", False),
)


@dataclass(frozen=True)
class Plan:
    """One client's program time: this month and last month, in minutes per entry."""

    client: str  # "Given Family"
    worker: str  # username of whoever did the work
    program: str
    consent: str  # the billing program words on the consent ('' for none)
    conditions: int
    practitioner: str
    this_month: tuple[int, ...]
    last_month: tuple[int, ...] = ()
    staff_type: str = StaffType.CLINICAL_STAFF


PLANS = (
    # Maya's geriatric caseload: chronic care management, 99490 at 20 minutes, 99439 at 40.
    Plan(
        "Ingrid Lindqvist",
        "maya",
        "CCM",
        "Chronic care management (99490)",
        2,
        GERIATRIC_MD,
        (8, 6),
        (25, 22, 15),
    ),
    Plan(
        "Walter Jackson",
        "maya",
        "CCM",
        "Chronic care management (99490)",
        3,
        GERIATRIC_MD,
        (12, 8),
        (30, 15),
    ),
    Plan(
        "Galina Petrova", "maya", "CCM", "Chronic care management", 2, GERIATRIC_MD, (20, 19), (18,)
    ),
    Plan(
        "Wilner Pierre",
        "maya",
        "CCM",
        "Chronic care management (CCM)",
        2,
        GERIATRIC_MD,
        (15, 14, 12),
    ),
    Plan("Thanh Nguyen", "maya", "CCM", "", 2, GERIATRIC_MD, (25,)),
    Plan(
        "Emeka Okafor",
        "maya",
        "PCM",
        "Principal care management (99426)",
        1,
        GERIATRIC_MD,
        (17, 12),
    ),
    # Daniel's: complex CCM just over 60 minutes; a physician's own CCM time.
    Plan(
        "Ruth Abernathy",
        "daniel",
        "complex-CCM",
        "Complex chronic care management",
        3,
        GERIATRIC_MD,
        (30, 31),
    ),
    Plan(
        "Igor Volkov",
        "daniel",
        "CCM",
        "Chronic care management",
        2,
        CHRONIC_MD,
        (31,),
        (30,),
        staff_type=StaffType.PHYSICIAN,
    ),
    # Aisha's behavioural health: collaborative care first month (36 billable) and later months
    # (31); behavioural health integration at 20.
    Plan("Olga Ivanova", "aisha", "CoCM", "Collaborative care (CoCM)", 0, BEHAVIOURAL_MD, (20, 15)),
    Plan(
        "Hodan Ali",
        "aisha",
        "CoCM",
        "Collaborative care (CoCM)",
        0,
        BEHAVIOURAL_MD,
        (16, 15),
        (40, 30),
    ),
    Plan(
        "Luis Gutiérrez", "aisha", "BHI", "Behavioral health integration", 0, BEHAVIOURAL_MD, (19,)
    ),
    Plan(
        "Kevin O'Connor",
        "aisha",
        "BHI",
        "Behavioral health integration",
        0,
        BEHAVIOURAL_MD,
        (11, 10),
        (25,),
    ),
    # Rosa's chronic disease program: community health integration at 60; APCM, no time.
    Plan("Kwame Asante", "rosa", "CHI", "Community health integration", 1, CHRONIC_MD, (35, 26)),
    Plan(
        "Shirley Washington",
        "rosa",
        "APCM",
        "Advanced primary care management",
        3,
        CHRONIC_MD,
        (10,),
    ),
)

#: Mrs. Chen has time toward CCM and PCM this month, carried over from the organisation's
#: previous system (which did not check that the two are never billed together; Caseload's form
#: refuses it): the month's result explains that PCM is not billed.
IMPORTED = ("Mei Chen", "maya", GERIATRIC_MD, (("CCM", 22), ("PCM", 35)))


def _client(name: str) -> Client:
    """The demo client called ``name`` (as the chart shows it)."""
    family = name.split(" ", 1)[1]
    found = [c for c in Client.objects.filter(family_name=family) if c.full_name == name]
    if len(found) != 1:
        raise LookupError(f"The demo has {len(found)} clients called {name}.")
    return found[0]


def _moments(start: dt.datetime, end: dt.datetime, count: int) -> list[dt.datetime]:
    """``count`` working-hour moments spread between ``start`` and ``end`` (both excluded)."""
    span = (end - start) / (count + 1)
    return [start + span * (i + 1) for i in range(count)]


def _month_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day.replace(day=1), dt.time(8)))


def _record(
    worker: User,
    client: Client,
    plan: Plan,
    minutes: tuple[int, ...],
    start: dt.datetime,
    end: dt.datetime,
) -> None:
    for when, amount in zip(_moments(start, end, len(minutes)), minutes, strict=True):
        services.time_entry_create(
            actor=worker,
            client=client,
            performed_at=when,
            minutes=amount,
            program=plan.program,
            activity=Activity.COORDINATION
            if plan.program != "CHI"
            else (Activity.COMMUNITY_RESOURCES),
            staff_type=plan.staff_type,
            billing_practitioner=plan.practitioner,
            description="Care management between contacts",
        )


def _prepare(client: Client, worker: User, plan: Plan, since: dt.date) -> None:
    if plan.consent:
        consent_record(
            actor=worker,
            client=client,
            kind=ConsentKind.BILLING,
            method=ConsentMethod.VERBAL,
            given_on=since,
            billing_program=plan.consent,
            note="Explained the monthly program, the cost sharing and how to stop at any time.",
        )
    for name, icd10, high_risk in CONDITIONS[: plan.conditions]:
        services.chronic_condition_create(
            actor=worker,
            client=client,
            name=name,
            icd10=icd10,
            high_risk=high_risk,
            noted_on=since,
        )


def _this_month_span(start: dt.datetime, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """From 08:00 on the 1st to an hour ago; early on the 1st, from midnight to now."""
    if now - dt.timedelta(hours=1) > start:
        return start, now - dt.timedelta(hours=1)
    return start.replace(hour=0), now


def seed_programrules_demo(*, today: dt.date, now: dt.datetime) -> int:
    """This month's and last month's program time for the demo; returns the entries made."""
    this_start = _month_start(today)
    last_day = this_start.date() - dt.timedelta(days=1)
    last_start = _month_start(last_day)
    last_end = timezone.make_aware(dt.datetime.combine(last_day, dt.time(18)))
    since = last_start.date() - dt.timedelta(days=60)
    users = {u.username: u for u in User.objects.filter(username__in={p.worker for p in PLANS})}
    for plan in PLANS:
        client = _client(plan.client)
        worker = users[plan.worker]
        _prepare(client, worker, plan, since)
        if plan.last_month:
            _record(worker, client, plan, plan.last_month, last_start, last_end)
        _record(worker, client, plan, plan.this_month, *_this_month_span(this_start, now))
    name, username, practitioner, parts = IMPORTED
    client = _client(name)
    worker = User.objects.get(username=username)
    _prepare(
        client,
        worker,
        Plan(
            name,
            username,
            "CCM",
            "Chronic care management and principal care management",
            2,
            practitioner,
            (),
        ),
        since,
    )
    start, end = _this_month_span(this_start, now)
    when = start + (end - start) / 2
    for program, minutes in parts:
        TimeEntry.objects.create(
            client=client,
            source=TimeSource.TIMER,
            program=program,
            activity=Activity.COORDINATION,
            performed_by=worker,
            staff_type=StaffType.CLINICAL_STAFF,
            performed_at=when,
            month=month_of(when),
            minutes=minutes,
            billing_practitioner=practitioner,
            description="Imported from the previous system",
        )
    return TimeEntry.objects.exclude(source=TimeSource.NOTE).count()
