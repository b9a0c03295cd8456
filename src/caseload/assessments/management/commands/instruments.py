"""`caseload instruments check|list|show CODE|import-fhir FILE`: the instrument definitions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseload.assessments import catalogue
from caseload.assessments.definitions import InstrumentError
from caseload.assessments.fhir import instrument_from_questionnaire


class Command(BaseCommand):
    help = "Check, list or import assessment instrument definitions."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check", help="Validate every definition (shipped and organisation's).")
        sub.add_parser("list", help="List the instruments offered.")
        show = sub.add_parser("show", help="Print one instrument's definition as JSON.")
        show.add_argument("code")
        imp = sub.add_parser(
            "import-fhir",
            help="Convert a scorable FHIR Questionnaire into a definition file (printed, or "
            "written with --out).",
        )
        imp.add_argument("path")
        imp.add_argument("--code", default=None, help="Code for the new instrument.")
        imp.add_argument("--out", default=None, help="Write the definition to this file.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check":
            self._check()
        elif action == "list":
            for instrument in catalogue.load_all().instruments.values():
                self.stdout.write(
                    f"{instrument.code:<12} {instrument.version:<10} {instrument.short_name:<14} "
                    f"{instrument.source}"
                )
        elif action == "show":
            found = catalogue.load_all().instruments.get(options["code"])
            if found is None:
                raise CommandError(f"No instrument with the code '{options['code']}'.")
            self.stdout.write(json.dumps(found.raw, indent=2, ensure_ascii=False))
        elif action == "import-fhir":
            self._import(options["path"], options["code"], options["out"])

    def _check(self) -> None:
        report = catalogue.load_all()
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        for code, instrument in sorted(report.instruments.items()):
            self.stdout.write(f"ok    {code} {instrument.version} ({instrument.source})")
        for error in report.errors:
            self.stderr.write(f"FAIL  {error.source}")
            for problem in error.problems:
                self.stderr.write(f"      - {problem}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} definition file(s) are invalid.")
        self.stdout.write(self.style.SUCCESS(f"{len(report.instruments)} instruments valid."))

    def _import(self, path: str, code: str | None, out: str | None) -> None:
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
            instrument = instrument_from_questionnaire(raw, source=path, code=code)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except InstrumentError as exc:
            raise CommandError("\n".join([f"{path} cannot be imported:", *exc.problems])) from exc
        text = json.dumps(instrument.raw, indent=2, ensure_ascii=False) + "\n"
        if out:
            Path(out).write_text(text, encoding="utf-8")
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {out}: '{instrument.code}', {len(instrument.questions)} "
                    "questions. Add bands and flags to its scoring block if needed."
                )
            )
        else:
            self.stdout.write(text)
