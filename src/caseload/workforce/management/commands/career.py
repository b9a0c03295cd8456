"""`caseload career advise PROFILE.json`: one profile in, one JSON object out.

The profile's shape and the output's are documented in docs/credentials.md. ``-`` reads the
profile from standard input. Nothing is stored.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseload.workforce import engine, rules


class Command(BaseCommand):
    help = "Career path advisor: `advise PROFILE.json` prints CCM and CMC eligibility and renewals."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        advise = sub.add_parser("advise", help="Evaluate one profile file (or - for stdin).")
        advise.add_argument("profile")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["profile"]
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}.") from exc
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not JSON: {exc}.") from exc
        try:
            profile = engine.profile_from_json(raw)
        except engine.ProfileError as error:
            raise CommandError("The profile is not valid: " + "; ".join(error.problems)) from error
        loaded = rules.load_rules()
        absent = [code for code in ("CCM", "CMC") if code not in loaded]
        if absent:
            raise CommandError(
                f"No valid rule for {', '.join(absent)}: run `caseload credentials check`."
            )
        advice = engine.advise(profile, loaded)
        self.stdout.write(json.dumps(advice.as_json(), indent=2, ensure_ascii=False))
