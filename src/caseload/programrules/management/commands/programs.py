"""`caseload programs check [--file PATH] | list | evaluate FACTS.json`: the program rules.

``evaluate`` reads a JSON list of client-month facts (docs/programs.md) and prints a JSON list
of results, one per fact, in order: the same engine the pages use. A fact without its own
``holidays`` uses the organisation's holiday calendar.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseload.core.business_days import holidays_between
from caseload.programrules import engine, rules


class Command(BaseCommand):
    help = "Check the program rules files, list them, or evaluate client-month facts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Validate every rules file (or one with --file).")
        check.add_argument("--file", default=None, help="Validate this file instead.")
        sub.add_parser("list", help="List each year's programs, codes and thresholds.")
        evaluate = sub.add_parser(
            "evaluate", help="Evaluate a JSON list of client-month facts ('-' reads stdin)."
        )
        evaluate.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check":
            self._check(options.get("file"))
        elif action == "list":
            self._list()
        elif action == "evaluate":
            self._evaluate(options["path"])

    def _check(self, path: str | None) -> None:
        if path:
            try:
                good, bad = [rules.load_file(Path(path))], []
            except rules.RulesError as exc:
                good, bad = [], [exc]
        else:
            good, bad = rules.check_all()
        for rule_set in good:
            self.stdout.write(
                f"ok    {rule_set.year}: {len(rule_set.programs)} programs "
                f"({', '.join(rule_set.programs)}) — {rule_set.source_file}"
            )
        for error in bad:
            self.stderr.write(f"FAIL  {error.source}")
            for problem in error.problems:
                self.stderr.write(f"      - {problem}")
        if bad:
            raise CommandError(f"{len(bad)} rules file(s) are invalid.")
        if not good:
            raise CommandError("No rules files found.")
        self.stdout.write(self.style.SUCCESS(f"{len(good)} rules file(s) valid."))

    def _list(self) -> None:
        for rule_set in rules.check_all()[0]:
            self.stdout.write(f"{rule_set.year} — {rule_set.title}")
            for program in rule_set.programs.values():
                self.stdout.write(f"  {program.key:<12} {program.name}: {', '.join(program.codes)}")

    def _evaluate(self, path: str) -> None:
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
            raw = json.loads(text)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read {path} as JSON: {exc}") from exc
        try:
            results, errors = engine.evaluate_json(raw, calendar=holidays_between)
        except engine.FactError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(results, indent=2, ensure_ascii=False))
        if errors:
            raise CommandError(f"{errors} fact(s) could not be evaluated (see 'error').")
