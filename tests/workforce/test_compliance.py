"""Compliance: worklist reminders at 90 and 30 days and when CE is behind, the director's
credential page and CSV, and the credentials a program requires at assignment."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.enrolments.models import Enrolment
from caseload.workforce import compliance
from caseload.workforce.models import (
    CERecord,
    CertificationRecord,
    LicenceRecord,
    ProgramCredential,
    WorkforceSettings,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 5)


@pytest.fixture
def today(pin):
    pin("2026-12-05 09:00")
    return TODAY


def licence(user, days, **extra):
    return LicenceRecord.objects.create(
        staff=user, kind="LCSW", state="MA", expires_on=TODAY + dt.timedelta(days=days), **extra
    )


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (91, None),
        (90, (False, "expires in 90 days")),
        (31, (False, "expires in 31 days")),
        (30, (True, "expires in 30 days")),
        (0, (True, "expires in 0 days")),
        (-1, (True, "has lapsed")),
    ],
)
def test_expiry_reminders_start_at_90_days_and_turn_urgent_at_30(org, today, days, expected):
    licence(org.junior, days)
    found = compliance.reminders_for(org.junior)
    if expected is None:
        assert found == []
    else:
        (reminder,) = found
        assert (reminder.urgent, expected[1] in reminder.title) == (expected[0], True)


def test_an_inactive_licence_is_lapsed(org, today):
    licence(org.junior, 400, active=False)
    (reminder,) = compliance.reminders_for(org.junior)
    assert reminder.urgent and "lapsed" in reminder.title


def test_ce_behind_schedule_is_a_reminder_and_on_track_is_not(org, today):
    CertificationRecord.objects.create(
        staff=org.supervisor,
        code="CCM",
        issued_on=dt.date(2022, 2, 1),
        valid_through=dt.date(2027, 1, 31),
    )
    CERecord.objects.create(
        staff=org.supervisor,
        activity="CE",
        completed_on=dt.date(2024, 1, 1),
        hours=71,
        ethics_hours=7,
    )
    titles = [r.title for r in compliance.reminders_for(org.supervisor)]
    assert "Your CCM certification expires in 57 days" in titles
    assert "CE for your CCM is behind schedule" in titles
    CERecord.objects.create(
        staff=org.supervisor,
        activity="Ethics",
        completed_on=dt.date(2026, 11, 1),
        hours=9,
        ethics_hours=1,
    )
    titles = [r.title for r in compliance.reminders_for(org.supervisor)]
    assert "CE for your CCM is behind schedule" not in titles


def test_the_worklist_shows_the_signed_in_persons_reminders(org, today, login):
    licence(org.junior, 20)
    page = login(org.junior).get(reverse("worklist:caseload")).content.decode()
    assert "Your credentials" in page
    assert "Your LCSW MA licence expires in 20 days" in page
    other = login(org.other_cm).get(reverse("worklist:caseload")).content.decode()
    assert "Your credentials" not in other


def test_the_director_sees_expiring_lapsed_and_ce_and_downloads_csv(org, today, login):
    licence(org.junior, 45)
    licence(org.other_cm, -10)
    CertificationRecord.objects.create(
        staff=org.supervisor,
        code="CCM",
        issued_on=dt.date(2022, 2, 1),
        valid_through=dt.date(2027, 1, 31),
    )
    CERecord.objects.create(
        staff=org.supervisor,
        activity="=HYPERLINK(1)",
        completed_on=dt.date(2024, 1, 1),
        hours=71,
        ethics_hours=7,
    )
    url = reverse("workforce:credentials")
    for role in ("junior", "supervisor", "senior", "privacy", "admin"):
        assert login(org.users()[role]).get(url).status_code == 404
    http = login(org.director)
    page = http.get(url).content.decode()
    assert "Expiring in the next 90 days (2)" in page  # the junior's licence, the CCM
    assert "Lapsed (1)" in page
    assert "71 of 80" in page and "7 of 8" in page and "Behind" in page
    assert AuditEvent.objects.filter(action="workforce.compliance_viewed").count() == 1
    response = http.get(url + "?format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    ccm = next(r for r in rows if r["credential"] == "CCM")
    assert (ccm["days_left"], ccm["status"], ccm["ce_hours"], ccm["ce_required"]) == (
        "57",
        "due_90",
        "71",
        "80",
    )
    assert (ccm["ethics_hours"], ccm["ce_status"]) == ("7", "behind")
    lapsed = next(r for r in rows if r["status"] == "lapsed")
    assert lapsed["staff"] == org.other_cm.display_name


def _enrol(org, login, care_manager):
    client = org.other_client
    return login(org.director).post(
        reverse("enrolments:create", args=[client.pk]),
        {
            "program": str(org.geriatric.pk),
            "care_manager": str(care_manager.pk),
            "acuity": "2",
            "referred_on": "2026-12-01",
            "referral_source": "Dr. Park",
        },
        follow=True,
    )


def test_assigning_to_someone_without_the_required_credential_warns(org, today, login):
    ProgramCredential.objects.create(program=org.geriatric, code="CCM", added_by=org.director)
    response = _enrol(org, login, org.junior)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Geriatric care management requires a current CCM" in page
    assert f"{org.junior} holds no current CCM" in page
    assert Enrolment.objects.filter(client=org.other_client, program=org.geriatric).exists()


def test_a_lapsed_credential_is_named(org, today, login):
    ProgramCredential.objects.create(program=org.geriatric, code="CCM", added_by=org.director)
    CertificationRecord.objects.create(
        staff=org.supervisor,
        code="CCM",
        issued_on=dt.date(2021, 1, 1),
        valid_through=dt.date(2025, 12, 31),
    )
    enrolment = org.junior_client.enrolments.get()
    response = login(org.director).post(
        reverse("enrolments:reassign", args=[enrolment.pk]),
        {"care_manager": str(org.supervisor.pk), "reason": "Leave", "version": "1"},
        follow=True,
    )
    assert "CCM lapsed on 31 December 2025" in response.content.decode()


def test_a_current_credential_raises_no_warning(org, today, login):
    ProgramCredential.objects.create(program=org.geriatric, code="CCM", added_by=org.director)
    CertificationRecord.objects.create(
        staff=org.junior,
        code="CCM",
        issued_on=dt.date(2024, 1, 1),
        valid_through=dt.date(2028, 12, 31),
    )
    assert "requires a current CCM" not in _enrol(org, login, org.junior).content.decode()


def test_the_directors_setting_refuses_instead(org, today, login):
    ProgramCredential.objects.create(program=org.geriatric, code="CCM", added_by=org.director)
    http = login(org.director)
    response = http.post(reverse("workforce:settings_save"), {"version": "0", "refuse": "on"})
    assert response.status_code == 302
    assert WorkforceSettings.objects.get().refuse_assignment_without_credential is True
    response = _enrol(org, login, org.junior)
    assert response.status_code == 400
    assert "requires a current CCM" in response.content.decode()
    assert not Enrolment.objects.filter(client=org.other_client, program=org.geriatric).exists()
    enrolment = org.junior_client.enrolments.get()
    refused = login(org.director).post(
        reverse("enrolments:reassign", args=[enrolment.pk]),
        {"care_manager": str(org.supervisor.pk), "reason": "Leave", "version": "1"},
    )
    assert refused.status_code == 400
    enrolment.refresh_from_db()
    assert enrolment.care_manager == org.junior


def test_directors_manage_program_requirements(org, today, login):
    http = login(org.director)
    url = reverse("workforce:requirements")
    assert http.post(url, {"program": str(org.chronic.pk), "code": "ccm"}).status_code == 302
    requirement = ProgramCredential.objects.get()
    assert (requirement.program, requirement.code) == (org.chronic, "CCM")
    again = http.post(url, {"program": str(org.chronic.pk), "code": "CCM"})
    assert again.status_code == 400 and "already requires" in again.content.decode()
    unknown = http.post(url, {"program": str(org.chronic.pk), "code": "XYZ"})
    assert unknown.status_code == 400 and "No credential XYZ" in unknown.content.decode()
    remove = reverse("workforce:requirement_remove", args=[requirement.pk])
    assert http.post(remove).status_code == 302
    assert not ProgramCredential.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"workforce.program_credential_added", "workforce.program_credential_removed"} <= actions
    assert login(org.senior).get(url).status_code == 404
