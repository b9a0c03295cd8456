"""Exports: requesting one (a record and its background job), writing it (the job), opening
it for download, and deleting expired files."""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
import uuid
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from caseload.audit.services import audit_record
from caseload.core import clock, jobs
from caseload.core.csv import SafeWriter
from caseload.core.errors import NotFound
from caseload.exports.kinds import ExportKind, Filters, kind_get
from caseload.exports.models import Export, ExportStatus
from caseload.staff.models import User

logger = logging.getLogger("caseload.exports")

#: Rows written between two updates of an export's progress.
PROGRESS_EVERY = 500
#: Where the files go in Django's default storage (never a static or media URL).
STORAGE_DIR = "exports"
_JOB = "caseload.exports.jobs.export_write"


def ttl() -> dt.timedelta:
    return dt.timedelta(hours=settings.CASELOAD_EXPORT_TTL_HOURS)


def export_request(*, actor: User, kind: str, filters: Filters) -> Export:
    """Record an export of ``kind`` with the page's validated ``filters`` and queue the job
    that writes it (in this transaction); NotFound if ``actor`` may not have it."""
    export_kind = kind_get(kind)
    export_kind.check(actor, filters)
    with transaction.atomic():
        export = Export.objects.create(
            requested_by=actor,
            kind=kind,
            filters=filters,
            expires_at=clock.now() + ttl(),
            download_name=export_kind.download_name(actor, filters),
        )
        audit_record(
            actor=actor,
            action="export.requested",
            target=export,
            detail={"kind": kind, "filters": filters},
        )
        jobs.enqueue_once(_JOB, str(export.pk))
    return export


def export_get(*, actor: User, export_id: Any) -> Export:
    """``actor``'s own export; NotFound for anyone else's, or when ``actor`` may no longer
    have its kind with its filters."""
    try:
        export = Export.objects.get(pk=export_id, requested_by=actor)
    except (Export.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Export not found.") from exc
    kind_get(export.kind).check(actor, export.filters)
    return export


def exports_of(*, actor: User, limit: int = 50) -> list[Export]:
    """``actor``'s latest exports, newest first."""
    return list(Export.objects.filter(requested_by=actor)[:limit])


def export_is_downloadable(export: Export) -> bool:
    return export.status == ExportStatus.DONE and export.expires_at > clock.now()


def export_open(*, actor: User, export_id: Any) -> tuple[Export, IO[bytes]]:
    """``actor``'s finished, unexpired export and its file, opened; the download is audited.
    NotFound otherwise (not theirs, not ready, expired)."""
    export = export_get(actor=actor, export_id=export_id)
    if not export_is_downloadable(export):
        raise NotFound("That export is not ready to download.")
    try:
        stream = default_storage.open(export.file_name, "rb")
    except FileNotFoundError as exc:
        raise NotFound("That export's file is gone.") from exc
    audit_record(
        actor=actor,
        action="export.downloaded",
        target=export,
        detail={"kind": export.kind, "rows": export.rows_written},
    )
    return export, stream


def export_write(*, export_id: str) -> str:
    """The job: write the export's CSV through the storage API, with progress, then record
    what it contained. A failure marks the export failed (and is raised for the job's log)."""
    export = Export.objects.filter(pk=export_id).first()
    if export is None or not export.in_progress:
        return "nothing to do: the export is not waiting to be written"
    try:
        return _write(export)
    except Exception as error:
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED,
            finished_at=clock.now(),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise


def _write(export: Export) -> str:
    actor = User.objects.get(pk=export.requested_by_id)
    kind = kind_get(export.kind)
    kind.check(actor, export.filters)  # still allowed, in their scope as it is now
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=clock.now(), rows_written=0
    )
    content = kind.rows(actor, export.filters)
    Export.objects.filter(pk=export.pk).update(rows_total=content.total)
    clients: dict[uuid.UUID, None] = {}
    written = 0
    with tempfile.TemporaryFile() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = SafeWriter(text)
        writer.writerow(content.header)
        for cells, client_id in content.rows:
            writer.writerow(cells)
            if client_id is not None:
                clients[client_id] = None
            written += 1
            if written % PROGRESS_EVERY == 0:
                Export.objects.filter(pk=export.pk).update(rows_written=written)
        text.flush()
        text.detach()
        raw.seek(0)
        name = default_storage.save(f"{STORAGE_DIR}/{export.pk}.csv", File(raw))
    try:
        return _finish(export, kind, actor, name, written, list(clients))
    except Exception:
        default_storage.delete(name)
        raise


def _finish(
    export: Export,
    kind: ExportKind,
    actor: User,
    name: str,
    written: int,
    clients: list[uuid.UUID],
) -> str:
    finished = clock.now()
    with transaction.atomic():
        updated = Export.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE,
            rows_written=written,
            rows_total=written,
            finished_at=finished,
            expires_at=finished + ttl(),
            file_name=name,
        )
        if not updated:  # expired or written by another attempt meanwhile: keep no file
            transaction.on_commit(lambda: default_storage.delete(name))
            return "nothing to do: the export was no longer waiting"
        kind.record_contents(actor, export.filters, clients)
    return f"{written} rows written"


def exports_expire() -> str:
    """Delete the files of exports past their expiry and mark them expired (periodic)."""
    now = clock.now()
    expired = 0
    stale = Export.objects.filter(expires_at__lte=now).exclude(status=ExportStatus.EXPIRED)
    for export in stale.only("pk", "file_name"):
        if export.file_name:
            default_storage.delete(export.file_name)
        Export.objects.filter(pk=export.pk).update(status=ExportStatus.EXPIRED, file_name="")
        expired += 1
    return f"{expired} exports expired"
