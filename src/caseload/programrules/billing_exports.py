"""The month's billing file as a CSV export (``caseload.exports``): one row per client and
program with codes met, for the clients the requester may see, with one ``client.listed`` event
per client it holds (``page: program_month_csv``), as the month-end page writes for the
clients it shows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlencode

from django.urls import reverse

from caseload.access import policies
from caseload.audit.services import audit_record_many
from caseload.clients.models import Client
from caseload.exports.kinds import ExportKind, ExportRows, Filters, Row
from caseload.programrules import selectors
from caseload.staff.models import User

KIND = "programrules.billing"

BILLING_COLUMNS = [
    "client",
    "mrn",
    "program",
    "month",
    "codes",
    "minutes",
    "billing_practitioner",
    "care_manager",
]


def _check(actor: User, filters: Filters) -> None:
    policies.require_program_reports(actor)


def _rows(actor: User, filters: Filters) -> ExportRows:
    month = selectors.parse_month(filters["month"])
    summary = selectors.program_month_summary(actor=actor, month=month)
    billed = [row for row in summary.rows if row.codes]
    month_text = f"{summary.month:%Y-%m}"

    def rows() -> Iterator[Row]:
        for row in billed:
            yield (
                [
                    row.client.full_name,
                    row.client.mrn,
                    row.program,
                    month_text,
                    " ".join(row.codes),
                    row.minutes,
                    row.billing_practitioner,
                    row.care_manager.display_name if row.care_manager else "",
                ],
                row.client.pk,
            )

    return ExportRows(header=BILLING_COLUMNS, total=len(billed), rows=rows())


def _record_contents(actor: User, filters: Filters, client_ids: list[uuid.UUID]) -> None:
    month = selectors.parse_month(filters["month"])
    audit_record_many(
        actor=actor,
        action="client.listed",
        targets=[(Client(id=pk), Client(id=pk)) for pk in client_ids],
        detail={"page": "program_month_csv", "month": month.isoformat()},
    )


def _back(filters: Filters) -> str:
    return reverse("programrules:month") + "?" + urlencode({"month": filters["month"]})


BILLING = ExportKind(
    name=KIND,
    title="Program billing file",
    nav="",
    check=_check,
    rows=_rows,
    record_contents=_record_contents,
    download_name=lambda actor, filters: f"program-billing-{filters['month']}.csv",
    back=_back,
)
