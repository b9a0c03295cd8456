"""The client chart through HTTP: every app's section on one page, the view audited, and a
query count that does not grow with the record."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.clients.models import Client
from tests import factories

pytestmark = pytest.mark.django_db


def test_chart_shows_header_flags_sections_and_records_the_view(org, login):
    client = org.junior_client
    client.preferred_language = "Somali"
    client.interpreter_needed = True
    client.pronouns = "she/her"
    client.save()
    flag = factories.FlagFactory(client=client, raised_by=org.supervisor)
    factories.FlagFactory(client=client, raised_by=org.junior, is_active=False, description="Old")
    response = login(org.junior).get(reverse("clients:chart", args=[client.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert client.full_name in html
    assert f"born {client.date_of_birth:%-d %B %Y}" in html
    assert client.mrn in html
    assert "Interpreter needed" in html
    assert "she/her" in html
    assert "Geriatric care management" in html
    assert org.junior.display_name in html
    assert flag.description in html
    assert reverse("clients:flag_resolve", args=[client.pk, flag.pk]) in html
    assert "Old" not in html
    for anchor in ("care-plan", "notes", "tasks", "care-team", "enrolments"):
        assert f'href="#{anchor}"' in html
        assert f'id="{anchor}"' in html
    for url in (
        reverse("notes:create", args=[client.pk]),
        reverse("tasks:create", args=[client.pk]),
        reverse("enrolments:create", args=[client.pk]),
        reverse("clients:edit", args=[client.pk]),
        reverse("clients:related_create", args=[client.pk]),
    ):
        assert url in html
    audit = AuditEvent.objects.get(action="client.viewed")
    assert (audit.actor, audit.client_id, audit.target_id) == (
        org.junior,
        client.pk,
        str(client.pk),
    )


@pytest.mark.parametrize(
    ("who", "sees_link"),
    [("junior", False), ("supervisor", True), ("senior", True), ("director", True)],
)
def test_access_history_link_only_for_those_allowed(org, login, who, sees_link):
    html = (
        login(org.users()[who])
        .get(reverse("clients:chart", args=[org.junior_client.pk]))
        .content.decode()
    )
    assert (reverse("clients:access_history", args=[org.junior_client.pk]) in html) is sees_link


def test_chart_lists_family_and_care_team(org, login):
    client = org.junior_client
    person = factories.RelatedPersonFactory(
        client=client, name="Karin L", is_primary_caregiver=True
    )
    factories.CareTeamMemberFactory(enrolment=client.enrolments.get(), external_name="Dr. Ada Park")
    html = login(org.junior).get(reverse("clients:chart", args=[client.pk])).content.decode()
    assert "Karin L" in html and "Primary caregiver" in html
    assert reverse("clients:related_edit", args=[client.pk, person.pk]) in html
    assert "Dr. Ada Park" in html


def _fill_chart(org, n):
    """n more of everything the chart lists: notes, tasks, people, flags, enrolments, plans."""
    client = org.junior_client
    enrolment = client.enrolments.get(program=org.geriatric)
    for i in range(n):
        factories.ProgressNoteFactory(client=client, author=org.junior, enrolment=enrolment)
        factories.TaskFactory(client=client, owner=org.junior, title=f"Task {i}")
        factories.RelatedPersonFactory(client=client)
        factories.FlagFactory(client=client, raised_by=org.junior)
        factories.CareTeamMemberFactory(enrolment=enrolment, external_name=f"Person {i}")
        program = factories.ProgramFactory(code=f"extra-{n}-{i}")
        extra = factories.EnrolmentFactory(client=client, program=program, care_manager=org.junior)
        factories.CareTeamMemberFactory(enrolment=extra, external_name=f"Extra {i}")
        goal = factories.GoalFactory(problem__careplan=factories.CarePlanFactory(enrolment=extra))
        factories.InterventionFactory(goal=goal)


def test_chart_query_count_does_not_grow_with_the_record(org, login, django_assert_max_num_queries):
    http = login(org.junior)
    url = reverse("clients:chart", args=[org.junior_client.pk])
    _fill_chart(org, 1)
    with CaptureQueriesContext(connection) as small:
        assert http.get(url).status_code == 200
    _fill_chart(org, 15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = http.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Extra ") >= 16


def test_chart_stays_within_a_fixed_query_budget(org, login, django_assert_max_num_queries):
    _fill_chart(org, 10)
    http = login(org.supervisor)
    # Nine sections (plan, notes, tasks, assessments, referrals and appointments, consents,
    # people and care team, enrolments, flags), each a few fixed queries, plus sign-in and audit.
    with django_assert_max_num_queries(50):
        assert http.get(reverse("clients:chart", args=[org.junior_client.pk])).status_code == 200


PAYLOAD = '<script>alert("xss")</script>'


def test_stored_script_is_shown_escaped_on_the_chart(org, login):
    Client.objects.filter(pk=org.junior_client.pk).update(
        given_name=PAYLOAD[:100], what_matters_to_me=PAYLOAD, pronouns=PAYLOAD[:40]
    )
    factories.FlagFactory(client=org.junior_client, raised_by=org.junior, description=PAYLOAD)
    factories.RelatedPersonFactory(client=org.junior_client, name=PAYLOAD)
    html = (
        login(org.junior)
        .get(reverse("clients:chart", args=[org.junior_client.pk]))
        .content.decode()
    )
    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert") >= 4
