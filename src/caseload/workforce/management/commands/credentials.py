"""`caseload credentials check|list|show CODE`: the credential rule files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseload.workforce import rules


class Command(BaseCommand):
    help = "Check, list or show the credential rule files (shipped and the organisation's)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check", help="Validate every credential rule file.")
        sub.add_parser("list", help="List the credentials with rules.")
        show = sub.add_parser("show", help="Print one credential's rule file.")
        show.add_argument("code")

    def handle(self, *args: Any, **options: Any) -> None:
        report = rules.load_report()
        action = options["action"]
        if action == "list":
            for code, rule in sorted(report.rules.items()):
                self.stdout.write(f"{code:<10} {rule.name} — {rule.body}")
            return
        if action == "show":
            found = report.rules.get(options["code"].upper())
            if found is None:
                raise CommandError(f"No credential rule with the code '{options['code']}'.")
            raw = json.loads(Path(found.source).read_text(encoding="utf-8"))
            self.stdout.write(json.dumps(raw, indent=2, ensure_ascii=False))
            return
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        for code, rule in sorted(report.rules.items()):
            self.stdout.write(
                f"ok    {code}: {len(rule.routes)} routes, renewal every "
                f"{rule.renewal.cycle_years} years ({rule.source})"
            )
        for error in report.errors:
            self.stderr.write(f"FAIL  {error.source}")
            for problem in error.problems:
                self.stderr.write(f"      - {problem}")
        missing = [code for code in ("CCM", "CMC") if code not in report.rules]
        for code in missing:
            self.stderr.write(f"FAIL  no valid rule for {code}: the advisor needs it")
        if report.errors or missing:
            raise CommandError(f"{len(report.errors) + len(missing)} credential rule problem(s).")
        self.stdout.write(self.style.SUCCESS(f"{len(report.rules)} credential rules valid."))
