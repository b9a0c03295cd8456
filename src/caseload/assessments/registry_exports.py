"""The collaborative-care registry as a CSV export (``caseload.exports``): every open
enrolment of the program in the requester's scope, in the page's sort order, with one
``assessment.registry_exported`` event per client it holds."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlencode

from django.urls import reverse

from caseload.assessments import selectors
from caseload.audit.services import audit_record_many
from caseload.clients.models import Client
from caseload.core import clock
from caseload.exports.kinds import ExportKind, ExportRows, Filters, Row
from caseload.staff.models import User

KIND = "assessments.registry"

CSV_COLUMNS = [
    "Client",
    "MRN",
    "Care manager",
    "Enrolment status",
    "Start date",
    "Weeks in treatment",
    "PHQ-9 baseline",
    "PHQ-9 baseline date",
    "PHQ-9 latest",
    "PHQ-9 latest date",
    "PHQ-9 change %",
    "GAD-7 baseline",
    "GAD-7 latest",
    "GAD-7 change %",
    "Response",
    "Remission",
    "No follow-up within 4 weeks",
    "Not responding at 8+ weeks",
    "Psychiatric review due by",
]


def sort_of(value: str) -> str:
    """The sort as the registry page reads it: a known column ('-' reverses), else the
    default."""
    return value if value.lstrip("-") in selectors.REGISTRY_SORTS else "attention"


def _check(actor: User, filters: Filters) -> None:
    selectors.registry_program_get(actor=actor, program_id=filters["program"])


def _rows(actor: User, filters: Filters) -> ExportRows:
    program = selectors.registry_program_get(actor=actor, program_id=filters["program"])
    found = selectors.registry_rows(actor=actor, program=program, sort=sort_of(filters["sort"]))

    def rows() -> Iterator[Row]:
        for row in found:
            yield (
                [
                    row.sortable_name,
                    row.mrn,
                    row.care_manager,
                    row.status,
                    row.start_on.isoformat(),
                    row.weeks,
                    row.phq_baseline,
                    row.phq_baseline_on.isoformat() if row.phq_baseline_on else None,
                    row.phq_latest,
                    row.phq_latest_on.isoformat() if row.phq_latest_on else None,
                    row.phq_change,
                    row.gad_baseline,
                    row.gad_latest,
                    row.gad_change,
                    row.response,
                    row.remission,
                    row.no_followup_in_4_weeks,
                    row.not_responding,
                    row.review_due_by.isoformat() if row.review_due_by else None,
                ],
                row.client_id,
            )

    return ExportRows(header=CSV_COLUMNS, total=len(found), rows=rows())


def _record_contents(actor: User, filters: Filters, client_ids: list[uuid.UUID]) -> None:
    audit_record_many(
        actor=actor,
        action="assessment.registry_exported",
        targets=[(Client(id=pk), Client(id=pk)) for pk in client_ids],
        detail={"program": filters["program"], "format": "csv"},
    )


def _download_name(actor: User, filters: Filters) -> str:
    program = selectors.registry_program_get(actor=actor, program_id=filters["program"])
    return f"registry-{program.code}-{clock.today().isoformat()}.csv"


def _back(filters: Filters) -> str:
    url = reverse("assessments:registry", args=[filters["program"]])
    return f"{url}?{urlencode({'sort': filters['sort']})}"


REGISTRY = ExportKind(
    name=KIND,
    title="Collaborative-care registry",
    nav="registry",
    check=_check,
    rows=_rows,
    record_contents=_record_contents,
    download_name=_download_name,
    back=_back,
)
