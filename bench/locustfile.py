"""Locust scenario for `make load` (bench/load.py runs it): care managers at work.

Each simulated user signs in as one of the care managers bench/load.py prepared (the accounts
file, LOAD_ACCOUNTS) and then, with a few seconds' thought between actions, opens the worklist,
searches it, opens a chart, writes a progress note, completes a task and gives a PHQ-9, in the
proportions of the task weights. Every note carries a marker ("load-<user>-<n>"); the markers of
the notes the server accepted are written to LOAD_WRITTEN at the end, for the lost-update check.

Bounded: it refuses any host but the loopback, and stops after LOAD_MAX_REQUESTS requests
(besides locust's --run-time and --users).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

ACCOUNTS: list[dict[str, Any]] = json.loads(
    Path(os.environ.get("LOAD_ACCOUNTS", "var/load/accounts.json")).read_text(encoding="utf-8")
)
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "200000"))
WRITTEN_FILE = Path(os.environ.get("LOAD_WRITTEN", "var/load/written.json"))
FREQUENCY = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]  # PHQ-9 answers scored 0-3
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# A "Mark done" form on My tasks: the task and the version the page showed (issue 10: a state
# change carries the version it was made against).
TASK_ROW = re.compile(
    r'action="/tasks/([0-9a-f-]{36})/complete/".*?name="version" value="(\d+)"', re.DOTALL
)

_next_account = itertools.count()
_lock = threading.Lock()
_written: list[str] = []
_requests = itertools.count(1)


@events.test_start.add_listener
def _loopback_only(environment: Any, **_: Any) -> None:
    host = urlsplit(environment.host or "").hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"Load only a server on this machine's loopback, not {host!r}.")


@events.request.add_listener
def _bounded(**_: Any) -> None:
    if next(_requests) >= MAX_REQUESTS:
        from locust.runners import Runner

        runner: Runner | None = _environment.runner if _environment else None
        if runner is not None:
            runner.quit()


_environment: Any = None


@events.init.add_listener
def _keep_environment(environment: Any, **_: Any) -> None:
    global _environment
    _environment = environment


@events.test_stop.add_listener
def _write_markers(**_: Any) -> None:
    WRITTEN_FILE.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        WRITTEN_FILE.write_text(json.dumps(_written), encoding="utf-8")


def _token(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) if match else ""


class CareManager(HttpUser):
    wait_time = between(2, 6)  # reading and typing between actions

    def on_start(self) -> None:
        self.account = ACCOUNTS[next(_next_account) % len(ACCOUNTS)]
        self.notes = 0
        page = self.client.get("/accounts/sign-in/", name="sign-in form")
        with self.client.post(
            "/accounts/sign-in/",
            data={
                "username": self.account["username"],
                "password": PASSWORD,
                "csrfmiddlewaretoken": _token(page.text),
            },
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")

    def _client_id(self) -> str:
        return str(random.choice(self.account["clients"]))

    @task(6)
    def worklist(self) -> None:
        self.client.get("/", name="worklist")

    @task(3)
    def search(self) -> None:
        term = random.choice(self.account["search_terms"])
        self.client.get(f"/?q={term}", name="search")

    @task(6)
    def chart(self) -> None:
        self.client.get(f"/clients/{self._client_id()}/", name="chart")

    @task(2)
    def write_note(self) -> None:
        client_id = self._client_id()
        form = self.client.get(f"/notes/for/{client_id}/new/", name="note form")
        self.notes += 1
        marker = f"load-{self.account['username']}-{self.notes}-{uuid.uuid4().hex[:8]}"
        with self.client.post(
            f"/notes/for/{client_id}/new/",
            data={
                "csrfmiddlewaretoken": _token(form.text),
                "contact_at": self.account["contact_at"],
                "contact_type": "phone",
                "contact_with": "client",
                "related_person": "",
                "provider_name": "",
                "reached": "yes",
                "minutes": "10",
                "narrative": f"Phoned to check in; no new concerns. {marker}",
                "action": "sign",
            },
            name="write note",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                with _lock:
                    _written.append(marker)
            else:
                response.failure(f"note answered {response.status_code}")

    @task(1)
    def complete_task(self) -> None:
        """Open My tasks and mark one of the listed tasks done, as the row's form does."""
        page = self.client.get("/tasks/", name="my tasks")
        listed = TASK_ROW.findall(page.text)
        if not listed:
            return
        task_id, version = random.choice(listed)
        with self.client.post(
            f"/tasks/{task_id}/complete/",
            data={
                "csrfmiddlewaretoken": _token(page.text),
                "version": version,
                "outcome_note": "Done.",
            },
            name="complete task",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"completing a task answered {response.status_code}")

    @task(1)
    def phq9(self) -> None:
        client_id = self._client_id()
        url = f"/assessments/clients/{client_id}/give/?instrument=phq9"
        form = self.client.get(url, name="PHQ-9 form")
        answers = {f"a_q{i}": random.choice(FREQUENCY[:3]) for i in range(1, 10)}
        answers["a_q9"] = FREQUENCY[0]  # no safety escalation in the load
        with self.client.post(
            url,
            data={"csrfmiddlewaretoken": _token(form.text), "action": "complete", **answers},
            name="submit PHQ-9",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"PHQ-9 answered {response.status_code}")
