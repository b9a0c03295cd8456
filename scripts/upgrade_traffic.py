"""Steady traffic for the upgrade drill (scripts/upgrade-drill.sh): care managers at work.

Each user (a thread) signs in through the sign-in form and then, until the stop file appears,
opens the worklist, a chart from it, and every third round the new-note form and signs a note
carrying a marker ("drill-<user>-<n>-<random>"), with a short pause between rounds. Every
request is logged with its wall-clock time, what it was, the status and how long it took; a
status other than the expected one, or no answer at all (refused, reset, timed out), is a
failure. At the end the log and the markers of the notes the server accepted (302) are written
as JSON for the drill's checks.

Standard library only (it runs with the production virtualenv's Python); requests go through
the TLS-terminating proxy's headers, as scripts/smoke_http.py sends them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import re
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from smoke_http import Browser, csrf_token

CHART = re.compile(r'href="/clients/([0-9a-f-]{36})/"')
STYLESHEET = re.compile(r'href="(/static/css/caseload\.[0-9a-f]{12}\.css)"')
CONTACT_AT = re.compile(r'name="contact_at"[^>]*value="([^"]+)"')


class User(threading.Thread):
    def __init__(
        self,
        args: argparse.Namespace,
        username: str,
        log: list[dict[str, Any]],
        written: list[str],
        lock: threading.Lock,
    ) -> None:
        super().__init__(name=username, daemon=True)
        self.args, self.username = args, username
        self.log, self.written, self.lock = log, written, lock
        self.browser = Browser(args.base, args.host)
        self.rng = random.Random(username)  # noqa: S311 - traffic, not security

    def call(
        self, name: str, path: str, expected: int, form: dict[str, str] | None = None
    ) -> str | None:
        started = time.time()
        status, error, text = 0, "", ""
        try:
            status, _, body = self.browser.request(path, form=form)
            text = body.decode("utf-8", "replace")
        except OSError as failure:  # refused, reset, timed out: no answer
            error = f"{type(failure).__name__}: {failure}"
        row = {
            "t": started,
            "user": self.username,
            "name": name,
            "status": status,
            "ms": round((time.time() - started) * 1000),
            "ok": status == expected,
        }
        if error or status != expected:
            row["error"] = error or text[:300]
        with self.lock:
            self.log.append(row)
        return text if status == expected else None

    def sign_in(self) -> bool:
        self.browser.cookies.clear()
        page = self.call("sign-in form", "/accounts/sign-in/", 200)
        return (
            page is not None
            and self.call(
                "sign in",
                "/accounts/sign-in/",
                302,
                form={
                    "username": self.username,
                    "password": self.args.password,
                    "csrfmiddlewaretoken": csrf_token(page),
                },
            )
            is not None
        )

    def run(self) -> None:
        signed_in, rounds, notes = False, 0, 0
        stop = Path(self.args.stop_file)
        while not stop.exists():
            if not signed_in:
                signed_in = self.sign_in()
                if not signed_in:
                    time.sleep(1)
                    continue
            rounds += 1
            worklist = self.call("worklist", "/", 200)
            clients = CHART.findall(worklist or "")
            if not clients:  # not answered, or sent to sign in: sign in again
                signed_in = False
                time.sleep(1)
                continue
            stylesheet = STYLESHEET.search(worklist or "")
            if stylesheet and rounds % 2 == 0:  # what the browser fetches with the page
                self.call("stylesheet", stylesheet.group(1), 200)
            client = self.rng.choice(clients)
            self.call("chart", f"/clients/{client}/", 200)
            if rounds % 3 == 0:
                form = self.call("note form", f"/notes/for/{client}/new/", 200)
                if form is not None:
                    notes += 1
                    marker = f"drill-{self.username}-{notes}-{uuid.uuid4().hex[:8]}"
                    found = CONTACT_AT.search(form)
                    yesterday = dt.datetime.now() - dt.timedelta(days=1)  # noqa: DTZ005
                    accepted = self.call(
                        "write note",
                        f"/notes/for/{client}/new/",
                        302,
                        form={
                            "csrfmiddlewaretoken": csrf_token(form),
                            "contact_at": found.group(1)
                            if found
                            else f"{yesterday:%Y-%m-%dT12:00}",
                            "contact_type": "phone",
                            "contact_with": "client",
                            "related_person": "",
                            "provider_name": "",
                            "reached": "yes",
                            "minutes": "10",
                            "action": "sign",
                            "narrative": f"Phoned to check in; no new concerns. {marker}",
                        },
                    )
                    if accepted is not None:
                        with self.lock:
                            self.written.append(marker)
            time.sleep(self.rng.uniform(0.5, 1.5))  # reading between pages


def out(text: str) -> None:
    sys.stdout.write(text + "\n")


def report(out_file: Path, events_file: Path) -> int:
    """Prints what the traffic saw, by request and by phase of the upgrade, with each failure
    at its time relative to the switch (the USR2 to the old master); 1 if anything failed."""
    data = json.loads(out_file.read_text("utf-8"))
    rows: list[dict[str, Any]] = sorted(data["requests"], key=lambda row: row["t"])
    events = {
        name: float(t)
        for name, t in (line.split() for line in events_file.read_text("utf-8").splitlines())
    }
    switch = events["switch"]
    out(
        f"Traffic: {len(rows)} requests from {rows[0]['t'] - switch:+.1f} s to "
        f"{rows[-1]['t'] - switch:+.1f} s around the switch; "
        f"{len(data['written'])} notes accepted"
    )
    out(
        "Events (seconds from the switch): "
        + ", ".join(
            f"{name} {t - switch:+.1f}" for name, t in sorted(events.items(), key=lambda e: e[1])
        )
    )

    def line(label: str, chosen: list[dict[str, Any]]) -> None:
        if not chosen:
            out(f"  {label:<34} 0 requests")
            return
        ms = sorted(row["ms"] for row in chosen)
        failed = sum(not row["ok"] for row in chosen)
        out(
            f"  {label:<34} {len(chosen):>5} requests {failed:>3} failed  "
            f"p50 {ms[len(ms) // 2]:>5} ms  max {ms[-1]:>6} ms"
        )

    out("By request:")
    for name in sorted({row["name"] for row in rows}):
        line(name, [row for row in rows if row["name"] == name])
    out("By phase:")
    marks = [
        ("old release, before migrate", rows[0]["t"]),
        ("new release's migrate running", events["migrate"]),
        ("collectstatic, check --deploy", events["migrated"]),
        ("switch: old and new masters", switch),
        ("new release only", events["old_master_gone"]),
        ("end", rows[-1]["t"] + 1),
    ]
    for (label, start), (_, end) in itertools.pairwise(marks):
        line(label, [row for row in rows if start <= row["t"] < end])
    failures = [row for row in rows if not row["ok"]]
    for row in failures:
        out(
            f"FAILED at {row['t'] - switch:+.2f} s: {row['user']} {row['name']} -> "
            f"{row['status'] or 'no answer'} {row.get('error', '')[:200]!r}"
        )
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="JSON: every request, accepted markers")
    parser.add_argument("--report", metavar="EVENTS", help="print the report of a finished run")
    parser.add_argument("--base", help="e.g. http://127.0.0.1:8000 (loopback)")
    parser.add_argument("--host", help="a name in ALLOWED_HOSTS")
    parser.add_argument("--users", help="comma-separated care managers")
    parser.add_argument("--password")
    parser.add_argument("--stop-file", help="traffic stops when it exists")
    args = parser.parse_args()
    if args.report:
        return report(Path(args.out), Path(args.report))
    if not re.match(r"http://(127\.0\.0\.1|localhost)[:/]", f"{args.base}/"):
        parser.error("traffic only against a server on the loopback")
    log: list[dict[str, Any]] = []
    written: list[str] = []
    lock = threading.Lock()
    users = [User(args, name, log, written, lock) for name in args.users.split(",")]
    for user in users:
        user.start()
        time.sleep(0.2)
    for user in users:
        user.join()
    Path(args.out).write_text(json.dumps({"requests": log, "written": written}), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
