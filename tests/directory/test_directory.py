"""The service directory: search and filters for staff; CSV import checked first, then confirmed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.core.models import Holiday
from caseload.directory import services
from caseload.directory.csv_import import check_directory_csv
from caseload.directory.jobs import directory_import_run
from caseload.directory.models import DirectoryImport, Service, ServiceOrganisation
from tests.jobs_support import run_queued_jobs

GOOD_AND_BAD = (
    "Organisation,Service,Type,Languages,Phone,Email,Accepting referrals,Hours\n"
    'Eastside Meals on Wheels,Home-delivered meals,meals,"English, Spanish",555-0142,'
    "intake@meals.example.org,yes,Mon to Fri\n"
    "Riverside Therapy,Home physical therapy,Physical therapy? ,English,555-0199,,yes,\n"
    "Riverside Therapy,Outpatient PT,therapy,English,call us maybe,not-an-email,perhaps,\n"
    ",Nameless service,meals,,,,,\n"
    "Eastside Meals on Wheels,home-delivered MEALS,meals,,,,,\n"
    'Springfield Rides,Medical transport,Transportation,"English, Portuguese",555 0100,,no,24/7\n'
)


def _upload(http: Any, text: str, name: str = "services.csv") -> Any:
    return http.post(
        reverse("directory:directory_import"),
        {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
    )


@pytest.mark.django_db
def test_report_names_each_rejected_row_and_nothing_is_imported_before_confirmation(
    org: Any, login: Any
) -> None:
    http = login(org.admin)
    response = _upload(http, GOOD_AND_BAD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 would be added" in page
    assert "4 would be rejected" in page
    assert "“Physical therapy?” is not a service type" in page
    assert "does not look like a phone number" in page
    assert "“not-an-email” is not an email address" in page
    assert "“perhaps” is not yes or no" in page
    assert "The organisation&#x27;s name is missing." in page
    assert "already on line 2" in page
    assert Service.objects.count() == 0
    assert ServiceOrganisation.objects.count() == 0
    upload = DirectoryImport.objects.get()
    assert upload.status == "pending"
    assert AuditEvent.objects.filter(action="directory.import_checked", actor=org.admin).exists()

    response = http.post(
        reverse("directory:directory_import"),
        {"import_id": str(upload.pk), "decision": "import"},
    )
    status_url = reverse("directory:directory_import_status", args=[upload.pk])
    assert response.status_code == 302 and response["Location"] == status_url
    # The background job has not run yet: the page shows the progress and asks again.
    page = http.get(status_url).content.decode()
    assert "0 of 2 rows imported" in page and 'hx-trigger="every 2s"' in page
    assert Service.objects.count() == 0
    assert AuditEvent.objects.filter(action="directory.import_started").count() == 1
    assert run_queued_jobs() == ["2 added, 0 updated, 4 rows not imported"]
    fragment = http.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith("<div") or fragment.lstrip().startswith("<div")
    assert "2 services added, 0 updated, 4 rows not imported" in fragment
    assert "hx-trigger" not in fragment  # finished: no more asking
    assert "“perhaps” is not yes or no" in fragment
    names = set(Service.objects.values_list("name", flat=True))
    assert names == {"Home-delivered meals", "Medical transport"}
    rides = Service.objects.get(name="Medical transport")
    assert (rides.service_type, rides.accepting_referrals) == ("transport", False)
    assert rides.language_list == ["English", "Portuguese"]
    assert not ServiceOrganisation.objects.filter(name="Riverside Therapy").exists()
    upload.refresh_from_db()
    assert upload.status == "applied"
    assert AuditEvent.objects.filter(action="directory.imported").count() == 1


@pytest.mark.django_db
def test_confirming_twice_imports_once(org: Any, login: Any) -> None:
    http = login(org.admin)
    _upload(http, GOOD_AND_BAD)
    upload = DirectoryImport.objects.get()
    data = {"import_id": str(upload.pk), "decision": "import"}
    http.post(reverse("directory:directory_import"), data)
    second = http.post(reverse("directory:directory_import"), data)
    assert second.status_code == 404
    run_queued_jobs()
    assert Service.objects.count() == 2
    # The job run a second time (a worker died after finishing it) changes nothing.
    assert directory_import_run(str(upload.pk), org.admin.pk).startswith("nothing to do")


@pytest.mark.django_db
def test_progress_is_written_as_the_rows_are_imported(
    org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "".join(f"Org {n},Service {n},meals\n" for n in range(60))
    upload, _ = services.directory_import_preview(
        actor=org.admin, filename="big.csv", content="organisation,service,type\n" + rows
    )
    services.directory_import_start(actor=org.admin, import_id=upload.pk)
    seen = []
    real_apply_row = services._apply_row

    def watching(row: Any) -> None:
        seen.append(DirectoryImport.objects.get(pk=upload.pk).rows_done)
        real_apply_row(row)

    monkeypatch.setattr(services, "_apply_row", watching)
    run_queued_jobs()
    assert seen[0] == 0 and seen[25] == 25 and seen[50] == 50 and seen[-1] == 50
    upload.refresh_from_db()
    assert (upload.status, upload.rows_done, upload.rows_total) == ("applied", 60, 60)


@pytest.mark.django_db
def test_an_existing_service_is_updated_not_duplicated(org: Any, meals: Any) -> None:
    text = (
        "organisation,service,type,hours,accepting_referrals\n"
        "EASTSIDE MEALS ON WHEELS,Home-delivered meals,Meals and nutrition,Weekdays,no\n"
    )
    report = check_directory_csv(text)
    assert [r.action for r in report.rows] == ["update"]
    upload, _ = services.directory_import_preview(actor=org.admin, filename="x.csv", content=text)
    services.directory_import_apply(actor=org.admin, import_id=upload.pk)
    meals.refresh_from_db()
    assert (meals.hours, meals.accepting_referrals) == ("Weekdays", False)
    assert Service.objects.count() == 1


@pytest.mark.django_db
def test_a_row_the_database_refuses_is_rolled_back_whole(
    org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "organisation,service,type\nFirst Org,Meals,meals\nSecond Org,Rides,transport\n"
    upload, _ = services.directory_import_preview(actor=org.admin, filename="x.csv", content=text)
    real_create = Service.objects.create

    def failing_create(**kwargs: Any) -> Any:
        if kwargs["name"] == "Rides":
            from django.db import IntegrityError

            raise IntegrityError("simulated")
        return real_create(**kwargs)

    monkeypatch.setattr(Service.objects, "create", failing_create)
    report = services.directory_import_apply(actor=org.admin, import_id=upload.pk)
    assert [r.line for r in report.rejected] == [3]
    # the organisation created for the refused row was rolled back with it
    assert set(ServiceOrganisation.objects.values_list("name", flat=True)) == {"First Org"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("name,phone\nA,1\n", "these are missing: organisation, service, type"),
        ("organisation,service,type\n", "no rows"),
        ("organisation,service,type\nA\x00,B,meals\n", "invalid control characters"),
    ],
)
def test_file_level_problems_are_reported(text: str, message: str, db: None) -> None:
    report = check_directory_csv(text)
    assert not report.can_import
    assert message in " ".join(report.file_errors)


@pytest.mark.django_db
def test_a_file_with_a_nul_byte_is_refused_with_a_clear_message(org: Any, login: Any) -> None:
    """PostgreSQL cannot store a NUL: the upload is refused with a message, not a 500."""
    response = _upload(login(org.admin), "organisation,service,type\nMeals\x00,Hot meals,meals\n")
    assert response.status_code == 400
    assert "invalid control characters (NUL)" in response.content.decode()
    assert DirectoryImport.objects.count() == 0


@pytest.mark.django_db
def test_a_file_name_with_control_characters_is_kept_without_them(org: Any, login: Any) -> None:
    response = _upload(login(org.admin), GOOD_AND_BAD, name="services\x00\x07.csv")
    assert response.status_code == 200
    assert DirectoryImport.objects.get().filename == "services.csv"


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_with_a_clear_message(org: Any, login: Any) -> None:
    http = login(org.admin)
    response = http.post(
        reverse("directory:directory_import"),
        {"file": SimpleUploadedFile("s.csv", "organisation\nCafé".encode("utf-16"))},
    )
    assert response.status_code == 400
    assert "CSV UTF-8" in response.content.decode()
    assert DirectoryImport.objects.count() == 0


@pytest.mark.django_db
def test_discarding_imports_nothing(org: Any, login: Any) -> None:
    http = login(org.admin)
    _upload(http, GOOD_AND_BAD)
    upload = DirectoryImport.objects.get()
    http.post(
        reverse("directory:directory_import"),
        {"import_id": str(upload.pk), "decision": "discard"},
    )
    upload.refresh_from_db()
    assert upload.status == "discarded"
    assert Service.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["junior", "supervisor", "director"])
def test_import_is_for_administrators_only(org: Any, login: Any, role: str) -> None:
    http = login(org.users()[role])
    assert http.get(reverse("directory:directory_import")).status_code == 404
    assert _upload(http, GOOD_AND_BAD).status_code == 404


# --- searching ----------------------------------------------------------------------------------


@pytest.fixture
def directory(db: None) -> None:
    text = (
        "organisation,service,type,languages,city,accepting_referrals,eligibility\n"
        'Eastside Meals,Home-delivered meals,meals,"English, Spanish",Springfield,yes,Over 60\n'
        "Springfield Rides,Medical transport,transport,English,Springfield,no,Medicaid members\n"
        'Harbor Counselling,Grief counselling,behavioural_health,"English, Vietnamese",'
        "Chicopee,yes,Adults\n"
    )
    report = check_directory_csv(text)
    for row in report.accepted:
        services._apply_row(row)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Home-delivered meals", "Medical transport", "Grief counselling"}),
        ("?q=springfield", {"Home-delivered meals", "Medical transport"}),
        ("?q=medicaid", {"Medical transport"}),
        ("?service_type=behavioural_health", {"Grief counselling"}),
        ("?language=vietnamese", {"Grief counselling"}),
        ("?accepting=on", {"Home-delivered meals", "Grief counselling"}),
        ("?q=springfield&accepting=on", {"Home-delivered meals"}),
    ],
)
def test_directory_search_and_filters(
    org: Any,
    login: Any,
    directory: None,
    query: str,
    expected: set[str],
    django_assert_max_num_queries: Any,
) -> None:
    http = login(org.junior)
    with django_assert_max_num_queries(10):  # session, user, 2FA and 3 for the page
        response = http.get(reverse("directory:directory") + query)
    assert response.status_code == 200
    shown = {s.name for s in response.context["result"].services}
    assert shown == expected


@pytest.mark.django_db
def test_directory_offers_a_referral_link_when_choosing_for_a_client(
    org: Any, login: Any, directory: None
) -> None:
    http = login(org.junior)
    response = http.get(reverse("directory:directory") + f"?for={org.junior_client.pk}")
    assert "Refer to this service" in response.content.decode()
    response = http.get(reverse("directory:directory") + "?for=not-a-uuid")
    assert "Refer to this service" not in response.content.decode()


@pytest.mark.django_db
def test_administrators_see_the_directory_with_maintenance_links(
    org: Any, login: Any, directory: None
) -> None:
    page = login(org.admin).get(reverse("directory:directory")).content.decode()
    assert reverse("directory:directory_import") in page
    assert reverse("admin:directory_service_changelist") in page


@pytest.mark.django_db
def test_django_admin_lets_administrators_maintain_the_directory_and_audits_it(
    org: Any, login: Any, meals: Any
) -> None:
    http = login(org.admin)
    assert http.get(reverse("admin:directory_service_changelist")).status_code == 200
    assert http.get(reverse("admin:core_holiday_changelist")).status_code == 200
    mark = _last_sequence()
    response = http.post(
        reverse("admin:core_holiday_add"), {"date": "2026-12-24", "name": "Christmas Eve"}
    )
    assert response.status_code == 302
    holiday = Holiday.objects.get(name="Christmas Eve")
    [event] = _events_since(mark)  # one event per admin action, not one per audit layer
    assert (event.action, event.actor) == ("admin.added", org.admin)
    assert event.target_id == str(holiday.pk)
    assert event.detail["object"] == "Christmas Eve (2026-12-24)"

    mark = _last_sequence()
    response = http.post(reverse("admin:core_holiday_delete", args=[holiday.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert [e.action for e in _events_since(mark)] == ["admin.deleted"]


def _last_sequence() -> int:
    last = AuditEvent.objects.order_by("-sequence").first()
    return last.sequence if last else 0


def _events_since(sequence: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(sequence__gt=sequence).order_by("sequence"))


_SERVICE_FIELDS = (
    "name",
    "service_type",
    "description",
    "eligibility",
    "languages",
    "address_line",
    "city",
    "state",
    "postal_code",
    "phone",
    "email",
    "hours",
)


@pytest.mark.django_db
def test_an_organisation_changed_with_a_new_service_in_the_admin_is_one_audit_event(
    org: Any, login: Any, meals: Any
) -> None:
    organisation = meals.organisation
    existing = {f"services-0-{name}": getattr(meals, name) for name in _SERVICE_FIELDS}
    data = {
        "name": organisation.name,
        "website": organisation.website,
        "phone": "555-0100",
        "is_active": "on",
        "services-TOTAL_FORMS": "2",
        "services-INITIAL_FORMS": "1",
        "services-MIN_NUM_FORMS": "0",
        "services-MAX_NUM_FORMS": "1000",
        "services-0-id": meals.pk,
        "services-0-organisation": organisation.pk,
        **existing,
        "services-0-accepting_referrals": "on",
        "services-0-is_active": "on",
        "services-1-organisation": organisation.pk,
        "services-1-name": "Grocery delivery",
        "services-1-service_type": "meals",
        "services-1-accepting_referrals": "on",
        "services-1-is_active": "on",
    }
    mark = _last_sequence()
    response = login(org.admin).post(
        reverse("admin:directory_serviceorganisation_change", args=[organisation.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Service.objects.filter(organisation=organisation, name="Grocery delivery").exists()
    [event] = _events_since(mark)
    assert (event.action, event.target_id) == ("admin.changed", str(organisation.pk))
    assert event.detail["change"] == [
        {"changed": {"fields": ["Phone"]}},
        {"added": {"name": "service", "object": "Grocery delivery — Eastside Meals on Wheels"}},
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("organisation", ["not-a-uuid", "00000000-0000-0000-0000-00000000000g"])
def test_a_malformed_organisation_id_in_the_admin_is_a_form_error(
    org: Any, login: Any, organisation: str
) -> None:
    """The admin's autocomplete looked the malformed id up to draw the form again: a 500."""
    response = login(org.admin).post(
        reverse("admin:directory_service_add"),
        {"organisation": organisation, "name": "Hot meals", "service_type": "meals"},
    )
    assert response.status_code == 200  # the admin draws the form again with its errors
    html = response.content.decode()
    assert "<title>Error: Add service" in html
    assert 'class="errorlist' in html
    assert not Service.objects.filter(name="Hot meals").exists()


@pytest.mark.django_db
def test_the_release_before_the_progress_columns_can_still_insert_an_upload(org: Any) -> None:
    """During an upgrade the previous release keeps running while `migrate` adds columns: its
    INSERT names only the columns it knows, and the database fills in the rest."""
    import uuid

    from django.db import connection
    from django.utils import timezone

    table = DirectoryImport._meta.db_table
    pk = uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, created_at, updated_at, uploaded_by_id, filename, "  # noqa: S608 - our own table name
            "content, status, applied_at, summary) VALUES (%s, %s, %s, %s, %s, %s, %s, NULL, %s)",
            [
                pk.hex if connection.vendor == "sqlite" else pk,
                timezone.now(),
                timezone.now(),
                org.admin.pk,
                "old.csv",
                "organisation,service,type\n",
                "pending",
                "{}",
            ],
        )
    upload = DirectoryImport.objects.get(pk=pk)
    assert (upload.rows_done, upload.rows_total) == (0, 0)
