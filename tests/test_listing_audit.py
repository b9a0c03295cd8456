"""Every page that lists or searches client records records which records it showed.

One audit event per shown record (``<thing>.listed``, or the name the page used before that
convention), written in one insert, naming exactly the records on the page: nothing the page
left out, and nothing outside the viewer's scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload.access.models import BreakGlassGrant
from caseload.appointments import services as appointment_services
from caseload.audit.chain import verify
from caseload.audit.models import AuditEvent
from caseload.audit.services import audit_record, audit_record_many
from caseload.careplans import services as careplan_services
from caseload.careplans.models import CarePlanVersion
from caseload.core import clock, request_context
from caseload.directory.models import Service, ServiceOrganisation
from caseload.notes.models import ProgressNote
from caseload.tasks.models import Task, TaskStatus
from tests import factories
from tests.conftest import Org
from tests.exports_support import csv_dicts, csv_rows, exported
from tests.notes.helpers import make_note
from tests.referrals.conftest import make_referral

pytestmark = pytest.mark.django_db

REASON = "On call at 2 a.m.: client's daughter reports a fall, need medication list"


def _written_by(call: Callable[[], Any]) -> tuple[Any, list[AuditEvent]]:
    """Call (one request); return its response and the audit events it wrote, in order."""
    last = AuditEvent.objects.aggregate(last=Max("sequence"))["last"] or 0
    response = call()
    assert response.status_code == 200, response.status_code
    return response, list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence"))


def _named(events: list[AuditEvent], action: str) -> set[tuple[str, Any]]:
    """(target id, client id) of the events with ``action``."""
    return {(e.target_id, e.client_id) for e in events if e.action == action}


def _one_insert(queries: CaptureQueriesContext) -> None:
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    assert len(inserts) == 1, inserts


def _client_ids(org: Org, *names: str) -> set[Any]:
    return {getattr(org, name).pk for name in names}


# --- the worklist: own caseload, a supervisee's, a whole program, search ----------------------


def _worklist(http: Any, **params: str) -> tuple[Any, list[AuditEvent]]:
    with CaptureQueriesContext(connection) as queries:
        response, events = _written_by(lambda: http.get(reverse("worklist:caseload"), params))
    _one_insert(queries)
    return response, events


def _shown_client_ids(response: Any) -> set[Any]:
    return {row.client_id for row in response.context["result"].rows}


def test_worklist_records_the_clients_of_the_page_and_nothing_else(org: Org, login: Any) -> None:
    response, events = _worklist(login(org.supervisor))
    shown = _shown_client_ids(response)
    assert shown == _client_ids(org, "supervisor_client")
    assert _named(events, "client.listed") == {(str(pk), pk) for pk in shown}
    assert {e.action for e in events} == {"client.listed"}
    assert events[0].detail == {"page": "caseload", "page_number": 1}


def test_worklist_of_a_supervisee_records_that_caseload(org: Org, login: Any) -> None:
    response, events = _worklist(login(org.supervisor), view=f"staff:{org.junior.pk}")
    assert _shown_client_ids(response) == _client_ids(org, "junior_client")
    assert _named(events, "client.listed") == {(str(org.junior_client.pk), org.junior_client.pk)}
    assert events[0].detail["view"] == f"staff:{org.junior.pk}"


def test_worklist_of_a_program_records_its_clients_in_scope(org: Org, login: Any) -> None:
    response, events = _worklist(login(org.senior), view=f"program:{org.geriatric.pk}")
    expected = _client_ids(org, "junior_client", "supervisor_client")
    assert _shown_client_ids(response) == expected
    assert {client for _, client in _named(events, "client.listed")} == expected


def test_worklist_search_records_only_the_matches(org: Org, login: Any) -> None:
    org.junior_client.family_name = "Zabriskie"
    org.junior_client.save(update_fields=["family_name"])
    org.other_client.family_name = "Zabriskie"  # a match outside the searcher's scope
    org.other_client.save(update_fields=["family_name"])
    response, events = _worklist(login(org.supervisor), q="zabr")
    assert _shown_client_ids(response) == _client_ids(org, "junior_client")
    assert _named(events, "client.listed") == {(str(org.junior_client.pk), org.junior_client.pk)}
    assert events[0].detail["search"] == "zabr"


def test_worklist_records_only_the_page_shown_not_the_whole_caseload(org: Org, login: Any) -> None:
    for _ in range(52):
        factories.EnrolmentFactory(program=org.geriatric, care_manager=org.junior)
    http = login(org.junior)
    first, first_events = _worklist(http)
    second, second_events = _worklist(http, page="2")
    assert len(first_events) == 50 and len(second_events) == 3
    assert {c for _, c in _named(first_events, "client.listed")} == _shown_client_ids(first)
    assert {c for _, c in _named(second_events, "client.listed")} == _shown_client_ids(second)
    assert second_events[0].detail["page_number"] == 2


# --- my tasks -------------------------------------------------------------------------------


def _task(org: Org, *, client: Any = None, owner: Any = None, days: int = 0, **kw: Any) -> Task:
    return factories.TaskFactory(
        client=client or org.junior_client,
        owner=owner or org.junior,
        created_by=org.junior,
        due_on=clock.today() + dt.timedelta(days=days),
        **kw,
    )


def test_my_tasks_records_each_open_task_shown(org: Org, login: Any) -> None:
    shown = [_task(org, days=-2), _task(org, days=0), _task(org, days=5)]
    _task(org, status=TaskStatus.DONE, completed_at=clock.now(), completed_by=org.junior)
    _task(org, client=org.supervisor_client, owner=org.supervisor)  # someone else's
    _task(org, client=org.other_client, owner=org.other_cm)  # out of scope
    with CaptureQueriesContext(connection) as queries:
        response, events = _written_by(lambda: login(org.junior).get(reverse("tasks:mine")))
    _one_insert(queries)
    assert _named(events, "task.listed") == {(str(t.pk), t.client_id) for t in shown}
    assert {e.action for e in events} == {"task.listed"}
    html = response.content.decode()
    assert all(reverse("tasks:complete", kwargs={"task_id": t.pk}) in html for t in shown)


def test_a_supervisees_tasks_are_recorded_as_shown_to_the_supervisor(org: Org, login: Any) -> None:
    theirs = _task(org)
    _task(org, client=org.supervisor_client, owner=org.supervisor)
    _, events = _written_by(
        lambda: login(org.supervisor).get(reverse("tasks:mine"), {"owner": org.junior.pk})
    )
    assert _named(events, "task.listed") == {(str(theirs.pk), org.junior_client.pk)}
    assert all(e.actor_id == org.supervisor.pk for e in events)
    assert events[0].detail == {"page": "my_tasks", "owner": org.junior.pk}


def test_no_open_tasks_writes_no_listing_event(org: Org, login: Any) -> None:
    _, events = _written_by(lambda: login(org.junior).get(reverse("tasks:mine")))
    assert events == []


# --- the co-sign queue ------------------------------------------------------------------------


def _pending_note(org: Org) -> ProgressNote:
    return make_note(org.junior, org.junior_client, sign=True)


def _pending_version(org: Org) -> CarePlanVersion:
    enrolment = org.junior_client.enrolments.get()
    plan = factories.CarePlanFactory(enrolment=enrolment, author=org.junior)
    factories.GoalFactory(problem=factories.ProblemFactory(careplan=plan), careplan=plan)
    return careplan_services.careplan_publish(
        actor=org.junior, plan=plan, reason="First plan", expected_version=plan.version
    )


def test_cosign_queue_records_each_note_shown(org: Org, login: Any) -> None:
    note = _pending_note(org)
    make_note(org.other_cm, org.other_client, sign=True)  # not the supervisor's to co-sign
    assert note.cosigner_id == org.supervisor.pk
    _, events = _written_by(lambda: login(org.supervisor).get(reverse("notes:cosign_queue")))
    assert _named(events, "note.listed") == {(str(note.pk), org.junior_client.pk)}


def test_cosign_queue_records_each_care_plan_version_shown(org: Org, login: Any) -> None:
    version = _pending_version(org)
    assert version.cosigner_id == org.supervisor.pk
    response, events = _written_by(lambda: login(org.supervisor).get(reverse("notes:cosign_queue")))
    assert list(response.context["versions"]) == [version]
    assert {
        (e.target_id, e.client_id) for e in events if e.target_type.startswith("careplans.")
    } == {(str(version.pk), org.junior_client.pk)}


# --- referrals and appointments ---------------------------------------------------------------


@pytest.fixture
def meals(db: None) -> Service:
    organisation = ServiceOrganisation.objects.create(name="Eastside Meals on Wheels")
    return Service.objects.create(
        organisation=organisation, name="Home-delivered meals", service_type="meals"
    )


def test_referral_list_records_each_referral_shown(org: Org, login: Any, meals: Any) -> None:
    mine = make_referral(client=org.junior_client, owner=org.junior, service=meals, status="sent")
    closed = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="completed"
    )
    make_referral(client=org.other_client, owner=org.other_cm, service=meals, status="sent")
    http = login(org.junior)
    _, events = _written_by(lambda: http.get(reverse("referrals:referral_list")))
    assert _named(events, "referral.list_viewed") == {(str(mine.pk), org.junior_client.pk)}
    _, events = _written_by(lambda: http.get(reverse("referrals:referral_list"), {"closed": "1"}))
    assert _named(events, "referral.list_viewed") == {
        (str(mine.pk), org.junior_client.pk),
        (str(closed.pk), org.junior_client.pk),
    }


def _appointment(org: Org, client: Any, owner: Any, start: dt.datetime) -> Any:
    return appointment_services.appointment_create(
        actor=owner,
        client=client,
        purpose="Visit",
        with_kind="provider",
        provider_name="Clinic",
        location_kind="phone",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
    )


def test_appointment_day_and_week_record_each_appointment_shown(org: Org, login: Any) -> None:
    monday = clock.today() - dt.timedelta(days=clock.today().weekday()) + dt.timedelta(days=7)
    at = timezone.make_aware(dt.datetime.combine(monday, dt.time(10)))
    first = _appointment(org, org.junior_client, org.junior, at)
    later = _appointment(org, org.junior_client, org.junior, at + dt.timedelta(days=2))
    _appointment(org, org.other_client, org.other_cm, at)  # another care manager's
    http = login(org.junior)
    _, events = _written_by(
        lambda: http.get(reverse("appointments:appointment_day"), {"date": monday.isoformat()})
    )
    assert _named(events, "appointment.list_viewed") == {(str(first.pk), org.junior_client.pk)}
    _, events = _written_by(
        lambda: http.get(reverse("appointments:appointment_week"), {"start": monday.isoformat()})
    )
    assert _named(events, "appointment.list_viewed") == {
        (str(first.pk), org.junior_client.pk),
        (str(later.pk), org.junior_client.pk),
    }


# --- the collaborative-care registry ----------------------------------------------------------


def test_registry_page_and_csv_record_each_client_in_scope(org: Org, login: Any) -> None:
    http = login(org.supervisor)
    url = reverse("assessments:registry", args=[org.geriatric.pk])
    expected = {(str(pk), pk) for pk in _client_ids(org, "junior_client", "supervisor_client")}
    _, events = _written_by(lambda: http.get(url))
    assert _named(events, "assessment.registry_viewed") == expected
    response, events = _written_by(
        lambda: exported(http, reverse("assessments:registry_csv", args=[org.geriatric.pk]))
    )
    assert _named(events, "assessment.registry_exported") == expected
    assert len(csv_rows(response)) == 1 + len(expected)


# --- audit search and break-the-glass review --------------------------------------------------


def _seed_trail(org: Org) -> None:
    for user, client in (
        (org.junior, org.junior_client),
        (org.supervisor, org.supervisor_client),
        (org.other_cm, org.other_client),
    ):
        audit_record(actor=user, action="client.viewed", target=client, client=client)


def test_audit_search_records_the_clients_whose_events_it_showed(org: Org, login: Any) -> None:
    _seed_trail(org)
    http = login(org.privacy)
    with CaptureQueriesContext(connection) as queries:
        response, events = _written_by(
            lambda: http.get(reverse("audit:search"), {"username": "other-cm"})
        )
    _one_insert(queries)
    assert [e.client_id for e in response.context["page"]] == [org.other_client.pk]
    assert _named(events, "client.listed") == {(str(org.other_client.pk), org.other_client.pk)}
    assert events[0].detail == {"page": "audit_search", "page_number": 1}

    # Everything: each client once, however many of its events the page showed.
    _, events = _written_by(lambda: http.get(reverse("audit:search")))
    listed = [e.client_id for e in events if e.action == "client.listed"]
    assert sorted(map(str, listed)) == sorted(
        map(str, _client_ids(org, "junior_client", "supervisor_client", "other_client"))
    )


def test_audit_csv_export_records_its_clients_and_does_not_export_its_own_events(
    org: Org, login: Any
) -> None:
    _seed_trail(org)
    response = exported(
        login(org.director), reverse("audit:export"), {"client": org.junior_client.mrn}
    )
    rows = csv_dicts(response)
    assert [r["action"] for r in rows] == ["client.viewed"]
    listed = AuditEvent.objects.get(action="client.listed", actor=org.director)
    assert (listed.client_id, listed.detail) == (
        org.junior_client.pk,
        {"page": "audit_search", "format": "csv"},
    )


def test_break_glass_review_queue_records_each_grant_shown(org: Org, login: Any) -> None:
    login(org.junior).post(
        reverse("access:break_glass"), {"mrn": org.other_client.mrn, "reason": REASON}
    )
    grant = BreakGlassGrant.objects.get()
    _, events = _written_by(lambda: login(org.supervisor).get(reverse("access:review_queue")))
    assert _named(events, "break_glass.listed") == {(str(grant.pk), org.other_client.pk)}
    assert events[0].detail == {"page": "break_glass_review", "reviewed": False}
    # Someone who may not review the junior's accesses is shown nothing, and nothing is recorded.
    _, events = _written_by(lambda: login(org.other_cm).get(reverse("access:review_queue")))
    assert events == []


# --- the access report reads listings as listings -----------------------------------------------


def test_access_report_counts_listings_apart_from_views_and_changes(org: Org, login: Any) -> None:
    login(org.junior).get(reverse("worklist:caseload"))
    login(org.junior).get(reverse("clients:chart", kwargs={"client_id": org.junior_client.pk}))
    response = login(org.privacy).get(
        reverse("audit:client_report", kwargs={"client_id": org.junior_client.pk})
    )
    junior = next(p for p in response.context["report"].people if p["actor_label"] == "junior")
    assert (junior["views"], junior["listed"], junior["changes"]) == (1, 1, 0)
    assert "Seen in lists" in response.content.decode()


# --- the bulk writer itself -------------------------------------------------------------------


def test_audit_record_many_writes_events_the_chain_verifies_in_few_inserts(org: Org) -> None:
    clients = [factories.ClientFactory() for _ in range(3)]
    targets = [(c, c) for c in clients] * 70 + [(org.junior, None)]  # 211 rows
    token = request_context.set_current(
        request_context.RequestInfo(request_id="req-1", ip_address="2001:DB8:0:0:0:0:0:1")
    )
    try:
        with CaptureQueriesContext(connection) as queries:
            audit_record_many(
                actor=org.supervisor, action="client.listed", targets=targets, detail={"n": 1}
            )
    finally:
        request_context.reset(token)
    audit_record(actor=org.junior, action="client.viewed", target=clients[0], client=clients[0])
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    per_insert = connection.ops.bulk_batch_size(list(range(13)), targets)
    assert len(inserts) == -(-len(targets) // per_insert)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == list(range(1, 213))
    last = events[-2]
    assert (last.target_type, last.target_id, last.client_id) == (
        "staff.user",
        str(org.junior.pk),
        None,
    )
    first = events[0]
    assert (first.actor_id, first.actor_label, first.request_id, first.ip_address) == (
        org.supervisor.pk,
        "supervisor",
        "req-1",
        "2001:db8::1",
    )
    assert (first.client_id, first.detail) == (clients[0].pk, {"n": 1})
    result = verify()
    assert result.ok and result.checked == 212
