"""The directory's background jobs (caseload.core.jobs)."""

from __future__ import annotations

from caseload.directory import services
from caseload.directory.models import DirectoryImport, DirectoryImportStatus
from caseload.staff.models import User


def directory_import_run(import_id: str, actor_id: int) -> str:
    """Import a confirmed directory CSV, in the name of the administrator who confirmed it."""
    upload = DirectoryImport.objects.filter(pk=import_id).first()
    if upload is None or upload.status != DirectoryImportStatus.IMPORTING:
        return "nothing to do: the import is not waiting to be imported"  # run twice
    actor = User.objects.get(pk=actor_id)
    report = services.directory_import_apply(actor=actor, import_id=import_id)
    return (
        f"{report.to_add} added, {report.to_update} updated, "
        f"{len(report.rejected)} rows not imported"
    )
