"""`make load`: care managers at work against gunicorn on PostgreSQL, measured with locust.

    .venv/bin/python bench/load.py [--clients 100000] [--users 50] [--minutes 10]
                                   [--max-requests 200000] [--workers 4] [--reuse] [--no-docs]

1. Builds the benchmark population (bench/build.py: --clients generated clients with their
   enrolments, care plans, notes and tasks) in a PostgreSQL database of its own (DATABASE_URL
   when it points at PostgreSQL and its name contains "bench", else
   postgres://postgres@127.0.0.1:5432/caseload_load_bench), dropped and created afresh unless
   --reuse finds it already built for the same number of clients.
2. Gives --users of its care managers a password, and writes their clients and search terms
   for the scenario (var/load/accounts.json).
3. Collects the static files and starts gunicorn (production settings, --workers) on a free
   loopback port, with the job worker beside it as in production.
4. Runs bench/locustfile.py headless: --users care managers, spawned 5 a second, for --minutes,
   stopping early after --max-requests requests; loopback only.
5. Samples the resident memory of each gunicorn worker every 10 seconds.
6. Checks for lost updates: every note the server accepted (302) is in the database exactly
   once, and no note carries a marker the server did not accept.
7. Prints p50/p95 per request type, throughput, errors and memory over time, and writes them
   to docs/benchmarks.md (section "Load: …"), unless --no-docs.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "load"
DOCS = ROOT / "docs" / "benchmarks.md"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/caseload_load_bench"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def main() -> int:
    args = _arguments()
    OUT.mkdir(parents=True, exist_ok=True)
    env_url = os.environ.get("DATABASE_URL", "")
    url = env_url if env_url.startswith("postgres") and "bench" in env_url else DEFAULT_URL
    secret, audit_key = secrets.token_urlsafe(50), secrets.token_urlsafe(48)
    password = secrets.token_urlsafe(16)
    production = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CASELOAD_DEBUG")},
        "DJANGO_SETTINGS_MODULE": "caseload.config.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": secret,
        "CASELOAD_AUDIT_KEY": audit_key,
        "CASELOAD_SECURE": "0",  # plain HTTP on the loopback, no TLS-terminating proxy here
        "ALLOWED_HOSTS": "127.0.0.1",
        "CASELOAD_DATA_DIR": str(OUT / "data"),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(production)
    import django

    from bench.run import _machine, _pg_admin, _recreate_postgres

    built_marker = OUT / f"built-{args.clients}.txt"
    reuse = args.reuse and built_marker.exists() and built_marker.read_text() == url
    if not reuse:
        _pg_admin(url)  # refuses a database whose name lacks "bench"
        _recreate_postgres(url, jit=False)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if not reuse:
        print(f"Building {args.clients:,} clients in {urlsplit(url).path.lstrip('/')} …")
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        from bench.build import build

        build(args.clients)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        built_marker.write_text(url)
        print(f"  built in {time.perf_counter() - started:.0f} s")
    else:
        call_command("migrate", verbosity=0, interactive=False)
    accounts = _accounts(args.users, password)
    (OUT / "accounts.json").write_text(json.dumps(accounts), encoding="utf-8")
    notes_before = _load_notes()
    machine = _machine()
    connection.close()
    call_command("collectstatic", interactive=False, verbosity=0)

    port = _free_port()
    gunicorn = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn, loopback only
        [
            str(BIN / "gunicorn"),
            "caseload.config.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
        ],
        env=production,
        stdout=(OUT / "gunicorn.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(  # noqa: S603 - the job worker, as production runs it
        [str(BIN / "caseload"), "qcluster"],
        env=production,
        stdout=(OUT / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    samples: list[tuple[float, list[float]]] = []
    stop = threading.Event()
    try:
        _wait_listening(port, gunicorn)
        _warm_up(port, args.workers)
        threading.Thread(
            target=_sample_memory, args=(gunicorn.pid, samples, stop), daemon=True
        ).start()
        started = time.monotonic()
        locust = subprocess.run(  # noqa: S603 - locust from our virtualenv, loopback only
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                "5",
                "--run-time",
                f"{args.minutes}m",
                "--stop-timeout",
                "10",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(OUT / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={
                **os.environ,
                "LOAD_ACCOUNTS": str(OUT / "accounts.json"),
                "LOAD_PASSWORD": password,
                "LOAD_MAX_REQUESTS": str(args.max_requests),
                "LOAD_WRITTEN": str(OUT / "written.json"),
            },
            check=False,
        )
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        for process in (worker, gunicorn):
            process.send_signal(signal.SIGTERM)
        for process in (worker, gunicorn):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()

    stats = _read_stats(OUT / "locust_stats.csv")
    failures = _read_failures(OUT / "locust_failures.csv")
    lost = _lost_updates(notes_before)
    report = _report(args, stats, failures, lost, samples, elapsed, machine, locust.returncode)
    print(report)
    if not args.no_docs:
        _write_docs(report)
        print(f"\nWritten to {DOCS.relative_to(ROOT)}")
    ok = not failures and lost["ok"] and locust.returncode in (0, 1)
    return 0 if ok else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--reuse", action="store_true", help="reuse a database built before")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    return parser.parse_args()


def _accounts(users: int, password: str) -> list[dict[str, Any]]:
    """Care managers with the most open clients: a password, and what the scenario needs."""
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count, Q
    from django.utils import timezone

    from caseload.enrolments.models import Enrolment
    from caseload.staff.models import CareerLevel, User

    people = list(
        User.objects.filter(career_level=CareerLevel.CARE_MANAGER, is_active=True)
        .annotate(
            open=Count("managed_enrolments", filter=~Q(managed_enrolments__status="discharged"))
        )
        .order_by("-open", "username")[:users]
    )
    User.objects.filter(pk__in=[p.pk for p in people]).update(password=make_password(password))
    contact_at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    accounts = []
    for person in people:
        enrolments = (
            Enrolment.objects.filter(care_manager=person)
            .exclude(status="discharged")
            .select_related("client")[:40]
        )
        clients = [str(e.client_id) for e in enrolments]
        names = sorted({e.client.family_name[:4].lower() for e in enrolments})
        accounts.append(
            {
                "username": person.username,
                "clients": clients,
                "search_terms": names or ["a"],
                "contact_at": contact_at,
            }
        )
    return [a for a in accounts if a["clients"]]


def _load_notes() -> int:
    from caseload.notes.models import ProgressNote

    return ProgressNote.objects.filter(narrative__contains="load-").count()


def _lost_updates(notes_before: int) -> dict[str, Any]:
    """Every accepted note exactly once; no note the server did not accept."""
    import django.db

    from caseload.notes.models import ProgressNote

    django.db.connection.close()
    written: list[str] = json.loads((OUT / "written.json").read_text(encoding="utf-8"))
    counts: dict[str, int] = dict.fromkeys(written, 0)
    stray = 0
    for narrative in ProgressNote.objects.filter(narrative__contains="load-").values_list(
        "narrative", flat=True
    ):
        marker = narrative.rsplit(" ", 1)[-1]
        if marker in counts:
            counts[marker] += 1
        else:
            stray += 1
    missing = sum(1 for n in counts.values() if n == 0)
    doubled = sum(1 for n in counts.values() if n > 1)
    stray -= notes_before  # markers of earlier runs on a reused database
    return {
        "accepted": len(written),
        "missing": missing,
        "doubled": doubled,
        "stray": max(stray, 0),
        "ok": missing == 0 and doubled == 0 and stray <= 0,
    }


def _sample_memory(master: int, samples: list[tuple[float, list[float]]], stop: Any) -> None:
    started = time.monotonic()
    while not stop.is_set():
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
            sizes = [_rss_mib(int(pid)) for pid in children]
            samples.append((time.monotonic() - started, [s for s in sizes if s]))
        except OSError:
            pass
        stop.wait(10)


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _read_stats(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _read_failures(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _report(
    args: argparse.Namespace,
    stats: list[dict[str, str]],
    failures: list[dict[str, str]],
    lost: dict[str, Any],
    samples: list[tuple[float, list[float]]],
    elapsed: float,
    machine: dict[str, str],
    locust_exit: int,
) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git on PATH, for the record
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    lines = [
        f"<!-- load:postgres-{args.clients} -->",
        f"## Load: {args.users} care managers, {args.clients:,} clients, gunicorn on PostgreSQL",
        "",
        f"- Command: `make load` (`bench/load.py --clients {args.clients} --users {args.users} "
        f"--minutes {args.minutes} --workers {args.workers}`); ran {elapsed / 60:.1f} minutes",
        f"- Date: {when}; commit `{commit}`",
        f"- Machine: {machine['cpu']}, {machine['memory']} RAM; {machine['os']}; "
        f"{machine['database']}",
        "",
        "| request | requests | failures | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    total = None
    for row in stats:
        if row["Name"] == "Aggregated":
            total = row
            continue
        lines.append(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
            f"{row['50%']} | {row['95%']} | {float(row['Max Response Time']):.0f} |"
        )
    if total:
        lines.append(
            f"| **all** | {total['Request Count']} | {total['Failure Count']} | {total['50%']} | "
            f"{total['95%']} | {float(total['Max Response Time']):.0f} |"
        )
        lines += [
            "",
            f"- Throughput: {float(total['Requests/s']):.1f} requests/s over the run "
            f"({total['Request Count']} requests; locust exit code {locust_exit})",
        ]
    lines.append(
        f"- Errors: {len(failures)} kinds"
        + (": " + "; ".join(f"{f['Name']}: {f['Error']} ×{f['Occurrences']}" for f in failures))
        if failures
        else "- Errors: none"
    )
    lines.append(
        f"- Lost updates: {lost['accepted']} notes accepted; {lost['missing']} missing, "
        f"{lost['doubled']} stored twice, {lost['stray']} stored without being accepted "
        f"({'none lost' if lost['ok'] else 'LOST UPDATES'})"
    )
    lines += ["", "Resident memory of the gunicorn workers (MiB), every minute:", ""]
    lines += ["| minute | workers | per worker (min–max) | total |", "|---:|---:|---|---:|"]
    shown = -1
    for seconds, sizes in samples:
        minute = int(seconds // 60)
        if minute == shown or not sizes:
            continue
        shown = minute
        lines.append(
            f"| {minute} | {len(sizes)} | {min(sizes):.0f}–{max(sizes):.0f} | {sum(sizes):.0f} |"
        )
    lines.append(f"<!-- /load:postgres-{args.clients} -->")
    return "\n".join(lines)


def _write_docs(section: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    start = section.split("\n", 1)[0]
    end = section.rsplit("\n", 1)[-1]
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text, encoding="utf-8")


def _warm_up(port: int, workers: int) -> None:
    """Until every worker has booted and answered: the run measures serving, not booting."""
    import urllib.request

    for _ in range(workers * 4):
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/accounts/sign-in/", timeout=120
        ) as response:
            response.read()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[Any]) -> None:
    for _ in range(240):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {OUT / 'gunicorn.log'}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise SystemExit("gunicorn did not start listening")


if __name__ == "__main__":
    raise SystemExit(main())
