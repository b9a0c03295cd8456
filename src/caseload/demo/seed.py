"""Builds the demo organisation (``caseload.demo.data``) through the real services.

What a person does goes through the services, as it would from a page: clients registered by
their care manager, related people added, enrolments moved through the status machine and
discharged, care teams, care plans created and published (juniors' versions co-signed by their
supervisor, or left waiting), goals reviewed, recent notes signed and co-signed, tasks raised
and completed, flags raised and resolved.

Two kinds of rows are written directly, because no service can say "this happened in March" and
running months of history through the services made the seed slow:

- history: the services stamp everything "now", so dates (created, started, signed, co-signed,
  completed, resolved, ended) are then set on the rows, consistently with each other;
- bulk content: a plan's problems, goals and interventions (drawn from the library in
  ``data.PROBLEMS``, which tests hold to the rules ``goal_add`` applies) and notes older than
  ``RECENT_DAYS`` (signed, and co-signed when a junior wrote them).

Audit events are append-only and keep the time the demo was seeded, which is the truth; the
few scenario moments ``demo/scenarios.py`` replays (Kim's night, a screen a week ago) run with
the clock set to when they happened, so their events carry those times.
Deterministic: one ``random.Random(2026)``; every date is relative to today.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from caseload.careplans import services as careplans
from caseload.careplans.models import (
    AgreementBy,
    CarePlan,
    CarePlanStatus,
    CarePlanVersion,
    CosignStatus,
    Goal,
    GoalStatus,
    Intervention,
    InterventionStatus,
    Problem,
)
from caseload.clients import services as clients
from caseload.clients.models import Client, Flag, RelatedPerson
from caseload.consents.models import ConsentKind, ConsentMethod, ShareCategory
from caseload.consents.services import consent_record
from caseload.core import clock
from caseload.core.business_days import business_days_after
from caseload.core.errors import Conflict
from caseload.demo import data, scenarios
from caseload.demo.coordination import seed_coordination_demo
from caseload.demo.plans import PlanRows
from caseload.demo.programrules import seed_programrules_demo
from caseload.demo.team import seed_team_demo
from caseload.demo.workforce import seed_workforce_demo
from caseload.enrolments import services as enrolments
from caseload.enrolments.models import (
    CareTeamMember,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    Program,
)
from caseload.notes import services as notes
from caseload.notes.models import (
    ContactType,
    ContactWith,
    NoteAddendum,
    NoteStatus,
    ProgressNote,
)
from caseload.staff.models import CareerLevel, User
from caseload.tasks import services as tasks
from caseload.tasks.models import Task

SEED = 2026
RECENT_DAYS = 21  # notes from the last three weeks go through notes.services
QUARTER = 80  # plans written longer ago than this have had a review (version 2)
COSIGN_AFTER_DAYS = 7  # juniors' notes older than this have been co-signed already
POSTAL_CODES = {
    "Boston": "02118", "Brighton": "02135", "Brookline": "02446", "Cambridge": "02139",
    "Chelsea": "02150", "Dorchester": "02124", "Everett": "02149", "Malden": "02148",
    "Mattapan": "02126", "Milton": "02186", "Quincy": "02169", "Revere": "02151",
    "Roxbury": "02119", "Somerville": "02143",
}  # fmt: skip

#: Every model the seed writes to (the audit trail aside), for counting what it made.
SEEDED_MODELS: tuple[type[models.Model], ...] = (
    Program, User, Client, RelatedPerson, Flag, Enrolment, EnrolmentEvent, CareTeamMember,
    CarePlan, CarePlanVersion, Problem, Goal, Intervention, ProgressNote, NoteAddendum, Task,
)  # fmt: skip


@dataclass(frozen=True)
class SignIn:
    username: str
    password: str
    name: str
    role: str
    look_at: str


@dataclass(frozen=True)
class SeedResult:
    created: bool  # False: the demo organisation was already there and nothing changed
    sign_ins: tuple[SignIn, ...]
    counts: dict[str, int]  # rows created, by model label


def demo_sign_ins() -> tuple[SignIn, ...]:
    """The demo accounts, in the order the README lists them."""
    return tuple(
        SignIn(
            username=spec.username,
            password=data.DEMO_PASSWORD,
            name=f"{spec.first_name} {spec.last_name}",
            role=spec.job_title,
            look_at=spec.look_at,
        )
        for spec in data.STAFF
    )


def demo_present() -> bool:
    """Whether the demo organisation has been seeded into this database."""
    return User.objects.filter(username=data.MARKER_USERNAME).exists()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in SEEDED_MODELS}


def seed_demo() -> SeedResult:
    """Create the demo organisation unless it is already present; returns what happened.

    Raises Conflict when some demo usernames exist without the demo (a database in other use).
    """
    if demo_present():
        return SeedResult(created=False, sign_ins=demo_sign_ins(), counts={})
    taken = sorted(
        User.objects.filter(username__in=[s.username for s in data.STAFF]).values_list(
            "username", flat=True
        )
    )
    if taken:
        raise Conflict(
            "This database already has staff with the demo usernames "
            + ", ".join(taken)
            + " but no demo organisation. Seed the demo into an empty database.",
            code="demo_usernames_taken",
        )
    before = row_counts()
    with transaction.atomic():
        seeder = _Seeder(today=clock.today(), now=clock.now())
        seeder.run()
        seed_coordination_demo(*seeder.discharged)
        scenarios.baptiste_meals_referral()
        _seed_break_the_glass()
        _seed_measurement_based_care()
        seed_programrules_demo(today=clock.today(), now=clock.now())
        seed_team_demo()  # Rosa's Wednesday and Grace's month end (demo/team.py)
        seed_workforce_demo(seeder.users, dict(seeder.programs), seeder.today)
    after = row_counts()
    return SeedResult(
        created=True,
        sign_ins=demo_sign_ins(),
        counts={label: after[label] - before[label] for label in after},
    )


_FREQUENCY = ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")  # PHQ/GAD answer codes, 0-3


def _answers(total: int, items: int) -> dict[str, str]:
    """Answers adding up to ``total`` over ``items`` questions (the last, PHQ-9 item 9, is 0)."""
    scores, rest = [], total
    for _ in range(items - 1 if items == 9 else items):
        take = min(3, rest)
        scores.append(take)
        rest -= take
    if items == 9:
        scores.append(0)
    return {f"q{i}": _FREQUENCY[s] for i, s in enumerate(scores, start=1)}


def _seed_measurement_based_care() -> None:
    """PHQ-9 and GAD-7 every four weeks for behavioural-health clients: responders, clients in
    remission and clients not improving, so the registry has something to say."""
    from caseload.assessments import services as assessments

    today = clock.today()
    enrolments = (
        Enrolment.objects.filter(program__code=data.BEHAVIOURAL, status="active")
        .select_related("client", "care_manager")
        .order_by("client__family_name")
    )
    trajectories = [(18, 0.45), (16, 0.9), (21, 0.55), (14, 0.3), (19, 0.95), (15, 0.6), (22, 0.8)]
    for index, enrolment in enumerate(enrolments):
        if enrolment.client.family_name == "Ortiz":  # today's PHQ-9 raises her safety flag
            scenarios.ortiz_phq9_today(enrolment)
            continue
        baseline, end_ratio = trajectories[index % len(trajectories)]
        start = max(enrolment.started_on or today, today - dt.timedelta(weeks=16))
        visits = max(1, (today - start).days // 28 + 1)
        for visit in range(visits):
            on = start + dt.timedelta(weeks=4 * visit)
            share = visit / max(1, visits - 1)
            phq = round(baseline * (1 - (1 - end_ratio) * share))
            for code, total, items in (("phq9", phq, 9), ("gad7", min(21, round(phq * 0.8)), 7)):
                assessments.response_submit(
                    actor=enrolment.care_manager,
                    client=enrolment.client,
                    instrument_code=code,
                    answers=_answers(total, items),
                    complete=True,
                    assessed_on=on,
                )


def _seed_break_the_glass() -> None:
    """Kim, on call, opened a client outside her caseload at 2 a.m. with a stated reason, and
    the HRSN screens behind the referrals that name one (``scenarios``)."""
    scenarios.kim_breaks_the_glass_at_night()
    scenarios.hrsn_screens_behind_referrals()


class _History:
    """When rows were made and last changed: collected, then one update per model."""

    def __init__(self) -> None:
        self.created: dict[type[models.Model], dict[Any, dt.datetime]] = {}
        self.updated: dict[type[models.Model], dict[Any, dt.datetime]] = {}

    def stamp(self, obj: models.Model, created: dt.datetime) -> None:
        self.created.setdefault(type(obj), {})[obj.pk] = created

    def touch(self, obj: models.Model, updated: dt.datetime) -> None:
        """The row last changed at ``updated`` (after it was made)."""
        self.updated.setdefault(type(obj), {})[obj.pk] = updated

    def flush(self) -> None:
        # One prepared statement per table: the ORM's per-row updates (or a CASE per row)
        # took longer than everything else the seed does.
        for model, created in self.created.items():
            updated = self.updated.get(model, {})
            moment: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField()
            key: models.UUIDField[Any, Any] = models.UUIDField()  # every row is a BaseModel
            quoted = [
                connection.ops.quote_name(name)
                for name in (model._meta.db_table, "created_at", "updated_at", "id")
            ]
            # Names come from model metadata, quoted; every value is a parameter.
            sql = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s".format(*quoted)  # noqa: S608
            rows = [
                (
                    moment.get_db_prep_value(at, connection),
                    moment.get_db_prep_value(updated.get(pk, at), connection),
                    key.get_db_prep_value(pk, connection),
                )
                for pk, at in created.items()
            ]
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
        self.created.clear()
        self.updated.clear()


class _Seeder:
    def __init__(self, *, today: dt.date, now: dt.datetime) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not cryptography
        self.today = today
        self.now = now
        self.users: dict[str, User] = {}
        self.programs: dict[str, Program] = {}
        # The most recent Friday before today (a week ago on a Friday), and the weekend's Saturday.
        self.last_friday = today - dt.timedelta(days=(today.weekday() - 4) % 7 or 7)
        self.weekend = today - dt.timedelta(days=(today.weekday() - 5) % 7)
        # Mr. Haddad's enrolment and discharge day, for his transitional-care episode.
        self.discharged: tuple[Enrolment | None, dt.date | None] = (None, None)

    @property
    def director(self) -> User:
        return next(u for u in self.users.values() if u.career_level == CareerLevel.DIRECTOR)

    # --- time ------------------------------------------------------------------------------

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        """A moment on ``day`` in the organisation's time zone, never later than now."""
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
        return min(moment, self.now - dt.timedelta(minutes=1))

    def working_time(self, day: dt.date) -> dt.datetime:
        return self.at(day, self.rng.randint(9, 16), self.rng.choice((0, 10, 15, 20, 30, 40, 45)))

    def days_ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    # --- the whole organisation ------------------------------------------------------------

    def run(self) -> None:
        for program_spec in data.PROGRAMS:
            program, _ = Program.objects.get_or_create(
                code=program_spec.code,
                defaults={
                    "name": program_spec.name,
                    "kind": program_spec.kind,
                    "description": program_spec.description,
                },
            )
            self.programs[program_spec.code] = program
        password = make_password(data.DEMO_PASSWORD)  # hashed once: argon2 is slow on purpose
        for staff in data.STAFF:
            admin = staff.administrator
            user = User.objects.create(
                username=staff.username,
                first_name=staff.first_name,
                last_name=staff.last_name,
                email=f"{staff.username}@{data.EMAIL_DOMAIN}",
                password=password,
                career_level=staff.career_level,
                job_title=staff.job_title,
                languages=staff.languages,
                supervisor=self.users[staff.supervisor] if staff.supervisor else None,
                is_administrator=admin,
                is_privacy_officer=staff.privacy_officer,
                is_staff=admin,
                is_superuser=admin,
            )
            user.programs.set([self.programs[code] for code in staff.programs])
            self.users[staff.username] = user
        for index, spec in enumerate(data.CLIENTS, start=1):
            _ClientSeeder(self, index, spec).run()


class _ClientSeeder:
    """One client's history: registration, people, enrolments, plans, notes, tasks, flags."""

    def __init__(self, org: _Seeder, index: int, spec: data.ClientSpec) -> None:
        self.org = org
        self.rng = org.rng
        self.index = index
        self.spec = spec
        self.history = _History()
        self.people: list[RelatedPerson] = []
        self.may_receive_updates: set[Any] = set()
        self.goals: dict[str, Goal] = {}  # problem key -> its first goal
        self.open_enrolments: list[Enrolment] = []
        self.old_notes: list[ProgressNote] = []  # history, inserted in bulk
        self.review_due: dt.date | None = None

    def user(self, username: str) -> User:
        return self.org.users[username]

    # --- dates -----------------------------------------------------------------------------

    def start_day(self, enrolment: data.EnrolmentSpec) -> dt.date:
        if self.spec.key == data.HADDAD:
            return self.org.last_friday
        if enrolment.status == EnrolmentStatus.REFERRED:
            return self.org.weekend
        return self.org.days_ago(enrolment.started)

    def referred_day(self, enrolment: data.EnrolmentSpec) -> dt.date:
        start = self.start_day(enrolment)
        if self.spec.key == data.HADDAD or enrolment.status == EnrolmentStatus.REFERRED:
            return start
        return start - dt.timedelta(days=self.rng.randint(2, 9))

    def referral_moment(self, spec: data.EnrolmentSpec, day: dt.date) -> dt.datetime:
        if self.spec.key == data.HADDAD:
            return self.org.at(day, 16, 45)  # Friday 16:45, the discharge call
        if spec.status == EnrolmentStatus.REFERRED:
            return self.org.at(day, 10, 14)  # assigned over the weekend
        return self.org.at(day, 10, 0)

    # --- the client ------------------------------------------------------------------------

    def run(self) -> None:
        spec = self.spec
        ordered = sorted(spec.enrolments, key=self.start_day)
        first = ordered[0]
        care_manager = self.user(first.care_manager)
        referred = self.referred_day(first)
        age_days = int(spec.age * 365.25) + self.rng.randint(1, 360)
        self.client = enrolments.client_register(
            actor=care_manager,
            given_name=spec.given_name,
            family_name=spec.family_name,
            preferred_name=spec.preferred_name,
            date_of_birth=self.org.today - dt.timedelta(days=age_days),
            sex_at_birth=spec.sex,
            gender_identity=spec.gender_identity,
            pronouns=spec.pronouns,
            program=self.org.programs[first.program],
            care_manager=care_manager,
            acuity=first.acuity,
            referred_on=referred,
            referral_source=first.referral_source,
            mrn=f"{data.MRN_PREFIX}{self.index:05d}",
            phone=f"617-555-{100 + self.index % 100:04d}",
            address_line=f"{self.rng.randint(3, 480)} {self.rng.choice(data.STREETS)}",
            city=spec.city,
            state="MA",
            postal_code=POSTAL_CODES.get(spec.city, ""),
            preferred_language=spec.language,
            interpreter_needed=spec.interpreter,
            what_matters_to_me=spec.what_matters or data.DEFAULT_WHAT_MATTERS[first.program],
        )
        registered = self.referral_moment(first, referred)
        self.history.stamp(self.client, registered)
        for number, person in enumerate(spec.related):
            related = clients.related_person_create(
                actor=care_manager,
                client=self.client,
                name=person.name,
                relationship=person.relationship,
                phone=f"857-555-{100 + (self.index * 3 + number) % 100:04d}",
                is_primary_caregiver=person.caregiver,
                notes=person.notes,
            )
            self.history.stamp(related, registered)
            self.people.append(related)
            if person.updates:
                # The client agreed at intake that this person may receive updates.
                consent = consent_record(
                    actor=care_manager,
                    client=self.client,
                    kind=ConsentKind.SHARE_RELATED_PERSON,
                    method=ConsentMethod.VERBAL,
                    given_on=timezone.localdate(registered),
                    related_person=related,
                    categories=[ShareCategory.NOTES, ShareCategory.CARE_PLAN],
                )
                self.history.stamp(consent, registered)
                self.may_receive_updates.add(related.pk)
        for position, enrolment_spec in enumerate(ordered):
            if position == 0:
                enrolment = Enrolment.objects.get(client=self.client)
            else:
                # Referred on from another program: the director enrols and assigns.
                enrolment = enrolments.enrolment_create(
                    actor=self.org.director,
                    client=self.client,
                    program=self.org.programs[enrolment_spec.program],
                    care_manager=self.user(enrolment_spec.care_manager),
                    acuity=enrolment_spec.acuity,
                    referred_on=self.referred_day(enrolment_spec),
                    referral_source=enrolment_spec.referral_source,
                )
            self.enrolment(enrolment_spec, enrolment)
        for flag in spec.flags:
            self.flag(flag, care_manager)
        ProgressNote.objects.bulk_create(self.old_notes)
        self.history.flush()

    # --- one enrolment ---------------------------------------------------------------------

    def enrolment(self, spec: data.EnrolmentSpec, enrolment: Enrolment) -> None:
        care_manager = self.user(spec.care_manager)
        referred_at = self.referral_moment(spec, enrolment.referred_on)
        self.history.stamp(enrolment, referred_at)
        if spec.status == EnrolmentStatus.REFERRED:
            self.stamp_events(enrolment, {EnrolmentStatus.REFERRED: referred_at})
            self.open_enrolments.append(enrolment)
            self.tasks(spec, enrolment, care_manager, self.start_day(spec))
            return
        start = self.start_day(spec)
        enrolment = enrolments.enrolment_transition(
            actor=care_manager,
            enrolment=enrolment,
            to_status=EnrolmentStatus.ACTIVE,
            reason=data.CONSENT[spec.program],
            expected_version=enrolment.version,
        )
        Enrolment.objects.filter(pk=enrolment.pk).update(started_on=start)
        started_at = (
            referred_at + dt.timedelta(minutes=30)
            if start == enrolment.referred_on
            else self.org.at(start, 11)
        )
        self.care_team(spec, enrolment, care_manager, started_at)
        end = self.org.days_ago(spec.ended) if spec.ended is not None else None
        plan = self.careplan(spec, enrolment, care_manager, start, end)
        if self.spec.key == data.HADDAD:
            self.haddad(enrolment, care_manager)
        else:
            self.notes(spec, enrolment, care_manager, start, end)
        moments: dict[str, dt.datetime] = {
            EnrolmentStatus.REFERRED: referred_at,
            EnrolmentStatus.ACTIVE: started_at,
        }
        if spec.status == EnrolmentStatus.DISCHARGED and end is not None:
            moments[EnrolmentStatus.DISCHARGED] = self.org.at(end, 15, 30)
            self.discharge(spec, enrolment, care_manager, end, plan)
        else:
            self.open_enrolments.append(enrolment)
            self.tasks(spec, enrolment, care_manager, start)
        self.stamp_events(enrolment, moments)

    def stamp_events(self, enrolment: Enrolment, moments: dict[str, dt.datetime]) -> None:
        for event in EnrolmentEvent.objects.filter(enrolment=enrolment):
            self.history.stamp(event, moments[event.to_value])

    def discharge(
        self,
        spec: data.EnrolmentSpec,
        enrolment: Enrolment,
        care_manager: User,
        end: dt.date,
        plan: CarePlan | None,
    ) -> None:
        enrolment.refresh_from_db()
        enrolments.enrolment_transition(
            actor=care_manager,
            enrolment=enrolment,
            to_status=EnrolmentStatus.DISCHARGED,
            reason=spec.discharge_note or "Episode complete.",
            discharge_reason=spec.discharge_reason,
            expected_version=enrolment.version,
        )
        Enrolment.objects.filter(pk=enrolment.pk).update(ended_on=end)
        if plan is not None:
            # A discharged episode's plan is closed (the enrolment service leaves it active).
            CarePlan.objects.filter(pk=plan.pk).update(status=CarePlanStatus.CLOSED)

    def care_team(
        self, spec: data.EnrolmentSpec, enrolment: Enrolment, actor: User, when: dt.datetime
    ) -> None:
        if spec.program == data.PEDIATRIC:
            members = [(*data.PEDIATRICIAN, "Pediatrician")]
        else:
            doctor = next(
                (pcp for pcp in data.PRIMARY_CARE if pcp[0] == spec.referral_source),
                self.rng.choice(data.PRIMARY_CARE),
            )
            members = [(*doctor, "Primary care physician")]
        if spec.program == data.BEHAVIOURAL:
            members.append((*data.PSYCHIATRIST, "Consulting psychiatrist"))
        for name, organisation, role in members:
            member = enrolments.care_team_add(
                actor=actor,
                enrolment=enrolment,
                external_name=name,
                external_organisation=organisation,
                role=role,
            )
            self.history.stamp(member, when)

    # --- the care plan ---------------------------------------------------------------------

    def careplan(
        self,
        spec: data.EnrolmentSpec,
        enrolment: Enrolment,
        author: User,
        start: dt.date,
        end: dt.date | None,
    ) -> CarePlan | None:
        if not spec.problems:
            return None
        org, today = self.org, self.org.today
        if start >= today - dt.timedelta(days=3):
            written = start
        else:
            written = start + dt.timedelta(days=self.rng.randint(1, 5))
        review_days = data.REVIEW_DAYS[spec.program]
        first_problems: tuple[str, ...] = spec.problems
        later_problems: tuple[str, ...] = ()
        if self.spec.key == data.ORTIZ:
            # The safety problem is added today, after the PHQ-9 call.
            first_problems, later_problems = spec.problems[:-1], spec.problems[-1:]
        review_due = written + dt.timedelta(days=review_days)
        plan = careplans.careplan_create(
            actor=author,
            enrolment=enrolment,
            title=data.PLAN_TITLES[spec.program],
            review_due=review_due if review_due >= today else None,
            participants=self.participants(author),
        )
        written_at = org.at(written, 14)
        self.history.stamp(plan, written_at)
        due_goals = self.working_copy(plan, first_problems, written, written_at)
        agreed_by = AgreementBy.GUARDIAN if spec.program == data.PEDIATRIC else AgreementBy.CLIENT
        CarePlan.objects.filter(pk=plan.pk).update(
            agreed_by=agreed_by,
            agreed_on=written,
            has_unpublished_changes=True,
            version=F("version") + 1,
        )
        plan.refresh_from_db()
        version = careplans.careplan_publish(
            actor=author,
            plan=plan,
            reason="First care plan, written with the client and family at intake.",
            expected_version=plan.version,
        )
        self.published(version, org.at(written, 15), leave_pending=False)
        passed = [(goal, nominal) for goal, nominal in due_goals if nominal < today]
        awaiting = self.spec.key in data.PLANS_AWAITING_COSIGN
        reviewed = bool(passed) and (today - written).days >= QUARTER
        if (reviewed or awaiting or later_problems) and (end is None or end > written):
            review_due = self.revise(
                plan, author, passed, later_problems, review_days, awaiting=awaiting, end=end
            )
        if self.spec.key == data.OKAFOR:
            review_due = org.last_friday
        elif author.is_junior and review_due < today + dt.timedelta(days=7):
            # On the juniors' caseloads only Mr. Okafor's review is late.
            review_due = today + dt.timedelta(days=self.rng.randint(7, 30))
        plan.refresh_from_db()
        if plan.review_due != review_due:
            self.set_review_due(plan, review_due)
        self.review_due = review_due
        return plan

    def revise(
        self,
        plan: CarePlan,
        author: User,
        passed: list[tuple[Goal, dt.date]],
        later_problems: tuple[str, ...],
        review_days: int,
        *,
        awaiting: bool,
        end: dt.date | None,
    ) -> dt.date:
        """Review the plan (goals due, new problems) and publish version 2; returns review due."""
        org, today = self.org, self.org.today
        if later_problems:
            revised = today
        elif awaiting:
            revised = today - dt.timedelta(days=self.rng.randint(1, 3))
        else:
            first_due = min(nominal for _, nominal in passed)
            revised = first_due + dt.timedelta(days=self.rng.randint(1, 6))
            revised = min(revised, today - dt.timedelta(days=1))
        if end is not None:
            revised = min(revised, end)
        # The review itself is history (it happened on ``revised``): goals and header are
        # written on the rows; what is added today or for co-sign goes through the services.
        reached = 0
        for goal, nominal in passed:
            achieved = self.rng.random() < 0.7
            reached += achieved
            Goal.objects.filter(pk=goal.pk).update(
                status=GoalStatus.ACHIEVED if achieved else GoalStatus.ACTIVE,
                outcome_note=(
                    f"Reached by {nominal:%d %B %Y}."
                    if achieved
                    else f"Not reached by {nominal:%d %B %Y}; kept with a later target date."
                ),
                version=F("version") + 1,
            )
        review_due = revised + dt.timedelta(days=review_days)
        CarePlan.objects.filter(pk=plan.pk).update(
            agreed_on=revised,
            review_due=review_due if review_due >= today else plan.review_due,
            has_unpublished_changes=True,
            version=F("version") + 1,
        )
        for key in later_problems:
            self.problem_through_services(author, plan, key, revised)
        if awaiting and not passed:
            first_goal = Goal.objects.filter(careplan=plan).order_by("created_at").first()
            if first_goal is not None:
                careplans.intervention_add(
                    actor=author,
                    goal=first_goal,
                    description="Check-in call while the new routine settles",
                    responsible="Care manager",
                    frequency="Weekly for 4 weeks",
                )
        plan.refresh_from_db()
        if later_problems:
            reason = "Safety problem added after today's PHQ-9 (item 9 = 1)."
        elif passed:
            reason = (
                f"Review: {reached} of {len(passed)} goals due were reached; "
                "target dates and services updated with the client."
            )
        else:
            reason = "Added weekly check-in calls after the client asked for more support."
        version = careplans.careplan_publish(
            actor=author, plan=plan, reason=reason, expected_version=plan.version
        )
        self.published(version, org.at(revised, 15, 30), leave_pending=awaiting)
        return review_due

    def participants(self, author: User) -> str:
        names = [self.client.full_name]
        for person in self.people:
            if person.pk in self.may_receive_updates or person.is_primary_caregiver:
                names.append(f"{person.name} ({person.get_relationship_display().lower()})")
        names.append(f"{author} (care manager)")
        return ", ".join(names)

    def goal_target(self, goal: data.GoalSpec, written: dt.date) -> tuple[dt.date, dt.date]:
        """The goal's first due date, and its target date now (renewed at each review)."""
        nominal = written + dt.timedelta(days=goal.days)
        target = nominal
        while target < self.org.today + dt.timedelta(days=7):
            target += dt.timedelta(days=goal.days)
        return nominal, target

    def intervention_status(self, item: data.InterventionSpec, written: dt.date) -> str:
        age = (self.org.today - written).days
        if age >= 30 and item.frequency.startswith("Once"):
            return InterventionStatus.COMPLETED
        return InterventionStatus.IN_PROGRESS if age >= 7 else InterventionStatus.PLANNED

    def working_copy(
        self, plan: CarePlan, keys: tuple[str, ...], written: dt.date, at: dt.datetime
    ) -> list[tuple[Goal, dt.date]]:
        """Insert the library problems with their goals and interventions; (goal, due) pairs."""
        rows = PlanRows()
        for key in keys:
            first = len(rows.goals)
            rows.add_problem(
                plan,
                key,
                target_of=lambda spec: self.goal_target(spec, written)[1],
                status_of=lambda item: self.intervention_status(item, written),
            )
            if len(rows.goals) > first:  # the key's first goal stands for the problem
                self.goals.setdefault(key, rows.goals[first][0])
        due = [(goal, self.goal_target(spec, written)[0]) for goal, spec in rows.goals]
        saved = rows.save()
        # A second apart each, so the plan reads in the order it was written.
        for position, row in enumerate(saved):
            self.history.stamp(row, at + dt.timedelta(seconds=position))
        return due

    def problem_through_services(
        self, author: User, plan: CarePlan, key: str, written: dt.date
    ) -> None:
        template = data.PROBLEMS[key]
        problem = careplans.problem_add(
            actor=author, plan=plan, description=template.description, detail=template.detail
        )
        for goal_spec in template.goals:
            _, target = self.goal_target(goal_spec, written)
            goal = careplans.goal_add(
                actor=author,
                problem=problem,
                description=goal_spec.description.format(date=f"{target:%d %B %Y}"),
                measure=goal_spec.measure,
                target_value=goal_spec.target_value,
                target_date=target,
                expressed_by=goal_spec.expressed_by,
            )
            self.goals.setdefault(key, goal)
            for item in goal_spec.interventions:
                careplans.intervention_add(
                    actor=author,
                    goal=goal,
                    description=item.description,
                    responsible=item.responsible,
                    frequency=item.frequency,
                    status=self.intervention_status(item, written),
                )

    def published(self, version: CarePlanVersion, at: dt.datetime, *, leave_pending: bool) -> None:
        """Date a published version; a junior's is co-signed the next morning unless left."""
        self.history.stamp(version, at)
        if version.cosigner is None or leave_pending:
            return
        careplans.careplan_version_cosign(actor=version.cosigner, version=version)
        cosigned = min(at + dt.timedelta(hours=19), self.org.now)
        CarePlanVersion.objects.filter(pk=version.pk).update(cosigned_at=cosigned)
        self.history.touch(version, cosigned)

    def set_review_due(self, plan: CarePlan, review_due: dt.date) -> None:
        """A review date in the past cannot be entered today: write it, with the latest version."""
        CarePlan.objects.filter(pk=plan.pk).update(review_due=review_due)
        latest = CarePlanVersion.objects.filter(careplan=plan).order_by("-number").first()
        if latest is not None:
            snapshot = dict(latest.snapshot)
            snapshot["review_due"] = review_due.isoformat()
            CarePlanVersion.objects.filter(pk=latest.pk).update(snapshot=snapshot)

    # --- notes -----------------------------------------------------------------------------

    def note(
        self,
        author: User,
        enrolment: Enrolment,
        when: dt.datetime,
        *,
        contact_type: str,
        contact_with: str,
        minutes: int,
        narrative: str,
        related_person: RelatedPerson | None = None,
        provider_name: str = "",
        gave_update: bool = False,
        reached: bool = True,
        significant: bool = False,
    ) -> ProgressNote:
        """A note written and signed now, about ``when``: recent notes go through the service."""
        now = self.org.now
        signed = min(when + dt.timedelta(minutes=minutes + self.rng.randint(5, 50)), now)
        cosigned = min(signed + dt.timedelta(hours=self.rng.randint(18, 50)), now)
        if when.date() < self.org.today - dt.timedelta(days=RECENT_DAYS):
            supervisor = author.supervisor if author.is_junior else None
            note = ProgressNote(
                client=self.client,
                enrolment=enrolment,
                author=author,
                contact_at=when,
                contact_type=contact_type,
                contact_with=contact_with,
                related_person=related_person,
                provider_name=provider_name,
                gave_update=gave_update,
                reached=reached,
                minutes=minutes,
                narrative=narrative,
                significant_event=significant,
                status=NoteStatus.SIGNED,
                signed_at=signed,
                cosign_status=CosignStatus.COSIGNED if supervisor else CosignStatus.NOT_REQUIRED,
                cosigner=supervisor,
                cosigned_at=cosigned if supervisor else None,
                version=3 if supervisor else 2,  # created, signed (, co-signed)
            )
            self.old_notes.append(note)
            self.history.stamp(note, min(when + dt.timedelta(minutes=minutes), now))
            return note
        note = notes.note_create(
            actor=author,
            client=self.client,
            enrolment=enrolment,
            contact_at=when,
            contact_type=contact_type,
            contact_with=contact_with,
            related_person=related_person,
            provider_name=provider_name,
            gave_update=gave_update,
            reached=reached,
            minutes=minutes,
            narrative=narrative,
            significant_event=significant,
            sign=True,
        )
        ProgressNote.objects.filter(pk=note.pk).update(signed_at=signed)
        self.history.stamp(note, min(when + dt.timedelta(minutes=minutes), now))
        if note.cosigner is not None and when < now - dt.timedelta(days=COSIGN_AFTER_DAYS):
            notes.note_cosign(actor=note.cosigner, note=note, expected_version=note.version)
            ProgressNote.objects.filter(pk=note.pk).update(cosigned_at=cosigned)
            self.history.touch(note, cosigned)
        return note

    def notes(
        self,
        spec: data.EnrolmentSpec,
        enrolment: Enrolment,
        author: User,
        start: dt.date,
        end: dt.date | None,
    ) -> None:
        org, rng = self.org, self.rng
        name = self.client.full_name
        if end is not None:
            last = end - dt.timedelta(days=rng.randint(1, 4))
        elif self.spec.last_reached is not None:
            last = org.days_ago(self.spec.last_reached)
        elif spec.program == data.TRANSITIONAL:
            last = org.days_ago(rng.randint(1, 5))
        else:
            last = org.days_ago(rng.randint(1, 21))
        days: list[dt.date] = []
        day = last
        while day > start and len(days) < spec.contacts:
            days.append(day)
            day -= dt.timedelta(days=rng.randint(9, 21))
        days.reverse()
        by_phone = spec.program in (data.BEHAVIOURAL, data.TRANSITIONAL, data.CHRONIC)
        self.note(
            author,
            enrolment,
            org.at(start, 10, 30),
            contact_type=ContactType.PHONE if by_phone else ContactType.VISIT,
            contact_with=ContactWith.CLIENT,
            minutes=rng.choice((45, 60, 75, 90)),
            narrative=data.INTAKE_NARRATIVES[spec.program].format(name=name),
        )
        updates = [p for p in self.people if p.pk in self.may_receive_updates]
        for position, day in enumerate(days):
            final = position == len(days) - 1
            if final and self.spec.key == data.ORTIZ:
                self.ortiz_call(enrolment, author)
                continue
            roll = rng.random()
            if not final and roll < 0.2 and updates:
                person = rng.choice(updates)
                self.note(
                    author,
                    enrolment,
                    org.working_time(day),
                    contact_type=ContactType.PHONE,
                    contact_with=ContactWith.RELATED_PERSON,
                    related_person=person,
                    gave_update=True,
                    minutes=rng.randint(8, 20),
                    narrative=rng.choice(data.RELATED_NARRATIVES).format(
                        name=name, related=person.name
                    ),
                )
                continue
            if not final and roll < 0.3:
                self.note(
                    author,
                    enrolment,
                    org.working_time(day),
                    contact_type=ContactType.COLLATERAL,
                    contact_with=ContactWith.PROVIDER,
                    provider_name=rng.choice(data.PRIMARY_CARE)[1],
                    minutes=rng.randint(5, 15),
                    narrative=rng.choice(data.PROVIDER_NARRATIVES).format(name=name),
                )
                continue
            if not final and roll < 0.4 and day - dt.timedelta(days=2) > start:
                # A missed call first; reached two days later.
                self.note(
                    author,
                    enrolment,
                    org.working_time(day - dt.timedelta(days=2)),
                    contact_type=ContactType.PHONE,
                    contact_with=ContactWith.CLIENT,
                    reached=False,
                    minutes=2,
                    narrative=data.UNREACHED_NARRATIVE.format(name=name),
                )
            visit = roll > 0.85
            self.note(
                author,
                enrolment,
                org.working_time(day),
                contact_type=ContactType.VISIT if visit else ContactType.PHONE,
                contact_with=ContactWith.CLIENT,
                minutes=rng.randint(45, 80) if visit else rng.randint(10, 30),
                narrative=rng.choice(data.CLIENT_NARRATIVES[spec.program]).format(name=name),
            )

    def ortiz_call(self, enrolment: Enrolment, author: User) -> None:
        earlier = (self.org.now - dt.timedelta(minutes=50)).replace(second=0, microsecond=0)
        self.note(
            author,
            enrolment,
            max(self.org.at(self.org.today, 0, 5), earlier),
            contact_type=ContactType.PHONE,
            contact_with=ContactWith.CLIENT,
            minutes=35,
            significant=True,
            narrative=(
                f"Scheduled PHQ-9 by phone with {self.client.full_name}: total 17, item 9 = 1 "
                "(thoughts of being better off dead, several days). No plan or intent; lives with "
                "her sister Paola. Safety plan written together (988, Paola, Dr. Klein's office); "
                "psychiatrist consulted the same day. Safety flag raised; follow-up call booked."
            ),
        )

    def haddad(self, enrolment: Enrolment, author: User) -> None:
        """Mr. Haddad, discharged on Friday after heart failure: the 30-day clocks start."""
        org = self.org
        discharged = org.last_friday
        self.note(
            author,
            enrolment,
            org.at(discharged, 16, 45),
            contact_type=ContactType.COLLATERAL,
            contact_with=ContactWith.PROVIDER,
            provider_name="Harbor General Hospital",
            minutes=20,
            significant=True,
            narrative=(
                "Discharge notification from Harbor General: 6-day stay for heart failure "
                "(fluid overload). LACE 12. Furosemide doubled; lisinopril and spironolactone "
                "started; potassium stopped. Transitional care episode opened: interactive "
                "contact due in 2 business days, face-to-face visit within 7 days (high "
                "complexity), medication reconciliation by the visit."
            ),
        )
        # The episode (demo/coordination.py) makes the clocks and their tasks; here, the call
        # that met the first clock, if its day has passed.
        self.org.discharged = (enrolment, discharged)
        contact_due = business_days_after(discharged, 2)
        if contact_due < org.today:
            self.note(
                author,
                enrolment,
                org.at(contact_due, 10, 15),
                contact_type=ContactType.PHONE,
                contact_with=ContactWith.CLIENT,
                minutes=25,
                narrative=data.INTAKE_NARRATIVES[data.TRANSITIONAL].format(
                    name=self.client.full_name
                ),
            )

    # --- tasks and flags -------------------------------------------------------------------

    def tasks(
        self, spec: data.EnrolmentSpec, enrolment: Enrolment, owner: User, start: dt.date
    ) -> None:
        if self.spec.key == data.HADDAD:
            return  # the transitional care clocks are his tasks
        org, rng = self.org, self.rng
        if self.spec.tasks is None:
            pool = list(data.TASK_POOL[spec.program])
            rng.shuffle(pool)
            chosen = [
                data.TaskSpec(title, rng.randint(-5, 21), priority)
                for title, priority in pool[: rng.choice((1, 1, 2))]
            ]
            if rng.random() < 0.4 and (org.today - start).days > 20:
                title, priority = pool[-1]
                chosen.append(data.TaskSpec(title, -rng.randint(5, 18), priority, done=True))
        elif enrolment == self.open_enrolments[0]:
            chosen = list(self.spec.tasks)
        else:
            return
        for item in chosen:
            if item.on_review_date and self.review_due is not None:
                due = self.review_due
            else:
                due = org.today + dt.timedelta(days=item.due)
            task = tasks.task_create(
                actor=owner,
                client=self.client,
                title=item.title,
                owner=owner,
                due_on=due,
                priority=item.priority,
                description=item.description,
                enrolment=enrolment,
                goal=self.goals.get(item.goal_of) if item.goal_of else None,
            )
            created = max(start, due - dt.timedelta(days=rng.randint(3, 14)))
            self.history.stamp(task, org.at(min(created, org.today), 9, 30))
            if item.done:
                self.complete(task, owner, org.at(min(due, org.today), 15))

    def complete(self, task: Task, actor: User, when: dt.datetime) -> None:
        tasks.task_complete(
            actor=actor, task=task, expected_version=task.version, outcome_note="Done."
        )
        Task.objects.filter(pk=task.pk).update(completed_at=when)
        self.history.touch(task, when)

    def flag(self, spec: data.FlagSpec, actor: User) -> None:
        flag = clients.flag_raise(
            actor=actor, client=self.client, kind=spec.kind, description=spec.description
        )
        if spec.raised == 0:
            raised = (self.org.now - dt.timedelta(minutes=30)).replace(second=0, microsecond=0)
        else:
            raised = self.org.at(self.org.days_ago(spec.raised), 11)
        self.history.stamp(flag, raised)
        if spec.resolved is not None:
            clients.flag_resolve(actor=actor, flag=flag, resolution_note=spec.resolution)
            resolved = self.org.at(self.org.days_ago(spec.resolved), 12)
            Flag.objects.filter(pk=flag.pk).update(resolved_at=resolved)
            self.history.touch(flag, resolved)
