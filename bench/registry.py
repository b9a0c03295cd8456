"""Benchmark: the collaborative-care registry of one program of 5,000 clients × 12 responses.

    .venv/bin/python bench/registry.py --database sqlite   [--clients 5000] [--requests 30]
    .venv/bin/python bench/registry.py --database postgres [--clients 5000] [--requests 30]

SQLite uses a fresh file under var/bench/. PostgreSQL uses the database caseload_bench_registry
on postgres://postgres@127.0.0.1:5432 (override with --pg-url; the name must contain "bench"),
dropped and created through the server's maintenance database and dropped again at the end
(--keep keeps it).

Data: one behavioural-health program, 50 care managers with 100 clients each, every client
enrolled 1-40 weeks ago with 12 completed responses (8 PHQ-9 and 4 GAD-7 spread over the
treatment) — built with bulk_create. Each page is requested through Django's test client (full
middleware, templates, audit events) signed in as the program's senior care manager, who sees
every client, after a warm-up. Prints a markdown table: p50/p95 server time, SQL statements per
request, the bare SQL time of the request's SELECTs and the ratio of the page to it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/caseload_bench_registry"
FREQUENCY = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]

sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402 - after the path is set, as when run as a script
    _bare_sql,
    _capture,
    _configure,
    _drop_postgres,
    _recreate_postgres,
    _timed,
)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--clients", type=int, default=5_000)
    parser.add_argument("--responses", type=int, default=12, help="responses per client")
    parser.add_argument("--requests", type=int, default=30, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    return parser.parse_args()


# --- database lifecycle: bench/run.py's (only databases named *bench* are dropped) ----------------


def _database_url(args: argparse.Namespace) -> str:
    if args.database == "sqlite":
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"registry-{args.clients}.sqlite3"
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    _recreate_postgres(args.pg_url, jit=False)
    return str(args.pg_url)


# --- data ---------------------------------------------------------------------------------------


def build(clients: int, responses: int, seed: int) -> tuple[Any, Any]:
    """The program and its senior care manager, with ``clients`` enrolled clients."""
    from django.utils import timezone

    from caseload.assessments import catalogue
    from caseload.assessments.models import AssessmentResponse, InstrumentDefinition
    from caseload.clients.models import Client
    from caseload.enrolments.models import Enrolment, Program
    from caseload.staff.models import CareerLevel, User

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    program = Program.objects.create(
        code="cocm", name="Collaborative care", kind="behavioural_health"
    )
    senior = User.objects.create(username="bench-senior", career_level=CareerLevel.SENIOR)
    senior.programs.add(program)
    managers = User.objects.bulk_create(
        [
            User(
                username=f"bench-cm-{i}",
                first_name="Care",
                last_name=f"Manager {i:02d}",
                career_level=CareerLevel.CARE_MANAGER,
                supervisor=senior,
            )
            for i in range(max(1, clients // 100))
        ]
    )
    definitions = {}
    for code in ("phq9", "gad7"):
        instrument = catalogue.get(code)
        assert instrument is not None  # noqa: S101 - shipped instruments
        definitions[code] = InstrumentDefinition.objects.create(
            code=code,
            version=instrument.version,
            sha256=instrument.sha256,
            content=dict(instrument.raw),
        )
    bands = {
        "phq9": [
            (4, "minimal"),
            (9, "mild"),
            (14, "moderate"),
            (19, "moderately_severe"),
            (27, "severe"),
        ],
        "gad7": [(4, "minimal"), (9, "mild"), (14, "moderate"), (21, "severe")],
    }
    batch = 1000
    for first in range(0, clients, batch):
        size = min(batch, clients - first)
        new_clients = Client.objects.bulk_create(
            [
                Client(
                    given_name=rng.choice(["Ana", "Ben", "Chen", "Dina", "Eli", "Fatima", "Gus"]),
                    family_name=f"Client{first + i:05d}",
                    date_of_birth=dt.date(1940 + rng.randrange(60), 1 + rng.randrange(12), 1),
                    sex_at_birth=rng.choice(["female", "male"]),
                    mrn=f"B{first + i:07d}",
                )
                for i in range(size)
            ]
        )
        enrolments = []
        rows = []
        for index, client in enumerate(new_clients):
            weeks = rng.randint(1, 40)
            start = today - dt.timedelta(weeks=weeks)
            enrolments.append(
                Enrolment(
                    client=client,
                    program=program,
                    status="active",
                    care_manager=managers[(first + index) % len(managers)],
                    referred_on=start - dt.timedelta(days=7),
                    started_on=start,
                )
            )
            baseline = rng.randint(8, 24)
            span = max(1, (today - start).days)
            for n in range(responses):
                code = "phq9" if n % 3 != 2 else "gad7"
                day = start + dt.timedelta(days=span * n // responses)
                improvement = rng.uniform(0.2, 1.0) * n / responses
                top = 27 if code == "phq9" else 21
                total = max(0, min(top, round(baseline * (1 - improvement) + rng.randint(-2, 2))))
                band = next(label for limit, label in bands[code] if total <= limit)
                items = 9 if code == "phq9" else 7
                answers = {f"q{i}": FREQUENCY[min(3, total // items)] for i in range(1, items + 1)}
                rows.append(
                    AssessmentResponse(
                        client=client,
                        instrument_code=code,
                        instrument_version="1.0.0",
                        definition=definitions[code],
                        status="completed",
                        answers=answers,
                        assessed_on=day,
                        started_by=senior,
                        completed_by=senior,
                        completed_at=now,
                        total=total,
                        band_code=band,
                        band_label=band.replace("_", " ").capitalize(),
                        band_level="moderate",
                    )
                )
        Enrolment.objects.bulk_create(enrolments)
        AssessmentResponse.objects.bulk_create(rows, batch_size=2000)
    return program, senior


# --- measuring ----------------------------------------------------------------------------------


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(1, -(-95 * len(ordered) // 100)) - 1]


def measure(name: str, call: Callable[[], None], *, requests: int, warmup: int) -> str:
    for _ in range(warmup):
        call()
    queries, selects = _capture(call)
    times = _timed(call, requests)
    sql = _bare_sql(selects, max(5, requests // 3))
    p50 = statistics.median(times)
    sql_text = f"{sql:.1f}" if sql is not None else "—"
    ratio = f"{p50 / sql:.1f}×" if sql else "—"
    return f"| {name} | {p50:.1f} | {_p95(times):.1f} | {queries} | {sql_text} | {ratio} |"


def main() -> int:
    args = _arguments()
    url = _database_url(args)
    _configure(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient

    from caseload.assessments.selectors import registry_rows

    print(f"Database: {connection.vendor}")
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    program, senior = build(args.clients, args.responses, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"Built {args.clients:,} clients × {args.responses} responses in "
        f"{time.perf_counter() - started:.1f} s"
    )
    http = HttpClient()
    http.force_login(senior)
    page_url = f"/assessments/registry/{program.pk}/"
    csv_url = f"/assessments/registry/{program.pk}/export.csv"

    def get(path: str) -> Callable[[], None]:
        def call() -> None:
            response = http.get(path)
            if response.status_code != 200:
                raise SystemExit(f"GET {path} answered {response.status_code}")

        return call

    def selector() -> None:
        registry_rows(actor=senior, program=program)

    try:
        lines = [
            f"Registry, {args.clients:,} clients × {args.responses} responses "
            f"({connection.vendor})",
            "",
            "| measured | p50 ms | p95 ms | SQL statements | bare SQL p50 ms | p50 ÷ SQL |",
            "|---|---:|---:|---:|---:|---:|",
            measure(
                "Registry page (first 100 rows, sorted by need)",
                get(page_url),
                requests=args.requests,
                warmup=args.warmup,
            ),
            measure(
                "Registry page sorted by PHQ-9 change",
                get(page_url + "?sort=phq_change"),
                requests=args.requests,
                warmup=args.warmup,
            ),
            measure(
                "Registry CSV export (every row)",
                get(csv_url),
                requests=max(5, args.requests // 3),
                warmup=2,
            ),
            measure(
                "Registry selector only (no HTTP, no template)",
                selector,
                requests=args.requests,
                warmup=args.warmup,
            ),
        ]
    finally:
        connection.close()
        if args.database == "postgres" and not args.keep:
            _drop_postgres(url)
    print()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
