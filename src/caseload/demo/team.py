"""The demo's leading-care-managers scenes (SCENARIOS.md): Rosa's Wednesday and Grace's month end.

Maya's caseload is topped up to 38 clients, Daniel's to 70 and Tomás's to 64; three more chronic
disease care managers (Ana, Ben, Chloe) carry caseloads of their own, so that handing Tomás's
clients on meets real caps: together Daniel, Ana, Ben and Chloe have room for 62 of his 64, Ana
alone speaks Tagalog, nobody speaks Haitian Creole, and five households live two or three to an
address. Last month gets contacts of every kind, referrals sent and closed, new clients and
discharges, so Grace's month report has something to say.

Like the rest of the seed's history, these rows are written in bulk (no service can say "this
happened last month", and thousands of service calls would make seeding slow); each active
enrolment has a published care plan, as the seed's own clients do. Their MRNs start with
``TEAM-`` so the seed's hand-written clients stay countable. Deterministic (one ``Random``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from django.db import connection, models
from django.utils import timezone

from caseload.careplans.models import (
    CarePlan,
    CarePlanStatus,
    CarePlanVersion,
    CosignStatus,
    Goal,
    GoalStatus,
    InterventionStatus,
)
from caseload.clients.models import Client
from caseload.core import clock
from caseload.demo import data
from caseload.demo.plans import PlanRows
from caseload.enrolments.models import Acuity, Enrolment, EnrolmentEvent, EnrolmentStatus, Program
from caseload.notes.models import ContactType, ContactWith, NoteStatus, ProgressNote
from caseload.referrals.models import Referral, ReferralStatus
from caseload.staff.models import CareerLevel, User

MRN_PREFIX = "TEAM-"
#: Caseloads (open enrolments) after seeding: SCENARIOS.md's Maya, Daniel and Tomás, and the
#: three colleagues who can receive Tomás's clients.
CASELOADS = {"maya": 38, "daniel": 70, "tomas": 64, "ana": 48, "ben": 55, "chloe": 30}
#: (username, first, last, level, job title, languages)
RECEIVERS = (
    ("ana", "Ana", "Lopez", CareerLevel.CARE_MANAGER, "Care manager, chronic disease",
     "English, Spanish, Tagalog"),
    ("ben", "Ben", "Okoro", CareerLevel.CARE_MANAGER, "Care manager, chronic disease", "English"),
    ("chloe", "Chloe", "Tran", CareerLevel.JUNIOR, "Junior care manager, chronic disease",
     "English, Vietnamese"),
)  # fmt: skip
#: Tomás's clients' preferred languages, in turn (English for the rest).
TOMAS_LANGUAGES = ["Spanish"] * 18 + ["Tagalog"] * 6 + ["Vietnamese"] * 4 + ["Haitian Creole"] * 2
HOUSEHOLD_SIZES = (3, 2, 2, 2, 2)  # Tomás's clients sharing an address
GIVEN = (
    "Rosa", "Jose", "Maria", "Luis", "Ana", "Carmen", "Thanh", "Minh", "Lan", "Jean", "Marie",
    "Rodel", "Mylene", "Joseph", "Grace", "Paul", "Helen", "Robert", "Linda", "James", "Patricia",
    "Michael", "Barbara", "William", "Elizabeth", "David", "Susan", "Richard", "Dorothy", "Frank",
)  # fmt: skip
FAMILY = (
    "Alvarez", "Bautista", "Cruz", "Dela Cruz", "Estrada", "Flores", "Garcia", "Hernandez",
    "Jean-Baptiste", "Le", "Mendoza", "Nguyen", "Ortega", "Pham", "Quispe", "Reyes", "Santos",
    "Tran", "Valdez", "Williams", "Brown", "Clarke", "Doyle", "Evans", "Fitzgerald", "Gallagher",
    "Hughes", "Kelly", "Murphy", "Sullivan",
)  # fmt: skip
STREETS = ("Centre St", "Dudley St", "Blue Hill Ave", "Hyde Park Ave", "Washington St", "Main St")
CITIES = ("Dorchester", "Roxbury", "Mattapan", "Chelsea", "Revere", "Everett")
MODES = (
    (ContactType.PHONE, ContactWith.CLIENT),
    (ContactType.PHONE, ContactWith.RELATED_PERSON),
    (ContactType.VISIT, ContactWith.CLIENT),
    (ContactType.VIDEO, ContactWith.CLIENT),
    (ContactType.MESSAGE, ContactWith.CLIENT),
    (ContactType.PHONE, ContactWith.PROVIDER),
)


def _stamp(model: type[models.Model], moments: dict[Any, dt.datetime]) -> None:
    """Set rows' created (and updated) time: the history the services would stamp "now"."""
    table, created, updated, key = (
        connection.ops.quote_name(name)
        for name in (model._meta.db_table, "created_at", "updated_at", "id")
    )
    field: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField()
    uuid: models.UUIDField[Any, Any] = models.UUIDField()
    # Names come from model metadata, quoted; every value is a parameter.
    sql = f"UPDATE {table} SET {created} = %s, {updated} = %s WHERE {key} = %s"  # noqa: S608
    rows = [
        (
            field.get_db_prep_value(at, connection),
            field.get_db_prep_value(at, connection),
            uuid.get_db_prep_value(pk, connection),
        )
        for pk, at in moments.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


class _TeamDemo:
    def __init__(self) -> None:
        self.rng = random.Random(12)  # noqa: S311 - demo data, not cryptography
        self.today = clock.today()
        self.now = clock.now()
        first = self.today.replace(day=1)
        self.last_month = (first - dt.timedelta(days=1)).replace(day=1), first
        self.users = {u.username: u for u in User.objects.all()}
        self.chronic = Program.objects.get(code=data.CHRONIC)
        self.geriatric = Program.objects.get(code=data.GERIATRIC)
        self.count = 0
        self.clients: list[Client] = []
        self.enrolments: list[Enrolment] = []

    def at(self, day: dt.date) -> dt.datetime:
        moment = timezone.make_aware(
            dt.datetime.combine(day, dt.time(self.rng.randint(9, 16), self.rng.choice((0, 20, 40))))
        )
        return min(moment, self.now - dt.timedelta(minutes=5))

    def last_month_day(self) -> dt.date:
        start, end = self.last_month
        return start + dt.timedelta(days=self.rng.randrange((end - start).days))

    def receivers(self) -> None:
        password = self.users["rosa"].password  # the demo password, hashed once already
        for username, first, last, level, title, languages in RECEIVERS:
            user = User.objects.create(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@{data.EMAIL_DOMAIN}",
                password=password,
                career_level=level,
                job_title=title,
                languages=languages,
                supervisor=self.users["rosa"],
            )
            user.programs.set([self.chronic])
            self.users[username] = user

    def addresses(self) -> Iterator[tuple[str, str, str]]:
        """Tomás's households first (shared addresses), then one address each."""
        for size in HOUSEHOLD_SIZES:
            street = f"{self.rng.randint(10, 400)} {self.rng.choice(STREETS)}"
            city = self.rng.choice(CITIES)
            for _ in range(size):
                yield street, city, "02124"
        while True:
            yield (
                f"{self.rng.randint(10, 900)} {self.rng.choice(STREETS)}",
                self.rng.choice(CITIES),
                "02119",
            )

    def add(
        self,
        username: str,
        program: Program,
        language: str,
        address: Any,
        *,
        started: dt.date,
        status: str = EnrolmentStatus.ACTIVE,
        ended: dt.date | None = None,
    ) -> None:
        self.count += 1
        street, city, postal = address
        family = FAMILY[self.count % len(FAMILY)]
        if language == "Tagalog":
            family = self.rng.choice(("Bautista", "Dela Cruz", "Santos", "Reyes", "Mendoza"))
        client = Client(
            given_name=GIVEN[(self.count * 7) % len(GIVEN)],
            family_name=family,
            date_of_birth=dt.date(1940 + self.count % 45, 1 + self.count % 12, 1 + self.count % 28),
            sex_at_birth="female" if self.count % 2 else "male",
            mrn=f"{MRN_PREFIX}{self.count:04d}",
            phone=f"617-555-{1000 + self.count:04d}",
            address_line=street,
            city=city,
            state="MA",
            postal_code=postal,
            preferred_language=language,
            interpreter_needed=language != "English",
        )
        self.clients.append(client)
        self.enrolments.append(
            Enrolment(
                client=client,
                program=program,
                care_manager=self.users[username],
                status=status,
                acuity=self.rng.choice((Acuity.LOW, Acuity.MODERATE, Acuity.MODERATE, Acuity.HIGH)),
                referred_on=started - dt.timedelta(days=4),
                started_on=started,
                ended_on=ended,
                discharge_reason="goals_met" if ended else "",
            )
        )

    def caseloads(self) -> None:
        # Tomás carries more than a junior's cap: a director raised his (SCENARIOS.md: 64).
        User.objects.filter(username="tomas").update(caseload_cap_override=CASELOADS["tomas"])
        self.users["tomas"].caseload_cap_override = CASELOADS["tomas"]
        addresses = self.addresses()
        tomas_languages = iter(TOMAS_LANGUAGES)
        for username, target in CASELOADS.items():
            user = self.users[username]
            have = Enrolment.objects.filter(
                care_manager=user, status__in=("referred", "active", "on_hold")
            ).count()
            program = self.geriatric if username == "maya" else self.chronic
            for n in range(max(0, target - have)):
                language = "English"
                if username == "tomas":
                    language = next(tomas_languages, "English")
                    address = next(addresses)
                else:
                    address = (
                        f"{self.rng.randint(10, 900)} {self.rng.choice(STREETS)}",
                        self.rng.choice(CITIES),
                        "02119",
                    )
                    language = self.rng.choice(("English",) * 6 + ("Spanish", "Twi"))
                # A few new clients last month; the others have been with us a while.
                started = (
                    self.last_month_day()
                    if n % 9 == 0
                    else self.today - dt.timedelta(days=self.rng.randint(60, 500))
                )
                self.add(username, program, language, address, started=started)
        # Discharged last month (goals met): they leave the caseloads, not the month's figures.
        # (Not Maya's: her Monday is about the clients she has, SCENARIOS.md.)
        for n, username in enumerate(("daniel", "daniel", "tomas", "ana", "ben", "ben", "chloe")):
            program = self.geriatric if username == "maya" else self.chronic
            self.add(
                username, program, "English",
                (f"{20 + n} Elm St", "Quincy", "02169"),
                started=self.today - dt.timedelta(days=200 + n),
                status=EnrolmentStatus.DISCHARGED, ended=self.last_month_day(),
            )  # fmt: skip
        Client.objects.bulk_create(self.clients)
        Enrolment.objects.bulk_create(self.enrolments)
        self.history()

    def history(self) -> None:
        """Each enrolment's status events (referred, active, discharged), dated."""
        events, moments = [], {}
        for enrolment in self.enrolments:
            steps = [
                ("", EnrolmentStatus.REFERRED, enrolment.referred_on),
                (EnrolmentStatus.REFERRED, EnrolmentStatus.ACTIVE, enrolment.started_on),
            ]
            if enrolment.ended_on:
                steps.append(
                    (EnrolmentStatus.ACTIVE, EnrolmentStatus.DISCHARGED, enrolment.ended_on)
                )
            for before, after, day in steps:
                event = EnrolmentEvent(
                    enrolment=enrolment,
                    kind=EnrolmentEvent.Kind.STATUS,
                    from_value=before,
                    to_value=after,
                    actor=enrolment.care_manager,
                )
                events.append(event)
                moments[event.pk] = self.at(day or self.today)
        EnrolmentEvent.objects.bulk_create(events)
        _stamp(EnrolmentEvent, moments)
        _stamp(Client, {e.client.pk: self.at(e.referred_on) for e in self.enrolments})
        _stamp(Enrolment, {e.pk: self.at(e.referred_on) for e in self.enrolments})

    def care_plans(self) -> None:
        plans, versions = [], []
        for enrolment in self.enrolments:
            if enrolment.status != EnrolmentStatus.ACTIVE:
                continue
            plan = CarePlan(
                enrolment=enrolment,
                client=enrolment.client,
                title=f"Care plan: {enrolment.program.name.lower()}",
                status=CarePlanStatus.ACTIVE,
                review_due=self.today + dt.timedelta(days=self.rng.randint(20, 150)),
                published_number=1,
                has_unpublished_changes=False,
                author=enrolment.care_manager,
            )
            plans.append(plan)
            junior = enrolment.care_manager.career_level == CareerLevel.JUNIOR
            versions.append(
                CarePlanVersion(
                    careplan=plan,
                    number=1,
                    snapshot={"title": plan.title, "problems": []},
                    reason="First plan, agreed with the client",
                    author=enrolment.care_manager,
                    cosign_status=CosignStatus.COSIGNED if junior else CosignStatus.NOT_REQUIRED,
                    cosigner=enrolment.care_manager.supervisor if junior else None,
                    cosigned_at=self.at((enrolment.started_on or self.today) + dt.timedelta(days=1))
                    if junior
                    else None,
                )
            )
        CarePlan.objects.bulk_create(plans)
        CarePlanVersion.objects.bulk_create(versions)
        written = {p.pk: self.at(p.enrolment.started_on or self.today) for p in plans}
        _stamp(CarePlan, written)
        _stamp(CarePlanVersion, {v.pk: written[v.careplan.pk] for v in versions})
        self.plan_contents(plans)

    def plan_contents(self, plans: list[CarePlan]) -> None:
        """One library problem per plan, its measurable goals and interventions; some goals
        reached (or not) last month."""
        rows = PlanRows()
        for plan in plans:
            key = self.rng.choice(
                ("falls", "medicines", "isolation")
                if plan.enrolment.program_id == self.geriatric.pk
                else ("diabetes", "chf", "hypertension", "copd")
            )
            rows.add_problem(
                plan,
                key,
                target_of=lambda spec: self.today + dt.timedelta(days=spec.days),
                status_of=lambda item: InterventionStatus.IN_PROGRESS,
            )
        rows.save()
        goals = [goal for goal, _ in rows.goals]
        for status, share in ((GoalStatus.ACHIEVED, 9), (GoalStatus.NOT_ACHIEVED, 31)):
            chosen = [g.pk for n, g in enumerate(goals) if n % share == 1]
            Goal.objects.filter(pk__in=chosen).update(
                status=status, updated_at=self.at(self.last_month_day())
            )

    def notes(self) -> None:
        notes = []
        for enrolment in self.enrolments:
            author = enrolment.care_manager
            junior = author.career_level == CareerLevel.JUNIOR
            days: list[dt.date] = [self.last_month_day() for _ in range(self.rng.randint(1, 3))]
            if enrolment.status == EnrolmentStatus.ACTIVE:
                days.append(self.today - dt.timedelta(days=self.rng.randint(2, 10)))
            for day in days:
                if enrolment.started_on and day < enrolment.started_on:
                    continue
                kind, with_whom = self.rng.choice(MODES)
                at = self.at(day)
                notes.append(
                    ProgressNote(
                        client=enrolment.client,
                        enrolment=enrolment,
                        author=author,
                        contact_at=at,
                        contact_type=kind,
                        contact_with=with_whom,
                        provider_name="Primary care office" if with_whom == "provider" else "",
                        reached=True,
                        minutes=self.rng.choice((10, 15, 20, 30, 45)),
                        narrative="Checked in on symptoms, medicines and appointments; no new "
                        "concerns. Next contact as planned.",
                        status=NoteStatus.SIGNED,
                        signed_at=at,
                        cosign_status=CosignStatus.COSIGNED
                        if junior
                        else CosignStatus.NOT_REQUIRED,
                        cosigner=author.supervisor if junior else None,
                        cosigned_at=at + dt.timedelta(days=1) if junior else None,
                    )
                )
        ProgressNote.objects.bulk_create(notes)
        _stamp(ProgressNote, {note.pk: note.contact_at for note in notes})

    def referrals(self) -> None:
        start, end = self.last_month
        last_day = end - dt.timedelta(days=1)
        active = [e for e in self.enrolments if e.status == EnrolmentStatus.ACTIVE]
        referrals = []
        for n, enrolment in enumerate(self.rng.sample(active, 24)):
            sent = start + dt.timedelta(days=n % 25)
            closed = n % 3 != 2
            status = (
                (ReferralStatus.COMPLETED if n % 4 else ReferralStatus.DECLINED)
                if closed
                else ReferralStatus.SENT
            )
            referrals.append(
                Referral(
                    client=enrolment.client,
                    enrolment=enrolment,
                    provider_name=self.rng.choice(
                        ("Eastside Meals on Wheels", "Harbor Home Health", "Dorchester Pantry")
                    ),
                    reason="Needs help at home after a hard month",
                    shared_fields=["name", "reason"],
                    status=status,
                    sent_on=sent,
                    response_due_on=sent + dt.timedelta(days=3),
                    closed_at=self.at(min(sent + dt.timedelta(days=2 + n % 9), last_day))
                    if closed
                    else None,
                    outcome_note="Service started." if closed else "",
                    created_by=enrolment.care_manager,
                )
            )
        Referral.objects.bulk_create(referrals)


def seed_team_demo() -> None:
    """Add the leading-care-managers scenes to the seeded demo organisation."""
    demo = _TeamDemo()
    demo.receivers()
    demo.caseloads()
    demo.care_plans()
    demo.notes()
    demo.referrals()
