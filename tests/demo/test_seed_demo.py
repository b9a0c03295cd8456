"""`caseload seed_demo`: the demo organisation, and the week of SCENARIOS.md written into it."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Max, Min
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from caseload.careplans.models import CarePlan, CarePlanStatus, CarePlanVersion, CosignStatus
from caseload.clients.models import Client, Flag, FlagKind, Relationship
from caseload.consents.selectors import people_who_may_receive_updates
from caseload.core import clock
from caseload.core.business_days import business_days_after
from caseload.demo import data
from caseload.enrolments.models import Enrolment, EnrolmentStatus, Program
from caseload.notes.models import NoteStatus, ProgressNote
from caseload.staff.models import CareerLevel, User
from caseload.tasks.models import Priority, Task, TaskStatus
from caseload.transitions.models import TransitionalCareEpisode

# One worker runs the whole module, so the organisation is seeded once.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("seeded"),
    pytest.mark.xdist_group("demo"),
]


def client_named(family_name: str) -> Client:
    return Client.objects.get(family_name=family_name, mrn__startswith=data.MRN_PREFIX)


def last_reached(client: Client) -> dt.date:
    latest = ProgressNote.objects.filter(
        client=client, status=NoteStatus.SIGNED, reached=True
    ).aggregate(at=Max("contact_at"))["at"]
    return timezone.localdate(latest)


def last_friday() -> dt.date:
    today = clock.today()
    return today - dt.timedelta(days=(today.weekday() - 4) % 7 or 7)


# --- the organisation ---------------------------------------------------------------------------


def test_seed_creates_the_five_programs():
    kinds = set(Program.objects.values_list("kind", flat=True))

    assert kinds >= {
        "geriatric",
        "behavioural_health",
        "chronic_disease",
        "pediatric",
        "transitional",
    }


def test_staff_cover_every_career_level_and_an_administrator_without_one():
    levels = set(User.objects.exclude(career_level="").values_list("career_level", flat=True))
    sam = User.objects.get(username="sam")

    assert levels == set(CareerLevel.values)
    assert (sam.is_administrator, sam.is_staff, sam.is_superuser) == (True, True, True)
    assert sam.career_level == ""


def test_two_juniors_are_supervised_by_the_same_care_manager():
    daniel = User.objects.get(username="daniel")
    juniors = set(
        daniel.supervisees.filter(career_level=CareerLevel.JUNIOR).values_list(
            "username", flat=True
        )
    )

    assert daniel.career_level == CareerLevel.CARE_MANAGER
    assert juniors == {"maya", "tomas"}


def test_every_program_has_a_senior_and_every_senior_reports_to_the_director():
    director = User.objects.get(career_level=CareerLevel.DIRECTOR)
    seniors = User.objects.filter(career_level=CareerLevel.SENIOR)

    for program in Program.objects.filter(code__in=[p.code for p in data.PROGRAMS]):
        assert seniors.filter(programs=program).exists(), program.name
    assert {senior.supervisor_id for senior in seniors} == {director.pk}


def test_demo_staff_sign_in_with_the_documented_password():
    for sign_in in data.STAFF:
        assert User.objects.get(username=sign_in.username).check_password(data.DEMO_PASSWORD)


def test_about_sixty_clients_each_enrolled_with_a_care_manager_in_the_program():
    demo_clients = Client.objects.filter(mrn__startswith=data.MRN_PREFIX)

    assert 55 <= demo_clients.count() <= 65
    assert not demo_clients.filter(enrolments__isnull=True).exists()
    for enrolment in Enrolment.objects.select_related("care_manager", "program"):
        assert enrolment.care_manager.programs.filter(pk=enrolment.program_id).exists()
        assert (
            enrolment.care_manager.caseload_cap
            >= Enrolment.objects.filter(care_manager=enrolment.care_manager)
            .exclude(status=EnrolmentStatus.DISCHARGED)
            .count()
        )


def test_every_active_enrolment_has_a_published_care_plan_with_measurable_goals():
    for enrolment in Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE):
        plan = CarePlan.objects.get(enrolment=enrolment)
        assert plan.published_number >= 1
        assert plan.versions.filter(number=plan.published_number).exists()
        goals = plan.goals.all()
        assert goals
        for goal in goals:
            assert goal.measure and goal.target_value and goal.target_date
            assert goal.interventions.exclude(responsible="").exclude(frequency="").exists()


def test_pediatric_clients_are_children_with_a_parent_or_guardian():
    today = clock.today()
    children = Client.objects.filter(enrolments__program__kind="pediatric").distinct()
    director = User.objects.get(career_level=CareerLevel.DIRECTOR)

    assert children.count() >= 5
    for child in children:
        assert child.age_on(today) < 18
        guardians = child.related_people.filter(
            relationship__in=[Relationship.PARENT, Relationship.GUARDIAN]
        )
        assert any(
            person.pk in people_who_may_receive_updates(actor=director, client=child)
            for person in guardians
        )


def test_clients_speak_many_languages_with_interpreters_where_needed():
    languages = set(Client.objects.values_list("preferred_language", flat=True))

    assert {"Spanish", "Vietnamese", "Somali", "Haitian Creole", "Russian"} <= languages
    assert Client.objects.filter(interpreter_needed=True).count() >= 10


def test_notes_are_signed_and_spread_over_the_last_months():
    today = clock.today()
    span = ProgressNote.objects.aggregate(first=Min("contact_at"), last=Max("contact_at"))

    assert not ProgressNote.objects.exclude(status=NoteStatus.SIGNED).exists()
    assert timezone.localdate(span["first"]) <= today - dt.timedelta(days=100)
    assert span["last"] <= clock.now()
    for note in ProgressNote.objects.all():
        assert note.contact_at <= note.signed_at <= clock.now()
        if note.cosign_status == CosignStatus.COSIGNED:
            assert note.signed_at <= note.cosigned_at


def test_history_reads_in_order():
    for enrolment in Enrolment.objects.exclude(status=EnrolmentStatus.REFERRED):
        assert enrolment.referred_on <= enrolment.started_on <= clock.today()
        statuses = list(enrolment.events.order_by("created_at").values_list("to_value", flat=True))
        assert statuses[:2] == [EnrolmentStatus.REFERRED, EnrolmentStatus.ACTIVE]
        if enrolment.status == EnrolmentStatus.DISCHARGED:
            assert enrolment.started_on < enrolment.ended_on
            assert statuses[-1] == EnrolmentStatus.DISCHARGED
    for version in CarePlanVersion.objects.filter(cosign_status=CosignStatus.COSIGNED):
        assert version.created_at <= version.cosigned_at <= clock.now()


def test_every_open_task_is_owned_by_staff_who_see_the_client():
    from caseload.access.policies import client_in_scope

    for task in Task.objects.filter(status=TaskStatus.OPEN).select_related("owner"):
        assert client_in_scope(task.owner, task.client_id)


# --- Maya's Monday ----------------------------------------------------------------------------


def test_maya_has_about_twelve_clients_and_three_overdue_tasks():
    maya = User.objects.get(username="maya")
    overdue = Task.objects.filter(owner=maya, status=TaskStatus.OPEN, due_on__lt=clock.today())

    assert 10 <= Enrolment.objects.filter(care_manager=maya).count() <= 14
    assert overdue.count() == 3


def test_okafor_care_plan_review_was_due_last_friday():
    plan = CarePlan.objects.get(client=client_named("Okafor"))

    assert plan.review_due == last_friday()
    assert plan.is_review_overdue
    assert (
        CarePlan.objects.filter(
            enrolment__care_manager__username="maya", review_due__lt=clock.today()
        ).count()
        == 1
    )


def test_lindqvist_was_last_reached_19_days_ago_and_her_daughter_may_receive_updates():
    lindqvist = client_named("Lindqvist")
    daughter = lindqvist.related_people.get()

    assert last_reached(lindqvist) == clock.today() - dt.timedelta(days=19)
    assert daughter.relationship == Relationship.CHILD
    consent = people_who_may_receive_updates(
        actor=User.objects.get(career_level=CareerLevel.DIRECTOR), client=lindqvist
    )[daughter.pk]
    assert (consent.kind, consent.method) == ("share_related_person", "verbal")
    others = Client.objects.filter(enrolments__care_manager__username="maya").exclude(
        pk=lindqvist.pk
    )
    for other in others.filter(notes__isnull=False).distinct():
        assert last_reached(other) > last_reached(lindqvist)


def test_a_new_client_was_assigned_to_maya_over_the_weekend():
    enrolment = Enrolment.objects.get(client=client_named("Ruiz"))
    assigned = timezone.localtime(enrolment.created_at).date()

    assert enrolment.care_manager.username == "maya"
    assert enrolment.status == EnrolmentStatus.REFERRED
    assert assigned.weekday() == 5 and clock.today() - assigned < dt.timedelta(days=7)
    assert not ProgressNote.objects.filter(client=enrolment.client).exists()
    assert enrolment.client.interpreter_needed


def test_maya_sees_her_monday_on_the_caseload_page(login):
    client = login(User.objects.get(username="maya"))

    response = client.get(reverse("worklist:caseload"))

    assert response.status_code == 200
    html = response.content.decode()
    for family_name in ("Okafor", "Lindqvist", "Ruiz"):
        assert family_name in html
    assert response.context["result"].counts.overdue_tasks == 3


# --- Daniel, Tomás, Aisha, Kim ------------------------------------------------------------------


def test_tomas_has_a_long_standing_client_whose_chart_offers_older_notes(login):
    patel = client_named("Patel")
    assert ProgressNote.objects.filter(client=patel).count() > 30
    assert clock.today() - patel.enrolments.get().started_on > dt.timedelta(days=365)

    html = (
        login(User.objects.get(username="tomas"))
        .get(reverse("clients:chart", kwargs={"client_id": patel.pk}))
        .content.decode()
    )
    assert "Show older notes" in html


def test_daniel_has_juniors_notes_and_two_care_plans_awaiting_his_cosign():
    daniel = User.objects.get(username="daniel")
    notes = ProgressNote.objects.filter(cosigner=daniel, cosign_status=CosignStatus.PENDING)
    versions = CarePlanVersion.objects.filter(cosigner=daniel, cosign_status=CosignStatus.PENDING)

    assert notes.count() >= 3
    assert set(notes.values_list("author__username", flat=True)) <= {"maya", "tomas"}
    assert {v.careplan.client.family_name for v in versions} == {"Pierre", "Carter"}
    assert all(v.careplan.status == CarePlanStatus.AWAITING_COSIGN for v in versions)
    assert ProgressNote.objects.filter(cosigner=daniel, cosign_status=CosignStatus.COSIGNED)


def test_three_of_tomas_clients_have_had_no_contact_for_a_month():
    quiet = [
        client
        for client in Client.objects.filter(enrolments__care_manager__username="tomas").distinct()
        if last_reached(client) <= clock.today() - dt.timedelta(days=30)
    ]

    assert {client.family_name for client in quiet} == {"Murphy", "Reyes", "Russo"}


def test_aishas_client_has_an_active_safety_flag_and_an_urgent_task_due_today():
    ortiz = client_named("Ortiz")
    flag = Flag.objects.get(client=ortiz, kind=FlagKind.SAFETY, is_active=True)
    task = Task.objects.get(client=ortiz, priority=Priority.URGENT)

    assert flag.raised_by.username == "aisha"
    assert (task.owner.username, task.due_on, task.status) == ("aisha", clock.today(), "open")
    assert ortiz.careplans.get().problems.filter(description__startswith="Safety").exists()


def test_haddad_was_discharged_last_friday_and_his_transitional_clocks_run():
    enrolment = Enrolment.objects.get(client=client_named("Haddad"))
    titles = set(Task.objects.filter(client=enrolment.client).values_list("title", flat=True))

    assert enrolment.program.kind == "transitional"
    assert enrolment.care_manager.username == "kim"
    assert enrolment.referred_on == enrolment.started_on == last_friday()
    episode = TransitionalCareEpisode.objects.get(enrolment=enrolment)
    assert episode.discharged_on == last_friday()
    clocks = {each.kind: each for each in episode.clocks.select_related("task")}
    contact = clocks["interactive_contact"]
    assert contact.due_on == business_days_after(last_friday(), 2)
    if contact.due_on < clock.today():
        assert contact.met_on == contact.due_on
    assert {"face_to_face", "medication_reconciliation"} <= set(clocks)
    for kind in ("face_to_face", "medication_reconciliation"):
        assert clocks[kind].task is not None and clocks[kind].task.title in titles
        assert clocks[kind].task.owner.username == "kim"


def test_baptiste_meals_follow_up_is_about_her_meals_goal():
    task = Task.objects.get(
        client=client_named("Baptiste"), title__startswith="Chase referral: no answer from"
    )

    assert task.goal is not None
    assert task.goal.description == "Eats two balanced meals a day"


# --- the command ------------------------------------------------------------------------------


def test_command_prints_every_sign_in_with_the_password(seeded):
    assert "Created the Harbor Care Partners demo organisation" in seeded
    for staff in data.STAFF:
        assert f"  {staff.username} " in seeded
    assert data.DEMO_PASSWORD in seeded


def test_running_it_again_changes_nothing():
    def counts() -> dict[str, int]:
        return {
            model._meta.label: model._default_manager.count()
            for model in apps.get_models()
            if model._meta.app_label != "sessions"
        }

    before = counts()
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=out)

    assert counts() == before
    assert "Demo organisation already present" in out.getvalue()
    assert "  maya " in out.getvalue()
