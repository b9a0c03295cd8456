"""The month report's sections from other apps (reports/extensions.py): minutes toward
time-based program thresholds (programrules) and credentials expiring within 90 days
(workforce), in the page, the CSV and the PDF, scoped like the report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseload.reports.months import Month
from caseload.reports.selectors import MonthReport, month_report
from caseload.workforce.models import CertificationRecord, LicenceRecord
from tests.programrules.helpers import add_time, ready

pytestmark = pytest.mark.django_db

NOVEMBER = Month(2026, 11)


def _section(report: MonthReport, title: str) -> dict[str, Any]:
    section = next(s for s in report.extension_sections if s.title.startswith(title))
    return {row.label: row for row in section.rows}


@pytest.fixture
def credentials(org: Any, pin: Any) -> None:
    pin("2026-12-05 10:00")

    def licence(staff: Any, expires: str, **more: Any) -> None:
        LicenceRecord.objects.create(
            staff=staff, kind="RN", state="NY", expires_on=dt.date.fromisoformat(expires), **more
        )

    licence(org.junior, "2027-01-15")  # 45 days after 1 December: expiring
    licence(org.supervisor, "2027-06-01")  # beyond 90 days: not yet
    licence(org.junior, "2026-10-01")  # lapsed before the month's end
    licence(org.supervisor, "2027-01-10", active=False)  # inactive: lapsed, not expiring
    CertificationRecord.objects.create(
        staff=org.other_cm, code="CCM", valid_through=dt.date(2027, 2, 1)
    )  # 62 days: expiring


def test_credentials_expiring_within_90_days_of_the_months_end(org: Any, credentials: None) -> None:
    rows = _section(month_report(actor=org.director, month=NOVEMBER), "Credentials")
    expiring = next(r for label, r in rows.items() if "expiring within 90 days" in label)
    lapsed = next(r for label, r in rows.items() if label.startswith("Lapsed"))
    assert expiring.value == 2
    assert expiring.per_care_manager == {org.junior.pk: 1, org.other_cm.pk: 1}
    assert lapsed.value == 2
    assert lapsed.per_care_manager == {org.junior.pk: 1, org.supervisor.pk: 1}


def test_a_senior_sees_the_credentials_of_their_programs_staff_only(
    org: Any, credentials: None
) -> None:
    rows = _section(month_report(actor=org.senior, month=NOVEMBER), "Credentials")
    expiring = next(r for label, r in rows.items() if "expiring within 90 days" in label)
    assert expiring.value == 1
    assert expiring.per_care_manager == {org.junior.pk: 1}


@pytest.fixture
def minutes(org: Any, pin: Any) -> None:
    pin("2026-12-05 10:00")
    ready(org.junior_client, org.junior)
    add_time(org.junior_client, org.junior, 25, when="2026-11-10 10:00")
    ready(org.other_client, org.other_cm)
    add_time(org.other_client, org.other_cm, 10, when="2026-11-12 10:00")
    add_time(org.other_client, org.other_cm, 5, when="2026-10-31 23:30")  # October


def test_minutes_toward_time_based_program_thresholds(org: Any, minutes: None) -> None:
    rows = _section(month_report(actor=org.director, month=NOVEMBER), "Time-based programs")
    with_time = next(r for label, r in rows.items() if label.endswith("clients with time recorded"))
    met = next(r for label, r in rows.items() if label.endswith("met a threshold"))
    recorded = next(r for label, r in rows.items() if label.endswith("minutes recorded"))
    assert with_time.value == 2
    assert with_time.per_care_manager == {org.junior.pk: 1, org.other_cm.pk: 1}
    assert met.value == 1  # 25 minutes meet the 20 of CCM; 10 do not
    assert met.per_care_manager == {org.junior.pk: 1}
    assert recorded.value == 35
    assert recorded.per_care_manager == {org.junior.pk: 25, org.other_cm.pk: 10}


def test_a_program_report_counts_the_minutes_of_its_clients_only(org: Any, minutes: None) -> None:
    report = month_report(actor=org.director, month=NOVEMBER, program_id=org.geriatric.pk)
    rows = _section(report, "Time-based programs")
    recorded = next(r for label, r in rows.items() if label.endswith("minutes recorded"))
    assert recorded.value == 25
    assert recorded.per_care_manager == {org.junior.pk: 25}


def test_the_sections_are_on_the_page_in_the_csv_and_in_the_pdf(
    org: Any, client: Any, credentials: None, minutes: None
) -> None:
    client.force_login(org.director)
    page = client.get("/reports/month/?month=2026-11").content.decode()
    assert "Credentials" in page and "Time-based programs" in page
    assert "expiring within 90 days of the month&#x27;s end: 2" in page
    csv = b"".join(client.get("/reports/month/?month=2026-11&format=csv").streaming_content)
    text = csv.decode()
    assert "Credentials" in text
    assert "minutes recorded,total,The whole organisation,35" in text
    assert f"minutes recorded,care manager,{org.junior},25" in text
    pdf = client.get("/reports/month/?month=2026-11&format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_transitional_care_counts_discharges_not_minutes(org: Any, pin: Any) -> None:
    from caseload.transitions.models import TransitionalCareEpisode

    pin("2026-12-05 10:00")
    enrolment = org.junior_client.enrolments.first()
    TransitionalCareEpisode.objects.create(
        client=org.junior_client,
        enrolment=enrolment,
        discharged_on=dt.date(2026, 11, 9),
        discharged_from="hospital",
        facility_name="General Hospital",
        complexity="moderate",
        ends_on=dt.date(2026, 12, 8),
        status="active",
        recorded_by=org.junior,
    )
    rows = _section(month_report(actor=org.director, month=NOVEMBER), "Time-based programs")
    tcm = {label: row for label, row in rows.items() if label.startswith("Transitional")}
    assert set(tcm) == {
        "Transitional care management: clients discharged in the month",
        "Transitional care management: clients whose contacts met its deadlines",
    }
    discharged = tcm["Transitional care management: clients discharged in the month"]
    assert discharged.value == 1
    assert tcm["Transitional care management: clients whose contacts met its deadlines"].value == 0
