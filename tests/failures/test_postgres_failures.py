"""What happens when things fail, with gunicorn on PostgreSQL as in production (docs/operations.md,
"When something fails"):

- a worker killed with SIGKILL in the middle of a save leaves no partial record;
- PostgreSQL unreachable: /healthz answers 503 while it is, and the application recovers by
  itself when it is back, without a restart (the "outage" is a TCP proxy of the test's own that
  is cut and restored: the shared PostgreSQL server is never stopped);
- Redis stopped: the pages keep being served, the cache degrades to misses (a Redis server of
  the test's own, on its own port).

PostgreSQL only: on SQLite these tests skip, saying so; .ci/run's PostgreSQL stage runs them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection

from caseload.audit.chain import verify
from caseload.audit.models import AuditChainHead, AuditEvent
from caseload.clients.models import Client
from caseload.enrolments.models import Enrolment
from tests import factories
from tests.process_support import (
    BIN,
    Gunicorn,
    TcpProxy,
    csrf_token,
    database_url,
    free_port,
    process_env,
    sign_in,
    wait_until,
)

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL (DATABASE_URL=postgres://…); .ci/run's PostgreSQL stage runs it",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("processes"),
]


@pytest.fixture
def gunicorn() -> Iterator[Gunicorn]:
    server = Gunicorn(workers=2)
    yield server
    server.stop()


def registration(session: Any, base: str, org: Any, family_name: str) -> dict[str, str]:
    page = session.get(f"{base}/clients/new/", timeout=30)
    assert page.status_code == 200
    return {
        "csrfmiddlewaretoken": csrf_token(page.text),
        "given_name": "Ada",
        "family_name": family_name,
        "date_of_birth": "1948-03-27",
        "sex_at_birth": "female",
        "preferred_language": "English",
        "program": str(org.geriatric.pk),
        "care_manager": str(org.supervisor.pk),
        "acuity": "2",
        "referred_on": dt.date.today().isoformat(),  # noqa: DTZ011 - a form's date
    }


def post_registration(session: Any, base: str, form: dict[str, str]) -> Any:
    return session.post(
        f"{base}/clients/new/",
        data=form,
        headers={"Referer": f"{base}/clients/new/"},
        allow_redirects=False,
        timeout=60,
    )


def test_a_worker_killed_in_the_middle_of_a_save_leaves_no_partial_record(
    org: Any, gunicorn: Gunicorn
) -> None:
    session = sign_in(gunicorn.url, org.supervisor.username, factories.PASSWORD)
    form = registration(session, gunicorn.url, org, "Midsave")
    AuditChainHead.objects.get_or_create(pk=1)  # the row every audited write locks
    before = (Client.objects.count(), Enrolment.objects.count(), AuditEvent.objects.count())
    outcome: dict[str, Any] = {}

    def register() -> None:
        try:
            response = post_registration(session, gunicorn.url, form)
            outcome["status"] = response.status_code
            outcome["location"] = response.headers.get("Location")
        except requests.RequestException as error:
            outcome["error"] = error

    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        # Every audited write appends to the chain under this row's lock: holding it stops the
        # registration after it has written the client, before it can commit.
        cursor.execute("SELECT * FROM audit_auditchainhead FOR UPDATE")
        request = threading.Thread(target=register)
        request.start()

        def saving_and_waiting() -> bool:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh, inside a transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND state = 'active' AND pid <> pg_backend_pid()"
            )
            return bool(cursor.fetchone()[0])

        if not wait_until(saving_and_waiting, seconds=20):
            cursor.execute("ROLLBACK")
            request.join(timeout=60)
            pytest.fail(f"the save never reached the lock: {outcome}\n{gunicorn.output()}")
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'clients_client' AND l.mode = 'RowExclusiveLock' "
            "AND l.pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1, "the client row was not being written"
        for pid in gunicorn.worker_pids():
            subprocess.run(["kill", "-KILL", str(pid)], check=True)  # noqa: S603, S607
        request.join(timeout=60)
        cursor.execute("ROLLBACK")

    assert "status" not in outcome or outcome["status"] >= 500, outcome
    assert (Client.objects.count(), Enrolment.objects.count(), AuditEvent.objects.count()) == before
    assert not Client.objects.filter(family_name="Midsave").exists()
    assert verify().ok
    # gunicorn replaced the killed workers; the same registration now goes through whole.
    assert wait_until(lambda: len(gunicorn.worker_pids()) == 2, seconds=60)
    session = sign_in(gunicorn.url, org.supervisor.username, factories.PASSWORD)
    form = registration(session, gunicorn.url, org, "Midsave")
    response = post_registration(session, gunicorn.url, form)
    assert response.status_code == 302
    client = Client.objects.get(family_name="Midsave")
    assert Enrolment.objects.filter(client=client).count() == 1
    assert verify().ok


def test_database_unreachable_healthz_503_then_recovery_without_a_restart(org: Any) -> None:
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    through_proxy = database_url({**db, "HOST": "127.0.0.1", "PORT": str(proxy.port)})
    server = Gunicorn(workers=2, DATABASE_URL=through_proxy, DATABASE_CONNECT_TIMEOUT="3")
    try:
        session = sign_in(server.url, org.supervisor.username, factories.PASSWORD)
        assert session.get(f"{server.url}/", timeout=30).status_code == 200
        assert requests.get(f"{server.url}/healthz", timeout=10).json()["database"] == "ok"

        proxy.cut()  # PostgreSQL "goes away": open connections break, new ones are refused
        down = []
        for _ in range(6):  # both workers, with and without a connection to lose
            started = time.monotonic()
            response = requests.get(f"{server.url}/healthz", timeout=30)
            down.append((response.status_code, round(time.monotonic() - started, 1)))
            assert response.json() == {"status": "unavailable", "database": "unreachable"}
        assert all(status == 503 and seconds < 10 for status, seconds in down), down
        page = session.get(f"{server.url}/", timeout=30)
        assert page.status_code == 500  # a page needs the database: Django's error page

        proxy.start()  # it is back, on the same address; gunicorn is not restarted
        assert wait_until(
            lambda: requests.get(f"{server.url}/healthz", timeout=10).status_code == 200,
            seconds=30,
        )
        for _ in range(4):
            assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200
            assert session.get(f"{server.url}/", timeout=30).status_code == 200
        log = server.output()
        assert "health check: database unreachable" in log
    finally:
        server.stop()
        proxy.cut()


@pytest.fixture
def own_redis() -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs redis-server (.ci/run installs it)")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - the system's redis-server on loopback
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    import socket

    def up() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    assert wait_until(up, seconds=20)
    yield process, port
    if process.poll() is None:
        process.kill()
        process.wait()


def cache_round_trip(redis_url: str) -> str:
    """Set and read a value through Caseload's cache, in a process of its own."""
    script = (
        "from django.core.cache import cache; "
        "cache.set('caseload-failure-test', 'kept', 60); "
        "print(cache.get('caseload-failure-test', 'miss'))"
    )
    result = subprocess.run(  # noqa: S603 - our own console script
        [str(BIN / "caseload"), "shell", "--verbosity", "0", "-c", script],
        env=process_env(REDIS_URL=redis_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip() + "\n" + result.stderr


def test_redis_stopped_the_pages_keep_being_served_and_the_cache_degrades(
    org: Any, own_redis: tuple[subprocess.Popen[bytes], int]
) -> None:
    redis, port = own_redis
    redis_url = f"redis://127.0.0.1:{port}/0"
    assert cache_round_trip(redis_url).startswith("kept")
    server = Gunicorn(workers=2, REDIS_URL=redis_url)
    try:
        session = sign_in(server.url, org.supervisor.username, factories.PASSWORD)
        assert session.get(f"{server.url}/", timeout=30).status_code == 200

        redis.kill()  # Redis stops
        redis.wait()
        assert session.get(f"{server.url}/", timeout=30).status_code == 200
        client = org.supervisor_client
        assert session.get(f"{server.url}/clients/{client.pk}/", timeout=30).status_code == 200
        fresh = sign_in(server.url, org.junior.username, factories.PASSWORD)
        assert fresh.get(f"{server.url}/", timeout=30).status_code == 200
        assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200
        degraded = cache_round_trip(redis_url)
        assert degraded.startswith("miss")  # a read is a miss, the write was dropped
        assert "Redis cache unavailable" in degraded  # and the log says so
    finally:
        server.stop()
    assert "Traceback" not in server.output()
