"""The demo's professional records: SCENARIOS.md's Daniel, Maya and Grace, and a profile for
every staff member."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from caseload.core import clock
from caseload.staff.models import User
from caseload.workforce import advisor, compliance
from caseload.workforce.models import (
    CertificationRecord,
    EducationRecord,
    LicenceRecord,
    ProgramCredential,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("seeded"),
    pytest.mark.xdist_group("demo"),
]


def test_every_clinical_staff_member_has_a_profile_some_verified():
    clinical = User.objects.exclude(career_level="")
    with_education = set(EducationRecord.objects.values_list("staff_id", flat=True))
    assert set(clinical.values_list("pk", flat=True)) <= with_education
    assert EducationRecord.objects.filter(verified_at__isnull=False).exists()
    assert EducationRecord.objects.filter(verified_at__isnull=True).exists()


def test_one_licence_has_lapsed():
    today = clock.today()
    lapsed = LicenceRecord.objects.filter(expires_on__lt=today)
    assert [lic.staff.username for lic in lapsed] == ["kim"]


def test_daniels_ccm_renews_next_month_with_71_of_80_hours_and_7_of_8_ethics():
    daniel = User.objects.get(username="daniel")
    cert = CertificationRecord.objects.get(staff=daniel, code="CCM")
    today = clock.today()
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert (cert.valid_through.year, cert.valid_through.month) == (
        next_month.year,
        next_month.month,
    )
    (plan,) = advisor.staff_advice(daniel).ce_plans
    assert (plan.hours, plan.required, plan.ethics, plan.ethics_required) == (71, 80, 7, 8)


def test_maya_is_nine_months_into_supervision_by_a_ccm():
    maya = User.objects.get(username="maya")
    (period,) = advisor.records.organisation_periods(maya)
    assert period.supervisor.username == "daniel"
    assert period.supervisor_holds_ccm
    plan = advisor.staff_advice(maya)
    ccm = plan.advice.eligibility["CCM"]
    assert ccm.route_label.startswith("Category 1")
    assert ccm.eligible_from == period.start.replace(year=period.start.year + 1)


def test_graces_credential_page_names_daniel(login):
    grace = User.objects.get(username="grace")
    page = login(grace).get(reverse("workforce:credentials")).content.decode()
    assert "Daniel Mensah" in page and "71 of 80" in page and "7 of 8" in page
    assert "Kim Nguyen" in page  # the lapsed licence


def test_daniel_sees_his_renewal_on_the_worklist():
    daniel = User.objects.get(username="daniel")
    titles = [r.title for r in compliance.reminders_for(daniel)]
    assert any(t.startswith("Your CCM certification expires in") for t in titles)
    assert "CE for your CCM is behind schedule" in titles


def test_transitional_care_requires_the_ccm():
    assert ProgramCredential.objects.filter(program__code="transitional", code="CCM").exists()
