"""Caseload benchmark: server time of the worklist and the client chart on generated data.

    .venv/bin/python bench/run.py --database sqlite   [--clients 10000] [--requests 50]
    .venv/bin/python bench/run.py --database postgres [--clients 10000] [--requests 50]
    .venv/bin/python bench/run.py --database sqlite --listing-audit-overhead

--listing-audit-overhead measures only the worklist pages, each with the audit of the clients it
listed (``client.listed``) on and off, alternating request by request so both see the same
machine load. "Off" replaces ``audit_record_many`` in the worklist view with a no-op in this
process only; the application has no setting for it. The figures go to the "Audit of listed
records" section of docs/benchmarks.md.

SQLite uses a fresh file under var/bench/. PostgreSQL uses DATABASE_URL when it points at
PostgreSQL, else postgres://postgres@127.0.0.1:5432/caseload_bench; the database is dropped and
created through the server's maintenance database ("postgres"), and dropped again at the end
(--keep keeps it). Only a database whose name contains "bench" is ever dropped.

--reuse (PostgreSQL) keeps the database and, on the next run with the same --clients and --seed
and an unchanged bench/build.py, measures it again without rebuilding (new migrations are still
applied). The marker, var/bench/pg-built-<database>.json, records what was built and when.

Each page is requested through Django's test Client (signed in with force_login, the whole
middleware stack, templates rendered) after a warm-up; the figures are wall time per request in
this process. The yardstick is the database itself: the SELECT statements one request issued,
executed again bare on a cursor (fetching every row), and the page's p50 as a ratio to theirs.
Results are printed as a markdown table and written into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/caseload_bench"
DOCS = ROOT / "docs" / "benchmarks.md"

sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


@dataclass
class Result:
    name: str
    path: str
    times_ms: list[float]
    cpu_ms: list[float]
    queries: int
    sql_ms: float | None
    target_ms: float | None

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def cpu_p50(self) -> float:
        return statistics.median(self.cpu_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        rank = max(1, -(-95 * len(ordered) // 100))  # nearest-rank percentile
        return ordered[rank - 1]

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return "—"
        mark = "met" if self.p95 <= self.target_ms else "MISSED"
        return f"≤ {self.target_ms:.0f} ms: {mark}"


def main() -> int:
    args = _arguments()
    url = _database_url(args)
    _configure(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    print(f"Database: {connection.vendor} ({_redacted(url)})")
    call_command("migrate", verbosity=0, interactive=False)
    from bench.build import build

    built = _reusable(args, url)
    if built is not None:
        subjects, build_seconds = built
        print(f"Reusing the database built for {args.clients:,} clients (seed {args.seed}).")
        _analyze()
    else:
        print(f"Building {args.clients:,} clients (seed {args.seed}) …")
        subjects = build(args.clients, seed=args.seed)
        _analyze()
        build_seconds = time.perf_counter() - started
        print(f"  built in {build_seconds:.1f} s")
        if args.reuse:
            _mark_built(args, url, subjects, build_seconds)

    try:
        if args.listing_audit_overhead:
            pairs = _measure_listing_audit(subjects, requests=args.requests, warmup=args.warmup)
        elif args.reports:
            results = _measure_reports(subjects, requests=args.requests, warmup=args.warmup)
        else:
            results = _measure(subjects, requests=args.requests, warmup=args.warmup)
        machine = _machine()
    finally:
        connection.close()
        if connection.vendor == "postgresql" and not (args.keep or args.reuse):
            _drop_postgres(url)

    if args.listing_audit_overhead:
        table = _listing_table(pairs)
        print()
        print(table)
        if not args.no_docs:
            _write_listing_docs(args, url, machine, subjects, table)
            print(f"\nWritten to {DOCS.relative_to(ROOT)}")
        return 0

    table = _table(results)
    print()
    print(table)
    if not args.no_docs:
        _write_docs(args, url, machine, subjects, results, table, build_seconds)
        print(f"\nWritten to {DOCS.relative_to(ROOT)}")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    env_url = os.environ.get("DATABASE_URL", "")
    default_db = "postgres" if env_url.startswith("postgres") else "sqlite"
    parser.add_argument("--database", choices=["sqlite", "postgres"], default=default_db)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured requests first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the PostgreSQL database, and reuse one built for the same --clients and --seed",
    )
    parser.add_argument(
        "--pg-jit",
        choices=["on", "off"],
        default="off",
        help="PostgreSQL JIT for the benchmark database (default off, as recommended for OLTP)",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument(
        "--reports",
        action="store_true",
        help="measure the month report and the team view (issue 12) instead of the worklist",
    )
    parser.add_argument(
        "--listing-audit-overhead",
        action="store_true",
        help="measure the worklist pages with the audit of listed clients on and off",
    )
    return parser.parse_args()


def _database_url(args: argparse.Namespace) -> str:
    if args.database == "sqlite":
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"caseload-bench-{args.clients}.sqlite3"
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    env_url = os.environ.get("DATABASE_URL", "")
    url = env_url if env_url.startswith("postgres") else DEFAULT_PG_URL
    if args.reuse and _marker_matches(args, url):
        return url
    _marker_path(url).unlink(missing_ok=True)
    _recreate_postgres(url, jit=args.pg_jit == "on")
    return url


def _marker_path(url: str) -> Path:
    name = urlsplit(url).path.lstrip("/")
    return ROOT / "var" / "bench" / f"pg-built-{name}.json"


def _build_fingerprint(args: argparse.Namespace, url: str) -> dict[str, Any]:
    """What a reusable database must have been built from: the same URL, population and seed,
    the same bench/build.py and JIT setting."""
    import hashlib

    source = (ROOT / "bench" / "build.py").read_bytes()
    return {
        "url": _redacted(url),
        "clients": args.clients,
        "seed": args.seed,
        "jit": args.pg_jit,
        "build_py": hashlib.sha256(source).hexdigest(),
    }


def _marker_matches(args: argparse.Namespace, url: str) -> bool:
    import json

    path = _marker_path(url)
    if not path.exists():
        return False
    try:
        marker = json.loads(path.read_text())
    except ValueError:
        return False
    if marker.get("built") != _build_fingerprint(args, url):
        return False
    try:  # the database must still exist (someone may have dropped it)
        admin, name = _pg_admin(url)
        with admin:
            found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    except Exception:  # noqa: BLE001 - any failure means: build afresh
        return False
    return found is not None


def _mark_built(args: argparse.Namespace, url: str, subjects: Any, seconds: float) -> None:
    import dataclasses
    import json

    path = _marker_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    marker = {
        "built": _build_fingerprint(args, url),
        "build_seconds": round(seconds, 1),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "subjects": {k: str(v) for k, v in dataclasses.asdict(subjects).items()},
    }
    path.write_text(json.dumps(marker, indent=2))


def _reusable(args: argparse.Namespace, url: str) -> tuple[Any, float] | None:
    """(subjects, build seconds) of the database --reuse found already built, else None."""
    import dataclasses
    import json
    import typing

    from bench.build import Subjects

    if not (args.reuse and url.startswith("postgres") and _marker_matches(args, url)):
        return None
    marker = json.loads(_marker_path(url).read_text())
    kinds = typing.get_type_hints(Subjects)
    values = {}
    for field in dataclasses.fields(Subjects):
        text = marker["subjects"][field.name]
        kind = kinds[field.name]
        values[field.name] = uuid.UUID(text) if kind is uuid.UUID else kind(text)
    return Subjects(**values), float(marker["build_seconds"])


def _pg_admin(url: str) -> tuple[Any, str]:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop and create {name!r}: its name must contain 'bench'.")
    admin = psycopg.connect(
        host=parts.hostname or "localhost",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    )
    return admin, name


def _recreate_postgres(url: str, *, jit: bool) -> None:
    from psycopg import sql

    admin, name = _pg_admin(url)
    database = sql.Identifier(name)
    with admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(database))
        if not jit:
            # JIT compilation (100+ ms) triggers on the estimated cost of plans with many
            # correlated subqueries, and costs far more than it saves on short OLTP queries.
            admin.execute(sql.SQL("ALTER DATABASE {} SET jit = off").format(database))


def _drop_postgres(url: str) -> None:
    from psycopg import sql

    admin, name = _pg_admin(url)
    with admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _configure(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "caseload.config.test_settings"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def _analyze() -> None:
    """Fresh statistics and visibility maps, as autovacuum (PostgreSQL) would leave them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _measure_reports(subjects: Any, *, requests: int, warmup: int) -> list[Result]:
    """Issue 12's pages: the month report for the organisation (a director) and for one program
    (its senior), and the senior's team view (every care manager of the program)."""
    from django.test import Client as HttpClient

    from caseload.reports.months import last_complete_month
    from caseload.staff.models import User

    director_http = HttpClient()
    director_http.force_login(User.objects.get(username="bench-director"))
    senior_http = HttpClient()
    senior_http.force_login(User.objects.get(pk=subjects.senior_id))
    month = last_complete_month().key
    pages: list[tuple[str, Any, str, float | None]] = [
        (
            "Month report, whole organisation (director)",
            director_http,
            f"/reports/month/?month={month}",
            2000.0,
        ),
        (
            "Month report, one program (its senior)",
            senior_http,
            f"/reports/month/?month={month}&program={subjects.program_id}",
            500.0,
        ),
        ("Team view, the program's care managers (senior)", senior_http, "/team/", 150.0),
    ]
    results = []
    for name, http, path, target in pages:
        print(f"Measuring {name}: GET {path}")
        results.append(_page(name, http, path, target, requests=requests, warmup=warmup))
    return results


def _measure(subjects: Any, *, requests: int, warmup: int) -> list[Result]:
    from django.test import Client as HttpClient

    from caseload.staff.models import User
    from caseload.worklist.selectors import caseload_page

    care_manager = User.objects.get(pk=subjects.care_manager_id)
    senior = User.objects.get(pk=subjects.senior_id)
    cm_http = HttpClient()
    cm_http.force_login(care_manager)
    senior_http = HttpClient()
    senior_http.force_login(senior)

    pages: list[tuple[str, Any, str, float | None]] = [
        ("Worklist, care manager with 70 clients", cm_http, "/", 50.0),
        ("Client chart, 500 notes", cm_http, f"/clients/{subjects.chart_client_id}/", 80.0),
        ("Worklist search by name prefix", cm_http, f"/?q={subjects.search_term}", 30.0),
        (
            "Worklist, senior viewing a whole program",
            senior_http,
            f"/?view=program:{subjects.program_id}",
            None,
        ),
    ]
    results = []
    for name, http, path, target in pages:
        print(f"Measuring {name}: GET {path}")
        results.append(_page(name, http, path, target, requests=requests, warmup=warmup))
    # What typing in the search box asks for: htmx swaps in the results only.
    name = "Search as the search box sends it (htmx, results only)"
    path = f"/?q={subjects.search_term}"
    print(f"Measuring {name}: GET {path} (HX-Request)")
    results.append(
        _page(name, cm_http, path, 30.0, requests=requests, warmup=warmup, headers=HTMX_SEARCH)
    )

    # "Show older notes" on that chart: the next 20 notes, as htmx asks for them.
    from caseload.clients.models import Client
    from caseload.notes.selectors import note_page_for_client

    chart_client = Client.objects.get(pk=subjects.chart_client_id)
    first = note_page_for_client(actor=care_manager, client=chart_client)
    if first.last is None or not first.has_older:
        raise SystemExit("The chart client has no second page of notes to measure.")
    name = "Older notes on the chart (htmx, the next 20 of 500)"
    path = f"/notes/for/{subjects.chart_client_id}/?after={first.last.pk}"
    print(f"Measuring {name}: GET {path} (HX-Request)")
    results.append(
        _page(name, cm_http, path, None, requests=requests, warmup=warmup, headers=HTMX_PAGE)
    )

    # The selector alone (no HTTP, middleware or template): where the page's time goes.
    def selector() -> None:
        caseload_page(actor=care_manager)

    results.append(
        _callable(
            "Worklist selector only (no HTTP, no template)",
            selector,
            requests=requests,
            warmup=warmup,
        )
    )
    return results


#: The headers htmx sends with the search box's request (see worklist/views.py).
HTMX_SEARCH = {"HX-Request": "true", "HX-Target": "caseload-results", "HX-Trigger": "q"}
#: What htmx sends for "Show older notes" (its target is the link's list item, which has no id).
HTMX_PAGE = {"HX-Request": "true"}


def _page(
    name: str,
    http: Any,
    path: str,
    target: float | None,
    *,
    requests: int,
    warmup: int,
    headers: dict[str, str] | None = None,
) -> Result:
    def get() -> None:
        response = http.get(path, headers=headers or {})
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}, not 200")

    for _ in range(warmup):
        get()
    queries, statements = _capture(get)
    times, cpu = _timed_with_cpu(get, requests)
    return Result(name, path, times, cpu, queries, _bare_sql(statements, requests), target)


def _callable(name: str, call: Callable[[], None], *, requests: int, warmup: int) -> Result:
    for _ in range(warmup):
        call()
    queries, statements = _capture(call)
    times, cpu = _timed_with_cpu(call, requests)
    return Result(name, "—", times, cpu, queries, _bare_sql(statements, requests), None)


@dataclass
class ListingPair:
    """One page measured with the audit of listed clients on and off."""

    on: Result
    off: Result
    events_on: int  # audit events one request wrote
    events_off: int


def _measure_listing_audit(subjects: Any, *, requests: int, warmup: int) -> list[ListingPair]:
    """The worklist pages with ``client.listed`` recorded and not, interleaved request by
    request (on, off, on, off …) so that both modes share the machine's load."""
    from unittest import mock

    from django.test import Client as HttpClient

    import caseload.worklist.views as worklist_views
    from caseload.audit.models import AuditEvent
    from caseload.staff.models import User

    def no_op(**_: Any) -> None:
        return None

    care_manager = User.objects.get(pk=subjects.care_manager_id)
    senior = User.objects.get(pk=subjects.senior_id)
    cm_http = HttpClient()
    cm_http.force_login(care_manager)
    senior_http = HttpClient()
    senior_http.force_login(senior)
    pages: list[tuple[str, Any, str, float | None]] = [
        ("Worklist, care manager with 70 clients", cm_http, "/", 50.0),
        ("Worklist search by name prefix", cm_http, f"/?q={subjects.search_term}", 30.0),
        (
            "Worklist, senior viewing a whole program",
            senior_http,
            f"/?view=program:{subjects.program_id}",
            None,
        ),
    ]
    pairs = []
    for name, http, path, target in pages:
        print(f"Measuring {name} with and without listing audit: GET {path}")

        def get(http: Any = http, path: str = path) -> None:
            response = http.get(path)
            if response.status_code != 200:
                raise SystemExit(f"GET {path} answered {response.status_code}, not 200")

        def off(get: Callable[[], None] = get) -> None:
            with mock.patch.object(worklist_views, "audit_record_many", no_op):
                get()

        for _ in range(warmup):
            get()
            off()
        counted = {}
        for mode, call in (("on", get), ("off", off)):
            before = AuditEvent.objects.count()
            statements, _ = _capture(call)
            counted[mode] = (statements, AuditEvent.objects.count() - before)
        times: dict[str, list[float]] = {"on": [], "off": []}
        cpu: dict[str, list[float]] = {"on": [], "off": []}
        for _ in range(requests):
            for mode in ("on", "off"):
                # The patch is entered outside the timed call; only the request is timed.
                with mock.patch.object(
                    worklist_views,
                    "audit_record_many",
                    worklist_views.audit_record_many if mode == "on" else no_op,
                ):
                    wall, used = _timed_with_cpu(get, 1)
                times[mode] += wall
                cpu[mode] += used
        pairs.append(
            ListingPair(
                on=Result(name, path, times["on"], cpu["on"], counted["on"][0], None, target),
                off=Result(name, path, times["off"], cpu["off"], counted["off"][0], None, target),
                events_on=counted["on"][1],
                events_off=counted["off"][1],
            )
        )
    return pairs


def _listing_table(pairs: list[ListingPair]) -> str:
    lines = [
        "| page | listing audit | p50 ms | p95 ms | CPU p50 ms | SQL statements "
        "| audit events written | target p95 |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for pair in pairs:
        label = f"{pair.on.name} (`{pair.on.path}`)"
        for mode, r, events in (
            ("on", pair.on, pair.events_on),
            ("off", pair.off, pair.events_off),
        ):
            lines.append(
                f"| {label} | {mode} | {r.p50:.1f} | {r.p95:.1f} | {r.cpu_p50:.1f} "
                f"| {r.queries} | {events} | {r.verdict} |"
            )
        lines.append(
            f"| {label} | **difference** | {pair.on.p50 - pair.off.p50:+.1f} "
            f"| {pair.on.p95 - pair.off.p95:+.1f} | {pair.on.cpu_p50 - pair.off.cpu_p50:+.1f} "
            f"| {pair.on.queries - pair.off.queries:+d} | | |"
        )
    return "\n".join(lines)


def _timed_with_cpu(call: Callable[[], None], n: int) -> tuple[list[float], list[float]]:
    """Wall time and this process's CPU time per call, in ms. On a busy machine the wall time
    includes waiting for a CPU; the CPU time is what the request itself cost here (without the
    PostgreSQL server's own work, which runs in another process)."""
    wall, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def _timed(call: Callable[[], None], n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _capture(call: Callable[[], None]) -> tuple[int, list[tuple[str, Any]]]:
    """How many statements one call runs, and the SELECTs with their parameters."""
    from django.db import connection

    statements: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call()
    selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]
    return len(statements), selects


def _bare_sql(statements: list[tuple[str, Any]], n: int) -> float | None:
    """Median time of running these statements directly on a cursor, fetching all rows."""
    from django.db import connection

    if not statements:
        return None

    def run() -> None:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    run()
    return statistics.median(_timed(run, n))


def _table(results: list[Result]) -> str:
    lines = [
        "| measured | p50 ms | p95 ms | CPU p50 ms | SQL statements | bare SQL p50 ms "
        "| p50 ÷ SQL | target p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        sql = f"{r.sql_ms:.1f}" if r.sql_ms is not None else "—"
        ratio = f"{r.p50 / r.sql_ms:.1f}×" if r.sql_ms else "—"
        label = f"{r.name} (`{r.path}`)" if r.path != "—" else r.name
        lines.append(
            f"| {label} | {r.p50:.1f} | {r.p95:.1f} | {r.cpu_p50:.1f} | {r.queries} | {sql} "
            f"| {ratio} | {r.verdict} |"
        )
    return "\n".join(lines)


def _machine() -> dict[str, str]:
    import django
    from django.db import connection

    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if connection.vendor == "sqlite":
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        connection.close()
    try:
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)"
    except OSError:
        load = "?"
    return {
        "load": load,
        "calibration": f"{_calibrate():.2f} s",
        "cpu": f"{os.cpu_count()} × {cpu}",
        "memory": memory,
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
        "os": platform.platform(),
    }


def _calibrate() -> float:
    """Seconds for a fixed pure-Python loop (best of three): how fast this CPU was for us while
    measuring. An idle modern x86 core takes about 0.3-0.5 s; a busy or shared one much more."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - start)
    return best


def _commit() -> str:
    def git(*args: str) -> str:
        try:
            return subprocess.run(  # noqa: S603 - fixed arguments, no shell
                ["git", *args],  # noqa: S607 - git from PATH, as developers run it
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{commit} + uncommitted changes" if git("status", "--porcelain") else commit


DOCS_INTRO = """# Benchmarks

Measured by `bench/run.py` (see its docstring). It builds a fresh database of generated clients
(deterministic seed), then requests each page through Django's test client with the full
middleware stack and templates, signed in as a care manager (or a senior), after a warm-up.
Figures are wall time per request in one process, so they include Django, the templates and the
database, but no network or WSGI server. Targets are SPEC §8's.

*CPU p50* is this process's CPU time per request (Python, templates, and SQLite's work, which
runs in-process; not the PostgreSQL server's): on a busy machine, wall time also includes waiting
for a CPU.

**The yardstick is the database itself:** for each page, the SELECT statements one request
issued are executed again bare on a cursor (fetching all rows); *p50 ÷ SQL* is how many times
longer the whole page takes than the SQL it needs.

Run them with `make bench`, or:

```sh
.venv/bin/python bench/run.py --database sqlite
DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseload_bench \\
  .venv/bin/python bench/run.py --database postgres
```

Each run replaces its own section below (one per database and client count).
"""


def _write_docs(
    args: argparse.Namespace,
    url: str,
    machine: dict[str, str],
    subjects: Any,
    results: list[Result],
    table: str,
    build_seconds: float,
) -> None:
    key = f"{args.database}-{args.clients}" + ("-reports" if args.reports else "")
    if args.database == "postgres" and args.pg_jit == "on":
        key += "-jit"
    command = f".venv/bin/python bench/run.py --database {args.database} --clients {args.clients}"
    if args.reports:
        command += " --reports"
    command += f" --requests {args.requests} --warmup {args.warmup}"
    if args.reuse:
        command += " --reuse"
    if args.database == "postgres":
        command = f"DATABASE_URL={_redacted(url)} {command} --pg-jit {args.pg_jit}"
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = "\n".join(
        [
            f"<!-- bench:{key} -->",
            f"## {machine['database'].split(' ')[0]}, {args.clients:,} clients"
            + (": month report and team view" if args.reports else ""),
            "",
            f"- Command: `{command}` ({args.requests} measured requests per page after "
            f"{args.warmup} warm-up)",
            f"- Date: {when}; commit `{_commit()}`",
            f"- Machine: {machine['cpu']}, {machine['memory']} RAM; {machine['os']}",
            f"- Software: Python {machine['python']}, Django {machine['django']}, "
            f"{machine['database']}"
            + (f" (jit {args.pg_jit})" if args.database == "postgres" else ""),
            f"- Load average when measuring: {machine['load']}; CPU calibration (10 M-step "
            f"Python loop, idle modern core ≈ 0.4 s): {machine['calibration']}",
            f"- Data: {subjects.clients:,} clients, {subjects.enrolments:,} enrolments, "
            f"{subjects.notes:,} notes, {subjects.tasks:,} tasks, {subjects.staff:,} staff "
            f"(built in {build_seconds:.0f} s"
            + (", once: --reuse measures the database it built)" if args.reuse else ")"),
            "",
            table,
            f"<!-- /bench:{key} -->",
        ]
    )
    text = DOCS.read_text() if DOCS.exists() else DOCS_INTRO
    start, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(text)


def _write_listing_docs(
    args: argparse.Namespace,
    url: str,
    machine: dict[str, str],
    subjects: Any,
    table: str,
) -> None:
    """Replace this database's block inside the "Audit of listed records" section."""
    key = f"listing-audit-{args.database}-{args.clients}"
    command = (
        f".venv/bin/python bench/run.py --database {args.database} --clients {args.clients} "
        f"--requests {args.requests} --warmup {args.warmup} --listing-audit-overhead"
        + (" --keep" if args.keep else "")
    )
    if args.database == "postgres":
        command = f"DATABASE_URL={_redacted(url)} {command} --pg-jit {args.pg_jit}"
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = "\n".join(
        [
            f"<!-- bench:{key} -->",
            f"### {machine['database'].split(' ')[0]}, {args.clients:,} clients",
            "",
            f"- Command: `{command}` ({args.requests} measured requests per mode and page, "
            f"on and off alternating, after {args.warmup} warm-up requests of each)",
            f"- Date: {when}; commit `{_commit()}`",
            f"- Machine: {machine['cpu']}, {machine['memory']} RAM, shared with other jobs; "
            f"{machine['database']}"
            + (f" (jit {args.pg_jit})" if args.database == "postgres" else ""),
            f"- Load average when measuring: {machine['load']}; CPU calibration (10 M-step "
            f"Python loop, idle modern core ≈ 0.4 s): {machine['calibration']}",
            f"- Data: {subjects.clients:,} clients, {subjects.enrolments:,} enrolments, "
            f"{subjects.notes:,} notes, {subjects.tasks:,} tasks, {subjects.staff:,} staff",
            "",
            table,
            f"<!-- /bench:{key} -->",
        ]
    )
    text = DOCS.read_text()
    start, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        heading = "## Audit of listed records"
        if heading not in text:
            text = text.rstrip("\n") + f"\n\n{heading}\n"
        before, rest = text.split(heading, 1)
        following = rest.find("\n## ")
        section = rest if following < 0 else rest[:following]
        tail = "" if following < 0 else rest[following:]
        text = before + heading + section.rstrip("\n") + "\n\n" + block + "\n" + tail
    DOCS.write_text(text)


if __name__ == "__main__":
    raise SystemExit(main())
