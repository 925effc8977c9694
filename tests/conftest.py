"""Shared personas and data. Every session starts with Wuqing District's real divisions.

Personas (STYLE.md §9): the Tianjin municipal department's administrator above Wuqing
(province level, division 12), a county administrator of Wuqing, one of another county (Jimo),
the organizers of two Wuqing townships (alice in 梅厂镇, bob in 大碱厂镇), an inspector,
a first secretary of one village in 梅厂镇, a read-only leader, a superuser, and anonymous.
"""

import io
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from portal.celery import app as celery_app
from portal.choices import Role
from tests.factories import UserFactory
from villages.choices import DivisionLevel
from villages.models import Division, Village
from villages.services import divisions_import

WUQING_FIXTURE = Path(settings.BASE_DIR) / "villages" / "fixtures" / "wuqing"
COUNTY = "120114"  # 武清区
TOWNSHIP_A = "120114101"  # 梅厂镇
TOWNSHIP_B = "120114102"  # 大碱厂镇
JIMO = "370215"  # 即墨区, Qingdao: another county
TIANJIN = "12"  # 天津市: the province-level municipality above Wuqing


def load_wuqing():
    divisions_import(source_dir=WUQING_FIXTURE, prefix=COUNTY)
    # Jimo's three ancestors are enough for an administrator of another county.
    for code, name, level, parent in (
        ("37", "山东省", DivisionLevel.PROVINCE, None),
        ("3702", "青岛市", DivisionLevel.CITY, "37"),
        (JIMO, "即墨区", DivisionLevel.COUNTY, "3702"),
    ):
        Division.objects.update_or_create(
            code=code, defaults={"name": name, "level": level, "parent_id": parent}
        )


def pytest_configure(config):
    """`PORTAL_TEST_CLOCK=2028-02-29T12:00+08:00 pytest` runs the whole suite on that day
    (the clock ticks on from there): no test may depend on the day it runs, and
    `make test-clocks` proves it on the days that break such tests (the 26th, the 31st,
    New Year's Day, a leap day)."""
    clock = os.environ.get("PORTAL_TEST_CLOCK")
    if clock:
        config._portal_clock = time_machine.travel(datetime.fromisoformat(clock), tick=True)
        config._portal_clock.start()


def pytest_report_header(config):
    clock = os.environ.get("PORTAL_TEST_CLOCK")
    return f"clock pinned to {clock} (PORTAL_TEST_CLOCK)" if clock else None


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":  # for the processes tests start too
            with connection.cursor() as cursor:
                name = connection.ops.quote_name(connection.settings_dict["NAME"])
                cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
        load_wuqing()


@pytest.fixture(autouse=True)
def _redis_trusted():
    """Each test starts with the cache's Redis trusted: a failure in an earlier test (one
    of Redis down, tests/portal/test_faults.py) leaves the process's cache failing open
    for 30 s (portal/cache.py), which would read a later test's kept figures as unknown."""
    from portal.cache import FailOpenRedisCache

    FailOpenRedisCache.down_until = 0.0
    yield


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process in tests, unless a test starts a real worker."""
    celery_app.conf.task_always_eager = True
    yield


@pytest.fixture
def wuqing(transactional_db):
    """For transactional tests, whose flush removes the session's divisions."""
    load_wuqing()


@pytest.fixture
def village_a(db):
    """The first village committee of township A (梅厂镇)."""
    return first_village_of_township_a()


@pytest.fixture
def village_b(db):
    return Village.objects.filter(township_id=TOWNSHIP_B).order_by("code").first()


# The personas' users, by fixture name. UserFactory gets or creates by user name, so a
# persona made once for a module (the access matrix) is the one its fixture returns.
PERSONA_USERS = {
    # 天津市委组织部: a province-level administrator whose area holds Wuqing.
    "tianjin_admin": {"username": "tianjin", "role": Role.COUNTY_ADMIN, "division_id": TIANJIN},
    "county_admin": {"username": "county", "role": Role.COUNTY_ADMIN, "division_id": COUNTY},
    "other_county_admin": {"username": "jimo", "role": Role.COUNTY_ADMIN, "division_id": JIMO},
    # Township organizer of 梅厂镇 (township A).
    "alice": {"username": "alice", "role": Role.TOWNSHIP_ORGANIZER, "division_id": TOWNSHIP_A},
    # Township organizer of 大碱厂镇 (township B).
    "bob": {"username": "bob", "role": Role.TOWNSHIP_ORGANIZER, "division_id": TOWNSHIP_B},
    "inspector": {"username": "inspector", "role": Role.INSPECTOR, "division_id": COUNTY},
    "secretary": {
        "username": "secretary",
        "role": Role.FIRST_SECRETARY,
        "division_id": TOWNSHIP_A,
    },
    "viewer": {"username": "leader", "role": Role.VIEWER, "division_id": COUNTY},
    "superuser": {
        "username": "root",
        "role": "",
        "division_id": None,
        "is_superuser": True,
        "is_staff": True,
    },
}


def first_village_of_township_a():
    return Village.objects.filter(township_id=TOWNSHIP_A, kind="village").order_by("code").first()


def make_persona(name):
    """The user of a persona (the first secretary is posted to village A)."""
    fields = PERSONA_USERS[name]
    if name == "secretary":
        fields = {**fields, "village": first_village_of_township_a()}
    return UserFactory(**fields)


@pytest.fixture
def tianjin_admin(db):
    """The Tianjin municipal department's administrator (天津市委组织部, division 12)."""
    return make_persona("tianjin_admin")


@pytest.fixture
def county_admin(db):
    return make_persona("county_admin")


@pytest.fixture
def other_county_admin(db):
    return make_persona("other_county_admin")


@pytest.fixture
def alice(db):
    """Township organizer of 梅厂镇 (township A)."""
    return make_persona("alice")


@pytest.fixture
def bob(db):
    """Township organizer of 大碱厂镇 (township B)."""
    return make_persona("bob")


@pytest.fixture
def inspector(db):
    return make_persona("inspector")


@pytest.fixture
def secretary(db, village_a):
    return make_persona("secretary")


@pytest.fixture
def viewer(db):
    return make_persona("viewer")


@pytest.fixture
def superuser(db):
    return make_persona("superuser")


PERSONAS = (
    "anonymous",
    "superuser",
    "tianjin_admin",
    "county_admin",
    "other_county_admin",
    "alice",
    "bob",
    "inspector",
    "secretary",
    "viewer",
)


@pytest.fixture
def persona(request, db):
    """Resolve a persona name to its user (None for anonymous)."""

    def get(name):
        return None if name == "anonymous" else request.getfixturevalue(name)

    return get


def _load_demo():
    """The demo, inside the running test's transaction (rolled back after it).

    On PostgreSQL the first load of a day in this process is kept, table by table (COPY),
    with a count of every table's rows before it; a later load on that day, from tables
    holding exactly those counts again (nothing written before the demo by the test), puts
    the kept rows in place (TRUNCATE and COPY are rolled back with the test) in a fraction
    of a second instead of about 5 s. Anything else loads the demo as `make run` does."""
    from django.core.management import call_command

    from tests.live import copy_out, restore, table_counts

    kept = connection.vendor == "postgresql"
    day = timezone.localdate()
    before = table_counts() if kept else None
    if kept and day in _DEMO_IN_TRANSACTION:
        counts, rows = _DEMO_IN_TRANSACTION[day]
        if counts == before:
            restore(rows)
            return
    with override_settings(DEBUG=True):  # the demo refuses to load outside debug
        call_command("load_demo", stdout=io.StringIO())
    if kept and day not in _DEMO_IN_TRANSACTION:
        _DEMO_IN_TRANSACTION[day] = (before, copy_out())


# {day: (every table's row count before the demo, every table's rows after it)}
_DEMO_IN_TRANSACTION: dict = {}


@pytest.fixture
def demo(db, settings):
    """The demo `make run` loads: Wuqing's campaigns, people, plans and inspections."""
    settings.DEBUG = True
    _load_demo()


@contextmanager
def kept_for_the_module(django_db_blocker):
    """A transaction open for a whole module, rolled back at its end: the rows written in it
    are there for each of the module's tests, which still runs in its own savepoint rolled
    back after it (pytest-django's `db` nests in it). Only for modules whose tests are all
    in-transaction ones (no `transactional_db`, no live server)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """The demo loaded once for a module whose tests all read it (see kept_for_the_module):
    override `demo` with it in such a module, e.g. `def demo(demo_once, db, settings)`."""
    with kept_for_the_module(django_db_blocker):
        _load_demo()
        yield


_DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def pytest_collection_modifyitems(config, items):
    """A test that reads a module's world (a module-scoped fixture that writes through
    `django_db_blocker`, e.g. `kept_for_the_module`) must ask for `db` too: without it,
    pytest-django takes it for a test without the database and runs it after the
    transactional tests, whose flush has emptied the tables the world was written over."""
    wrong = []
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None or _DB_FIXTURES & set(info.names_closure):
            continue
        if item.get_closest_marker("django_db"):
            continue
        for name in info.names_closure:
            for fixturedef in info.name2fixturedefs.get(name, ()):
                if fixturedef.scope == "module" and "django_db_blocker" in fixturedef.argnames:
                    wrong.append(f"{item.nodeid} (through {name})")
    if wrong:
        raise pytest.UsageError(
            "these tests read a module's world without asking for `db`:\n" + "\n".join(wrong)
        )
    groups = [_group(item) for item in items]
    if groups != sorted(groups):  # pytest-django sorted them first: _group must agree
        raise pytest.UsageError("tests/conftest.py's _group disagrees with pytest-django's order")
    items.sort(key=_start_order)


# The longest tests, in the order they start. `make test` hands the two processes two tests
# at a time (--maxschedchunk 2) in the order below, so a process that finishes early takes
# the next test instead of waiting while the other works through a backlog; starting with
# the longest leaves short ones for the end, and both finish within a few seconds. The sort
# is stable and keeps pytest-django's three groups (in-transaction, transactional, without
# the database) in their order, so the flush after a transactional test never runs under an
# in-transaction one; whole modules move, so a module's world is built once per process.
LONGEST_FIRST = (
    # in a transaction
    "tests/portal/test_api_fuzz.py",  # four runs of 45-60 s
    "tests/portal/test_dashboard_figures.py",
    "tests/portal/test_bad_input.py",
    "tests/portal/test_statistics_api.py",
    "tests/portal/test_statistics_seed_004.py",
    # transactional: the browser and the workers (the minute of load is last: LAST)
    "tests/browser/",
    "tests/portal/test_worker.py",
    "tests/portal/test_migrations.py",
    "tests/portal/test_queues.py",
)


def _group(item):
    """pytest-django's order: 0 in a transaction, 1 transactional, 2 without the database."""
    fixtures = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    if (
        "transactional_db" in fixtures
        or "live_server" in fixtures
        or (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    ):
        return 1
    if marker or "db" in fixtures:
        return 0
    return 2


# The minute of load saturates both cores (gunicorn and wrk): run last, it overlaps only
# the other process's last tests. Run first, it starved the other process's tests of CPU
# for a minute, and a Redis read past the cache's 0.5 s timeout (failing open, a miss) lost
# the to-do list's kept counts under test_todo in one CI run.
LAST = ("tests/portal/test_load.py",)


def _start_order(item):
    path = item.nodeid.split("::", 1)[0]
    if path.startswith(LAST):
        return (_group(item), len(LONGEST_FIRST) + 1)
    rank = next(
        (n for n, prefix in enumerate(LONGEST_FIRST) if path.startswith(prefix)),
        len(LONGEST_FIRST),
    )
    return (_group(item), rank)
