"""The workforce pages in Chromium: Jordan on the public career page, Maya reading her career
plan, Grace's credential page, the warning when a client goes to someone without a program's
required credential, and axe-core (no serious or critical violation) on every new page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from caseload.workforce import ladder
from caseload.workforce.engine import add_months
from caseload.workforce.models import (
    CERecord,
    CertificationRecord,
    CompetencyReview,
    EducationRecord,
    LicenceRecord,
    ProgramCredential,
)
from tests import factories
from tests.browser_support import sign_in, snap
from tests.workforce.model_server import running_model_server

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
]


def _records(org: Any) -> None:
    """Maya (the junior) 9 months in, supervised by a CCM (the supervisor), whose own CCM renews
    next month with 71 of 80 hours; the other care manager's licence has lapsed."""
    today = timezone.localdate()
    org.junior.date_joined = timezone.now() - dt.timedelta(days=274)
    org.junior.save(update_fields=["date_joined"])
    EducationRecord.objects.create(
        staff=org.junior,
        level="bachelor",
        field="Social work",
        related_to_care_management=True,
        completed_on=add_months(today, -19),
    )
    through = add_months(today.replace(day=1), 2) - dt.timedelta(days=1)
    CertificationRecord.objects.create(
        staff=org.supervisor,
        code="CCM",
        issuing_body="CCMC",
        issued_on=add_months(through, -60) + dt.timedelta(days=1),
        valid_through=through,
    )
    for months, hours, ethics in ((40, 40, 4), (20, 25, 2), (4, 6, 1)):
        CERecord.objects.create(
            staff=org.supervisor,
            activity="Case management conference",
            completed_on=add_months(today, -months),
            hours=hours,
            ethics_hours=ethics,
            approved_by="CCMC",
        )
    LicenceRecord.objects.create(
        staff=org.other_cm, kind="RN", state="MA", expires_on=today - dt.timedelta(days=12)
    )
    for reviewer, kind in ((org.junior, "self"), (org.supervisor, "supervisor")):
        CompetencyReview.objects.create(
            staff=org.junior,
            reviewer=reviewer,
            kind=kind,
            reviewed_on=today - dt.timedelta(days=10),
            ratings={c.id: 2 for c in ladder.frameworks().competencies}
            | ({"transitions": 4} if kind == "self" else {}),
        )


def test_jordan_finds_a_pathway_on_the_public_page(page: Any, settings: Any) -> None:
    cache.clear()
    page.goto("/career/")
    snap(page, "workforce-career-empty")
    page.get_by_label("Your highest qualification").select_option("associate")
    page.get_by_label("Field of study").fill("Health sciences")
    page.locator("#id_education_related_0").check()
    page.get_by_label("Completed (or expected) on").fill("2022-05-20")
    page.locator("#id_job1_kind").select_option("direct_client")
    page.locator("#id_job1_title").fill("Home health aide")
    page.locator("#id_job1_start").fill("2023-09-01")
    page.get_by_role("button", name="Show my pathway").click()
    page.wait_for_selector("#pathway")
    text = page.inner_text("main")
    assert "Criterion III" in text
    assert "Find a paid care management job" in text
    assert "$130,000–$200,000+ a year" in text
    snap(page, "workforce-career-jordan")
    # A mistake is named, and the answers stay.
    page.locator("#id_job1_start").fill("2099-01-01")
    page.get_by_role("button", name="Show my pathway").click()
    page.wait_for_selector(".error-summary")
    assert page.locator("#id_job1_title").input_value() == "Home health aide"
    snap(page, "workforce-career-error")
    settings.CASELOAD_CAREER_RATE_LIMIT = 0
    page.goto("/career/")
    assert "Too many requests" in page.inner_text("main")
    snap(page, "workforce-career-limited")


def test_maya_reads_her_career_plan(page: Any, org: Any) -> None:
    _records(org)
    sign_in(page, "junior", factories.PASSWORD)
    page.get_by_role("link", name="My career").click()
    page.wait_for_selector("h1:has-text('My professional profile')")
    assert "Supervisor holds a current CCM" in page.inner_text("main")
    snap(page, "workforce-profile-maya")
    page.get_by_role("link", name="Career plan and credential eligibility").click()
    page.wait_for_selector("h1:has-text('My career plan')")
    text = page.inner_text("main")
    assert "Category 1: 12 months of full-time case management supervised by a CCM" in text
    assert "Eligible from" in text
    assert "Junior care manager (this organisation)" in text
    snap(page, "workforce-advisor-maya")
    page.goto(f"/workforce/staff/{org.junior.pk}/reviews/")
    assert "Worth discussing" in page.inner_text("main")
    snap(page, "workforce-reviews-maya")
    page.goto(f"/workforce/staff/{org.junior.pk}/reviews/new/")
    page.get_by_role("button", name="Save the review").click()
    page.wait_for_selector(".error-summary")
    snap(page, "workforce-review-form-errors")
    page.goto(f"/workforce/staff/{org.junior.pk}/ce/new/")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".error-summary")
    snap(page, "workforce-ce-form-errors")
    education = EducationRecord.objects.get(staff=org.junior)
    page.goto(f"/workforce/education/{education.pk}/edit/")
    page.get_by_label("Field of study").fill("")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".error-summary")
    snap(page, "workforce-education-edit-errors")
    page.goto(f"/workforce/staff/{org.junior.pk}/work-pattern/")
    snap(page, "workforce-work-pattern")
    page.goto("/workforce/ladder/")
    snap(page, "workforce-ladder")


def test_daniel_sees_his_renewal_on_the_worklist(page: Any, org: Any) -> None:
    _records(org)
    sign_in(page, "supervisor", factories.PASSWORD)
    page.wait_for_selector("h1")
    # A supervisor lands on the team view; their own caseload is one click away.
    page.get_by_role("link", name="My own caseload").first.click()
    page.wait_for_selector("h1")
    text = page.inner_text("main")
    assert "Your credentials" in text and "CE for your CCM is behind schedule" in text
    snap(page, "workforce-worklist-reminders")


def test_graces_credential_page_and_the_assignment_warning(page: Any, org: Any) -> None:
    _records(org)
    ProgramCredential.objects.create(program=org.geriatric, code="CCM", added_by=org.director)
    sign_in(page, "director", factories.PASSWORD)
    page.get_by_role("link", name="Credentials").click()
    page.wait_for_selector("h1:has-text('Credential compliance')")
    text = page.inner_text("main")
    assert "71 of 80" in text and "7 of 8" in text and "Lapsed (1)" in text
    snap(page, "workforce-credentials-grace")
    page.goto("/workforce/credentials/requirements/")
    snap(page, "workforce-requirements")
    page.goto("/workforce/ladder/salaries/")
    snap(page, "workforce-salaries")
    # Give the other care manager's client a geriatric enrolment with the junior (no CCM).
    page.goto(f"/enrolments/for/{org.other_client.pk}/new/")
    page.get_by_label("Program").select_option(str(org.geriatric.pk))
    page.get_by_label("Care manager").select_option(str(org.junior.pk))
    page.get_by_role("button", name="Enrol").click()
    warning = page.locator(".message-warning")
    warning.wait_for()
    assert "requires a current CCM" in warning.inner_text()
    snap(page, "workforce-assignment-warning")


def test_the_supervisor_verifies_a_supervisees_entry(page: Any, org: Any) -> None:
    _records(org)
    sign_in(page, "supervisor", factories.PASSWORD)
    page.goto(f"/workforce/staff/{org.junior.pk}/")
    page.wait_for_selector("h1")
    snap(page, "workforce-profile-as-supervisor")
    page.get_by_role("button", name="Mark verified Bachelor's degree in Social work").click()
    page.wait_for_selector(".message-success")
    assert "Verified" in page.inner_text("#education")
    assert EducationRecord.objects.get(staff=org.junior).verified_by == org.supervisor
    page.goto(f"/workforce/staff/{org.junior.pk}/advisor/")
    snap(page, "workforce-advisor-as-supervisor")


def test_ask_the_advisor_beside_the_plan(page: Any, org: Any, settings: Any) -> None:
    with running_model_server() as (url, _):
        settings.CASELOAD_ADVISOR_LLM_URL = url
        _records(org)
        sign_in(page, "junior", factories.PASSWORD)
        page.goto(f"/workforce/staff/{org.junior.pk}/advisor/")
        page.get_by_label("Your question").fill("What should I do this year?")
        page.get_by_role("button", name="Ask the advisor").click()
        page.wait_for_selector(".generated")
        assert "Generated by local-model-7b" in page.inner_text("#ask")
        snap(page, "workforce-ask-the-advisor")
