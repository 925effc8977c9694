"""For tests that run the portal in other processes (a Celery worker, gunicorn): they need
the test database on PostgreSQL, Redis, and the data committed (transactional tests)."""

import importlib
import io
import os
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone


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


def load_demo_committed(*, reuse=False):
    """The demo, in a transactional test. The flush after such a test empties every table,
    the rows the migrations wrote too (the national problem categories and the acceptance
    checklist): they are written again first. (Serialized rollback cannot do it where
    another connection reads the data.)

    With `reuse` (the browser tests), on PostgreSQL, the first load of a day in this
    process is kept, table by table (COPY), and later calls on that day (the demo's dates
    follow the clock) put those rows back in place of whatever the tables hold, in a
    fraction of a second instead of loading the demo again (about 5 s)."""
    reuse = reuse and connection.vendor == "postgresql"
    day = timezone.localdate()
    if reuse and day in _DEMO_ROWS:
        restore(_DEMO_ROWS[day])
        return
    seed = importlib.import_module("rectification.migrations.0002_seed_categories_and_checklist")
    seed.seed(apps, None)
    with override_settings(DEBUG=True):  # the demo refuses to load outside debug
        call_command("load_demo", stdout=io.StringIO())
    if reuse:
        _DEMO_ROWS[day] = copy_out()


# The demo's rows as loaded on a day (the demo's dates follow the clock): {day: {table: rows}}.
_DEMO_ROWS: dict = {}


def _tables():
    return sorted(
        connection.introspection.django_table_names(only_existing=True, include_views=False)
    )


def table_counts():
    """{table: rows} of every table, in one query: what the demo's rows were loaded over."""
    tables = _tables()
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f'SELECT %s, count(*) FROM "{table}"' for table in tables),
            tables,
        )
        return dict(cursor.fetchall())


def copy_out():
    tables = {}
    with connection.cursor() as cursor:
        for table in _tables():
            buffer = io.BytesIO()
            cursor.connection.cursor().copy_expert(
                f'COPY "{table}" TO STDOUT WITH (FORMAT binary)', buffer
            )
            tables[table] = buffer.getvalue()
    return tables


def restore(tables):
    """Every table's rows back, in place of what the flush's post-migrate wrote again
    (content types, permissions): foreign keys are checked at commit, the demo left them
    consistent; then each sequence after its highest id, and the content types read anew."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("TRUNCATE " + ", ".join(f'"{table}"' for table in tables))
        raw = cursor.connection.cursor()
        for table, rows in tables.items():
            raw.copy_expert(f'COPY "{table}" FROM STDIN WITH (FORMAT binary)', io.BytesIO(rows))
        models = list(apps.get_models(include_auto_created=True))
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    ContentType.objects.clear_cache()
