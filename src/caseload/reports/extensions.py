"""The month report's extension point for capabilities other engineers build in their own apps
(minutes toward time-based program thresholds, credentials expiring within 90 days, …).

The report imports none of them. An installed app that has figures for the month offers a module
``<app>/report_figures.py`` with one function::

    def month_figures(*, actor, first_day, end, program_ids, **_) -> dict:
        # actor: who reads the report (a senior or a director; their reads stay theirs to
        # scope); first_day .. end (exclusive) is the month in the organisation's time zone;
        # program_ids is None for the whole organisation, else the programs reported on.
        return {
            "title": "Credentials",
            "rows": [
                {"label": "Credentials expiring within 90 days", "value": 3,
                 "per_care_manager": {user_id: 1, ...}},   # optional
            ],
        }

and the report shows each as a section of its own (HTML, CSV and PDF). The figures are theirs to
compute with SQL aggregates, like the report's own. Installed now: ``programrules`` (minutes
toward time-based program thresholds) and ``workforce`` (credentials expiring within 90 days).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from caseload.reports.months import Month

MODULE = "report_figures"


@dataclass
class ExtensionRow:
    label: str
    value: Any
    per_care_manager: dict[Any, Any] = field(default_factory=dict)


@dataclass
class ExtensionSection:
    app: str
    title: str
    rows: list[ExtensionRow]


def providers() -> list[tuple[str, Any]]:
    """(app label, month_figures) of every installed app that offers figures."""
    found = []
    for config in apps.get_app_configs():
        if config.module is not None and module_has_submodule(config.module, MODULE):
            module = import_module(f"{config.name}.{MODULE}")
            found.append((config.label, module.month_figures))
    return found


def extension_sections(
    *, actor: Any, month: Month, program_ids: list[Any] | None
) -> list[ExtensionSection]:
    sections = []
    for label, month_figures in providers():
        offered = month_figures(
            actor=actor, first_day=month.first_day, end=month.end, program_ids=program_ids
        )
        sections.append(
            ExtensionSection(
                app=label,
                title=str(offered.get("title", label)),
                rows=[
                    ExtensionRow(
                        label=str(row["label"]),
                        value=row.get("value"),
                        per_care_manager=dict(row.get("per_care_manager") or {}),
                    )
                    for row in offered.get("rows", [])
                ],
            )
        )
    return sections
