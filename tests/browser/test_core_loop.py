"""A care manager's day, and supervision, driven through the browser (issue 2's walk-through)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from caseload.careplans.models import CarePlan, CarePlanVersion
from caseload.enrolments.models import Enrolment
from caseload.notes.models import ProgressNote
from caseload.tasks.models import Task
from tests import factories
from tests.browser_support import sign_in, snap

pytestmark = pytest.mark.django_db(transaction=True)


def test_care_manager_enrols_plans_documents_and_completes_a_task(page: Any) -> None:
    geriatric = factories.ProgramFactory(code="geriatric", name="Geriatric care management")
    chronic = factories.ProgramFactory(
        code="chronic", name="Chronic disease management", kind="chronic_disease"
    )
    kim = factories.UserFactory(
        username="kim", first_name="Kim", last_name="Nguyen", career_level="care_manager"
    )
    client = factories.ClientFactory(given_name="Rose", family_name="Baptiste", mrn="MRN-4242")
    factories.EnrolmentFactory(client=client, program=geriatric, care_manager=kim)
    for _ in range(3):
        factories.EnrolmentFactory(program=geriatric, care_manager=kim)
    factories.TaskFactory(
        client=client, owner=kim, title="Call Rose about meals", due_on=timezone.localdate()
    )

    sign_in(page, "kim", factories.PASSWORD)
    snap(page, "01-my-caseload")

    # Find the client by name from the caseload search.
    page.get_by_label("Find a client").fill("Bapt")
    page.get_by_role("button", name="Apply").click()
    # The results replace the table in place (htmx, pushing the search into the URL): wait for
    # them, so the click below is not on a row the swap is about to replace.
    page.wait_for_url(re.compile(r"q=Bapt"))
    page.get_by_role("link", name=re.compile("Baptiste, Rose")).click()
    page.wait_for_url(re.compile(r"/clients/"))
    snap(page, "02-client-chart")

    # Enrol her in the chronic disease program.
    page.get_by_role("link", name="Enrol in a program").first.click()
    page.get_by_label("Program").select_option(label="Chronic disease management")
    page.get_by_role("button", name="Enrol").click()
    enrolment = Enrolment.objects.get(client=client, program=chronic)
    assert enrolment.care_manager == kim
    snap(page, "03-enrolment")

    # Write a care plan with two measurable goals, and publish it.
    page.goto(f"/care-plans/for/{enrolment.pk}/new/")
    page.get_by_label("Plan title").fill("Living well with diabetes")
    page.get_by_role("button", name="Start the plan").click()
    assert page.get_by_role("alert").is_visible()  # the review date is required
    page.get_by_label("Review the plan by").fill(
        (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    )
    page.get_by_role("button", name="Start the plan").click()
    page.get_by_role("link", name="Add a problem").first.click()
    page.get_by_label("Problem or need").fill("Blood sugar often above target")
    page.get_by_role("button", name="Add problem").click()
    for goal, measure, target in [
        ("A1c below 8% by spring", "HbA1c (%)", "below 8"),
        ("Checks blood sugar every morning", "Days a week with a morning reading", "7"),
    ]:
        page.get_by_role("link", name=re.compile("Add a goal")).first.click()
        page.get_by_label("Goal", exact=True).fill(goal)
        page.get_by_label("What will be measured").fill(measure)
        page.get_by_label("Target", exact=True).fill(target)
        page.get_by_label("Reach the target by").fill(
            (timezone.localdate() + dt.timedelta(days=120)).isoformat()
        )
        page.get_by_label("Whose goal is it?").select_option("client")
        page.get_by_role("button", name="Add goal").click()
    page.get_by_label("What changed and why?").fill("First plan, agreed with Rose at home")
    page.get_by_role("button", name=re.compile("Publish version")).click()
    plan = CarePlan.objects.get(enrolment=enrolment)
    assert plan.goals.count() == 2
    assert CarePlanVersion.objects.filter(careplan=plan, number=1).exists()
    assert plan.status == "active"
    snap(page, "04-care-plan")

    # Record a phone note, signed in one step.
    page.goto(f"/notes/for/{client.pk}/new/")
    page.get_by_label("Type of contact").select_option("phone")
    page.get_by_label("Who was the contact with?").select_option("client")
    page.get_by_label("Minutes spent").fill("12")
    page.get_by_label("What happened").fill(
        "Talked through the new plan; Rose agreed to morning checks."
    )
    snap(page, "05-note-form")
    page.get_by_role("button", name="Save and sign").click()
    note = ProgressNote.objects.get(client=client)
    assert (note.status, note.minutes, note.contact_type) == ("signed", 12, "phone")
    assert note.cosign_status == "not_required"

    # Complete the task in place on "My tasks".
    page.get_by_role("link", name="My tasks").click()
    snap(page, "06-my-tasks")
    page.get_by_role("row", name=re.compile("Call Rose about meals")).get_by_role(
        "button", name=re.compile("Mark done")
    ).click()
    page.get_by_text(re.compile("Done")).first.wait_for()
    assert Task.objects.get(title="Call Rose about meals").status == "done"
    snap(page, "07-task-done")


def test_juniors_signed_note_is_cosigned_by_the_supervisor(page: Any) -> None:
    program = factories.ProgramFactory(code="geriatric", name="Geriatric care management")
    daniel = factories.UserFactory(
        username="daniel", first_name="Daniel", last_name="Mensah", career_level="care_manager"
    )
    maya = factories.UserFactory(
        username="maya",
        first_name="Maya",
        last_name="Robinson",
        career_level="junior",
        supervisor=daniel,
    )
    client = factories.ClientFactory(given_name="Ingrid", family_name="Lindqvist")
    factories.EnrolmentFactory(client=client, program=program, care_manager=maya)
    daughter = factories.RelatedPersonFactory(client=client, name="Karin Lindqvist")

    sign_in(page, "maya", factories.PASSWORD)
    page.goto(f"/notes/for/{client.pk}/new/")
    page.get_by_label("Type of contact").select_option("phone")
    page.get_by_label("Who was the contact with?").select_option("related_person")
    page.get_by_label("Which family member or caregiver").select_option(str(daughter.pk))
    page.get_by_label("Minutes spent").fill("12")
    page.get_by_label("What happened").fill("Spoke with Karin: her mother is eating well again.")
    page.get_by_role("button", name="Save and sign").click()
    note = ProgressNote.objects.get(client=client)
    assert (note.status, note.cosign_status, note.cosigner) == ("signed", "pending", daniel)
    assert note.related_person == daughter
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "daniel", factories.PASSWORD)
    page.get_by_role("link", name="Co-sign queue").click()
    snap(page, "08-cosign-queue")
    page.get_by_role("link", name=re.compile("Review")).first.click()
    snap(page, "09-note-to-cosign")
    page.get_by_role("button", name="Co-sign").click()
    note.refresh_from_db()
    assert (note.cosign_status, note.cosigned_at is not None) == ("cosigned", True)
    snap(page, "10-cosigned")
