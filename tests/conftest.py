"""Shared fixtures: a small organisation with every role, signing in as any of them, a pinned
clock and a directory service to refer to."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client as HttpClient
from django.utils import timezone

from caseload.clients.models import Client
from caseload.core import clock
from caseload.directory.models import Service, ServiceOrganisation
from caseload.enrolments.models import Program
from caseload.staff.models import CareerLevel, User
from tests import factories
from tests.browser_support import browser, page  # noqa: F401 - fixtures for every package

#: Small public files the tests read, committed with their sources and licences.
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
#: The project's larger public corpora, beside the checkout (not in it); see shared_fixtures.
SHARED_FIXTURES_DIR = Path(
    os.environ.get(
        "CASELOAD_FHIR_FIXTURES", Path(__file__).resolve().parents[2] / "shared" / "fixtures"
    )
)


@pytest.fixture
def shared_fixtures() -> Path:
    """The larger corpora (../shared/fixtures, or CASELOAD_FHIR_FIXTURES). A clone without
    them skips the test, naming the folder; CASELOAD_REQUIRE_SHARED_FIXTURES=1 (CI, where the
    folder exists) fails it instead, so those suites cannot quietly stop running."""
    if SHARED_FIXTURES_DIR.is_dir():
        return SHARED_FIXTURES_DIR
    reason = (
        f"needs the shared test corpora at {SHARED_FIXTURES_DIR} "
        "(../shared/fixtures beside the checkout, or set CASELOAD_FHIR_FIXTURES)"
    )
    if os.environ.get("CASELOAD_REQUIRE_SHARED_FIXTURES") == "1":
        pytest.fail(f"CASELOAD_REQUIRE_SHARED_FIXTURES=1 but the test {reason}")
    pytest.skip(reason)


# The audit tables refuse TRUNCATE on PostgreSQL (audit migration 0006), which is how Django
# empties the database after a transactional test. The test role owns the tables, so the flush
# lifts that trigger for its own statement, in its own transaction, as only an owner can.
_AUDIT_TABLES = ("audit_auditevent", "audit_auditchainhead")
# Only on PostgreSQL: importing its backend (psycopg) costs a SQLite run about 0.3 s of CPU,
# which every run of scripts/mutate.py pays.
if django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

    _postgres_sql_flush = PostgresOperations.sql_flush

    def _sql_flush_lifting_the_audit_guard(
        self: Any, style: Any, tables: Any, **kwargs: Any
    ) -> Any:
        statements = _postgres_sql_flush(self, style, tables, **kwargs)
        guarded = [table for table in _AUDIT_TABLES if table in tables]
        if not statements or not guarded:
            return statements
        return [
            *(f"ALTER TABLE {table} DISABLE TRIGGER audit_no_truncate;" for table in guarded),
            *statements,
            *(f"ALTER TABLE {table} ENABLE TRIGGER audit_no_truncate;" for table in guarded),
        ]

    PostgresOperations.sql_flush = _sql_flush_lifting_the_audit_guard  # type: ignore[method-assign]


@dataclass
class Org:
    """Two programs; a director, a senior per program, a supervising care manager with one
    junior, an unrelated care manager, an administrator; one client on each caseload."""

    geriatric: Program
    chronic: Program
    director: User
    senior: User
    senior_other: User
    supervisor: User
    junior: User
    other_cm: User
    admin: User
    privacy: User
    junior_client: Client
    supervisor_client: Client
    other_client: Client

    def users(self) -> dict[str, User]:
        return {
            "director": self.director,
            "senior": self.senior,
            "senior_other": self.senior_other,
            "supervisor": self.supervisor,
            "junior": self.junior,
            "other_cm": self.other_cm,
            "admin": self.admin,
            "privacy": self.privacy,
        }


@pytest.fixture
def org(db: None) -> Org:
    geriatric = factories.ProgramFactory(code="geriatric", name="Geriatric care management")
    chronic = factories.ProgramFactory(
        code="chronic", name="Chronic disease management", kind="chronic_disease"
    )
    director = factories.UserFactory(username="director", career_level=CareerLevel.DIRECTOR)
    senior = factories.UserFactory(username="senior", career_level=CareerLevel.SENIOR)
    senior.programs.add(geriatric)
    senior_other = factories.UserFactory(username="senior-other", career_level=CareerLevel.SENIOR)
    senior_other.programs.add(chronic)
    supervisor = factories.UserFactory(
        username="supervisor", career_level=CareerLevel.CARE_MANAGER, supervisor=senior
    )
    supervisor.programs.add(geriatric)
    junior = factories.UserFactory(
        username="junior", career_level=CareerLevel.JUNIOR, supervisor=supervisor
    )
    junior.programs.add(geriatric)
    other_cm = factories.UserFactory(username="other-cm", career_level=CareerLevel.CARE_MANAGER)
    other_cm.programs.add(chronic)
    admin = factories.UserFactory(
        username="admin", career_level="", is_administrator=True, is_staff=True
    )
    privacy = factories.UserFactory(username="privacy", career_level="", is_privacy_officer=True)
    junior_client = factories.EnrolmentFactory(program=geriatric, care_manager=junior).client
    supervisor_client = factories.EnrolmentFactory(
        program=geriatric, care_manager=supervisor
    ).client
    # A family name no generated client shares: tests search for her by it from outside her
    # program and expect to find nobody in scope (Faker could give the junior's client the same).
    other_client = factories.EnrolmentFactory(
        program=chronic, care_manager=other_cm, client__family_name="Okonkwo"
    ).client
    return Org(
        geriatric=geriatric,
        chronic=chronic,
        director=director,
        senior=senior,
        senior_other=senior_other,
        supervisor=supervisor,
        junior=junior,
        other_cm=other_cm,
        admin=admin,
        privacy=privacy,
        junior_client=junior_client,
        supervisor_client=supervisor_client,
        other_client=other_client,
    )


@pytest.fixture
def login(client: HttpClient):  # type: ignore[no-untyped-def]
    """login(user) signs the test client in as ``user`` and returns it, its session as a
    first page after signing in leaves it (signed in and last seen now), so a test's first
    request is an ordinary page view."""

    def _login(user: User) -> HttpClient:
        client.force_login(user)
        session = client.session
        session["signed_in_at"] = session["last_seen"] = clock.now().timestamp()
        session.save()
        return client

    return _login


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Any:
    """pytest-django's database set-up, less one step in scripts/mutate.py's runs.

    With ``--reuse-db`` Django still runs ``migrate`` on the kept database (loading and
    rendering every migration, then the post-migrate signal): about 40 % of a run of
    tests/core/test_business_days.py. scripts/mutate.py sets CASELOAD_TEST_DB_MIGRATED=1 only
    after an unmutated run in its private copy migrated that copy's database; the copy's
    migrations never change afterwards (a mutant changes one rule module), so that database
    is already the one ``migrate`` would leave, and the runs only point the connections at it.
    """
    from pytest_django.fixtures import django_db_setup as plugin_setup

    if (
        os.environ.get("CASELOAD_TEST_DB_MIGRATED") == "1"
        and os.environ.get("CASELOAD_TEST_DB_NAME")
        and django_db_keepdb
        and not django_db_createdb
    ):
        _use_the_kept_test_databases(django_db_blocker)
        yield
    else:
        yield from plugin_setup.__wrapped__(  # type: ignore[attr-defined]
            request,
            django_test_environment,
            django_db_blocker,
            django_db_use_migrations,
            django_db_keepdb,
            django_db_createdb,
            django_db_modify_db_settings,
        )


def _use_the_kept_test_databases(django_db_blocker: Any) -> None:
    """What Django's create_test_db does for a kept database, less ``migrate``."""
    from django.db import connections

    with django_db_blocker.unblock():
        mirrors = []
        for alias in connections:
            connection = connections[alias]
            mirror = connection.settings_dict.get("TEST", {}).get("MIRROR")
            if mirror:
                mirrors.append((connection, mirror))
                continue
            name = connection.creation._get_test_db_name()
            connection.close()
            django_settings.DATABASES[alias]["NAME"] = name
            connection.settings_dict["NAME"] = name
        for connection, mirror in mirrors:
            connection.creation.set_as_test_mirror(connections[mirror].settings_dict)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
            # One xdist worker runs the browser tests: two Chromiums on two cores thrash, and
            # one Playwright per worker is all the sync API allows.
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(autouse=True)
def _media_of_this_test(settings: Any, tmp_path: Path) -> None:
    """Files the test writes through the storage API (exports, certificates) go to its own
    folder, removed with it."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def pin(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], dt.datetime]:
    """pin("2026-11-20 16:45") fixes clock.now() at that local (organisation) time."""

    def _pin(when: str) -> dt.datetime:
        naive = dt.datetime.fromisoformat(when)
        moment = timezone.make_aware(naive, timezone.get_current_timezone())
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    return _pin


@pytest.fixture
def meals(db: None) -> Service:
    """A directory service accepting referrals: Eastside Meals on Wheels' home-delivered meals."""
    organisation = ServiceOrganisation.objects.create(
        name="Eastside Meals on Wheels", website="https://meals.example.org"
    )
    return Service.objects.create(
        organisation=organisation,
        name="Home-delivered meals",
        service_type="meals",
        description="Hot lunches delivered five days a week.",
        eligibility="Adults 60 and over who cannot shop or cook.",
        languages="English, Spanish, Haitian Creole",
        address_line="12 Market Street",
        city="Springfield",
        state="MA",
        postal_code="01103",
        phone="555-0142",
        email="intake@meals.example.org",
        hours="Mon to Fri 8:00 to 16:00",
    )
