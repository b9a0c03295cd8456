"""Generate a realistic organisation for the benchmark, fast (bulk_create) and deterministic.

Shape per 10,000 clients: 5 programs, ~150 care managers (a fifth of them juniors, each
supervised by a care manager), a senior per program, a director. Every client has an
enrolment (one in ten a second one in another program), a care plan with problems, goals and
interventions per enrolment, about a dozen tasks (mostly done, a few open, some overdue) and
progress notes (a quarter of clients have ~20, the rest 0-6). One named care manager ("bench-cm")
has exactly 70 open clients, one of whom ("the chart client") has 500 notes.

What the month report counts, across the last 13 months at realistic rates: discharges (about
one enrolment in twelve ended in that time), goals with outcomes (achieved, not achieved, still
in progress, dated by their last change), contacts of every mode and with every party (the
notes), referrals (about one for every two clients, sent, answered or overdue, closed or still
open, with their status events), a PHQ-9 series for the collaborative-care program (baseline at
the start, then about monthly, under a 90-day reassessment schedule) and transitional-care
episodes with their three clocks (most met on time, some late, some missed).
Only Django must be set up before importing this module.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from caseload.assessments.models import AssessmentResponse, ReassessmentSchedule
from caseload.careplans.models import CarePlan, Goal, Intervention, Problem
from caseload.clients.models import Client, Flag
from caseload.core import clock
from caseload.enrolments.models import Enrolment, Program
from caseload.notes.models import ProgressNote
from caseload.referrals.models import Referral, ReferralEvent
from caseload.staff.models import CareerLevel, User
from caseload.tasks.models import Task
from caseload.transitions.models import TransitionalCareEpisode, TransitionalClock

BENCH_CM_CLIENTS = 70
#: How far back the report's history reaches (its 12-month trend, and a month before it).
HISTORY_DAYS = 400
CHART_NOTES = 500
CLIENTS_PER_CM = 66.7

PROGRAMS = [
    ("geriatric", "Geriatric care management", "geriatric"),
    ("behavioural", "Behavioural health (collaborative care)", "behavioural_health"),
    ("chronic", "Chronic disease management", "chronic_disease"),
    ("pediatric", "Pediatric complex care", "pediatric"),
    ("transitional", "Transitional care", "transitional"),
]
GIVEN = [
    "Ada",
    "Ahmed",
    "Aisha",
    "Alba",
    "Amara",
    "Ana",
    "Anders",
    "Astrid",
    "Beatriz",
    "Bilal",
    "Carmen",
    "Chen",
    "Chidi",
    "Dara",
    "Dev",
    "Elena",
    "Emeka",
    "Esther",
    "Farah",
    "Felix",
    "Grace",
    "Hana",
    "Hiro",
    "Ines",
    "Ingrid",
    "Isaac",
    "Jamal",
    "Jin",
    "Jorge",
    "Kai",
    "Kemal",
    "Lars",
    "Leila",
    "Lena",
    "Li",
    "Luis",
    "Maya",
    "Mei",
    "Mohammed",
    "Nadia",
    "Nia",
    "Noor",
    "Olu",
    "Omar",
    "Pavel",
    "Priya",
    "Rafael",
    "Rosa",
    "Ruth",
    "Sami",
    "Sara",
    "Sofia",
    "Tariq",
    "Tomás",
    "Uma",
    "Vera",
    "Wei",
    "Yara",
    "Yusuf",
    "Zofia",
]
FAMILY = [
    "Abbott",
    "Adeyemi",
    "Baptiste",
    "Bauer",
    "Becker",
    "Chen",
    "Costa",
    "Cruz",
    "Diallo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Gonzalez",
    "Haddad",
    "Hansen",
    "Hughes",
    "Ibrahim",
    "Ivanova",
    "Jensen",
    "Johansson",
    "Kaur",
    "Kim",
    "Kowalski",
    "Larsen",
    "Lee",
    "Lindqvist",
    "Lopez",
    "Martin",
    "Meyer",
    "Mohammed",
    "Moreau",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Nowak",
    "Okafor",
    "Olsen",
    "Park",
    "Patel",
    "Perez",
    "Petrov",
    "Quinn",
    "Ramirez",
    "Reyes",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Smith",
    "Tanaka",
    "Taylor",
    "Thomas",
    "Torres",
    "Walker",
    "Wang",
    "Weber",
    "Williams",
    "Wilson",
    "Wong",
    "Yilmaz",
    "Young",
    "Zhang",
]
TASK_TITLES = [
    "Follow-up call",
    "Arrange transport to appointment",
    "Medication reconciliation",
    "Confirm home care start",
    "Send care plan to family",
    "Check benefits application",
    "Reassessment due",
    "Call pharmacy about refills",
]
NOTE_TEXT = (
    "Called client to check in after last week's appointment. Client reports sleeping better "
    "and taking medication as prescribed. Discussed transport for next visit; daughter will "
    "drive. No new concerns. Plan: follow up in two weeks.\n"
)

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Subjects:
    """The people and records the benchmark requests are about."""

    care_manager_id: int
    senior_id: int
    program_id: uuid.UUID
    chart_client_id: uuid.UUID
    search_term: str
    clients: int
    enrolments: int
    notes: int
    tasks: int
    staff: int


class _Ids:
    """Deterministic UUIDs from the seeded generator, so two builds are identical."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)


def _bulk(model: type[M], objects: Iterable[M], batch: int = 2000) -> list[M]:
    created: list[M] = []
    chunk: list[M] = []
    for obj in objects:
        chunk.append(obj)
        if len(chunk) >= batch:
            created += model._default_manager.bulk_create(chunk, batch_size=batch)
            chunk = []
    if chunk:
        created += model._default_manager.bulk_create(chunk, batch_size=batch)
    return created


def _at_noon(day: dt.date, rng: random.Random) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=rng.randrange(0, 480))
    return timezone.make_aware(moment)


def build(n_clients: int, *, seed: int = 2026, log: Any = print) -> Subjects:
    """Fill an empty, migrated database; returns who and what to measure."""
    rng = random.Random(seed)
    new_id = _Ids(rng)
    today = clock.today()
    with transaction.atomic():
        programs = _bulk(
            Program,
            (
                Program(id=new_id(), code=code, name=name, kind=kind)
                for code, name, kind in PROGRAMS
            ),
        )
        staff, cms_by_program, bench_cm, seniors = _staff(n_clients, programs, rng)
        log(f"  staff: {len(staff)}")
        clients, enrolments = _clients_and_enrolments(
            n_clients, programs, cms_by_program, bench_cm, rng, new_id, today
        )
        log(f"  clients: {len(clients)}, enrolments: {len(enrolments)}")
        chart_client = clients[0]
        _careplans(enrolments, rng, new_id, today)
        log("  care plans, problems, goals, interventions: done")
        n_notes = _notes(clients, enrolments, chart_client, rng, new_id, today)
        log(f"  notes: {n_notes}")
        n_tasks = _tasks(clients, enrolments, rng, new_id, today)
        log(f"  tasks: {n_tasks}")
        _flags(clients, enrolments, rng, new_id)
        n_referrals = _referrals(enrolments, rng, new_id, today)
        log(f"  referrals: {n_referrals}")
        n_scores = _phq9(enrolments, programs, rng, new_id, today)
        log(f"  PHQ-9 scores: {n_scores}")
        n_clocks = _transitional(enrolments, programs, rng, new_id, today)
        log(f"  transitional-care clocks: {n_clocks}")
    return Subjects(
        care_manager_id=bench_cm.pk,
        senior_id=seniors[0].pk,
        program_id=programs[0].pk,
        chart_client_id=chart_client.pk,
        search_term=chart_client.family_name[:4].lower(),
        clients=len(clients),
        enrolments=len(enrolments),
        notes=n_notes,
        tasks=n_tasks,
        staff=len(staff),
    )


def _user(username: str, level: str, rng: random.Random, **fields: Any) -> User:
    return User(
        username=username,
        first_name=rng.choice(GIVEN),
        last_name=rng.choice(FAMILY),
        email=f"{username}@bench.example.org",
        career_level=level,
        password="!",  # noqa: S106 - unusable; the benchmark signs in with force_login
        **fields,
    )


def _staff(
    n_clients: int, programs: list[Program], rng: random.Random
) -> tuple[list[User], dict[Any, list[User]], User, list[User]]:
    director = _bulk(User, [_user("bench-director", CareerLevel.DIRECTOR, rng)])[0]
    seniors = _bulk(
        User,
        [_user(f"bench-senior-{p.code}", CareerLevel.SENIOR, rng) for p in programs],
    )
    per_program = max(2, round(n_clients / CLIENTS_PER_CM / len(programs)))
    cms_by_program: dict[Any, list[User]] = {}
    memberships = [(s.pk, p.pk) for s, p in zip(seniors, programs, strict=True)]
    staff = [director, *seniors]
    for program, senior in zip(programs, seniors, strict=True):
        n_juniors = per_program // 5
        supervisors = _bulk(
            User,
            [
                _user(
                    "bench-cm" if (program is programs[0] and n == 0) else f"cm-{program.code}-{n}",
                    CareerLevel.CARE_MANAGER,
                    rng,
                    supervisor_id=senior.pk,
                )
                for n in range(per_program - n_juniors)
            ],
        )
        juniors = _bulk(
            User,
            [
                _user(
                    f"junior-{program.code}-{n}",
                    CareerLevel.JUNIOR,
                    rng,
                    supervisor_id=supervisors[n % len(supervisors)].pk,
                )
                for n in range(n_juniors)
            ],
        )
        cms_by_program[program.pk] = supervisors + juniors
        memberships += [(u.pk, program.pk) for u in supervisors + juniors]
        staff += supervisors + juniors
    through = User.programs.through
    through.objects.bulk_create(
        [through(user_id=user_id, program_id=program_id) for user_id, program_id in memberships]
    )
    bench_cm = cms_by_program[programs[0].pk][0]
    return staff, cms_by_program, bench_cm, seniors


def _clients_and_enrolments(
    n_clients: int,
    programs: list[Program],
    cms_by_program: dict[Any, list[User]],
    bench_cm: User,
    rng: random.Random,
    new_id: _Ids,
    today: dt.date,
) -> tuple[list[Client], list[Enrolment]]:
    clients = _bulk(
        Client,
        (
            Client(
                id=new_id(),
                given_name=rng.choice(GIVEN),
                family_name=rng.choice(FAMILY),
                date_of_birth=today - dt.timedelta(days=rng.randrange(365 * 2, 365 * 98)),
                sex_at_birth=rng.choice(["female", "male"]),
                mrn=f"B{n:07d}",
                preferred_language=rng.choice(["English"] * 8 + ["Spanish", "Vietnamese"]),
            )
            for n in range(n_clients)
        ),
    )
    others = [cm for cm in cms_by_program[programs[0].pk] if cm.pk != bench_cm.pk]

    def enrolment(client: Client, program: Program, cm: User, *, open_only: bool) -> Enrolment:
        roll = rng.random()
        if open_only or roll < 0.80:
            status = "active"
        elif roll < 0.88:
            status = "on_hold"
        elif roll < 0.92:
            status = "referred"
        else:
            status = "discharged"
        if open_only and roll > 0.95:
            status = "referred"
        referred = today - dt.timedelta(days=rng.randrange(0, 900))
        started = None if status == "referred" else referred + dt.timedelta(days=7)
        return Enrolment(
            id=new_id(),
            client=client,
            program=program,
            status=status,
            care_manager=cm,
            acuity=rng.choice([1, 2, 2, 2, 3, 3, 4]),
            referred_on=referred,
            started_on=started,
            ended_on=max(started, today - dt.timedelta(days=rng.randrange(1, HISTORY_DAYS)))
            if status == "discharged" and started is not None
            else None,
            discharge_reason="goals_met" if status == "discharged" else "",
        )

    rows = []
    for n, client in enumerate(clients):
        if n < BENCH_CM_CLIENTS:
            program, cm = programs[0], bench_cm
        else:
            program = rng.choice(programs)
            pool = others if program is programs[0] else cms_by_program[program.pk]
            cm = rng.choice(pool)
        rows.append(enrolment(client, program, cm, open_only=n < BENCH_CM_CLIENTS))
        if rng.random() < 0.10:
            second = rng.choice([p for p in programs if p is not program])
            pool = others if second is programs[0] else cms_by_program[second.pk]
            rows.append(enrolment(client, second, rng.choice(pool), open_only=False))
    return clients, _bulk(Enrolment, rows)


def _careplans(
    enrolments: list[Enrolment], rng: random.Random, new_id: _Ids, today: dt.date
) -> None:
    plans = _bulk(
        CarePlan,
        (
            CarePlan(
                id=new_id(),
                enrolment=e,
                client_id=e.client_id,
                title="Care plan",
                status="closed" if e.status == "discharged" else "active",
                review_due=today + dt.timedelta(days=rng.randrange(-30, 150)),
                participants="Client, daughter, care manager",
                published_number=1,
                has_unpublished_changes=False,
                author_id=e.care_manager_id,
            )
            for e in enrolments
        ),
    )
    problems = _bulk(
        Problem,
        (
            Problem(id=new_id(), careplan=plan, description=text)
            for plan in plans
            for text in rng.sample(
                [
                    "Risk of falls at home",
                    "Social isolation",
                    "Medication adherence",
                    "Food insecurity",
                    "Unstable housing",
                ],
                rng.randint(1, 2),
            )
        ),
    )

    def goal(problem: Problem, n: int) -> Goal:
        roll = rng.random()
        status = "achieved" if roll < 0.22 else "not_achieved" if roll < 0.30 else "active"
        set_on = today - dt.timedelta(days=rng.randrange(0, HISTORY_DAYS + 200))
        changed = set_on if status == "active" else set_on + (today - set_on) * rng.random()
        return Goal(
            id=new_id(),
            careplan_id=problem.careplan_id,
            problem=problem,
            description=f"Goal {n + 1} for {problem.description.lower()}",
            measure="Times a week",
            target_value="3",
            target_date=today + dt.timedelta(days=rng.randrange(30, 180)),
            expressed_by=rng.choice(["client", "family", "clinician"]),
            status=status,
            created_at=_at_noon(set_on, rng),
            updated_at=_at_noon(changed, rng),
        )

    with _dated_as_given(Goal):
        goals = _bulk(Goal, (goal(p, n) for p in problems for n in range(rng.randint(1, 2))))
    _bulk(
        Intervention,
        (
            Intervention(
                id=new_id(),
                careplan_id=goal.careplan_id,
                goal=goal,
                description="Weekly check-in call",
                responsible="Care manager",
                frequency="Weekly",
            )
            for goal in goals
        ),
    )


def _notes(
    clients: list[Client],
    enrolments: list[Enrolment],
    chart_client: Client,
    rng: random.Random,
    new_id: _Ids,
    today: dt.date,
) -> int:
    first_enrolment: dict[Any, Enrolment] = {}
    for e in enrolments:
        first_enrolment.setdefault(e.client_id, e)

    def notes_for(client: Client, count: int, span_days: int) -> Iterable[ProgressNote]:
        e = first_enrolment[client.pk]
        for _ in range(count):
            contact_at = _at_noon(today - dt.timedelta(days=rng.randrange(0, span_days)), rng)
            signed = rng.random() < 0.92
            yield ProgressNote(
                id=new_id(),
                client=client,
                enrolment=e,
                author_id=e.care_manager_id,
                contact_at=contact_at,
                contact_type=rng.choice(["phone", "phone", "visit", "video", "message"]),
                contact_with=rng.choice(["client", "client", "related_person", "provider"]),
                reached=rng.random() < 0.8,
                minutes=rng.choice([5, 10, 15, 20, 30, 45]),
                narrative=NOTE_TEXT,
                status="signed" if signed else "draft",
                signed_at=contact_at if signed else None,
            )

    def all_notes() -> Iterable[ProgressNote]:
        yield from notes_for(chart_client, CHART_NOTES, 3 * 365)
        for client in clients[1:]:
            if rng.random() < 0.25:
                yield from notes_for(client, rng.randint(15, 25), 365)
            else:
                yield from notes_for(client, rng.randint(0, 6), HISTORY_DAYS)

    return len(_bulk(ProgressNote, all_notes(), batch=5000))


def _tasks(
    clients: list[Client],
    enrolments: list[Enrolment],
    rng: random.Random,
    new_id: _Ids,
    today: dt.date,
) -> int:
    first_enrolment: dict[Any, Enrolment] = {}
    for e in enrolments:
        first_enrolment.setdefault(e.client_id, e)

    def all_tasks() -> Iterable[Task]:
        for client in clients:
            e = first_enrolment[client.pk]
            for _ in range(rng.randint(6, 12)):  # history: done or cancelled
                due = today - dt.timedelta(days=rng.randrange(1, 365))
                yield Task(
                    id=new_id(),
                    title=rng.choice(TASK_TITLES),
                    client=client,
                    enrolment=e,
                    owner_id=e.care_manager_id,
                    created_by_id=e.care_manager_id,
                    due_on=due,
                    priority=rng.choice([2, 3, 3, 4]),
                    status="done" if rng.random() < 0.9 else "cancelled",
                    completed_at=_at_noon(due, rng),
                    completed_by_id=e.care_manager_id,
                )
            for _ in range(rng.randint(0, 4)):  # open: mostly ahead, some overdue
                yield Task(
                    id=new_id(),
                    title=rng.choice(TASK_TITLES),
                    client=client,
                    enrolment=e,
                    owner_id=e.care_manager_id,
                    created_by_id=e.care_manager_id,
                    due_on=today + dt.timedelta(days=rng.randrange(-20, 45)),
                    priority=rng.choice([1, 2, 3, 3, 3, 4]),
                )

    return len(_bulk(Task, all_tasks(), batch=5000))


def _flags(
    clients: list[Client], enrolments: list[Enrolment], rng: random.Random, new_id: _Ids
) -> None:
    manager = {e.client_id: e.care_manager_id for e in enrolments}
    rows = []
    for client in clients:
        roll = rng.random()
        if roll < 0.03:
            kind, active = "safety", True
        elif roll < 0.06:
            kind, active = "safety", False
        elif roll < 0.12:
            kind, active = rng.choice(["fall_risk", "behaviour", "infection"]), True
        else:
            continue
        rows.append(
            Flag(
                id=new_id(),
                client=client,
                kind=kind,
                description="Raised during assessment",
                is_active=active,
                raised_by_id=manager[client.pk],
            )
        )
    _bulk(Flag, rows)


@contextmanager
def _dated_as_given(model: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep the created_at / updated_at we set (history), not "now"."""
    created, updated = model._meta.get_field("created_at"), model._meta.get_field("updated_at")
    saved = created.auto_now_add, updated.auto_now  # type: ignore[union-attr]
    created.auto_now_add = updated.auto_now = False  # type: ignore[union-attr]
    try:
        yield
    finally:
        created.auto_now_add, updated.auto_now = saved  # type: ignore[union-attr]


def _add_business_days(day: dt.date, days: int) -> dt.date:
    while days:
        day += dt.timedelta(days=1)
        days -= day.weekday() < 5
    return day


PROVIDERS = [
    "Northside Community Pharmacy",
    "Eastgate Physiotherapy",
    "Riverside Food Bank",
    "Meals on Wheels",
    "City Housing Advice Centre",
    "St Anne's Memory Clinic",
    "Harbour Counselling Service",
    "Valley Transport Scheme",
]


def _referrals(
    enrolments: list[Enrolment], rng: random.Random, new_id: _Ids, today: dt.date
) -> int:
    """About one referral for every two clients over the history: answered (most on time),
    then closed with an outcome or still open; some never answered (responses overdue)."""
    referrals: list[Referral] = []
    events: list[ReferralEvent] = []
    now = timezone.now()

    def event(referral: Referral, at: dt.datetime, before: str, after: str) -> None:
        events.append(
            ReferralEvent(
                id=new_id(),
                referral_id=referral.pk,
                kind="created" if not before else "status",
                from_status=before,
                to_status=after,
                actor_id=referral.created_by_id,
                occurred_at=min(at, now),
                created_at=min(at, now),
                updated_at=min(at, now),
            )
        )

    for e in enrolments:
        if e.started_on is None or rng.random() > 0.45:
            continue
        last = e.ended_on or today
        first = max(e.started_on, today - dt.timedelta(days=HISTORY_DAYS))
        if last < first:
            continue
        sent_on = first + dt.timedelta(days=rng.randrange(0, (last - first).days + 1))
        urgency = rng.choice(["routine", "routine", "routine", "soon", "urgent"])
        due = _add_business_days(sent_on, {"urgent": 1, "soon": 2, "routine": 3}[urgency])
        sent_at = _at_noon(sent_on, rng)
        r = Referral(
            id=new_id(),
            client_id=e.client_id,
            enrolment_id=e.pk,
            provider_name=rng.choice(PROVIDERS),
            reason="Client asked for help; see the care plan.",
            urgency=urgency,
            status="sent",
            sent_on=sent_on,
            response_due_on=due,
            created_by_id=e.care_manager_id,
            created_at=sent_at,
            updated_at=sent_at,
        )
        event(r, sent_at - dt.timedelta(minutes=5), "", "draft")
        event(r, sent_at, "draft", "sent")
        roll = rng.random()
        if roll < 0.08:  # never answered: overdue once its deadline passed
            pass
        else:
            late = roll < 0.18
            answered_on = due + dt.timedelta(days=rng.randrange(1, 10) if late else 0)
            answered_on -= dt.timedelta(days=0 if late else rng.randrange(0, 3))
            answered_on = max(answered_on, sent_on)
            answered_at = _at_noon(answered_on, rng)
            if answered_at < now:
                declined = rng.random() < 0.12
                event(r, answered_at, "sent", "declined" if declined else "accepted")
                r.status = "declined" if declined else "accepted"
                r.status_changed_at = answered_at
                if declined:
                    r.closed_at = answered_at
                else:
                    closed_at = answered_at + dt.timedelta(days=rng.randrange(3, 60))
                    if closed_at < now and rng.random() < 0.9:
                        outcome = rng.choice(["completed"] * 8 + ["no_show", "cancelled"])
                        event(r, closed_at, "accepted", outcome)
                        r.status, r.status_changed_at, r.closed_at = outcome, closed_at, closed_at
                if r.closed_at is not None:
                    r.closed_by_id = e.care_manager_id
                    r.updated_at = r.closed_at
        referrals.append(r)
    with _dated_as_given(Referral):
        _bulk(Referral, referrals)
    with _dated_as_given(ReferralEvent):
        _bulk(ReferralEvent, events, batch=5000)
    return len(referrals)


def _phq9(
    enrolments: list[Enrolment],
    programs: list[Program],
    rng: random.Random,
    new_id: _Ids,
    today: dt.date,
) -> int:
    """Collaborative care: a PHQ-9 baseline when the enrolment started (if within the history)
    and then one about every four to six weeks while it is open; a fifth of the series stop
    early (reassessments overdue). Most clients improve, some reach remission."""
    behavioural = next(p for p in programs if p.kind == "behavioural_health")
    ReassessmentSchedule.objects.create(
        program=behavioural, instrument_code="phq9", interval_days=90
    )
    since = today - dt.timedelta(days=HISTORY_DAYS + 120)

    def series() -> Iterable[AssessmentResponse]:
        for e in enrolments:
            if e.program_id != behavioural.pk or e.started_on is None:
                continue
            last = min(e.ended_on or today, today)
            day = max(e.started_on, since)
            stop = last if rng.random() > 0.2 else day + (last - day) * rng.random()
            score = rng.randint(10, 24)
            improving = rng.random() < 0.7
            while day <= stop:
                at = _at_noon(day, rng)
                yield AssessmentResponse(
                    id=new_id(),
                    client_id=e.client_id,
                    enrolment_id=e.pk,
                    instrument_code="phq9",
                    instrument_version="1",
                    status="completed",
                    assessed_on=day,
                    started_by_id=e.care_manager_id,
                    completed_by_id=e.care_manager_id,
                    completed_at=at,
                    total=score,
                    created_at=at,
                    updated_at=at,
                )
                step = rng.randint(1, 5) if improving else rng.randint(-2, 2)
                score = max(0, min(27, score - step))
                day += dt.timedelta(days=rng.randrange(28, 43))

    with _dated_as_given(AssessmentResponse):
        return len(_bulk(AssessmentResponse, series(), batch=5000))


def _transitional(
    enrolments: list[Enrolment],
    programs: list[Program],
    rng: random.Random,
    new_id: _Ids,
    today: dt.date,
) -> int:
    """Transitional care: an episode after a discharge for most of the program's enrolments
    within the history, each with its three clocks."""
    program = next(p for p in programs if p.kind == "transitional")
    episodes: list[TransitionalCareEpisode] = []
    clocks: list[TransitionalClock] = []
    for e in enrolments:
        if e.program_id != program.pk or e.started_on is None or rng.random() > 0.6:
            continue
        first = max(e.started_on, today - dt.timedelta(days=HISTORY_DAYS))
        last = min(e.ended_on or today, today)
        if last < first:
            continue
        discharged = first + dt.timedelta(days=rng.randrange(0, (last - first).days + 1))
        high = rng.random() < 0.4
        closed_early = rng.random() < 0.06
        episode = TransitionalCareEpisode(
            id=new_id(),
            client_id=e.client_id,
            enrolment_id=e.pk,
            discharged_on=discharged,
            discharged_from=rng.choice(["hospital", "hospital", "snf"]),
            facility_name="General Hospital",
            complexity="high" if high else "moderate",
            ends_on=discharged + dt.timedelta(days=29),
            status="closed" if closed_early else "active",
            close_reason="readmitted" if closed_early else "",
            closed_at=_at_noon(discharged + dt.timedelta(days=5), rng) if closed_early else None,
            recorded_by_id=e.care_manager_id,
        )
        episodes.append(episode)
        visit = discharged + dt.timedelta(days=7 if high else 14)
        for kind, due in (
            ("interactive_contact", _add_business_days(discharged, 2)),
            ("face_to_face", visit),
            ("medication_reconciliation", visit),
        ):
            roll = rng.random()
            met_on = None
            if not closed_early and roll < 0.9:
                met_on = due - dt.timedelta(days=rng.randrange(0, 3))
                if roll > 0.78:
                    met_on = due + dt.timedelta(days=rng.randrange(1, 6))
                met_on = max(met_on, discharged)
                if met_on > today:
                    met_on = None
            clocks.append(
                TransitionalClock(
                    id=new_id(),
                    episode_id=episode.pk,
                    kind=kind,
                    due_on=due,
                    met_on=met_on,
                    recorded_by_id=e.care_manager_id if met_on else None,
                )
            )
    _bulk(TransitionalCareEpisode, episodes)
    return len(_bulk(TransitionalClock, clocks))
