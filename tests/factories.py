"""factory_boy factories shared by every test package."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from caseload.careplans.models import CarePlan, Goal, Intervention, Problem
from caseload.clients.models import Client, Flag, RelatedPerson
from caseload.enrolments.models import CareTeamMember, Enrolment, Program
from caseload.notes.models import ProgressNote
from caseload.staff.models import CareerLevel, User
from caseload.tasks.models import Task

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    career_level = CareerLevel.CARE_MANAGER
    password = factory.django.Password(PASSWORD)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"program-{n}")
    name = factory.Sequence(lambda n: f"Program {n}")
    kind = "geriatric"


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=20, maximum_age=95)
    sex_at_birth = "female"
    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")
    preferred_language = "English"


def new_client_details(**overrides: object) -> dict[str, object]:
    """A new client's details as ``clients.services.client_create`` takes them."""
    return {
        "given_name": "Ingrid",
        "family_name": "Lindqvist",
        "date_of_birth": dt.date(1941, 5, 2),
        "sex_at_birth": "female",
        "mrn": "MRN-NEW-1",
        "preferred_language": "Swedish",
        "interpreter_needed": True,
        **overrides,
    }


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    client = factory.SubFactory(ClientFactory)
    program = factory.SubFactory(ProgramFactory)
    care_manager = factory.SubFactory(UserFactory)
    status = "active"
    referred_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))
    started_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=50))


class RelatedPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelatedPerson

    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name")
    relationship = "child"
    phone = "555-0100"


class CareTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    enrolment = factory.SubFactory(EnrolmentFactory)
    external_name = "Dr. Ada Park"
    role = "Primary care physician"
    added_by = factory.SelfAttribute("enrolment.care_manager")


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    client = factory.SubFactory(ClientFactory)
    kind = "safety"
    description = "Expressed thoughts of self-harm"
    raised_by = factory.SubFactory(UserFactory)


class CarePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CarePlan

    enrolment = factory.SubFactory(EnrolmentFactory)
    client = factory.SelfAttribute("enrolment.client")
    title = "Care plan"
    author = factory.SelfAttribute("enrolment.care_manager")
    review_due = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    careplan = factory.SubFactory(CarePlanFactory)
    description = "Risk of falls at home"


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    problem = factory.SubFactory(ProblemFactory)
    careplan = factory.SelfAttribute("problem.careplan")
    description = "No falls in the next three months"
    measure = "Falls per month"
    target_value = "0"
    target_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))
    expressed_by = "client"


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    goal = factory.SubFactory(GoalFactory)
    careplan = factory.SelfAttribute("goal.careplan")
    description = "Home safety assessment"
    responsible = "Occupational therapist"
    frequency = "Once"


class ProgressNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressNote

    client = factory.SubFactory(ClientFactory)
    author = factory.SubFactory(UserFactory)
    contact_at = factory.LazyFunction(timezone.now)
    contact_type = "phone"
    contact_with = "client"
    minutes = 15
    narrative = "Called to check in."


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    title = "Follow-up call"
    client = factory.SubFactory(ClientFactory)
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")
    due_on = factory.LazyFunction(timezone.localdate)
