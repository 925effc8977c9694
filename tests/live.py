"""For tests that run the portal in other processes (a Celery worker, gunicorn): they need
the test database on PostgreSQL, Redis, and the data committed (transactional tests)."""

import importlib
import io
import os
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import override_settings


def require_services():
    """PostgreSQL and Redis, or skip (locally) / fail (in CI, where they must be up)."""
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        reason = "this test needs REDIS_URL and a PostgreSQL DATABASE_URL"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def database_url():
    """The test database, for another process."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def load_demo_committed():
    """The demo, in a transactional test. The flush after such a test empties every table,
    the rows the migrations wrote too (the national problem categories and the acceptance
    checklist): they are written again first. (Serialized rollback cannot do it where
    another connection reads the data.)"""
    seed = importlib.import_module("rectification.migrations.0002_seed_categories_and_checklist")
    seed.seed(apps, None)
    with override_settings(DEBUG=True):  # the demo refuses to load outside debug
        call_command("load_demo", stdout=io.StringIO())
