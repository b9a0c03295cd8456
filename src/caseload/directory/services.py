"""Writes for the service directory: the CSV import (administrators), checked and reported
first, imported only once confirmed, by a background job that reports its progress.
Organisations and services are also kept by hand in the
Django admin (directory/admin.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, transaction

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.core import clock, jobs
from caseload.core.errors import NotFound, ValidationFailed
from caseload.core.text import clean
from caseload.directory.csv_import import Action, ImportReport, RowCheck, check_directory_csv
from caseload.directory.models import (
    DirectoryImport,
    DirectoryImportStatus,
    Service,
    ServiceOrganisation,
)

if TYPE_CHECKING:
    from caseload.staff.models import User


def directory_import_preview(
    *, actor: User, filename: str, content: str
) -> tuple[DirectoryImport, ImportReport]:
    """Keep an uploaded directory CSV, unapplied, with the report of what it would do."""
    policies.require_administrator(actor)
    report = check_directory_csv(content)
    with transaction.atomic():
        upload = DirectoryImport.objects.create(
            uploaded_by=actor,
            filename=clean(filename)[:255],
            content=content,
            summary=report.summary(),
        )
        audit_record(
            actor=actor,
            action="directory.import_checked",
            target=upload,
            detail={
                "add": report.to_add,
                "update": report.to_update,
                "rejected": len(report.rejected),
            },
        )
    return upload, report


def _pending_import(
    actor: User, import_id: Any, status: str = DirectoryImportStatus.PENDING
) -> DirectoryImport:
    policies.require_administrator(actor)
    try:
        return DirectoryImport.objects.select_for_update().get(pk=import_id, status=status)
    except (DirectoryImport.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        raise NotFound("That import is not waiting for confirmation.") from exc


def _apply_row(row: RowCheck) -> None:
    values = row.values
    organisation = ServiceOrganisation.objects.filter(name__iexact=row.organisation).first()
    if organisation is None:
        organisation = ServiceOrganisation.objects.create(
            name=row.organisation, website=values["website"]
        )
    elif values["website"] and organisation.website != values["website"]:
        organisation.website = values["website"]
        organisation.save(update_fields=["website", "updated_at"])
    fields = {
        "service_type": values["type"],
        "description": values["description"],
        "eligibility": values["eligibility"],
        "languages": values["languages"],
        "address_line": values["address"],
        "city": values["city"],
        "state": values["state"],
        "postal_code": values["postal_code"],
        "phone": values["phone"],
        "email": values["email"],
        "hours": values["hours"],
        "accepting_referrals": values["accepting_referrals"],
        "is_active": True,
    }
    service = Service.objects.filter(organisation=organisation, name__iexact=row.service).first()
    if service is None:
        Service.objects.create(organisation=organisation, name=row.service, **fields)
    else:
        for name, value in fields.items():
            setattr(service, name, value)
        service.save(update_fields=[*fields, "updated_at"])


#: Rows written between two updates of an import's progress.
PROGRESS_EVERY = 25


def directory_import_start(*, actor: User, import_id: Any) -> DirectoryImport:
    """Confirm a checked upload: the background job ``directory.jobs.directory_import_run``
    imports it (queued with this transaction); its page shows the progress."""
    with transaction.atomic():
        upload = _pending_import(actor, import_id)
        report = check_directory_csv(upload.content)
        if report.file_errors:
            raise ValidationFailed(report.file_errors[0], code="import_file_invalid")
        upload.status = DirectoryImportStatus.IMPORTING
        upload.rows_done = 0
        upload.rows_total = len(report.accepted)
        upload.save(update_fields=["status", "rows_done", "rows_total", "updated_at"])
        audit_record(
            actor=actor,
            action="directory.import_started",
            target=upload,
            detail={"rows": upload.rows_total},
        )
        jobs.enqueue("caseload.directory.jobs.directory_import_run", str(upload.pk), actor.pk)
    return upload


def directory_import_apply(*, actor: User, import_id: Any) -> ImportReport:
    """Import a confirmed upload: each accepted row whole (its own transaction) or not at all.

    The file is checked again first, so the result reflects the directory as it is now (and a
    run again after a worker died updates the rows it had already added). Rows rejected by the
    check are skipped; a row the database refuses is rolled back alone and reported. The
    progress is written every ``PROGRESS_EVERY`` rows, for the import's page. A pending upload
    (not yet confirmed) is imported the same way, at once.
    """
    with transaction.atomic():
        upload = DirectoryImport.objects.select_for_update().filter(pk=import_id).first()
        if upload is None or upload.status not in (
            DirectoryImportStatus.PENDING,
            DirectoryImportStatus.IMPORTING,
        ):
            raise NotFound("That import is not waiting to be imported.")
        policies.require_administrator(actor)
        report = check_directory_csv(upload.content)
        if report.file_errors:
            raise ValidationFailed(report.file_errors[0], code="import_file_invalid")
        upload.status = DirectoryImportStatus.IMPORTING
        upload.rows_total = len(report.accepted)
        upload.save(update_fields=["status", "rows_total", "updated_at"])
    for done, row in enumerate(report.accepted, start=1):
        try:
            with transaction.atomic():
                _apply_row(row)
        except DatabaseError:
            row.action = Action.REJECT
            row.errors.append("The database refused this row; nothing of it was imported.")
        if done % PROGRESS_EVERY == 0:
            DirectoryImport.objects.filter(pk=upload.pk).update(rows_done=done)
    with transaction.atomic():
        upload = DirectoryImport.objects.select_for_update().get(pk=upload.pk)
        upload.status = DirectoryImportStatus.APPLIED
        upload.applied_at = clock.now()
        upload.rows_done = upload.rows_total
        upload.summary = report.summary()
        upload.save(update_fields=["status", "applied_at", "rows_done", "summary", "updated_at"])
        audit_record(
            actor=actor,
            action="directory.imported",
            target=upload,
            detail={
                "add": report.to_add,
                "update": report.to_update,
                "rejected": len(report.rejected),
            },
        )
    return report


def directory_import_discard(*, actor: User, import_id: Any) -> None:
    """Throw away an upload that was checked but not imported."""
    with transaction.atomic():
        upload = _pending_import(actor, import_id)
        upload.status = DirectoryImportStatus.DISCARDED
        upload.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="directory.import_discarded", target=upload)
