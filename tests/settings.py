"""Test settings: the real settings with a test secret, fast hashing and scratch media."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")


def _redis_of_worker(url, worker):
    """REDIS_URL with the database number of an xdist worker (gw0, gw1, ...): the given
    number for gw0, the next ones (modulo Redis's 16) for the others, so that the workers'
    caches, Celery queues and result keys never meet: a Celery worker started by one test
    process would otherwise take the tasks another one sends."""
    index = int(worker.removeprefix("gw"))
    if not index:
        return url
    base, _, db = url.rpartition("/")
    number = int(db) if db.isdigit() else 0
    if not base.startswith("redis://") or base.endswith("/"):  # no database in the URL
        base, number = url.rstrip("/"), 0
    return f"{base}/{(number + index) % 16}"


# pytest-xdist (`make test`): each worker has its own test database (pytest-django names it
# test_<name>_gw0, ...) and its own Redis database. The worker and load tests hand
# os.environ to the processes they start, so the rewritten REDIS_URL reaches them too.
if os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _redis_of_worker(
        os.environ["REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"]
    )

from portal import settings as _portal_settings  # noqa: E402
from portal.settings import *  # noqa: E402, F403

# A test database need not survive a crash of its server: its commits do not wait for the
# write-ahead log to reach the disk (about 4 ms each on this machine, 0.4 ms without). What
# other sessions see is unchanged; the processes the tests start (gunicorn, Celery) get the
# same from the test database's own setting (tests/conftest.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405

# The tests' Redis shares a loaded machine (two test processes, PostgreSQL, the Celery
# workers some tests start): a read can take longer than the half second production allows,
# and failing open, as it should, would read a kept figure (the menu's to-do count) as
# unknown and fail a test that expects it. The fault tests give their Redis production's
# own timeouts (tests/portal/test_faults.py).
if "redis" in _portal_settings.CACHES["default"]["BACKEND"].lower():
    CACHES = {
        "default": {
            **_portal_settings.CACHES["default"],
            "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
        }
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-static-"))
# Tasks run in-process unless a test starts a real worker (tests/portal/test_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
# The live server of the browser tests mounts a media handler at MEDIA_URL; the portal
# itself has none (files are streamed by views after a scope check), so give it a path
# nothing links to.
MEDIA_URL = "/media-not-served/"
