"""The caseload page over HTTP: rendering, switching, search, htmx fragments, query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.staff.models import CareerLevel
from caseload.worklist.selectors import caseload_page
from tests import factories
from tests.worklist.helpers import (
    contact,
    days_ago,
    enrol,
    overdue_tasks,
    plan_review,
    sign_in_with_second_factor,
)

pytestmark = pytest.mark.django_db

URL = reverse("worklist:caseload")


def test_home_page_lists_own_caseload_with_counts_and_chart_links(org, login):
    client = login(org.junior)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>My caseload</h1>" in html
    assert reverse("clients:chart", kwargs={"client_id": org.junior_client.pk}) in html
    assert reverse("clients:chart", kwargs={"client_id": org.supervisor_client.pk}) not in html
    assert response.context["result"].counts.clients == 1
    assert 'name="view"' not in html.split('role="search"')[0]  # nobody to switch to


def test_page_shows_row_facts(org, login):
    maya = org.junior
    lind = enrol(maya, org.geriatric, family="Lindqvist", given="Ingrid", acuity=3)
    contact(lind, maya, 19)
    factories.FlagFactory(client=lind, kind="fall_risk", raised_by=maya)
    okafor = enrol(maya, org.geriatric, family="Okafor")
    contact(okafor, maya, 2)
    plan_review(okafor, days_ago(4))
    late = enrol(maya, org.geriatric, family="Tardy")
    contact(late, maya, 1)
    overdue_tasks(late, maya, 3)

    html = login(maya).get(URL).content.decode()

    assert "3 overdue tasks" in html
    assert "Care plan review was due" in html
    assert "Not reached in 19 days" in html
    assert "19 days ago" in html
    assert "Fall risk" in html
    assert "High" in html  # acuity 3
    assert html.index("Tardy") < html.index("Okafor") < html.index("Lindqvist")


def test_viewing_the_caseload_records_only_which_clients_it_listed(org, login):
    login(org.junior).get(URL)
    events = list(AuditEvent.objects.all())
    assert {e.action for e in events} == {"client.listed"}
    assert {e.client_id for e in events} == {org.junior_client.pk}


def test_supervisor_can_switch_to_supervisee(org, login):
    client = login(org.supervisor)

    page = client.get(URL)
    switched = client.get(URL, {"view": f"staff:{org.junior.pk}"})

    assert f'value="staff:{org.junior.pk}"' in page.content.decode()
    assert switched.status_code == 200
    html = switched.content.decode()
    assert f"{org.junior}'s caseload" in html or f"{org.junior}&#x27;s caseload" in html
    assert reverse("clients:chart", kwargs={"client_id": org.junior_client.pk}) in html
    assert reverse("clients:chart", kwargs={"client_id": org.supervisor_client.pk}) not in html


@pytest.mark.parametrize(
    ("user", "view"),
    [
        ("supervisor", "staff:{other_cm}"),
        ("junior", "staff:{supervisor}"),
        ("senior", "program:{chronic}"),
        ("supervisor", "program:{geriatric}"),
        ("junior", "program:{geriatric}"),
        ("junior", "nonsense"),
        ("junior", "staff:"),
        ("director", "program:00000000-0000-0000-0000-000000000000"),
    ],
)
def test_switching_to_a_caseload_not_offered_is_not_found(org, client, user, view):
    ids = {
        "other_cm": org.other_cm.pk,
        "supervisor": org.supervisor.pk,
        "chronic": org.chronic.pk,
        "geriatric": org.geriatric.pk,
    }
    http = sign_in_with_second_factor(client, org.users()[user])
    response = http.get(URL, {"view": view.format(**ids)})
    assert response.status_code == 404


def test_director_views_any_caseload_and_any_program(org, client):
    http = sign_in_with_second_factor(client, org.director)

    person = http.get(URL, {"view": f"staff:{org.other_cm.pk}"})
    program = http.get(URL, {"view": f"program:{org.chronic.pk}"})

    assert person.status_code == program.status_code == 200
    for response in (person, program):
        assert [r.client_id for r in response.context["result"].rows] == [org.other_client.pk]


def test_senior_views_the_program_they_lead(org, login):
    response = login(org.senior).get(URL, {"view": f"program:{org.geriatric.pk}"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Geriatric care management: whole program caseload" in html
    for c in (org.junior_client, org.supervisor_client):
        assert reverse("clients:chart", kwargs={"client_id": c.pk}) in html
    assert "Care manager" in html


def test_filters_over_http(org, login):
    maya = org.junior
    late = enrol(maya, org.geriatric, family="Tardy")
    overdue_tasks(late, maya, 1)

    response = login(maya).get(URL, {"overdue": "on", "program": str(org.geriatric.pk)})

    assert response.status_code == 200
    assert [row.client_id for row in response.context["result"].rows] == [late.pk]
    assert re.search(
        r'<input type="checkbox" name="overdue"[^>]* checked', response.content.decode()
    )


def test_search_results_are_labelled_and_reach_beyond_the_caseload(org, login):
    shared = enrol(org.other_cm, org.chronic, family="Teamwork", mrn="T-1")
    factories.CareTeamMemberFactory(
        enrolment=shared.enrolments.get(), staff=org.junior, external_name="", role="Nurse"
    )

    response = login(org.junior).get(URL, {"q": "T-1"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Search results for “T-1”" in html
    assert "not only this caseload" in html
    assert reverse("clients:chart", kwargs={"client_id": shared.pk}) in html


def test_search_finds_nothing_outside_scope(org, login):
    org.other_client.family_name = "Outofscope"
    org.other_client.save(update_fields=["family_name"])

    response = login(org.junior).get(URL, {"q": "outofsc"})
    assert response.context["result"].rows == []
    assert "No client you can see matches" in response.content.decode()


def test_impossible_date_is_explained_and_input_kept(org, login):
    response = login(org.junior).get(URL, {"q": "02/30/1950"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a real date of birth" in html
    assert 'value="02/30/1950"' in html
    assert response.context["result"].rows  # the caseload still shows underneath


def test_nul_character_in_search_is_refused(org, login):
    response = login(org.junior).get(URL, {"q": "Lind\x00"})
    assert response.status_code == 400
    assert "invalid control character" in response.content.decode()


def test_htmx_request_gets_only_the_results_fragment(org, login):
    response = login(org.junior).get(
        URL, {"sort": "name"}, headers={"HX-Request": "true", "HX-Target": "caseload-results"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "<table" in html
    assert 'aria-sort="ascending"' in html
    assert 'id="caseload-counts" hx-swap-oob="true"' in html  # the counts at the top follow
    assert "HX-Request" in response["Vary"]
    assert response.templates[0].name == "worklist/partials/table.html"


def test_htmx_error_fragment_carries_the_error_summary_with_status_200(org, login):
    response = login(org.junior).get(URL, {"q": "2020-13-01"}, headers={"HX-Request": "true"})
    assert response.status_code == 200  # htmx swaps only 2xx responses
    assert "There is a problem" in response.content.decode()


def test_history_restore_gets_the_full_page(org, login):
    response = login(org.junior).get(
        URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_sortable_headers_link_to_the_other_direction(org, login):
    html = login(org.junior).get(URL, {"sort": "name"}).content.decode()
    assert "?sort=-name" in html
    assert "?sort=acuity" in html


def test_administrator_sees_a_friendly_page_with_a_link_to_administration(org, client):
    response = sign_in_with_second_factor(client, org.admin).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "You have no caseload" in html
    assert reverse("admin:index") in html
    assert "<table" not in html


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_post_is_not_allowed(org, login):
    assert login(org.junior).post(URL).status_code == 405


def _fill(care_manager, program, count):
    for n in range(count):
        client = enrol(care_manager, program, family=f"Bulk{n:03d}", acuity=1 + n % 4)
        contact(client, care_manager, n % 30)
        if n % 3 == 0:
            overdue_tasks(client, care_manager, 1)
        if n % 5 == 0:
            factories.FlagFactory(
                client=client, kind="safety" if n % 10 else "fall_risk", raised_by=care_manager
            )
        if n % 4 == 0:
            plan_review(client, days_ago(n % 7 - 3))


# Whole request: session, user and two-factor checks, session save, plus the worklist's own,
# plus three for recording the listed clients (chain head lock, one insert, head update),
# plus two for the signed-in person's credential reminders (licences, certifications).
# Seniors pay three repeated led-program lookups inside access.policies (see the report).
@pytest.mark.parametrize(("who", "limit"), [("supervisor", 18), ("senior", 21)])
def test_query_count_does_not_grow_with_the_caseload(
    org, login, django_assert_max_num_queries, who, limit
):
    small = factories.UserFactory(
        username="small", career_level=CareerLevel.CARE_MANAGER, supervisor=org.supervisor
    )
    large = factories.UserFactory(
        username="large", career_level=CareerLevel.CARE_MANAGER, supervisor=org.supervisor
    )
    small.programs.add(org.geriatric)
    large.programs.add(org.geriatric)
    _fill(small, org.geriatric, 5)
    _fill(large, org.geriatric, 60)
    client = login(org.users()[who])
    client.get(URL)  # warm the session

    counts = []
    for owner in (small, large):
        with django_assert_max_num_queries(limit), CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"view": f"staff:{owner.pk}"})
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert response.context["result"].counts.clients == 60
    assert len(response.context["result"].rows) == 50
    assert counts[0] == counts[1]


# Switcher choices, programs, [the policy's supervisee lookup], the caseload's facts, then the
# shown clients' enrolments, flags and open tasks.
@pytest.mark.parametrize(
    ("size", "who", "limit"), [(5, "junior", 6), (60, "junior", 6), (5, "cm", 7), (60, "cm", 7)]
)
def test_worklist_selector_runs_a_fixed_handful_of_queries(
    org, django_assert_max_num_queries, size, who, limit
):
    if who == "junior":
        owner = org.junior
    else:
        owner = factories.UserFactory(
            username="daniel", career_level=CareerLevel.CARE_MANAGER, supervisor=org.senior
        )
        org.junior.supervisor = owner
        org.junior.save(update_fields=["supervisor"])
    _fill(owner, org.geriatric, size)

    with django_assert_max_num_queries(limit):
        page = caseload_page(actor=owner)

    assert len(page.rows) == min(size + (who == "junior"), 50)
