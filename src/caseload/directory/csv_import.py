"""Checking a service-directory CSV: which rows would be added, updated or rejected, and why.

The check never writes. Importing (services.directory_import_apply) re-runs it and writes each
accepted row in its own transaction, so a row is imported whole or not at all.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from caseload.directory.models import Service, ServiceOrganisation, ServiceType

MAX_ROWS = 5000

#: Column → accepted header spellings (compared lower-case, with _ and - read as spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": ("organisation", "organization", "organisation name", "organization name"),
    "service": ("service", "service name"),
    "type": ("type", "service type"),
    "description": ("description",),
    "eligibility": ("eligibility",),
    "languages": ("languages", "language"),
    "address": ("address", "address line", "street"),
    "city": ("city", "town"),
    "state": ("state",),
    "postal_code": ("postal code", "zip", "zip code", "postcode"),
    "phone": ("phone", "telephone"),
    "email": ("email", "e mail"),
    "hours": ("hours", "opening hours"),
    "accepting_referrals": ("accepting referrals", "accepting"),
    "website": ("website", "organisation website", "organization website", "web"),
}
REQUIRED = ("organisation", "service", "type")

_MAX_LENGTHS = {
    "organisation": ServiceOrganisation._meta.get_field("name").max_length,
    "service": Service._meta.get_field("name").max_length,
    "languages": Service._meta.get_field("languages").max_length,
    "address": Service._meta.get_field("address_line").max_length,
    "city": Service._meta.get_field("city").max_length,
    "state": Service._meta.get_field("state").max_length,
    "postal_code": Service._meta.get_field("postal_code").max_length,
    "phone": Service._meta.get_field("phone").max_length,
    "email": Service._meta.get_field("email").max_length,
    "hours": Service._meta.get_field("hours").max_length,
    "website": ServiceOrganisation._meta.get_field("website").max_length,
}
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_PHONE = re.compile(r"^[0-9+()./\- ext]{7,40}$", re.IGNORECASE)


class Action:
    ADD = "add"
    UPDATE = "update"
    REJECT = "reject"


@dataclass
class RowCheck:
    """One data row: its line in the file, what would happen, and why not when rejected."""

    line: int
    organisation: str
    service: str
    action: str
    errors: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def rejected(self) -> bool:
        return self.action == Action.REJECT


@dataclass
class ImportReport:
    file_errors: list[str] = field(default_factory=list)
    rows: list[RowCheck] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> list[RowCheck]:
        return [r for r in self.rows if not r.rejected]

    @property
    def rejected(self) -> list[RowCheck]:
        return [r for r in self.rows if r.rejected]

    @property
    def to_add(self) -> int:
        return sum(1 for r in self.rows if r.action == Action.ADD)

    @property
    def to_update(self) -> int:
        return sum(1 for r in self.rows if r.action == Action.UPDATE)

    @property
    def can_import(self) -> bool:
        return not self.file_errors and bool(self.accepted)

    def summary(self) -> dict[str, Any]:
        return {
            "file_errors": self.file_errors,
            "rows": len(self.rows),
            "add": self.to_add,
            "update": self.to_update,
            "rejected": [
                {
                    "line": r.line,
                    "organisation": r.organisation,
                    "service": r.service,
                    "errors": r.errors,
                }
                for r in self.rejected
            ],
        }


def _normalise_header(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").lower().split())


def _type_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in ServiceType.choices:
        lookup[value.lower()] = value
        lookup[value.replace("_", " ").lower()] = value
        lookup[str(label).lower()] = value
    return lookup


def _existing_services() -> set[tuple[str, str]]:
    return {
        (org.lower(), name.lower())
        for org, name in Service.objects.values_list("organisation__name", "name")
    }


def check_row(
    raw: dict[str, str],
    *,
    line: int,
    existing: set[tuple[str, str]],
    seen: dict[tuple[str, str], int],
) -> RowCheck:
    """Validate one row (``raw`` keyed by column name); never touches the database."""
    values = {key: (raw.get(key) or "").strip() for key in COLUMNS}
    organisation, service = values["organisation"], values["service"]
    errors: list[str] = []
    if not organisation:
        errors.append("The organisation's name is missing.")
    if not service:
        errors.append("The service's name is missing.")
    types = _type_lookup()
    kind = types.get(values["type"].lower()) if values["type"] else None
    if not values["type"]:
        errors.append("The service type is missing.")
    elif kind is None:
        errors.append(
            f"“{values['type']}” is not a service type. Use one of: "
            + ", ".join(ServiceType.values)
            + "."
        )
    for column, limit in _MAX_LENGTHS.items():
        if limit and len(values[column]) > limit:
            errors.append(f"The {column.replace('_', ' ')} is longer than {limit} characters.")
    accepting_text = values["accepting_referrals"].lower()
    accepting = True
    if accepting_text in _NO:
        accepting = False
    elif accepting_text and accepting_text not in _YES:
        errors.append(f"“{values['accepting_referrals']}” is not yes or no (accepting referrals).")
    if values["email"]:
        try:
            EmailValidator()(values["email"])
        except ValidationError:
            errors.append(f"“{values['email']}” is not an email address.")
    if values["website"]:
        try:
            URLValidator(schemes=["http", "https"])(values["website"])
        except ValidationError:
            errors.append(f"“{values['website']}” is not a web address (start with https://).")
    if values["phone"] and not _PHONE.match(values["phone"]):
        errors.append(f"“{values['phone']}” does not look like a phone number.")
    key = (organisation.lower(), service.lower())
    if organisation and service:
        if key in seen:
            errors.append(f"The same organisation and service are already on line {seen[key]}.")
        else:
            seen[key] = line
    action = Action.REJECT if errors else (Action.UPDATE if key in existing else Action.ADD)
    cleaned = {
        **values,
        "type": kind or "",
        "accepting_referrals": accepting,
    }
    return RowCheck(
        line=line,
        organisation=organisation,
        service=service,
        action=action,
        errors=errors,
        values=cleaned,
    )


def check_directory_csv(content: str) -> ImportReport:
    """Read the CSV text and report each row's fate; reads existing services once."""
    report = ImportReport()
    if "\x00" in content:
        report.file_errors.append(
            "The file contains invalid control characters. Save it again as a CSV file."
        )
        return report
    reader = csv.reader(io.StringIO(content))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        report.file_errors.append(f"The file could not be read as CSV: {exc}.")
        return report
    if not header or not any(cell.strip() for cell in header):
        report.file_errors.append("The file is empty. The first line must name the columns.")
        return report
    aliases = {alias: column for column, spellings in COLUMNS.items() for alias in spellings}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _normalise_header(cell)
        column = aliases.get(name)
        if column is None:
            if name:
                report.unknown_columns.append(cell.strip())
        elif column not in positions:
            positions[column] = index
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        report.file_errors.append(
            "The first line must name the columns; these are missing: " + ", ".join(missing) + "."
        )
        return report
    existing = _existing_services()
    seen: dict[tuple[str, str], int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(report.rows) >= MAX_ROWS:
                report.file_errors.append(
                    f"The file has more than {MAX_ROWS} rows. Split it into smaller files."
                )
                break
            raw = {col: row[i] if i < len(row) else "" for col, i in positions.items()}
            report.rows.append(check_row(raw, line=line, existing=existing, seen=seen))
    except csv.Error as exc:
        report.file_errors.append(f"Line {reader.line_num} could not be read as CSV: {exc}.")
    if not report.rows and not report.file_errors:
        report.file_errors.append("The file has a header line but no rows.")
    return report


def decode_upload(data: bytes) -> str:
    """The file's text (UTF-8, with or without a byte-order mark); ValueError otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            "The file is not UTF-8 text. In your spreadsheet choose “CSV UTF-8” when saving."
        ) from exc
