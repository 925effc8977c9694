"""Shared personas and data. Every session starts with Wuqing District's real divisions.

Personas (STYLE.md §9): a county administrator of Wuqing, one of another county (Jimo),
the organizers of two Wuqing townships (alice in 梅厂镇, bob in 大碱厂镇), an inspector,
a first secretary of one village in 梅厂镇, a read-only leader, a superuser, and anonymous.
"""

import os
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

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
        load_wuqing()


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
    return Village.objects.filter(township_id=TOWNSHIP_A, kind="village").order_by("code").first()


@pytest.fixture
def village_b(db):
    return Village.objects.filter(township_id=TOWNSHIP_B).order_by("code").first()


@pytest.fixture
def county_admin(db):
    return UserFactory(username="county", role=Role.COUNTY_ADMIN, division_id=COUNTY)


@pytest.fixture
def other_county_admin(db):
    return UserFactory(username="jimo", role=Role.COUNTY_ADMIN, division_id=JIMO)


@pytest.fixture
def alice(db):
    """Township organizer of 梅厂镇 (township A)."""
    return UserFactory(username="alice", role=Role.TOWNSHIP_ORGANIZER, division_id=TOWNSHIP_A)


@pytest.fixture
def bob(db):
    """Township organizer of 大碱厂镇 (township B)."""
    return UserFactory(username="bob", role=Role.TOWNSHIP_ORGANIZER, division_id=TOWNSHIP_B)


@pytest.fixture
def inspector(db):
    return UserFactory(username="inspector", role=Role.INSPECTOR, division_id=COUNTY)


@pytest.fixture
def secretary(db, village_a):
    return UserFactory(
        username="secretary",
        role=Role.FIRST_SECRETARY,
        division_id=TOWNSHIP_A,
        village=village_a,
    )


@pytest.fixture
def viewer(db):
    return UserFactory(username="leader", role=Role.VIEWER, division_id=COUNTY)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", role="", division_id=None, is_superuser=True, is_staff=True)


PERSONAS = (
    "anonymous",
    "superuser",
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


@pytest.fixture
def demo(db, settings):
    """The demo `make run` loads: Wuqing's campaigns, people, plans and inspections."""
    import io

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
