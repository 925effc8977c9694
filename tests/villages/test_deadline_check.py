"""The activity-plan deadline check (`activity_plan_deadline`), written by hand: what it
records for each township and what each organizer and county administrator is told. Every
test runs both ways of doing it: in one statement (PostgreSQL) and row by row (SQLite, the
`make run` database), which must write the same."""

import zoneinfo
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.jobs import run
from portal.models import Notification
from tests.conftest import JIMO, TOWNSHIP_A, TOWNSHIP_B
from tests.factories import UserFactory
from villages import jobs
from villages.choices import DueDayRule
from villages.models import ActivityPlan, Division, TimelinessSnapshot, Village

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DECEMBER = date(2026, 12, 1)  # due by 25 November 2026
JIMO_TOWNSHIP = f"{JIMO}001"


@pytest.fixture(params=["set_based", "row_by_row"])
def way(request, monkeypatch):
    """The job as PostgreSQL runs it, and as SQLite does (the row-by-row path put in its
    place, on the same PostgreSQL data)."""
    if request.param == "row_by_row":
        monkeypatch.setattr(jobs, "_check_set_based", jobs._check_row_by_row)
    return request.param


def plans(villages, **fields):
    ActivityPlan.objects.bulk_create(
        ActivityPlan(village=v, month=DECEMBER, version=1, **fields) for v in villages
    )


@pytest.fixture
def november(alice, bob, county_admin, other_county_admin):
    """Township A (45 villages): 2 on time, 1 late, 1 draft, and a village added after the
    deadline; township B (27): 10 on time; a township of Jimo that has made no plan yet."""
    a = list(Village.objects.filter(township_id=TOWNSHIP_A).order_by("code"))
    b = list(Village.objects.filter(township_id=TOWNSHIP_B).order_by("code"))
    plans(a[:2], submitted_at=datetime(2026, 11, 24, 9, tzinfo=SHANGHAI), late=False)
    plans(a[2:3], submitted_at=datetime(2026, 11, 27, 8, tzinfo=SHANGHAI), late=True)
    plans(a[3:4])  # a draft: not submitted
    plans(b[:10], submitted_at=datetime(2026, 11, 20, 9, tzinfo=SHANGHAI), late=False)
    Village.objects.create(
        code=f"{TOWNSHIP_A}999",
        name="新设村委会",
        township_id=TOWNSHIP_A,
        added_on=date(2026, 12, 10),
    )
    Division.objects.create(code=JIMO_TOWNSHIP, name="环秀街道", level="township", parent_id=JIMO)
    for n, name in enumerate(["东村", "西村", "南村"], start=1):
        Village.objects.create(code=f"{JIMO_TOWNSHIP}{n:03}", name=name, township_id=JIMO_TOWNSHIP)
    UserFactory(username="carol", role="township_organizer", division_id=JIMO_TOWNSHIP)
    UserFactory(username="gone", role="township_organizer", division_id=TOWNSHIP_A, is_active=False)
    return {"a": a, "b": b}


def figures(township, month=DECEMBER):
    s = TimelinessSnapshot.objects.get(township_id=township, month=month)
    return (s.expected, s.on_time, s.late, s.missing)


def notice(username):
    n = Notification.objects.get(user__username=username)
    return (n.key, n.title, n.body, n.url)


def test_each_township_is_recorded_as_the_timeliness_page_counts_it(way, november):
    run("activity_plan_deadline", DECEMBER)
    assert figures(TOWNSHIP_A) == (45, 2, 1, 42)  # the village added in December not expected
    assert figures(TOWNSHIP_B) == (27, 10, 0, 17)
    # Jimo has made no plan: no data yet, not a failure.
    assert figures(JIMO_TOWNSHIP) == (0, 0, 0, 0)
    # Every township with villages: Wuqing's 37 and Jimo's one.
    assert TimelinessSnapshot.objects.filter(month=DECEMBER).count() == 38


def test_an_organizer_is_told_the_first_twenty_missing_villages_and_how_many_more(way, november):
    run("activity_plan_deadline", DECEMBER)
    names = "、".join(v.name for v in november["a"][3:23])  # the draft first: not filed
    assert notice("alice") == (
        "activity-deadline:2026-12:120114101",
        "已过截止时间：42 个村未上报 2026-12 活动计划",
        f"{names}等，另有 22 个",
        "/activity/?month=2026-12",
    )
    # Seventeen missing: every one named.
    assert notice("bob")[1:3] == (
        "已过截止时间：17 个村未上报 2026-12 活动计划",
        "、".join(v.name for v in november["b"][10:]),
    )
    # A county that has not started is still told of its villages without a plan.
    assert notice("carol")[1:3] == (
        "已过截止时间：3 个村未上报 2026-12 活动计划",
        "东村、西村、南村",
    )
    assert not Notification.objects.filter(user__username="gone").exists()


def test_each_county_administrator_is_told_how_his_townships_did(way, november):
    run("activity_plan_deadline", DECEMBER)
    assert notice("county") == (
        "activity-deadline:2026-12:120114",
        "2026-12 活动计划：应报 745，按时 12，逾期 1，未报 732",
        "",
        "/activity/timeliness/?month=2026-12",
    )
    assert notice("jimo")[1] == "2026-12 活动计划：应报 0，按时 0，逾期 0，未报 0"
    # Tianjin's department is not told of each district.
    assert not Notification.objects.filter(user__username="tianjin").exists()


def test_a_second_run_updates_the_figures_and_notifies_nobody_again(way, november):
    first = run("activity_plan_deadline", DECEMBER)
    assert first == (
        "activity_plan_deadline 2026-12: 38 townships recorded, 735 villages missing, 5 notified"
    )
    plans(november["a"][4:5], submitted_at=datetime(2026, 11, 28, tzinfo=SHANGHAI), late=True)
    second = run("activity_plan_deadline", DECEMBER)
    assert second == (
        "activity_plan_deadline 2026-12: 38 townships recorded, 734 villages missing, 0 notified"
    )
    assert figures(TOWNSHIP_A) == (45, 2, 2, 41)
    assert TimelinessSnapshot.objects.filter(month=DECEMBER).count() == 38
    assert Notification.objects.filter(user__username="alice").count() == 1


def test_on_postgresql_the_check_reads_in_one_statement_and_writes_in_another(november):
    with CaptureQueriesContext(connection) as queries:
        run("activity_plan_deadline", DECEMBER)
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # The counties and their due days (villages.deadlines), the transaction's settings, the
    # reading (which PostgreSQL may spread over workers), then the writing.
    assert len(statements) == 6
    assert "CREATE TEMPORARY TABLE" in statements[-2]
    assert statements[-1].lstrip().startswith("WITH")
    # Run twice in one transaction (as here, inside the test's), it reads afresh.
    assert run("activity_plan_deadline", DECEMBER).endswith("0 notified")


def test_a_county_that_moves_its_due_day_expects_the_villages_added_before_it(way, alice):
    # October 2026's plans were due on Friday 25 September, a holiday: where the county
    # moves the date (顺延) they are due on Monday the 28th (villages.deadlines).
    october = date(2026, 10, 1)
    Division.objects.filter(pk="120114").update(due_day_rule=DueDayRule.POSTPONE)
    a = list(Village.objects.filter(township_id=TOWNSHIP_A).order_by("code"))
    ActivityPlan.objects.create(
        village=a[0], month=october, version=1, submitted_at=datetime(2026, 9, 20, tzinfo=SHANGHAI)
    )
    Village.objects.create(
        code=f"{TOWNSHIP_A}998", name="九月新村", township_id=TOWNSHIP_A, added_on=date(2026, 9, 27)
    )
    run("activity_plan_deadline", october)
    assert figures(TOWNSHIP_A, october) == (46, 1, 0, 45)
    # The organizer's list keeps to the 25th (selectors.missing_plans): the new village is
    # not on it.
    assert notice("alice")[1] == "已过截止时间：44 个村未上报 2026-10 活动计划"


@pytest.mark.parametrize("model", [TimelinessSnapshot, Notification])
def test_the_rows_it_writes_carry_no_index_their_unique_constraint_already_gives(db, model):
    # Each index is more to maintain for the 63,344 rows of a national check: a foreign
    # key's own index repeats the first column of the (township, month) and (user, key)
    # constraints, which serve its reads.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    unique = [c["columns"] for c in constraints.values() if c["unique"] and not c["primary_key"]]
    plain = {
        name: c["columns"]
        for name, c in constraints.items()
        if c["index"] and not c["unique"] and c["columns"]
    }
    assert unique
    assert {
        name: columns
        for name, columns in plain.items()
        if any(u[: len(columns)] == columns for u in unique)
    } == {}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's advisory lock")
def test_two_checks_at_once_take_turns(wuqing):
    """A scheduled check and one run by hand at the same time: the second waits for the
    first's commit (the check's advisory lock, DEADLINE_LOCK), then finds its rows, instead
    of inserting the same snapshots again. Here another connection holds the lock."""
    import threading

    import psycopg2
    from django.db import connections

    settings = connection.settings_dict
    holder = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
    )
    holder.autocommit = True
    done = []

    def check():
        try:
            done.append(run("activity_plan_deadline", DECEMBER))
        finally:
            connections.close_all()

    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [jobs.DEADLINE_LOCK])
        waiting = threading.Thread(target=check)
        waiting.start()
        waiting.join(1.5)
        assert waiting.is_alive() and not done  # it waits for the lock
        cursor.execute("SELECT pg_advisory_unlock(%s)", [jobs.DEADLINE_LOCK])
    waiting.join(60)
    holder.close()
    assert done and "townships recorded" in done[0]
    assert TimelinessSnapshot.objects.filter(month=DECEMBER).exists()
