"""The pages people use: the note form's time fields, the chart's section and timer, correcting
time, chronic conditions, the worklist in the last days of a month, and month end with the
billing CSV."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.exports.models import Export
from caseload.programrules import services
from caseload.programrules.models import ChronicCondition, RunningTimer, TimeEntry
from tests.exports_support import csv_rows, exported
from tests.programrules.helpers import add_time, ready

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def late_november(pin: Any) -> None:
    pin("2026-11-24 12:00")


def chart(http: Any, client: Any) -> str:
    response = http.get(reverse("clients:chart", args=[client.pk]))
    assert response.status_code == 200
    return response.content.decode()


def note_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "contact_at": "2026-11-24T09:30",
        "contact_type": "phone",
        "contact_with": "client",
        "reached": "yes",
        "minutes": "12",
        "narrative": "Talked about the inhaler.",
        "time_program": "CCM",
        "time_activity": "phone_contact",
        "time_staff_type": "clinical_staff",
        "time_billing_practitioner": "Dr. Priya Nair",
        "action": "draft",
    }
    data.update(overrides)
    return data


def test_the_note_form_asks_for_the_program_and_records_it(org: Any, login: Any) -> None:
    http = login(org.junior)
    url = reverse("notes:create", args=[org.junior_client.pk])
    page = http.get(url).content.decode()
    assert 'name="time_program"' in page and "Time toward a care management program" in page
    response = http.post(url, note_post())
    assert response.status_code == 302
    entry = TimeEntry.objects.get()
    assert (entry.program, entry.minutes, entry.billing_practitioner) == (
        "CCM",
        12,
        "Dr. Priya Nair",
    )
    # The next note starts from the client's program and practitioner.
    again = http.get(url).content.decode()
    assert '<option value="CCM" selected>' in again
    assert 'value="Dr. Priya Nair"' in again


def test_the_note_form_says_why_pcm_cannot_join_ccm(org: Any, login: Any) -> None:
    http = login(org.junior)
    url = reverse("notes:create", args=[org.junior_client.pk])
    http.post(url, note_post())
    response = http.post(url, note_post(time_program="PCM", narrative="Second call"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "PCM is not billed in a month with CCM" in html
    assert 'id="id_time_program-error"' in html or "id_time_program" in html
    assert "Second call" in html  # nothing lost
    assert TimeEntry.objects.count() == 1


def test_chart_shows_minutes_against_the_threshold(org: Any, login: Any) -> None:
    ready(org.junior_client, org.junior)
    add_time(org.junior_client, org.junior, 14)
    html = chart(login(org.junior), org.junior_client)
    assert "Care management time: November 2026" in html
    assert "14 of 20 min toward 99490" in html
    assert "6 min to go" in html
    assert "6 minutes short of 99490" in html


def test_timer_start_stop_record_moves_the_minutes(org: Any, login: Any, pin: Any) -> None:
    ready(org.junior_client, org.junior)
    add_time(org.junior_client, org.junior, 14, when="2026-11-20 10:00")
    http = login(org.junior)
    start = reverse("programrules:timer_start", args=[org.junior_client.pk])
    assert http.get(start).status_code == 405
    assert http.post(start).status_code == 302
    assert "Timer running" in chart(http, org.junior_client)
    pin("2026-11-24 12:08:30")
    page = http.get(reverse("programrules:timer_record"))
    assert 'value="8"' in page.content.decode()
    response = http.post(
        reverse("programrules:timer_record"),
        {
            "minutes": "8",
            "program": "CCM",
            "activity": "coordination",
            "staff_type": "clinical_staff",
            "billing_practitioner": "Dr. Priya Nair",
            "description": "Called the pharmacy",
        },
    )
    assert response.status_code == 302
    assert not RunningTimer.objects.exists()
    html = chart(http, org.junior_client)
    assert "22 of 40 min toward 99439" in html
    assert '<span class="tag tag-ok">99490</span>' in html


def test_timer_discard_records_nothing(org: Any, login: Any) -> None:
    http = login(org.junior)
    http.post(reverse("programrules:timer_start", args=[org.junior_client.pk]))
    http.post(reverse("programrules:timer_discard"))
    assert not RunningTimer.objects.exists() and not TimeEntry.objects.exists()


def test_timer_record_without_a_timer_goes_home(org: Any, login: Any) -> None:
    response = login(org.junior).get(reverse("programrules:timer_record"))
    assert response.status_code == 302


def test_correcting_time_on_its_page(org: Any, login: Any) -> None:
    entry = add_time(org.junior_client, org.junior, 12)
    http = login(org.junior)
    url = reverse("programrules:time_edit", args=[entry.pk])
    assert http.get(url).status_code == 200
    data = {
        "version": "1",
        "minutes": "18",
        "program": "CCM",
        "activity": "coordination",
        "staff_type": "clinical_staff",
        "billing_practitioner": "",
        "reason": "",
    }
    response = http.post(url, data)
    assert response.status_code == 400
    assert "Say why the time is changed." in response.content.decode()
    response = http.post(url, {**data, "reason": "Call log shows 18 minutes"})
    assert response.status_code == 302
    page = http.get(url).content.decode()
    assert "Call log shows 18 minutes" in page


def test_time_is_entered_in_error_only_as_its_page_showed_it(org: Any, login: Any) -> None:
    entry = add_time(org.junior_client, org.junior, 12)
    http = login(org.junior)
    url = reverse("programrules:time_entered_in_error", args=[entry.pk])
    assert f'name="version" value="{entry.version}"' in http.get(url).content.decode()
    stale = http.post(url, {"reason": "Duplicate", "version": entry.version - 1}, follow=True)
    assert "Someone else changed this time entry since you opened it." in stale.content.decode()
    assert not TimeEntry.objects.get(pk=entry.pk).is_entered_in_error
    assert http.post(url, {"reason": "Duplicate", "version": entry.version}).status_code == 302
    marked = TimeEntry.objects.get(pk=entry.pk)
    assert marked.is_entered_in_error
    assert marked.version == entry.version + 1


def test_conditions_page_adds_a_condition(org: Any, login: Any) -> None:
    http = login(org.junior)
    url = reverse("programrules:conditions", args=[org.junior_client.pk])
    assert http.get(url).status_code == 200
    response = http.post(url, {"name": "Heart failure", "icd10": "i50.9", "noted_on": "2026-03-02"})
    assert response.status_code == 302
    assert ChronicCondition.objects.get().icd10 == "I50.9"
    again = http.post(url, {"name": "heart failure", "noted_on": "2026-03-02"})
    assert again.status_code == 400
    assert "already on" in again.content.decode()


# -- the worklist -----------------------------------------------------------------------------


def test_worklist_shows_clients_within_reach_in_the_last_ten_days(
    org: Any, login: Any, pin: Any
) -> None:
    ready(org.junior_client, org.junior)
    add_time(org.junior_client, org.junior, 14, when="2026-11-10 10:00")
    html = login(org.junior).get("/").content.decode()
    assert "Within reach of a program threshold" in html
    assert "6 minutes</strong> for 99490" in html
    pin("2026-11-20 09:00")  # 11 days left: not yet
    assert "Within reach" not in login(org.junior).get("/").content.decode()


def test_worklist_leaves_out_clients_minutes_alone_will_not_bill(org: Any, login: Any) -> None:
    ready(org.junior_client, org.junior, consent="")
    add_time(org.junior_client, org.junior, 14, when="2026-11-10 10:00")
    assert "Within reach" not in login(org.junior).get("/").content.decode()


# -- month end --------------------------------------------------------------------------------


def october(org: Any) -> None:
    ready(org.junior_client, org.junior)
    ready(org.other_client, org.other_cm)
    add_time(org.junior_client, org.junior, 45, when="2026-10-12 10:00")
    add_time(org.other_client, org.other_cm, 19, when="2026-10-12 10:00")


def test_month_report_by_program_and_care_manager(org: Any, login: Any) -> None:
    october(org)
    response = login(org.director).get(reverse("programrules:month") + "?month=2026-10")
    assert response.status_code == 200
    html = response.content.decode()
    assert "99490 × 1, 99439 × 1" in html
    assert "1 minute short of 99490" in html
    assert (
        AuditEvent.objects.filter(action="client.listed", detail__page="program_month").count() == 2
    )


def test_month_report_is_for_seniors_and_directors(org: Any, login: Any) -> None:
    october(org)
    for user in (org.junior, org.supervisor, org.admin, org.privacy):
        assert login(user).get(reverse("programrules:month")).status_code == 404
    html = login(org.senior).get(reverse("programrules:month") + "?month=2026-10").content.decode()
    assert org.junior_client.family_name in html
    assert org.other_client.family_name not in html  # another program's client


def test_billing_csv(org: Any, login: Any) -> None:
    october(org)
    http = login(org.director)
    response = exported(http, reverse("programrules:month_csv"), {"month": "2026-10"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="program-billing-2026-10.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == [
        "client",
        "mrn",
        "program",
        "month",
        "codes",
        "minutes",
        "billing_practitioner",
        "care_manager",
    ]
    assert rows[1:] == [
        [
            org.junior_client.full_name,
            org.junior_client.mrn,
            "CCM",
            "2026-10",
            "99490 99439",
            "45",
            "Dr. Priya Nair",
            org.junior.display_name,
        ]
    ]
    # What it held is recorded as the month-end page records what it shows.
    listed = AuditEvent.objects.filter(action="client.listed", detail__page="program_month_csv")
    assert [(e.client_id, e.detail["month"]) for e in listed] == [
        (org.junior_client.pk, "2026-10-01")
    ]


def test_a_billing_export_of_a_month_that_cannot_be_is_refused(org: Any, login: Any) -> None:
    http = login(org.director)
    for month in ("2026-13", "", "1999-01"):
        response = http.post(reverse("programrules:month_csv"), {"month": month})
        assert response.status_code == 302
        assert response["Location"] == reverse("programrules:month")
    assert not Export.objects.exists()
    assert login(org.supervisor).post(reverse("programrules:month_csv")).status_code == 404


def test_close_and_reopen_from_the_month_page(org: Any, login: Any) -> None:
    october(org)
    http = login(org.director)
    response = http.post(reverse("programrules:month_close"), {"month": "2026-10"})
    assert response.status_code == 302
    html = http.get(reverse("programrules:month") + "?month=2026-10").content.decode()
    assert "these results are frozen" in html
    reopen = reverse("programrules:month_reopen") + "?month=2026-10"
    assert http.post(reopen, {"month": "2026-10", "reason": ""}).status_code == 400
    assert http.post(reopen, {"month": "2026-10", "reason": "Late note"}).status_code == 302
    assert services.closed_month(dt.date(2026, 10, 1)) is None
    assert (
        login(org.senior)
        .post(reverse("programrules:month_close"), {"month": "2026-10"})
        .status_code
        == 404
    )


def test_an_unreadable_month_closes_nothing(org: Any, login: Any) -> None:
    october(org)
    http = login(org.director)
    for bad in ("", "2026-13", "1999-01", "x\x00"):
        response = http.post(reverse("programrules:month_close"), {"month": bad})
        assert response.status_code == 302
    assert not services.closed_month(dt.date(2026, 10, 1))
    page = http.get(reverse("programrules:month") + "?month=1999-01")
    assert page.status_code == 200
    assert "Choose a month like 2026-11, from 2026 on." in page.content.decode()


def test_a_condition_resolved_or_entered_in_error_stops_counting(org: Any, login: Any) -> None:
    http = login(org.junior)
    url = reverse("programrules:conditions", args=[org.junior_client.pk])
    http.post(url, {"name": "Heart failure", "noted_on": "2026-03-02"})
    http.post(url, {"name": "COPD", "noted_on": "2026-03-02"})
    heart, copd = ChronicCondition.objects.order_by("name").reverse()
    resolve = reverse("programrules:condition_resolve", args=[heart.pk])
    assert http.get(resolve).status_code == 405
    bad = http.post(resolve, {f"resolve-{heart.pk}-resolved_on": "2026-01-01"})  # before noted
    assert bad.status_code == 302 and ChronicCondition.objects.get(pk=heart.pk).resolved_on is None
    http.post(resolve, {f"resolve-{heart.pk}-resolved_on": "2026-11-20"})
    assert ChronicCondition.objects.get(pk=heart.pk).resolved_on == dt.date(2026, 11, 20)
    error = reverse("programrules:condition_entered_in_error", args=[copd.pk])
    assert http.get(error).status_code == 200
    assert http.post(error, {"reason": ""}).status_code == 400
    assert http.post(error, {"reason": "Wrong client"}).status_code == 302
    assert ChronicCondition.objects.get(pk=copd.pk).is_entered_in_error
    page = http.get(url).content.decode()
    assert "Resolved 20 Nov 2026" in page and "Wrong client" in page
    assert AuditEvent.objects.filter(action="chronic_condition.resolved").exists()


@pytest.mark.parametrize(
    "value", ["bad\x00value", "x" * 100_000, "31/02/20x6", "-1e999", "2026-10\x00"]
)
def test_hostile_input_on_the_directors_month_pages(org: Any, login: Any, value: str) -> None:
    """The shared hostile-input walk signs in as a supervisor; month end is a director's."""
    october(org)
    http = login(org.director)
    services.month_close(actor=org.director, month=dt.date(2026, 10, 1))
    for method, url, data in [
        ("get", reverse("programrules:month"), {"month": value}),
        ("post", reverse("programrules:month_csv"), {"month": value}),
        ("post", reverse("programrules:month_close"), {"month": value}),
        ("post", reverse("programrules:month_reopen") + "?month=2026-10", {"reason": value}),
        ("get", reverse("programrules:month_reopen"), {"month": value}),
    ]:
        response = getattr(http, method)(url, data)
        assert response.status_code < 500, (url, response.status_code)
    # A NUL or an oversized reason is refused: the month stays closed.
    if "\x00" in value or len(value) > 2000:
        assert services.closed_month(dt.date(2026, 10, 1)) is not None


def test_a_timer_running_elsewhere_is_named_on_another_chart(org: Any, login: Any) -> None:
    http = login(org.supervisor)
    http.post(reverse("programrules:timer_start", args=[org.junior_client.pk]))
    html = chart(http, org.supervisor_client)
    assert "Your timer is running for <a" in html
    assert org.junior_client.full_name in html
    assert "Start timer" not in html
