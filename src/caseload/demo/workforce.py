"""The demo organisation's professional records: a profile for every clinical staff member
(education, licences, certifications, earlier jobs, CE), some verified by their supervisors,
one lapsed licence, competency reviews, and a program that requires the CCM.

- Daniel's CCM renews next month with 71 of 80 CE hours, 7 of the 8 in ethics (SCENARIOS.md,
  Grace's month end): on Grace's credential page and Daniel's worklist.
- Maya is 9 months into her job here, supervised by Daniel, who holds the CCM: her career plan
  shows the CCM three months away (CCMC category 1).
- Kim's RN licence lapsed last month; Rosa's LCSW expires in 45 days.
- Transitional care requires a current CCM: assigning one of its clients to someone without it
  warns.

Dates are relative to the day the demo is seeded, like the rest of the demo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from caseload.staff.models import User
from caseload.workforce import ladder
from caseload.workforce.engine import add_months
from caseload.workforce.models import (
    CERecord,
    CertificationRecord,
    CompetencyReview,
    EducationRecord,
    EmploymentRecord,
    LicenceRecord,
    ProgramCredential,
    ReviewKind,
)


@dataclass(frozen=True)
class Person:
    joined_months_ago: int
    degree: tuple[str, str, bool, int]  # level, field, related, completed months ago
    licence: tuple[str, bool, int] | None = None  # kind, independent, expires in days
    ccm_through: int | None = None  # valid through, in days from today
    earlier_job: tuple[str, str, int, int, bool] | None = None  # title, kind, from, to, by CCM
    ce: tuple[tuple[int, int, int], ...] = field(default=())  # months ago, hours, ethics
    verified: bool = False


def _end_of_next_month(today: dt.date) -> dt.date:
    first = add_months(today.replace(day=1), 2)
    return first - dt.timedelta(days=1)


PEOPLE: dict[str, Person] = {
    "grace": Person(
        150,
        ("master", "Nursing", True, 240),
        ("RN", True, 500),
        ccm_through=900,
        earlier_job=("Hospital case manager", "case_management", 260, 151, False),
        ce=((40, 30, 4), (20, 25, 4)),
    ),
    "priya": Person(
        96,
        ("master", "Social work", True, 170),
        ("LCSW", True, 300),
        ccm_through=600,
        earlier_job=("Case manager, Area Agency on Aging", "case_management", 150, 97, False),
        ce=((30, 20, 4), (10, 24, 4)),
        verified=True,
    ),
    "marcus": Person(80, ("master", "Counseling", True, 160), ("LPC", True, 700), verified=True),
    "rosa": Person(
        90,
        ("master", "Social work", True, 150),
        ("LCSW", True, 45),
        ccm_through=420,
        ce=((14, 30, 8),),
        verified=True,
    ),
    "hannah": Person(70, ("bachelor", "Nursing", True, 190), ("RN", True, 400), verified=True),
    "farid": Person(
        75, ("bachelor", "Public health", True, 160), ("RN", True, 380), ccm_through=800
    ),
    "daniel": Person(
        52,
        ("master", "Social work", True, 110),
        ("LCSW", True, 520),
        earlier_job=("Care coordinator, County Health", "case_management", 100, 53, False),
        verified=True,
    ),
    "aisha": Person(40, ("master", "Social work", True, 48), ("LMSW", False, 250), verified=True),
    "kim": Person(
        44,
        ("bachelor", "Nursing", True, 90),
        ("RN", True, -24),  # lapsed last month
        ccm_through=1200,
        ce=((6, 12, 2),),
    ),
    "lucia": Person(34, ("bachelor", "Child and family studies", True, 40)),
    "maya": Person(
        9,
        ("bachelor", "Social work", True, 19),
        earlier_job=("Volunteer, senior centre", "direct_client", 30, 20, False),
    ),
    "tomas": Person(14, ("bachelor", "Psychology", True, 20)),
}

#: A care manager the scenarios do not describe: a related bachelor's degree, three years here.
DEFAULT_PERSON = Person(36, ("bachelor", "Social work", True, 48), verified=True)

#: Daniel's CE in his current CCM period: 71 hours, 7 of them on ethics (months ago, hours,
#: ethics hours, activity, provider).
DANIEL_CE = (
    (50, 16, 2, "Case Management Society of America annual conference", "CMSA", "CCMC"),
    (
        38,
        12,
        0,
        "Dementia care: assessment and caregiver support",
        "Alzheimer's Association",
        "CCMC",
    ),
    (27, 15, 2, "Motivational interviewing, levels 1 and 2", "Behavioral Health Institute", "CCMC"),
    (16, 10, 1, "Care transitions after heart failure", "Regional Hospital", "CCMC"),
    (8, 12, 0, "Medicare chronic care management: documentation", "CMSA", "CCMC"),
    (3, 6, 2, "Ethics in case management: capacity and consent", "CCMC webinar", "CCMC"),
)


def _on(today: dt.date, months_ago: int) -> dt.date:
    return add_months(today, -months_ago)


def _seed_person(user: User, spec: Person, today: dt.date, verifier: User | None) -> None:
    when = timezone.now()
    verified = {"verified_by": verifier, "verified_at": when} if spec.verified and verifier else {}
    joined = add_months(today, -spec.joined_months_ago)
    user.date_joined = timezone.make_aware(dt.datetime.combine(joined, dt.time(9)))
    user.save(update_fields=["date_joined"])
    level, subject, related, months = spec.degree
    EducationRecord.objects.create(
        staff=user,
        level=level,
        field=subject,
        related_to_care_management=related,
        institution="State University",
        completed_on=_on(today, months),
        **verified,
    )
    if spec.licence:
        kind, independent, days = spec.licence
        LicenceRecord.objects.create(
            staff=user,
            kind=kind,
            number=f"{kind}-{user.pk:05d}",
            state="MA",
            independent_assessment=independent,
            expires_on=today + dt.timedelta(days=days),
            **verified,
        )
    if spec.ccm_through is not None:
        through = today + dt.timedelta(days=spec.ccm_through)
        CertificationRecord.objects.create(
            staff=user,
            code="CCM",
            issuing_body="CCMC",
            issued_on=add_months(through, -60) + dt.timedelta(days=1),
            valid_through=through,
            **verified,
        )
    if spec.earlier_job:
        title, kind, start, end, by_ccm = spec.earlier_job
        EmploymentRecord.objects.create(
            staff=user,
            title=title,
            kind=kind,
            start_on=_on(today, start),
            end_on=_on(today, end) - dt.timedelta(days=1),
            hours_per_week=Decimal(40) if kind != "direct_client" else Decimal(6),
            paid=kind != "direct_client",
            internship_or_volunteer=kind == "direct_client",
            supervised_by_ccm=by_ccm,
            supervision_hours_per_year=Decimal(52),
            **verified,
        )
    for months, hours, ethics in spec.ce:
        CERecord.objects.create(
            staff=user,
            activity="Case management conference",
            provider="CMSA",
            completed_on=_on(today, months),
            hours=hours,
            ethics_hours=ethics,
            approved_by="CCMC",
        )


def _seed_daniel(daniel: User, today: dt.date) -> None:
    through = _end_of_next_month(today)
    CertificationRecord.objects.create(
        staff=daniel,
        code="CCM",
        issuing_body="CCMC",
        number="CCM-88123",
        issued_on=add_months(through, -60) + dt.timedelta(days=1),
        valid_through=through,
        verified_by=daniel.supervisor,
        verified_at=timezone.now(),
    )
    for months, hours, ethics, activity, provider, body in DANIEL_CE:
        CERecord.objects.create(
            staff=daniel,
            activity=activity,
            provider=provider,
            completed_on=_on(today, months),
            hours=hours,
            ethics_hours=ethics,
            approved_by=body,
        )


def _review(user: User, reviewer: User, kind: str, on: dt.date, base: int, **spread: int) -> None:
    ratings = {c.id: base for c in ladder.frameworks().competencies} | spread
    CompetencyReview.objects.create(
        staff=user,
        reviewer=reviewer,
        kind=kind,
        reviewed_on=on,
        ratings=ratings,
        summary="Six-month review." if kind == ReviewKind.SUPERVISOR else "",
    )


def seed_workforce_demo(users: dict[str, User], programs: dict[str, Any], today: dt.date) -> None:
    """Every clinical staff member's professional record (see the module docstring)."""
    for username, spec in PEOPLE.items():
        user = users[username]
        _seed_person(user, spec, today, user.supervisor)
    # Everyone else on the clinical staff (the team demo's care managers): a plain profile.
    others = User.objects.exclude(career_level="").exclude(username__in=PEOPLE)
    for user in others:
        _seed_person(user, DEFAULT_PERSON, today, user.supervisor)
    _seed_daniel(users["daniel"], today)
    maya, tomas, daniel = users["maya"], users["tomas"], users["daniel"]
    review_day = today - dt.timedelta(days=20)
    _review(maya, maya, ReviewKind.SELF, review_day, 2, assessment=3, transitions=1)
    _review(maya, daniel, ReviewKind.SUPERVISOR, review_day, 2, assessment=3, communication=3)
    _review(tomas, daniel, ReviewKind.SUPERVISOR, review_day, 3, documentation=2)
    transitional = programs.get("transitional")
    if transitional is not None:
        ProgramCredential.objects.create(program=transitional, code="CCM", added_by=users["grace"])
