"""The public career advisor at /career/: no sign-in, nothing stored, rate-limited."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.workforce.models import EducationRecord, EmploymentRecord

pytestmark = pytest.mark.django_db

JORDAN = {
    "education_level": "associate",
    "education_field": "Health sciences",
    "education_related": "yes",
    "education_completed": "2022-05-20",
    "job1_kind": "direct_client",
    "job1_title": "Home health aide",
    "job1_start": "2023-09-01",
    "job1_hours": "40",
    "job1_supervision": "0",
    "plan_start": "2027-01-04",
    "plan_hours": "40",
    "plan_supervision": "52",
    "action": "advise",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def test_anyone_can_open_the_page_without_signing_in(client, pin):
    pin("2026-12-05 19:00")
    response = client.get(reverse("career"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Becoming a care manager" in page
    assert "$40,000–$60,000 a year" in page  # salary bands by level
    assert "Vice president / chief care officer" in page


def test_jordans_pathway(client, pin):
    pin("2026-12-05 19:00")
    response = client.post(reverse("career"), JORDAN)
    assert response.status_code == 200
    page = response.content.decode()
    # Aide work alone never becomes care management: no date for either credential ...
    assert "Not by continuing the current work" in page
    # ... and with a supervised care management job from 4 January 2027: CMC criterion III,
    # 3 years of care management plus 2 of direct client work (the aide years count).
    assert "CMC: with a care management job from 4 January 2027" in page
    assert "eligible on 4 January 2030" in page
    assert "Criterion III" in page
    assert "For the CCM you need a licence" in page
    assert "Find a paid care management job" not in page or "50 hours" in page


def test_nothing_is_stored(client, pin):
    pin("2026-12-05 19:00")
    events = AuditEvent.objects.count()
    client.post(reverse("career"), JORDAN)
    assert AuditEvent.objects.count() == events
    assert not EducationRecord.objects.exists() and not EmploymentRecord.objects.exists()


def test_download_gives_the_profile_in_the_documented_shape(client, pin):
    pin("2026-12-05 19:00")
    response = client.post(reverse("career"), {**JORDAN, "action": "download"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="career-profile.json"'
    profile = json.loads(response.content)
    assert profile["as_of"] == "2026-12-05"
    assert profile["education"][0]["level"] == "associate"
    assert profile["employment"][0]["kind"] == "direct_client"


def test_bad_input_is_named_and_kept(client, pin):
    pin("2026-12-05 19:00")
    response = client.post(
        reverse("career"),
        {**JORDAN, "job1_start": "2029-01-01", "education_completed": "", "job2_kind": "other"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The start date cannot be in the future." in page
    assert "Enter when you completed it" in page
    assert "Enter when you started this work." in page
    assert "Home health aide" in page


def test_requests_beyond_the_limit_are_refused(settings, pin):
    pin("2026-12-05 19:00")
    settings.CASELOAD_CAREER_RATE_LIMIT = 3
    one, other = HttpClient(REMOTE_ADDR="203.0.113.7"), HttpClient(REMOTE_ADDR="203.0.113.8")
    assert [one.get(reverse("career")).status_code for _ in range(3)] == [200, 200, 200]
    refused = one.post(reverse("career"), JORDAN)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(settings.CASELOAD_CAREER_RATE_WINDOW)
    assert "Too many requests" in refused.content.decode()
    assert other.get(reverse("career")).status_code == 200  # counted per address


def test_behind_a_proxy_the_forwarded_address_is_counted(settings, pin):
    pin("2026-12-05 19:00")
    settings.CASELOAD_CAREER_RATE_LIMIT = 1
    settings.AXES_IPWARE_PROXY_COUNT = 1
    proxy = HttpClient(REMOTE_ADDR="10.0.0.1")
    first = proxy.get(reverse("career"), HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = proxy.get(reverse("career"), HTTP_X_FORWARDED_FOR="198.51.100.2")
    again = proxy.get(reverse("career"), HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert (first.status_code, second.status_code, again.status_code) == (200, 200, 429)
