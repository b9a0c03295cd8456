"""The worklist selector: priority rules, counts, filters, search and whose caseload."""

from __future__ import annotations

import datetime as dt

import pytest

from caseload.core.errors import NotFound, ValidationFailed
from caseload.staff.models import CareerLevel
from caseload.worklist.selectors import attention_for, caseload_page, parse_search_date
from tests import factories
from tests.worklist.helpers import contact, days_ago, enrol, overdue_tasks, plan_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def cm(org):
    user = factories.UserFactory(
        username="maya", career_level=CareerLevel.CARE_MANAGER, supervisor=org.senior
    )
    user.programs.add(org.geriatric)
    return user


def names(page):
    return [row.sortable_name.split(",")[0] for row in page.rows]


def test_priority_orders_safety_then_overdue_then_review_then_contact_then_acuity_then_name(
    org, cm
):
    g = org.geriatric
    safety = enrol(cm, g, family="Safety")
    contact(safety, cm, 1)
    factories.FlagFactory(client=safety, kind="safety", raised_by=cm)
    three = enrol(cm, g, family="Overdue3")
    contact(three, cm, 1)
    overdue_tasks(three, cm, 3)
    one = enrol(cm, g, family="Overdue1")
    contact(one, cm, 1)
    overdue_tasks(one, cm, 1)
    review = enrol(cm, g, family="Review")
    contact(review, cm, 1)
    plan_review(review, days_ago(1))
    enrol(cm, g, family="Never")
    old30 = enrol(cm, g, family="Old30")
    contact(old30, cm, 30)
    old20 = enrol(cm, g, family="Old20")
    contact(old20, cm, 20)
    for family, acuity in (("Beta", 2), ("High", 4), ("Alpha", 2)):
        client = enrol(cm, g, family=family, acuity=acuity)
        contact(client, cm, 2)

    page = caseload_page(actor=cm)

    assert names(page) == [
        "Safety",
        "Overdue3",
        "Overdue1",
        "Review",
        "Never",
        "Old30",
        "Old20",
        "High",
        "Alpha",
        "Beta",
    ]


def test_only_open_overdue_tasks_count_and_due_today_is_not_overdue(org, cm):
    client = enrol(cm, org.geriatric, family="Tasks")
    overdue_tasks(client, cm, 1)
    factories.TaskFactory(client=client, owner=cm, due_on=days_ago(5), status="done")
    factories.TaskFactory(client=client, owner=cm, due_on=days_ago(5), status="cancelled")
    factories.TaskFactory(client=client, owner=cm, due_on=days_ago(0), title="Call today")

    (row,) = caseload_page(actor=cm).rows

    assert row.overdue_tasks == 1
    assert row.next_due_on == days_ago(3)
    assert row.attention == "1 overdue task"


def test_next_task_is_the_earliest_open_one_and_shows_when_nothing_is_urgent(org, cm):
    client = enrol(cm, org.geriatric, family="Calm")
    contact(client, cm, 2)
    factories.TaskFactory(client=client, owner=cm, due_on=days_ago(-9), title="Later call")
    factories.TaskFactory(client=client, owner=cm, due_on=days_ago(-2), title="Book ride")
    factories.TaskFactory(client=client, owner=cm, due_on=days_ago(-1), status="done")

    (row,) = caseload_page(actor=cm).rows

    assert row.next_due_on == days_ago(-2)
    assert row.next_task_title == "Book ride"
    assert row.attention.startswith("Book ride — due ")
    assert row.attention_level == ""


def test_resolved_and_non_safety_flags_do_not_raise_priority_but_show_as_tags(org, cm):
    flagged = enrol(cm, org.geriatric, family="Flagged")
    contact(flagged, cm, 1)
    factories.FlagFactory(client=flagged, kind="safety", raised_by=cm, is_active=False)
    factories.FlagFactory(client=flagged, kind="fall_risk", raised_by=cm, description="Falls")
    never = enrol(cm, org.geriatric, family="Unflagged")

    page = caseload_page(actor=cm)

    assert [row.client_id for row in page.rows] == [never.pk, flagged.pk]
    assert page.rows[1].flags == [("fall_risk", "Fall risk")]
    assert page.rows[1].safety_flag == ""
    assert page.counts.safety_flags == 0


def test_safety_flag_description_leads_the_next_thing(org, cm):
    client = enrol(cm, org.geriatric, family="Risk")
    factories.FlagFactory(
        client=client, kind="safety", raised_by=cm, description="PHQ-9 item 9 positive"
    )
    overdue_tasks(client, cm, 2)

    (row,) = caseload_page(actor=cm).rows

    assert row.attention == "Safety flag: PHQ-9 item 9 positive"
    assert row.attention_level == "danger"
    assert row.flags[0] == ("safety", "Safety")


def test_last_contact_counts_only_signed_notes_where_someone_was_reached(org, cm):
    client = enrol(cm, org.geriatric, family="Contact")
    contact(client, cm, 19)
    contact(client, cm, 3, reached=False)
    contact(client, cm, 2, status="draft")

    (row,) = caseload_page(actor=cm).rows

    assert row.days_since_contact == 19
    assert row.last_contact_label == "19 days ago"
    assert row.attention == "Not reached in 19 days"


def test_closed_plan_and_future_review_are_not_due(org, cm):
    closed = enrol(cm, org.geriatric, family="Closed")
    contact(closed, cm, 1)
    plan_review(closed, days_ago(5), status="closed")
    future = enrol(cm, org.geriatric, family="Future")
    contact(future, cm, 1)
    plan_review(future, days_ago(-5))
    today = enrol(cm, org.geriatric, family="Today")
    contact(today, cm, 1)
    plan_review(today, days_ago(0))

    page = caseload_page(actor=cm)

    by_name = {row.sortable_name.split(",")[0]: row for row in page.rows}
    assert not by_name["Closed"].review_is_due
    assert not by_name["Future"].review_is_due
    assert by_name["Today"].review_is_due
    assert by_name["Today"].attention == "Care plan review due today"
    assert page.counts.plan_reviews_due == 1
    assert names(page)[0] == "Today"


def test_counts_summarise_the_caseload(org, cm):
    g = org.geriatric
    a = enrol(cm, g, family="A")
    factories.FlagFactory(client=a, kind="safety", raised_by=cm)
    overdue_tasks(a, cm, 2)
    contact(a, cm, 1)
    b = enrol(cm, g, family="B")
    overdue_tasks(b, cm, 1)
    contact(b, cm, 14)
    c = enrol(cm, g, family="C")
    plan_review(c, days_ago(3))
    contact(c, cm, 13)
    enrol(cm, g, family="D", status="referred", referred_days_ago=2)
    enrol(cm, g, family="E", referred_days_ago=40, status="on_hold")
    enrol(cm, g, family="Gone", status="discharged")
    enrol(org.other_cm, org.chronic, family="Elsewhere")

    counts = caseload_page(actor=cm).counts

    assert counts.clients == 5
    assert counts.safety_flags == 1
    assert counts.overdue_tasks == 2
    assert counts.plan_reviews_due == 1
    assert counts.not_reached == 3  # B at 14 days, D and E never
    assert counts.new_this_week == 1


def test_new_client_is_named_in_the_next_thing(org, cm):
    enrol(cm, org.geriatric, family="Newcomer", status="active", referred_days_ago=2)

    (row,) = caseload_page(actor=cm).rows

    assert row.is_new
    assert row.attention.startswith("New client — referred ")


def test_filters_by_program_status_and_overdue(org, cm):
    cm.programs.add(org.chronic)
    geri = enrol(cm, org.geriatric, family="Geri")
    chronic = enrol(cm, org.chronic, family="Chron", status="on_hold")
    late = enrol(cm, org.geriatric, family="Late")
    overdue_tasks(late, cm, 1)

    def ids(**filters):
        return {row.client_id for row in caseload_page(actor=cm, **filters).rows}

    assert ids(program_id=org.chronic.pk) == {chronic.pk}
    assert ids(program_id=org.geriatric.pk) == {geri.pk, late.pk}
    assert ids(status="on_hold") == {chronic.pk}
    assert ids(overdue_only=True) == {late.pk}
    assert ids(program_id=org.geriatric.pk, overdue_only=True) == {late.pk}


def test_discharged_status_is_not_a_worklist_filter(org, cm):
    with pytest.raises(ValidationFailed):
        caseload_page(actor=cm, status="discharged")


def test_column_sorts(org, cm):
    g = org.geriatric
    a = enrol(cm, g, family="Adams", acuity=1)
    contact(a, cm, 3)
    factories.TaskFactory(client=a, owner=cm, due_on=days_ago(-7))
    b = enrol(cm, g, family="Brown", acuity=4)
    contact(b, cm, 10)
    factories.TaskFactory(client=b, owner=cm, due_on=days_ago(-1))
    c = enrol(cm, g, family="Chen", acuity=3)

    def order(sort):
        return names(caseload_page(actor=cm, sort=sort))

    assert order("name") == ["Adams", "Brown", "Chen"]
    assert order("-name") == ["Chen", "Brown", "Adams"]
    assert order("acuity") == ["Brown", "Chen", "Adams"]
    assert order("-acuity") == ["Adams", "Chen", "Brown"]
    assert order("last_contact") == ["Chen", "Brown", "Adams"]
    assert order("-last_contact") == ["Adams", "Brown", "Chen"]
    assert order("next_due") == ["Brown", "Adams", "Chen"]
    assert order("-next_due") == ["Adams", "Brown", "Chen"]
    assert order("bogus") == order("priority")
    assert c.pk  # Chen has no task and no contact: never, nothing due


def test_paging(org, cm):
    for n in range(7):
        enrol(cm, org.geriatric, family=f"Client{n:02d}")

    first = caseload_page(actor=cm, sort="name", per_page=3)
    last = caseload_page(actor=cm, sort="name", per_page=3, page=99)

    assert names(first) == ["Client00", "Client01", "Client02"]
    assert (first.num_pages, first.has_next, first.has_previous) == (3, True, False)
    assert last.page == 3
    assert names(last) == ["Client06"]
    assert first.counts.clients == 7


# --- search ----------------------------------------------------------------------------------


@pytest.fixture
def searchable(org, cm):
    lind = enrol(
        cm,
        org.geriatric,
        family="Lindqvist",
        given="Astrid",
        preferred_name="Addie",
        date_of_birth=dt.date(1941, 3, 9),
        mrn="A-77",
    )
    okafor = enrol(
        cm,
        org.geriatric,
        family="Okafor",
        given="Emeka",
        date_of_birth=dt.date(1950, 12, 1),
        mrn="B-12",
    )
    return lind, okafor


@pytest.mark.parametrize(
    "term", ["lind", "LINDQ", "astr", "addie", "Astrid Lind", "1941-03-09", "03/09/1941", "A-77"]
)
def test_search_finds_by_name_prefix_dob_or_exact_mrn(cm, searchable, term):
    lind, _ = searchable

    page = caseload_page(actor=cm, q=term)

    assert page.is_search
    assert [row.client_id for row in page.rows] == [lind.pk]


@pytest.mark.parametrize("term", ["indqvist", "A-7", "a-77 x", "1941-03-10", "Astrid Okafor"])
def test_search_needs_a_prefix_exact_mrn_or_exact_date(cm, searchable, term):
    assert caseload_page(actor=cm, q=term).rows == []


def test_search_reaches_care_team_clients_but_not_outside_scope(org, cm):
    shared = enrol(org.other_cm, org.chronic, family="Teamwork")
    factories.CareTeamMemberFactory(
        enrolment=shared.enrolments.get(), staff=cm, external_name="", role="Care manager"
    )
    enrol(org.other_cm, org.chronic, family="Teammate")  # same prefix, not on cm's care team

    assert caseload_page(actor=cm).rows == []
    found = caseload_page(actor=cm, q="team")
    assert [row.client_id for row in found.rows] == [shared.pk]
    assert found.rows[0].care_managers == [str(org.other_cm)]


def test_search_with_an_impossible_date_is_a_validation_error(cm):
    with pytest.raises(ValidationFailed) as caught:
        caseload_page(actor=cm, q="02/30/1950")
    assert "q" in caught.value.field_errors


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("1941-03-09", dt.date(1941, 3, 9)),
        ("3/9/1941", dt.date(1941, 3, 9)),
        ("12/01/1950", dt.date(1950, 12, 1)),
        ("Lindqvist", None),
        ("1941", None),
        ("1941-3", None),
    ],
)
def test_parse_search_date(term, expected):
    assert parse_search_date(term) == expected


# --- whose caseload --------------------------------------------------------------------------


def test_junior_sees_only_own_caseload_and_cannot_switch(org):
    page = caseload_page(actor=org.junior)
    assert [row.client_id for row in page.rows] == [org.junior_client.pk]
    assert page.view_choices == [("", "My caseload")]
    with pytest.raises(NotFound):
        caseload_page(actor=org.junior, owner_id=org.supervisor.pk)
    with pytest.raises(NotFound):
        caseload_page(actor=org.junior, caseload_program_id=org.geriatric.pk)


def test_supervisor_switches_to_supervisee_not_to_unrelated_care_manager(org):
    page = caseload_page(actor=org.supervisor, owner_id=org.junior.pk)
    assert [row.client_id for row in page.rows] == [org.junior_client.pk]
    assert page.heading == f"{org.junior}'s caseload"
    with pytest.raises(NotFound):
        caseload_page(actor=org.supervisor, owner_id=org.other_cm.pk)
    with pytest.raises(NotFound):
        caseload_page(actor=org.supervisor, owner_id=987654)


def test_senior_switches_to_a_program_they_lead_not_another(org):
    page = caseload_page(actor=org.senior, caseload_program_id=org.geriatric.pk)
    assert {row.client_id for row in page.rows} == {
        org.junior_client.pk,
        org.supervisor_client.pk,
    }
    assert page.rows[0].care_managers  # a program view names each client's care manager
    with pytest.raises(NotFound):
        caseload_page(actor=org.senior, caseload_program_id=org.chronic.pk)
    with pytest.raises(NotFound):
        caseload_page(actor=org.senior, owner_id=org.other_cm.pk)


def test_director_switches_to_anyone_and_any_program(org):
    assert [
        r.client_id for r in caseload_page(actor=org.director, owner_id=org.other_cm.pk).rows
    ] == [org.other_client.pk]
    program = caseload_page(actor=org.director, caseload_program_id=org.chronic.pk)
    assert [r.client_id for r in program.rows] == [org.other_client.pk]


def test_administrator_has_no_caseload(org):
    with pytest.raises(NotFound):
        caseload_page(actor=org.admin)


def test_switched_caseload_stays_inside_the_viewers_scope(org):
    """A supervisee's enrolment on a client the supervisor cannot otherwise see still shows
    (supervisees' cases are in scope), but nothing outside client_scope ever does."""
    outside = enrol(org.other_cm, org.chronic, family="Outside")
    page = caseload_page(actor=org.supervisor, owner_id=org.junior.pk)
    assert outside.pk not in {row.client_id for row in page.rows}


# --- the next-thing wording ------------------------------------------------------------------

TODAY = dt.date(2026, 11, 25)
QUIET = {
    "safety_flag": "",
    "overdue_tasks": 0,
    "review_due": None,
    "review_is_due": False,
    "days_since_contact": 3,
    "is_new": False,
    "referred_on": dt.date(2026, 9, 1),
    "next_due_on": None,
    "next_task_title": "",
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"safety_flag": "Self-harm risk", "overdue_tasks": 3}, "Safety flag: Self-harm risk"),
        ({"overdue_tasks": 3, "review_is_due": True}, "3 overdue tasks"),
        ({"overdue_tasks": 1}, "1 overdue task"),
        (
            {"review_is_due": True, "review_due": dt.date(2026, 11, 21), "days_since_contact": 40},
            "Care plan review was due 21 Nov",
        ),
        (
            {"review_is_due": True, "review_due": dt.date(2025, 12, 30)},
            "Care plan review was due 30 Dec 2025",
        ),
        ({"days_since_contact": 19, "is_new": True}, "Not reached in 19 days"),
        (
            {"days_since_contact": None, "is_new": True, "referred_on": dt.date(2026, 11, 23)},
            "New client — referred 23 Nov",
        ),
        ({"days_since_contact": None}, "No contact recorded yet"),
        (
            {"next_due_on": dt.date(2026, 11, 27), "next_task_title": "Book ride"},
            "Book ride — due 27 Nov",
        ),
        ({"next_due_on": TODAY, "next_task_title": "Call"}, "Call — due today"),
        ({}, "Nothing due"),
    ],
)
def test_attention_wording(changes, expected):
    text, _level = attention_for({**QUIET, **changes}, today=TODAY)
    assert text == expected
