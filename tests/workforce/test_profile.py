"""The professional profile: who sees and changes it, verification, the audit trail, the CE
certificate file, and the job here derived from Caseload's own records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caseload.access import services as access_services
from caseload.audit.models import AuditEvent
from caseload.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from caseload.workforce import records, services
from caseload.workforce.models import CERecord, CertificationRecord, EducationRecord

pytestmark = pytest.mark.django_db

EDUCATION = {
    "level": "bachelor",
    "field": "Social work",
    "related_to_care_management": True,
    "institution": "State University",
    "completed_on": dt.date(2020, 5, 15),
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def add_education(user, **changes):
    return services.entry_create(
        actor=user,
        staff=user,
        section=services.SECTIONS["education"],
        data={**EDUCATION, **changes},
    )


def profile_url(user):
    return reverse("workforce:profile", args=[user.pk])


# ------------------------------------------------------------------------------ who sees what


@pytest.mark.parametrize(
    ("viewer", "subject", "status"),
    [
        ("junior", "junior", 200),  # own
        ("supervisor", "junior", 200),  # supervisee
        ("director", "junior", 200),  # directors see all
        ("other_cm", "junior", 404),  # another care manager
        ("senior", "junior", 404),  # not the direct supervisor
        ("junior", "supervisor", 404),  # not upward
        ("privacy", "junior", 404),  # privacy officer: none of the content
        ("admin", "junior", 404),  # IT administrator: none of the content
    ],
)
def test_who_sees_a_profile(org, login, viewer, subject, status):
    users = org.users()
    add_education(users[subject])
    response = login(users[viewer]).get(profile_url(users[subject]))
    assert response.status_code == status
    if status == 200:
        assert "Social work" in response.content.decode()


@pytest.mark.parametrize("role", ["privacy", "admin"])
def test_non_clinical_accounts_have_no_profile_of_their_own(org, login, role):
    user = org.users()[role]
    assert login(user).get(reverse("workforce:mine")).status_code == 404
    assert login(user).get(profile_url(user)).status_code == 404


def test_my_career_goes_to_my_own_profile(org, login):
    response = login(org.junior).get(reverse("workforce:mine"))
    assert response.status_code == 302
    assert response.url == profile_url(org.junior)


def test_viewing_someone_elses_profile_is_audited_and_ones_own_is_not(org, login):
    login(org.junior).get(profile_url(org.junior))
    assert not AuditEvent.objects.filter(action="workforce.profile_viewed").exists()
    login(org.supervisor).get(profile_url(org.junior))
    event = AuditEvent.objects.get(action="workforce.profile_viewed")
    assert event.actor == org.supervisor
    assert event.target_id == str(org.junior.pk)


# ------------------------------------------------------------------------------ who changes what


def test_a_care_manager_adds_and_edits_their_own_entries_through_the_pages(org, login):
    http = login(org.junior)
    url = reverse("workforce:entry_new", args=[org.junior.pk, "education"])
    assert http.get(url).status_code == 200
    response = http.post(
        url,
        {
            "level": "master",
            "field": "Gerontology",
            "related_to_care_management": "on",
            "completed_on": "2024-06-01",
        },
    )
    assert response.status_code == 302
    entry = EducationRecord.objects.get(staff=org.junior)
    assert (entry.level, entry.field, entry.related_to_care_management) == (
        "master",
        "Gerontology",
        True,
    )
    edit = reverse("workforce:entry_edit", args=["education", entry.pk])
    response = http.post(
        edit, {"version": 1, "level": "master", "field": "Social work", "completed_on": ""}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.field == "Social work"
    assert entry.completed_on is None
    assert entry.version == 2
    actions = list(
        AuditEvent.objects.filter(target_id=str(entry.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["workforce.education_added", "workforce.education_changed"]


@pytest.mark.parametrize("role", ["supervisor", "director"])
def test_supervisors_and_directors_see_but_do_not_edit(org, login, role):
    entry = add_education(org.junior)
    http = login(org.users()[role])
    assert http.get(reverse("workforce:entry_new", args=[org.junior.pk, "ce"])).status_code == 403
    edit = reverse("workforce:entry_edit", args=["education", entry.pk])
    assert http.get(edit).status_code == 403
    remove = reverse("workforce:entry_remove", args=["education", entry.pk])
    assert http.post(remove, {"confirm": "remove"}).status_code == 403
    assert EducationRecord.objects.filter(pk=entry.pk).exists()


def test_out_of_scope_entries_are_not_found(org, login):
    entry = add_education(org.junior)
    http = login(org.other_cm)
    for name in ("entry_edit", "entry_verify", "entry_remove"):
        url = reverse(f"workforce:{name}", args=["education", entry.pk])
        assert http.get(url).status_code == 404
        assert http.post(url).status_code == 404


def test_the_supervisor_verifies_and_a_change_clears_it(org, login):
    entry = add_education(org.junior)
    verify = reverse("workforce:entry_verify", args=["education", entry.pk])
    assert login(org.junior).post(verify).status_code == 403  # not one's own
    assert login(org.supervisor).post(verify).status_code == 302
    entry.refresh_from_db()
    assert entry.verified_by == org.supervisor
    assert AuditEvent.objects.filter(action="workforce.education_verified").count() == 1
    page = login(org.junior).get(profile_url(org.junior)).content.decode()
    assert "Verified" in page
    changed = services.entry_update(
        actor=org.junior,
        entry=entry,
        expected_version=entry.version,
        data={**EDUCATION, "field": "Nursing"},
    )
    assert changed.verified_at is None and changed.verified_by is None


def test_a_director_verifies_anyone_and_others_cannot(org):
    entry = add_education(org.other_cm)
    with pytest.raises(PermissionDenied):
        services.entry_verify(actor=org.supervisor, entry=entry)
    assert services.entry_verify(actor=org.director, entry=entry).verified_by == org.director


def test_a_stale_edit_is_a_conflict_with_the_input_kept(org, login):
    entry = add_education(org.junior)
    services.entry_update(
        actor=org.junior, entry=entry, expected_version=1, data={**EDUCATION, "field": "Nursing"}
    )
    with pytest.raises(VersionConflict):
        services.entry_update(actor=org.junior, entry=entry, expected_version=1, data=EDUCATION)
    response = login(org.junior).post(
        reverse("workforce:entry_edit", args=["education", entry.pk]),
        {"version": 1, "level": "bachelor", "field": "Psychology"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Psychology" in page and "Nursing" in page


def test_removing_an_entry_keeps_what_it_said_in_the_audit_trail(org, login):
    entry = add_education(org.junior)
    url = reverse("workforce:entry_remove", args=["education", entry.pk])
    assert login(org.junior).post(url).status_code == 302  # not confirmed: nothing removed
    assert EducationRecord.objects.filter(pk=entry.pk).exists()
    response = login(org.junior).post(url, {"confirm": "remove"})
    assert response.status_code == 302
    assert not EducationRecord.objects.filter(pk=entry.pk).exists()
    event = AuditEvent.objects.get(action="workforce.education_removed")
    assert event.detail["field"] == "Social work"


@pytest.mark.parametrize(
    ("section", "data", "field"),
    [
        (
            "employment",
            {
                "title": "Aide",
                "kind": "direct_client",
                "start_on": dt.date(2024, 1, 1),
                "end_on": dt.date(2023, 1, 1),
                "hours_per_week": 40,
                "paid": True,
                "supervision_hours_per_year": 0,
            },
            "end_on",
        ),
        (
            "employment",
            {
                "title": "Volunteer",
                "kind": "case_management",
                "start_on": dt.date(2024, 1, 1),
                "hours_per_week": 10,
                "paid": True,
                "internship_or_volunteer": True,
                "supervision_hours_per_year": 0,
            },
            "paid",
        ),
        (
            "ce",
            {
                "activity": "Ethics",
                "completed_on": dt.date(2025, 1, 1),
                "hours": 2,
                "ethics_hours": 3,
                "approved_by": "CCMC",
            },
            "ethics_hours",
        ),
        (
            "certifications",
            {"code": "CCM", "issued_on": dt.date(2024, 1, 1), "valid_through": dt.date(2023, 1, 1)},
            "valid_through",
        ),
        ("licences", {"kind": "other", "kind_other": ""}, "kind_other"),
    ],
)
def test_entries_are_validated(org, section, data, field):
    with pytest.raises(ValidationFailed) as caught:
        services.entry_create(
            actor=org.junior, staff=org.junior, section=services.SECTIONS[section], data=data
        )
    assert field in caught.value.field_errors


def test_a_bad_form_keeps_the_input_and_names_the_field(org, login):
    response = login(org.junior).post(
        reverse("workforce:entry_new", args=[org.junior.pk, "employment"]),
        {"title": "Care coordinator", "kind": "case_management", "start_on": "31/02/2024"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Care coordinator" in page
    assert "Enter a real date" in page


# ------------------------------------------------------------------------------ CE certificates


def ce_data(**changes):
    return {
        "activity": "Care transitions",
        "provider": "CMSA",
        "completed_on": dt.date(2025, 3, 1),
        "hours": 6,
        "ethics_hours": 1,
        "approved_by": "CCMC",
        **changes,
    }


def test_a_ce_certificate_is_stored_and_served_to_those_who_see_the_profile(org, login):
    http = login(org.junior)
    response = http.post(
        reverse("workforce:entry_new", args=[org.junior.pk, "ce"]),
        {
            "activity": "Care transitions",
            "completed_on": "2025-03-01",
            "hours": "6",
            "ethics_hours": "1",
            "approved_by": "CCMC",
            "certificate": SimpleUploadedFile("transitions.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    entry = CERecord.objects.get(staff=org.junior)
    assert entry.certificate_name == "transitions.pdf"
    assert entry.certificate_type == "application/pdf"
    url = reverse("workforce:ce_certificate", args=[entry.pk])
    download = http.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert login(org.supervisor).get(url).status_code == 200
    assert AuditEvent.objects.filter(action="workforce.ce_certificate_viewed").count() == 1
    assert login(org.other_cm).get(url).status_code == 404
    assert login(org.privacy).get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00 not a pdf", "PDF, PNG or JPEG"),
        ("fake.pdf", b"<html>hello</html>", "PDF, PNG or JPEG"),
    ],
)
def test_a_certificate_that_is_not_a_pdf_or_image_is_refused(org, name, content, message):
    with pytest.raises(ValidationFailed) as caught:
        services.entry_create(
            actor=org.junior,
            staff=org.junior,
            section=services.SECTIONS["ce"],
            data=ce_data(),
            certificate=SimpleUploadedFile(name, content),
        )
    assert message in caught.value.field_errors["certificate"][0]
    assert not CERecord.objects.exists()


def test_a_certificate_over_the_size_limit_is_refused(org, settings, login):
    settings.CASELOAD_CE_CERTIFICATE_MAX_BYTES = 1024
    response = login(org.junior).post(
        reverse("workforce:entry_new", args=[org.junior.pk, "ce"]),
        {
            "activity": "Big scan",
            "completed_on": "2025-03-01",
            "hours": "2",
            "ethics_hours": "0",
            "approved_by": "none",
            "certificate": SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2048),
        },
    )
    assert response.status_code == 400
    assert "at most" in response.content.decode()
    assert not CERecord.objects.exists()


# ------------------------------------------------------------------------------ the job here


def test_the_job_here_comes_from_caseloads_records(org, pin):
    pin("2026-12-05 10:00")
    org.junior.date_joined = dt.datetime(2026, 3, 5, 14, 0, tzinfo=dt.UTC)
    org.junior.save(update_fields=["date_joined"])
    (period,) = records.organisation_periods(org.junior)
    assert period.start == dt.date(2026, 3, 5)
    assert period.end is None
    assert period.level == "junior"
    assert period.supervisor == org.supervisor
    assert period.supervisor_holds_ccm is False
    CertificationRecord.objects.create(
        staff=org.supervisor,
        code="CCM",
        issued_on=dt.date(2020, 1, 1),
        valid_through=dt.date(2029, 12, 31),
    )
    (period,) = records.organisation_periods(org.junior)
    assert period.supervisor_holds_ccm is True
    (job,) = list(records.engine_profile(org.junior).employment)
    assert (job.kind, job.supervised_by_ccm, job.supervision_hours_per_year) == (
        "case_management",
        True,
        52.0,
    )


def test_a_promotion_splits_the_job_here(org, pin):
    org.junior.date_joined = dt.datetime(2024, 1, 10, 14, 0, tzinfo=dt.UTC)
    org.junior.save(update_fields=["date_joined"])
    pin("2025-07-01 09:00")
    access_services.staff_set_career_level(
        actor=org.director, user=org.junior, level="care_manager", reason="Promotion"
    )
    pin("2026-12-05 09:00")
    first, second = records.organisation_periods(org.junior)
    assert (first.start, first.end, first.level) == (
        dt.date(2024, 1, 10),
        dt.date(2025, 6, 30),
        "junior",
    )
    assert (second.start, second.end, second.level) == (dt.date(2025, 7, 1), None, "care_manager")
