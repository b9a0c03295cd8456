"""The career ladder page, the organisation's salary bands, and competency reviews."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.core.errors import PermissionDenied
from caseload.workforce import advisor, ladder, services
from caseload.workforce.models import CompetencyReview, SalaryBand

pytestmark = pytest.mark.django_db

ALL_THREE = {c.id: 3 for c in ladder.frameworks().competencies}


def review_data(rating: int = 3, **overrides):
    data = {"reviewed_on": "2026-11-20", "summary": "Solid year."}
    for competency in ladder.frameworks().competencies:
        data[f"rating_{competency.id}"] = str(rating)
    return data | overrides


def test_the_ladder_page_shows_levels_caps_and_typical_bands(org, login):
    page = login(org.junior).get(reverse("workforce:ladder")).content.decode()
    for text in (
        "Junior care manager",
        "Vice president / chief care officer",
        "40 clients",
        "$80,000–$100,000 a year",
        "typical US figure",
        "You are here",
    ):
        assert text in page


def test_only_directors_set_salary_bands_and_the_page_says_whose_they_are(org, login, pin):
    pin("2026-12-05 10:00")
    url = reverse("workforce:ladder_salaries")
    assert login(org.senior).get(url).status_code == 404
    http = login(org.director)
    assert http.get(url).status_code == 200
    response = http.post(url, {"care_manager_low": "65000", "care_manager_high": "82000"})
    assert response.status_code == 302
    band = SalaryBand.objects.get(level="care_manager")
    assert (band.low, band.high, band.set_by) == (65000, 82000, org.director)
    assert AuditEvent.objects.filter(action="workforce.salary_band_set").count() == 1
    page = login(org.junior).get(reverse("workforce:ladder")).content.decode()
    assert "$65,000–$82,000 a year" in page and "This organisation's band" in page
    career = login(org.junior).get(reverse("career")).content.decode()
    assert "$65,000–$82,000 a year" in career
    # Empty figures restore the typical band.
    assert login(org.director).post(url, {}).status_code == 302
    assert not SalaryBand.objects.exists()
    assert AuditEvent.objects.filter(action="workforce.salary_band_cleared").count() == 1


def test_a_salary_band_upside_down_is_refused(org, login):
    response = login(org.director).post(
        reverse("workforce:ladder_salaries"), {"senior_low": "90000", "senior_high": "80000"}
    )
    assert response.status_code == 400
    assert "the upper one not lower" in response.content.decode()
    assert not SalaryBand.objects.exists()


def test_self_review_and_supervisor_review_side_by_side(org, login, pin):
    pin("2026-12-05 10:00")
    response = login(org.junior).post(
        reverse("workforce:review_new", args=[org.junior.pk]),
        review_data(2, rating_transitions="1", comment_transitions="New to discharges"),
    )
    assert response.status_code == 302
    response = login(org.supervisor).post(
        reverse("workforce:review_new", args=[org.junior.pk]),
        review_data(3, rating_transitions="3"),
    )
    assert response.status_code == 302
    kinds = set(CompetencyReview.objects.values_list("kind", "reviewer__username"))
    assert kinds == {("self", "junior"), ("supervisor", "supervisor")}
    assert AuditEvent.objects.filter(action="workforce.competency_review_self").exists()
    assert AuditEvent.objects.filter(action="workforce.competency_review_supervisor").exists()
    page = login(org.junior).get(reverse("workforce:reviews", args=[org.junior.pk])).content
    text = page.decode()
    assert "New to discharges" in text
    assert "Worth discussing" in text  # transitions: 1 beside 3
    # The advisor reads the supervisor's review, not the self-review.
    plan = advisor.staff_advice(org.junior)
    assert plan.ladder.facts.ratings["transitions"] == 3


def test_every_competency_must_be_rated(org, login):
    data = review_data()
    del data["rating_ethics_law"]
    response = login(org.junior).post(reverse("workforce:review_new", args=[org.junior.pk]), data)
    assert response.status_code == 400
    assert "Rate Ethics and law." in response.content.decode()
    assert not CompetencyReview.objects.exists()


def test_who_may_review(org, login):
    with pytest.raises(PermissionDenied):
        services.competency_review_create(
            actor=org.other_cm,
            staff=org.junior,
            reviewed_on=dt.date(2026, 11, 1),
            ratings=ALL_THREE,
            comments={},
            summary="",
        )
    review = services.competency_review_create(
        actor=org.director,
        staff=org.junior,
        reviewed_on=dt.date(2026, 11, 1),
        ratings=ALL_THREE,
        comments={},
        summary="",
    )
    assert review.kind == "supervisor"
    for role in ("other_cm", "privacy", "admin"):
        url = reverse("workforce:reviews", args=[org.junior.pk])
        assert login(org.users()[role]).get(url).status_code == 404
