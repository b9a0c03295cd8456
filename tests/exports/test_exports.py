"""Exports written by a background job: requested with the page's filters, followed by its
progress, downloaded by the requester alone, expired, and failing visibly."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client as HttpClient
from django.urls import reverse
from django_q.models import OrmQ, Schedule

from caseload.audit.models import AuditEvent
from caseload.audit.services import audit_record
from caseload.core import clock, jobs
from caseload.exports import kinds, services
from caseload.exports.models import Export, ExportStatus
from caseload.staff.models import CareerLevel, User
from tests import factories
from tests.conftest import Org
from tests.exports_support import csv_dicts, export_id_of, exported
from tests.jobs_support import run_queued_jobs

pytestmark = pytest.mark.django_db


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _seed_trail(org: Org) -> None:
    for user, client in (
        (org.junior, org.junior_client),
        (org.supervisor, org.supervisor_client),
        (org.other_cm, org.other_client),
    ):
        audit_record(actor=user, action="client.viewed", target=client, client=client)


# --- requesting ------------------------------------------------------------------------------


def test_requesting_the_audit_export_records_it_queues_its_job_and_shows_its_page(
    org: Org,
) -> None:
    _seed_trail(org)
    http = _as(org.director)
    response = http.post(reverse("audit:export"), {"username": "junior", "action": "client."})
    export = Export.objects.get(pk=export_id_of(response))
    assert (export.requested_by, export.kind, export.status) == (
        org.director,
        "audit.search",
        ExportStatus.QUEUED,
    )
    assert export.filters["username"] == "junior" and export.filters["action"] == "client."
    assert export.expires_at - clock.now() <= dt.timedelta(hours=24)
    requested = AuditEvent.objects.get(action="export.requested")
    assert (requested.actor, requested.target_id) == (org.director, str(export.pk))
    assert AuditEvent.objects.filter(action="audit.exported", actor=org.director).exists()
    assert OrmQ.objects.count() == 1  # the job, queued with the request's transaction
    page = http.get(response["Location"]).content.decode()
    assert "Preparing…" in page
    assert 'hx-trigger="every 2s"' in page  # htmx asks again while it is written
    assert "Check again" in page  # and without script, a link does


def test_the_export_holds_what_the_page_filtered_and_stops_polling_when_ready(org: Org) -> None:
    _seed_trail(org)
    http = _as(org.privacy)
    export_id = export_id_of(http.post(reverse("audit:export"), {"username": "other-cm"}))
    run_queued_jobs()
    fragment = http.get(reverse("exports:detail", args=[export_id]), HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "hx-trigger" not in body  # done: the polling stops
    assert reverse("exports:download", args=[export_id]) in body
    assert "1 row written" in body
    download = http.get(reverse("exports:download", args=[export_id]))
    rows = csv_dicts(download)
    assert [(r["actor"], r["client_id"]) for r in rows] == [("other-cm", str(org.other_client.pk))]
    assert download["Cache-Control"] == "no-store"
    downloaded = AuditEvent.objects.get(action="export.downloaded")
    assert (downloaded.actor, downloaded.detail) == (
        org.privacy,
        {"kind": "audit.search", "rows": 1},
    )


def test_filters_the_page_refuses_are_refused_and_nothing_is_queued(org: Org) -> None:
    http = _as(org.director)
    response = http.post(reverse("audit:export"), {"date_from": "1200-01-01"})
    assert response.status_code == 400
    assert "From" in response.content.decode()
    response = http.post(reverse("audit:export"), {"client": "a\x00b"})
    assert response.status_code == 400
    assert not Export.objects.exists() and not OrmQ.objects.exists()


def test_an_export_is_asked_for_with_post(org: Org) -> None:
    http = _as(org.director)
    assert http.get(reverse("audit:export")).status_code == 405
    assert not Export.objects.exists()


def test_who_may_not_search_the_audit_trail_may_not_export_it(org: Org) -> None:
    for user in (org.junior, org.supervisor, org.senior, org.admin):
        assert _as(user).post(reverse("audit:export")).status_code == 404
    assert not Export.objects.exists()


def test_the_search_page_offers_the_export_with_its_filters(org: Org) -> None:
    page = _as(org.director).get(reverse("audit:search"), {"username": "junior"})
    body = page.content.decode()
    assert f'action="{reverse("audit:export")}"' in body
    assert '<input type="hidden" name="username" value="junior">' in body


# --- the job ---------------------------------------------------------------------------------


def test_the_job_writes_progress_then_the_file_and_what_it_contained(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed_trail(org)
    for _ in range(4):
        audit_record(
            actor=org.junior,
            action="client.viewed",
            target=org.junior_client,
            client=org.junior_client,
        )
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    audit_kind = kinds.kind_get("audit.search")
    seen: list[tuple[int, int | None]] = []

    def watched_rows(actor: User, filters: kinds.Filters) -> kinds.ExportRows:
        found = audit_kind.rows(actor, filters)

        def rows() -> Iterator[kinds.Row]:
            for row in found.rows:
                record = Export.objects.get()
                seen.append((record.rows_written, record.rows_total))
                yield row

        return kinds.ExportRows(header=found.header, total=found.total, rows=rows())

    monkeypatch.setitem(
        kinds._kinds, "audit.search", dataclasses.replace(audit_kind, rows=watched_rows)
    )
    http = _as(org.director)
    export_id = export_id_of(http.post(reverse("audit:export"), {"action": "client.viewed"}))
    assert run_queued_jobs() == ["7 rows written"]
    assert seen == [(0, 7), (0, 7), (2, 7), (2, 7), (4, 7), (4, 7), (6, 7)]
    export = Export.objects.get(pk=export_id)
    assert (export.status, export.rows_written, export.rows_total) == (ExportStatus.DONE, 7, 7)
    assert export.expires_at == export.finished_at + dt.timedelta(hours=24)
    assert export.file_name == f"exports/{export.pk}.csv"
    with default_storage.open(export.file_name) as stored:
        lines = stored.read().decode().splitlines()
    assert lines[0].startswith("sequence,occurred_at") and len(lines) == 8
    listed = AuditEvent.objects.filter(action="client.listed", actor=org.director).values_list(
        "client_id", "detail"
    )
    format_csv = {"page": "audit_search", "format": "csv"}
    assert {pk for pk, detail in listed if detail == format_csv} == {
        org.junior_client.pk,
        org.supervisor_client.pk,
        org.other_client.pk,
    }


def test_the_audit_export_is_the_trail_before_the_request(org: Org) -> None:
    _seed_trail(org)
    http = _as(org.director)
    rows = csv_dicts(exported(http, reverse("audit:export")))
    actions = {r["action"] for r in rows}
    assert "client.viewed" in actions
    assert not actions & {"audit.exported", "export.requested", "client.listed"}


def test_a_job_run_twice_writes_once(org: Org) -> None:
    http = _as(org.director)
    export_id = export_id_of(http.post(reverse("audit:export")))
    assert services.export_write(export_id=export_id).endswith("rows written")
    assert services.export_write(export_id=export_id).startswith("nothing to do")


# --- who may download ------------------------------------------------------------------------


def test_only_the_requester_sees_and_downloads_an_export(org: Org) -> None:
    _seed_trail(org)
    export_id = export_id_of(_as(org.director).post(reverse("audit:export")))
    run_queued_jobs()
    detail = reverse("exports:detail", args=[export_id])
    download = reverse("exports:download", args=[export_id])
    for user in (org.privacy, org.junior, org.admin, org.senior):
        http = _as(user)
        assert http.get(detail).status_code == 404
        assert http.get(download).status_code == 404
        assert str(export_id) not in http.get(reverse("exports:mine")).content.decode()
    assert not AuditEvent.objects.filter(action="export.downloaded").exists()
    assert _as(org.director).get(download).status_code == 200
    assert _as(org.director).get(reverse("exports:detail", args=[uuid.uuid4()])).status_code == 404


def test_a_requester_who_lost_the_right_cannot_download(org: Org) -> None:
    export_id = export_id_of(_as(org.director).post(reverse("audit:export")))
    run_queued_jobs()
    org.director.career_level = CareerLevel.SENIOR
    org.director.save(update_fields=["career_level"])
    http = _as(org.director)
    assert http.get(reverse("exports:download", args=[export_id])).status_code == 404
    assert http.get(reverse("exports:detail", args=[export_id])).status_code == 404


def test_a_registry_export_holds_only_the_requesters_clients(org: Org) -> None:
    # The other care manager's client is enrolled in the same program, outside the scope.
    outside = factories.EnrolmentFactory(program=org.geriatric, care_manager=org.other_cm).client
    http = _as(org.supervisor)
    url = reverse("assessments:registry_csv", args=[org.geriatric.pk])
    rows = csv_dicts(exported(http, url, {"sort": "name"}))
    mrns = {r["MRN"] for r in rows}
    assert mrns == {org.junior_client.mrn, org.supervisor_client.mrn}
    assert outside.mrn not in mrns
    exported_ids = set(
        AuditEvent.objects.filter(action="assessment.registry_exported").values_list(
            "client_id", flat=True
        )
    )
    assert exported_ids == {org.junior_client.pk, org.supervisor_client.pk}
    export = Export.objects.get()
    assert export.filters == {"program": str(org.geriatric.pk), "sort": "name"}
    assert export.download_name.startswith("registry-geriatric-")


def test_an_unknown_registry_sort_is_the_pages_default(org: Org) -> None:
    url = reverse("assessments:registry_csv", args=[org.geriatric.pk])
    export_id_of(_as(org.director).post(url, {"sort": "=cmd|calc"}))
    assert Export.objects.get().filters["sort"] == "attention"


def test_the_registry_of_a_program_out_of_scope_cannot_be_exported(org: Org) -> None:
    url = reverse("assessments:registry_csv", args=[org.chronic.pk])
    assert _as(org.junior).post(url, {"sort": "name"}).status_code == 404
    assert not Export.objects.exists()


def test_export_files_are_not_served_by_any_address(org: Org) -> None:
    export_id = export_id_of(_as(org.director).post(reverse("audit:export")))
    run_queued_jobs()
    name = Export.objects.get(pk=export_id).file_name
    http = _as(org.director)
    for path in (f"/{name}", f"/media/{name}", f"/static/{name}"):
        assert http.get(path).status_code == 404, path


def test_your_exports_lists_the_requesters_exports(org: Org) -> None:
    http = _as(org.director)
    export_id = export_id_of(http.post(reverse("audit:export")))
    page = http.get(reverse("exports:mine")).content.decode()
    assert reverse("exports:detail", args=[export_id]) in page
    assert "Audit trail search" in page and "Queued" in page


# --- expiry ----------------------------------------------------------------------------------


def test_expired_exports_are_deleted_by_the_periodic_job(org: Org, settings: Any) -> None:
    settings.CASELOAD_EXPORT_TTL_HOURS = 2
    http = _as(org.director)
    export_id = export_id_of(http.post(reverse("audit:export")))
    run_queued_jobs()
    export = Export.objects.get(pk=export_id)
    assert export.expires_at == export.finished_at + dt.timedelta(hours=2)
    assert default_storage.exists(export.file_name)
    assert services.exports_expire() == "0 exports expired"  # not yet
    assert http.get(reverse("exports:download", args=[export_id])).status_code == 200

    Export.objects.filter(pk=export_id).update(expires_at=clock.now() - dt.timedelta(seconds=1))
    # Past its expiry it is refused at once, before the periodic job has run.
    response = http.get(reverse("exports:download", args=[export_id]))
    assert response.status_code == 302
    assert "Expired" in http.get(response["Location"]).content.decode()
    assert services.exports_expire() == "1 exports expired"
    assert not default_storage.exists(export.file_name)
    expired = Export.objects.get(pk=export_id)
    assert (expired.status, expired.file_name) == (ExportStatus.EXPIRED, "")
    assert services.export_write(export_id=export_id).startswith("nothing to do")
    assert services.exports_expire() == "0 exports expired"  # once


def test_the_expiry_job_is_periodic() -> None:
    found = {job.name: job for job in jobs.periodic_jobs()}
    assert found["expired exports"].func_path == "caseload.exports.jobs.exports_expire"
    assert found["expired exports"].minutes == 60


# --- failure ---------------------------------------------------------------------------------


@pytest.fixture
def breaking_kind() -> Iterator[str]:
    """An export kind whose rows fail after the first one."""

    def rows(actor: User, filters: kinds.Filters) -> kinds.ExportRows:
        def generate() -> Iterator[kinds.Row]:
            yield (["one"], None)
            raise RuntimeError("the disk is full")

        return kinds.ExportRows(header=["value"], total=2, rows=generate())

    kind = kinds.ExportKind(
        name="test.breaking",
        title="Breaking test export",
        nav="",
        check=lambda actor, filters: None,
        rows=rows,
        record_contents=lambda actor, filters, clients: None,
        download_name=lambda actor, filters: "breaking.csv",
        back=lambda filters: "/",
    )
    kinds.register(kind)
    yield kind.name
    del kinds._kinds[kind.name]


def test_a_failing_export_says_failed_and_is_a_failed_job_given_up(
    org: Org, breaking_kind: str
) -> None:
    export = services.export_request(actor=org.director, kind=breaking_kind, filters={})
    queued = OrmQ.objects.get().task
    assert queued["name"] == "exports.jobs.export_write (attempt 1 of 1)"
    with pytest.raises(jobs.JobFailed, match="attempt 1 of 1 failed; giving up: RuntimeError"):
        run_queued_jobs()
    assert not Schedule.objects.filter(name__startswith="retry").exists()  # not tried again
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.error == "RuntimeError: the disk is full"
    assert not default_storage.exists(f"exports/{export.pk}.csv")
    http = _as(org.director)
    page = http.get(reverse("exports:detail", args=[export.pk])).content.decode()
    assert "Failed" in page and "hx-trigger" not in page
    assert http.get(reverse("exports:download", args=[export.pk])).status_code == 302
