"""Reassessment schedules: due dates per program × instrument, as one subquery per client row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.assessments import services
from caseload.assessments.models import ReassessmentSchedule
from caseload.assessments.selectors import (
    assessment_summary_for_client,
    reassessment_due_annotations,
    reassessment_due_subquery,
    reassessment_label,
)
from caseload.audit.models import AuditEvent
from caseload.clients.models import Client
from caseload.core import clock
from caseload.enrolments.models import Enrolment
from tests import factories
from tests.assessments.helpers import complete, gad7_total, phq9_total

pytestmark = pytest.mark.django_db


def due_of(client: Client) -> tuple[dt.date | None, str | None]:
    row = Client.objects.annotate(**reassessment_due_annotations()).get(pk=client.pk)
    return row.reassessment_due_on, row.reassessment_instrument  # type: ignore[attr-defined]


@pytest.fixture
def phq_every_4_weeks(cocm: Any) -> ReassessmentSchedule:
    return ReassessmentSchedule.objects.create(
        program=cocm.program, instrument_code="phq9", interval_days=28
    )


def test_a_client_with_no_schedule_has_nothing_due(cocm: Any) -> None:
    assert due_of(cocm.client) == (None, None)


def test_the_baseline_is_due_from_the_start_of_the_enrolment(
    cocm: Any, phq_every_4_weeks: Any
) -> None:
    assert due_of(cocm.client) == (cocm.enrolment.started_on, "phq9")


def test_the_next_reassessment_is_due_one_interval_after_the_last(
    cocm: Any, phq_every_4_weeks: Any
) -> None:
    given = clock.today() - dt.timedelta(days=3)
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(12), on=given)
    assert due_of(cocm.client) == (given + dt.timedelta(days=28), "phq9")


def test_a_score_from_before_the_enrolment_does_not_make_it_due_earlier(
    cocm: Any, phq_every_4_weeks: Any
) -> None:
    complete(
        cocm.aisha,
        cocm.client,
        "phq9",
        phq9_total(12),
        on=cocm.enrolment.started_on - dt.timedelta(days=200),
    )
    assert due_of(cocm.client)[0] == cocm.enrolment.started_on


def test_the_earliest_of_several_schedules_wins(cocm: Any, phq_every_4_weeks: Any) -> None:
    ReassessmentSchedule.objects.create(
        program=cocm.program, instrument_code="gad7", interval_days=28
    )
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(12), on=clock.today())
    complete(
        cocm.aisha, cocm.client, "gad7", gad7_total(9), on=clock.today() - dt.timedelta(days=10)
    )
    assert due_of(cocm.client) == (clock.today() + dt.timedelta(days=18), "gad7")


def test_paused_discharged_and_inactive_schedules_make_nothing_due(
    cocm: Any, phq_every_4_weeks: Any
) -> None:
    Enrolment.objects.filter(pk=cocm.enrolment.pk).update(status="on_hold")
    assert due_of(cocm.client) == (None, None)
    Enrolment.objects.filter(pk=cocm.enrolment.pk).update(status="active")
    phq_every_4_weeks.is_active = False
    phq_every_4_weeks.save()
    assert due_of(cocm.client) == (None, None)


def test_entered_in_error_scores_do_not_count(cocm: Any, phq_every_4_weeks: Any) -> None:
    response = complete(cocm.aisha, cocm.client, "phq9", phq9_total(12))
    services.response_enter_in_error(
        actor=cocm.aisha, response=response, expected_version=None, reason="Wrong client"
    )
    assert due_of(cocm.client)[0] == cocm.enrolment.started_on


def test_one_query_annotates_a_whole_caseload(cocm: Any, phq_every_4_weeks: Any) -> None:
    for _ in range(12):
        enrolment = factories.EnrolmentFactory(program=cocm.program, care_manager=cocm.aisha)
        complete(cocm.aisha, enrolment.client, "phq9", phq9_total(5))
    with CaptureQueriesContext(connection) as queries:
        rows = list(Client.objects.annotate(**reassessment_due_annotations()))
    assert len(queries) == 1
    assert sum(1 for r in rows if r.reassessment_due_on is not None) == 13  # type: ignore[attr-defined]


def test_the_subquery_also_annotates_enrolment_rows(cocm: Any, phq_every_4_weeks: Any) -> None:
    row = Enrolment.objects.annotate(due=reassessment_due_subquery("client_id")).get(
        pk=cocm.enrolment.pk
    )
    assert row.due == cocm.enrolment.started_on  # type: ignore[attr-defined]


def test_labels_say_due_today_due_on_or_overdue_since() -> None:
    today = clock.today()
    soon = today + dt.timedelta(days=5)
    assert reassessment_label("phq9", today) == "PHQ-9 reassessment due today"
    assert reassessment_label("phq9", soon) == f"PHQ-9 reassessment due {soon.day} {soon:%b}"
    past = today - dt.timedelta(days=2)
    assert reassessment_label("katz", past, baseline=True) == (
        f"Katz ADL baseline overdue since {past.day} {past:%b}"
    )
    assert reassessment_label("phq9", None) == ""


def test_the_chart_list_shows_each_scheduled_instrument_once(
    org: Any, cocm: Any, phq_every_4_weeks: Any
) -> None:
    # The client is also in the geriatric program, which schedules PHQ-9 yearly and Katz.
    factories.EnrolmentFactory(client=cocm.client, program=org.geriatric, care_manager=org.junior)
    ReassessmentSchedule.objects.create(
        program=org.geriatric, instrument_code="phq9", interval_days=365
    )
    ReassessmentSchedule.objects.create(
        program=org.geriatric, instrument_code="katz", interval_days=182
    )
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(8))
    due = assessment_summary_for_client(actor=cocm.aisha, client=cocm.client).due
    assert [(d.instrument_code, d.due_on) for d in due] == [
        ("katz", due[0].due_on),
        ("phq9", clock.today() + dt.timedelta(days=28)),
    ]
    assert due[0].label.startswith("Katz ADL baseline overdue since")


def test_administrators_set_schedules_in_the_admin(login: Any, org: Any, cocm: Any) -> None:
    http = login(org.admin)
    assert http.get(reverse("admin:assessments_reassessmentschedule_changelist")).status_code == 200
    add = http.get(reverse("admin:assessments_reassessmentschedule_add"))
    assert add.status_code == 200
    assert "Katz ADL" in add.content.decode()
    response = http.post(
        reverse("admin:assessments_reassessmentschedule_add"),
        {
            "program": cocm.program.pk,
            "instrument_code": "katz",
            "interval_days": 182,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    schedule = ReassessmentSchedule.objects.get()
    assert schedule.instrument_code == "katz"
    [event] = AuditEvent.objects.filter(target_id=str(schedule.pk))  # once, with the values
    assert event.action == "admin.added"
    assert event.detail["instrument"] == "katz"
    assert event.detail["interval_days"] == 182
    assert event.detail["is_active"] is True
    refused = http.post(
        reverse("admin:assessments_reassessmentschedule_add"),
        {"program": cocm.program.pk, "instrument_code": "zarit", "interval_days": 182},
    )
    assert refused.status_code == 200  # the form again, with the error
    assert ReassessmentSchedule.objects.count() == 1

    listed = http.post(  # changed in the list (list_editable)
        reverse("admin:assessments_reassessmentschedule_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": schedule.pk,
            "form-0-interval_days": 91,
            "_save": "Save",
        },
    )
    assert listed.status_code == 302
    changed = AuditEvent.objects.filter(target_id=str(schedule.pk)).order_by("sequence")
    assert [e.action for e in changed] == ["admin.added", "admin.changed"]
    assert changed[1].detail["interval_days"] == 91
    assert changed[1].detail["is_active"] is False


def test_clinical_staff_cannot_reach_the_schedule_admin(login: Any, org: Any) -> None:
    url = reverse("admin:assessments_reassessmentschedule_changelist")
    assert login(org.senior).get(url).status_code == 302  # to the admin's sign-in
    # A director enters the admin for staff privileges, but not the schedules.
    assert login(org.director).get(url).status_code == 403


def test_the_set_of_overdue_clients_agrees_with_the_per_client_due_date(
    cocm: Any, phq_every_4_weeks: Any
) -> None:
    """The team view's set-based condition (one hashed subquery per schedule) says "overdue"
    of exactly the clients whose per-row due date is before the day, on either side of every
    boundary."""
    from caseload.assessments.selectors import reassessment_overdue

    ReassessmentSchedule.objects.create(
        program=cocm.program, instrument_code="gad7", interval_days=14
    )
    today = clock.today()
    clients = [cocm.client]
    for days_ago, code, status in [
        (3, "phq9", "active"),
        (28, "phq9", "active"),  # due exactly today: not yet overdue
        (29, "phq9", "active"),
        (10, "gad7", "referred"),
        (60, "phq9", "on_hold"),  # paused: nothing due
        (None, None, "active"),  # no score yet: due from the start
    ]:
        enrolment = factories.EnrolmentFactory(program=cocm.program, care_manager=cocm.aisha)
        Enrolment.objects.filter(pk=enrolment.pk).update(status=status)
        if days_ago is not None:
            answers = phq9_total(5) if code == "phq9" else gad7_total(5)
            on = today - dt.timedelta(days=days_ago)
            complete(cocm.aisha, enrolment.client, str(code), answers, on=on)
        clients.append(enrolment.client)
    Enrolment.objects.filter(client=clients[-1]).update(started_on=today + dt.timedelta(days=2))
    ids = [c.pk for c in clients]
    for offset in (-1, 0, 1, 2, 3, 4, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 40):
        day = today + dt.timedelta(days=offset)
        per_row = {
            c.pk
            for c in Client.objects.filter(pk__in=ids).annotate(due=reassessment_due_subquery())
            if c.due is not None and c.due < day  # type: ignore[attr-defined]
        }
        rows = set(
            Enrolment.objects.filter(
                reassessment_overdue(today=day), client_id__in=ids
            ).values_list("client_id", flat=True)
        )
        assert rows == per_row, offset
    assert per_row  # the loop's last day has overdue clients, and at least one is not
    assert len(per_row) < len(ids)
