"""The advisor for a signed-in staff member: page, PDF and JSON API give the same result, fed by
the profile and Caseload's own records."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.staff.models import CASELOAD_CAPS, CareerLevel
from caseload.workforce import advisor, engine, ladder, records, rules
from caseload.workforce.models import (
    CERecord,
    CertificationRecord,
    CompetencyReview,
    EducationRecord,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya(org, pin):
    """The junior: a social work graduate, 9 months into the job here, supervised by a CCM."""
    pin("2026-12-05 10:00")
    org.junior.date_joined = dt.datetime(2026, 3, 5, 14, 0, tzinfo=dt.UTC)
    org.junior.save(update_fields=["date_joined"])
    EducationRecord.objects.create(
        staff=org.junior,
        level="bachelor",
        field="Social work",
        related_to_care_management=True,
        completed_on=dt.date(2025, 5, 20),
    )
    CertificationRecord.objects.create(
        staff=org.supervisor,
        code="CCM",
        issued_on=dt.date(2022, 2, 1),
        valid_through=dt.date(2027, 1, 31),
    )
    return org.junior


def test_maya_becomes_ccm_eligible_12_months_after_she_started(maya):
    plan = advisor.staff_advice(maya)
    ccm = plan.advice.eligibility["CCM"]
    assert ccm.eligible is False
    assert ccm.eligible_from == dt.date(2027, 3, 5)
    assert ccm.route_label.startswith("Category 1")
    assert any("supervised by a CCM" in line for line in ccm.missing)
    cmc = plan.advice.eligibility["CMC"]
    assert cmc.criterion == "II"
    # 24 months of care management from 2026-03-05, then 12 more of (care management as)
    # direct client work.
    assert cmc.eligible_from == dt.date(2029, 3, 5)


def test_the_advisor_page_shows_each_conclusion_with_its_rule_and_facts(maya, login):
    response = login(maya).get(reverse("workforce:advisor", args=[maya.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Eligible from 5 March 2027" in page
    assert "Category 1: 12 months of full-time case management supervised by a CCM" in page
    assert "Junior care manager (this organisation)" in page  # the fact that decided it
    assert "Care manager" in page and "$60,000–$80,000 a year" in page
    assert "typical US" in page


def test_page_pdf_and_api_give_the_same_result(maya, login):
    http = login(maya)
    pdf = http.get(reverse("workforce:advisor_pdf", args=[maya.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    api = http.get("/api/workforce/me/advice")
    assert api.status_code == 200
    body = api.json()
    expected = engine.advise(records.engine_profile(maya), rules.load_rules()).as_json()
    for key in ("CCM", "CMC", "renewals"):
        assert body[key] == expected[key]
    assert body["ladder"]["current"] == "junior"
    assert body["ladder"]["next"] == "care_manager"
    same = http.get(f"/api/workforce/staff/{maya.pk}/advice").json()
    assert same["CCM"] == body["CCM"]


def test_the_api_evaluates_a_posted_profile_without_storing_it(org, login):
    http = login(org.junior)
    profile = {
        "as_of": "2026-12-05",
        "education": [
            {"level": "master", "related_to_care_management": True, "completed": "2020-01-01"}
        ],
        "employment": [
            {"kind": "case_management", "start": "2021-01-01", "supervision_hours_per_year": 60}
        ],
    }
    response = http.post(
        "/api/workforce/advise", json.dumps(profile), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["CMC"]["criterion"] == "I"
    bad = http.post(
        "/api/workforce/advise", json.dumps({"as_of": "soon"}), content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("supervisor", 200), ("director", 200), ("other_cm", 404), ("privacy", 404), ("admin", 404)],
)
def test_who_sees_someones_plan(maya, org, login, viewer, status):
    user = org.users()[viewer]
    assert login(user).get(reverse("workforce:advisor", args=[maya.pk])).status_code == status
    assert login(user).get(f"/api/workforce/staff/{maya.pk}/advice").status_code == status
    if status == 200:
        assert AuditEvent.objects.filter(action="workforce.advice_viewed", actor=user).exists()


def test_the_api_refuses_anonymous_requests(maya, client):
    assert client.get("/api/workforce/me/advice").status_code == 401


def test_ce_plan_hours_a_month_and_behind_schedule(org, pin):
    pin("2026-12-05 10:00")
    CertificationRecord.objects.create(
        staff=org.supervisor,
        code="CCM",
        issued_on=dt.date(2022, 2, 1),
        valid_through=dt.date(2027, 1, 31),
    )
    for when, hours, ethics in ((dt.date(2023, 3, 1), 40, 4), (dt.date(2025, 6, 1), 31, 3)):
        CERecord.objects.create(
            staff=org.supervisor, activity="CE", completed_on=when, hours=hours, ethics_hours=ethics
        )
    (plan,) = advisor.staff_advice(org.supervisor).ce_plans
    assert (plan.hours, plan.required, plan.ethics, plan.ethics_required) == (71, 80, 7, 8)
    assert plan.status == "behind"
    # 9 hours in the ~1.9 months to 31 January 2027.
    assert plan.per_month == pytest.approx(
        9 / float(engine.months_between(dt.date(2026, 12, 5), dt.date(2027, 2, 1)))
    )


def test_ladder_readiness_lists_each_gap_with_its_facts(maya):
    plan = advisor.staff_advice(maya)
    checks = {c.rule.split(" ")[0]: c for c in plan.ladder.checks}
    assert plan.ladder.next.id == "care_manager"
    assert not plan.ladder.ready
    years = plan.ladder.checks[0]
    assert not years.met and "0.8 years" in years.facts
    competency = plan.ladder.checks[-1]
    assert competency.facts == "no supervisor competency review yet"
    CompetencyReview.objects.create(
        staff=maya,
        reviewer=maya.supervisor,
        kind="supervisor",
        reviewed_on=dt.date(2026, 11, 1),
        ratings={c.id: 3 for c in ladder.frameworks().competencies} | {"transitions": 2},
    )
    plan = advisor.staff_advice(maya)
    assert "below: Transitions of care 2" in plan.ladder.checks[-1].facts
    assert checks


def test_specialisations_come_from_programs_worked_in_and_reviews(maya, org):
    CompetencyReview.objects.create(
        staff=maya,
        reviewer=maya.supervisor,
        kind="supervisor",
        reviewed_on=dt.date(2026, 11, 1),
        ratings={"assessment": 4, "advocacy": 3},
    )
    (first, *_) = advisor.staff_advice(maya).specialisations
    assert first.specialisation.id == "geriatric"
    assert any("managed 1 client in" in line for line in first.why)
    assert any("Assessment 4 (Advanced)" in line for line in first.why)


def test_the_ladder_uses_the_staff_caseload_caps_and_spec_salary_bands():
    fw = ladder.frameworks()
    assert [lvl.id for lvl in fw.levels] == [
        "junior",
        "care_manager",
        "senior",
        "director",
        "chief",
    ]
    for level in CareerLevel:
        assert fw.level_of(level).caseload_cap == CASELOAD_CAPS[level]
    bands = [(lvl.salary.low, lvl.salary.high, lvl.salary.open_ended) for lvl in fw.levels]
    assert bands == [
        (40000, 60000, False),
        (60000, 80000, False),
        (80000, 100000, False),
        (90000, 130000, True),
        (130000, 200000, True),
    ]
    assert "typical US" in fw.salary_note.replace("Typical US", "typical US")
    assert len(fw.competencies) == 10
