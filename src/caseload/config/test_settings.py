"""Settings for the test suite: the real settings, with a throwaway secret and a fast hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("CASELOAD_SECURE", "0")
os.environ.setdefault("CASELOAD_AUDIT_KEY", "test-only-audit-key-" + "y" * 40)

from caseload.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; argon2 in production
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
TWO_FACTOR_REQUIRED_FOR = []  # tests opt in with override_settings

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: the live server's threads then wait on each other's
    # locks (busy timeout) instead of failing with "database table is locked".
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
    # CASELOAD_TEST_DB_NAME: a fixed file that `--reuse-db` keeps (scripts/mutate.py's runs).
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("CASELOAD_TEST_DB_NAME")
        or str(DATA_DIR / f"test-{os.getpid()}.sqlite3")  # noqa: F405
    }
    DATABASES["default"]["OPTIONS"]["timeout"] = 20  # noqa: F405

# A second alias standing for a read replica (the test database's mirror), for the test that
# turns REPORT_DATABASE on (tests/reports/test_router.py); nothing else routes there.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
