"""Faults: with Redis unreachable a page that sends work still answers, the work is kept,
and it is sent once Redis is back. Redis here is really unreachable (a Redis URL on a port
nothing listens on, or a socket that never answers), not a mock.

In production one Redis is the broker, the result backend and the cache (REDIS_URL feeds
all three), so `redis_down` takes the three away together."""

import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse, reverse_lazy

from inspections.reports import KIND as QUARTERLY
from portal import services
from portal.cache import FailOpenRedisCache
from portal.celery import app
from portal.choices import ReportStatus
from portal.models import GeneratedReport, Notification

DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused
BUDGET = 2.0  # seconds: every page and every action with Redis down


def _reset_connections():
    """Forget the app's broker pools and result backend so the next use reads the current
    URLs. They are not closed: kombu keeps one pool per URL for the whole process, and the
    real broker's is used again once the URL is restored."""
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@contextmanager
def broker_down():
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = DEAD, False
    _reset_connections()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _reset_connections()


def _redis_cache(url):
    """The production cache (the one settings.py builds from REDIS_URL, with its timeouts,
    not the tests' longer ones) at `url`."""
    return {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": url,
            "OPTIONS": django_settings.REDIS_CACHE_OPTIONS,
        }
    }


@contextmanager
def redis_down(settings, url=DEAD):
    """The whole Redis unreachable: broker, result backend and cache at `url`, tasks no
    longer run in-process."""
    saved = app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager
    saved_caches = django_settings.CACHES
    app.conf.broker_url = app.conf.result_backend = url
    app.conf.task_always_eager = False
    _reset_connections()
    settings.CACHES = _redis_cache(url)
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager = saved
        _reset_connections()
        # The cache as it was before (django_settings.CACHES is the dead one by now: the
        # test's `settings` only puts it back after the test).
        settings.CACHES = saved_caches
        FailOpenRedisCache.down_until = 0.0


@contextmanager
def redis_back():
    """Redis is back: the real broker (Redis when REDIS_URL is set, as in CI; else kombu's
    in-memory broker), tasks published for real, not run in-process."""
    saved = app.conf.task_always_eager
    app.conf.broker_url = django_settings.CELERY_BROKER_URL
    app.conf.result_backend = django_settings.CELERY_RESULT_BACKEND
    app.conf.task_always_eager = False
    _reset_connections()
    try:
        yield
    finally:
        app.conf.task_always_eager = saved


def _queue(connection, name):
    """One of the queues (settings: CELERY_TASK_QUEUES; reports go to `reports`, beat's
    jobs to `periodic`)."""
    return connection.SimpleQueue(app.amqp.queues[name])


def _empty_the_queue():
    with redis_back(), app.connection_for_write() as connection:
        for name in app.amqp.queues:
            queue = _queue(connection, name)
            queue.clear()
            queue.close()


def _work_off_the_queue(name="reports"):
    """What a worker does, in-process: take each message the queue `name` holds and run
    its task. Returns the names of the tasks run."""
    ran = []
    with app.connection_for_read() as connection:
        queue = _queue(connection, name)
        try:
            while True:
                try:
                    message = queue.get(timeout=1)
                except queue.Empty:
                    return ran
                args, kwargs, _embed = message.payload
                app.tasks[message.headers["task"]](*args, **kwargs)
                message.ack()
                ran.append(message.headers["task"])
        finally:
            queue.close()


@pytest.fixture
def hung_redis():
    """A Redis that accepts connections and never answers (a stuck server, a half-open
    network): the URL of a socket that listens and reads nothing."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()
    for conn in accepted:
        conn.close()


FIGURES = {}  # label -> seconds, written to var/artifacts/redis-down.txt


@pytest.fixture(scope="module", autouse=True)
def _write_figures():
    yield
    if FIGURES:
        path = Path(django_settings.BASE_DIR) / "var" / "artifacts" / "redis-down.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{seconds:6.3f} s  {label}" for label, seconds in FIGURES.items()]
        path.write_text("Answer times with the whole Redis unreachable\n" + "\n".join(lines) + "\n")


@pytest.fixture
def timed(client, django_capture_on_commit_callbacks):
    """`timed(label, "get" or "post", path, data)`: the client's request as the server
    answers it (callbacks after commit included), how long the user waited recorded and
    held to the budget."""

    def request(label, method, path, data=None):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(client, method)(path, data or {})
        FIGURES[label] = elapsed = time.monotonic() - started
        assert elapsed < BUDGET, f"{label}: {elapsed:.2f} s"
        return response

    return request


def test_with_redis_down_an_export_is_recorded_and_sent_when_it_returns(
    client, county_admin, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EXPORT_SYNC_MAX_ROWS = 10  # the county's villages become a background report
    client.force_login(county_admin)
    with broker_down():
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("village_export") + "?kind=village")
        elapsed = time.monotonic() - started
        report = GeneratedReport.objects.get(requested_by=county_admin)
        # The user is told the report is coming, not shown an error, and not kept waiting.
        assert response.status_code == 302
        assert response["Location"] == reverse("report_detail", args=[report.pk])
        assert elapsed < 10
        assert report.status == ReportStatus.PENDING
        assert f"portal.tasks.build_report({report.pk},) not sent" in caplog.text
        page = client.get(response["Location"])
        assert page.status_code == 200
        # The sweeper cannot send it either while the broker is down, and does not fail.
        assert services.reports_resend(older_than_minutes=0) == 0
    # The broker is back (in tests: in-process): the sweeper sends it and it is built.
    assert services.reports_resend(older_than_minutes=0) == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.row_count > 0


def test_the_sweeper_leaves_fresh_and_finished_reports_alone(county_admin):
    fresh = GeneratedReport.objects.create(
        kind="villages.village_list", title="村（社区）名单", requested_by=county_admin
    )
    done = GeneratedReport.objects.create(
        kind="villages.village_list",
        title="村（社区）名单",
        requested_by=county_admin,
        status=ReportStatus.DONE,
    )
    assert services.reports_resend(older_than_minutes=2) == 0
    fresh.refresh_from_db()
    done.refresh_from_db()
    assert fresh.status == ReportStatus.PENDING and done.status == ReportStatus.DONE


EXPORT = reverse_lazy("village_export")  # villages only: ?kind=village
QUARTERLY_BUTTON = reverse_lazy("quarterly_report")


def test_with_the_whole_redis_down_every_button_that_sends_work_answers_at_once_and_nothing_is_lost(
    client, county_admin, settings, timed
):
    """The large export and the quarterly report button (new, and again after a failure):
    each answers within two seconds with the report's page saying it is queued; the work
    waits in the database and is built once Redis is back."""
    settings.EXPORT_SYNC_MAX_ROWS = 10  # the county's 622 villages become a background report
    failed = GeneratedReport.objects.create(
        kind=QUARTERLY,
        title="2026年第2季度督查报告",
        params={"county": "120114", "year": 2026, "quarter": 2},
        scope_code="120114",
        requested_by=county_admin,
        status=ReportStatus.FAILED,
        error="报表生成失败",
    )
    _empty_the_queue()
    client.force_login(county_admin)
    with redis_down(settings):
        answers = {
            "large export": timed("large export (622 villages)", "post", f"{EXPORT}?kind=village"),
            "quarterly": timed(
                "quarterly report button", "post", QUARTERLY_BUTTON, {"year": 2026, "quarter": 3}
            ),
            "again": timed(
                "quarterly report button after a failure",
                "post",
                QUARTERLY_BUTTON,
                {"year": 2026, "quarter": 2},
            ),
        }
        export = GeneratedReport.objects.get(kind="villages.village_list")
        quarterly = GeneratedReport.objects.get(kind=QUARTERLY, params__quarter=3)
        expected = {"large export": export, "quarterly": quarterly, "again": failed}
        for name, response in answers.items():
            # Each goes to its report's page, which says it is queued; nothing failed.
            assert response.status_code == 302, name
            assert response["Location"] == expected[name].get_absolute_url(), name
            page = timed(f"report page ({name})", "get", response["Location"])
            assert page.status_code == 200
            assert "排队中" in page.content.decode()
        for report in expected.values():
            report.refresh_from_db()
            assert report.status == ReportStatus.PENDING
        # The sweeper cannot send them either while Redis is down, and does not fail.
        assert services.reports_resend(older_than_minutes=0) == 0
    with redis_back():
        # Redis is back: the sweeper really publishes the three, and a worker builds them.
        assert services.reports_resend(older_than_minutes=0) == 3
        assert _work_off_the_queue() == ["portal.tasks.build_report"] * 3
    for report in expected.values():
        report.refresh_from_db()
        assert report.status == ReportStatus.DONE and report.file
    assert export.row_count == 622  # Wuqing's administrative villages (745 with communities)
    assert services.reports_resend(older_than_minutes=0) == 0  # sent once, not again


def test_with_redis_hung_the_buttons_that_send_work_answer_within_two_seconds(
    client, county_admin, settings, timed, hung_redis
):
    """A Redis that accepts connections and never answers (a stuck server, a half-open
    network) costs a page about a second, not the socket timeouts of broker and backend."""
    settings.EXPORT_SYNC_MAX_ROWS = 10
    client.force_login(county_admin)
    with redis_down(settings, url=hung_redis):
        export = timed("large export, Redis hung", "post", f"{EXPORT}?kind=village")
        quarterly = timed(
            "quarterly report button, Redis hung",
            "post",
            QUARTERLY_BUTTON,
            {"year": 2026, "quarter": 3},
        )
    assert export.status_code == 302 and quarterly.status_code == 302
    assert list(GeneratedReport.objects.values_list("status", flat=True)) == [
        ReportStatus.PENDING,
        ReportStatus.PENDING,
    ]


PAGES = [
    "home",
    "dashboard",
    "case_list",
    "village_list",
    "round_list",
    "report_list",
    "notifications",
    "case-list",  # the API
    "healthz",
]


def test_with_the_whole_redis_down_pages_and_logging_in_answer_at_once(
    client, county_admin, settings, timed
):
    """Pages (with the notification bell), the API and the login with its lock-out count
    need no Redis: sessions and django-axes keep to the database."""
    from axes.models import AccessAttempt

    Notification.objects.create(user=county_admin, key="redis-down", title="请查收", url="/")
    login = reverse("login")
    with redis_down(settings):
        wrong = timed(
            "login, wrong password", "post", login, {"username": "county", "password": "x"}
        )
        assert wrong.status_code == 200
        assert "请输入一个正确的用户名和密码" in wrong.content.decode()
        assert AccessAttempt.objects.get(username="county").failures_since_start == 1
        right = timed(
            "login", "post", login, {"username": "county", "password": "correct-horse-battery"}
        )
        assert right.status_code == 302
        assert client.session["_auth_user_id"] == str(county_admin.pk)
        for name in PAGES:
            assert timed(name, "get", reverse(name)).status_code == 200, name
        # The bell counts the unread notification; its page lists it.
        assert 'text-bg-warning ms-1">1</span>' in client.get(reverse("home")).content.decode()
        assert "请查收" in client.get(reverse("notifications")).content.decode()


def test_with_the_whole_redis_down_running_a_job_from_the_admin_says_it_was_not_started(
    client, superuser, settings, timed
):
    """django-celery-beat's "Run selected tasks" button: with Redis down the admin is told
    at once, in Chinese, which jobs did not start; with Redis back they start."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    job = PeriodicTask.objects.create(
        name="resend-reports",
        task="portal.tasks.resend_reports",
        crontab=CrontabSchedule.objects.create(minute="*/5"),
    )
    changelist = reverse("admin:django_celery_beat_periodictask_changelist")
    run = {"action": "run_tasks", "_selected_action": [job.pk]}
    _empty_the_queue()
    client.force_login(superuser)
    with redis_down(settings):
        response = timed("admin: run selected jobs", "post", changelist, run)
        assert response.status_code == 302
        page = client.get(changelist).content.decode()
        assert "无法连接 Redis，以下任务未启动：resend-reports。" in page
    with redis_back():
        client.post(changelist, run)
        assert "已启动：resend-reports。" in client.get(changelist).content.decode()
        assert _work_off_the_queue("periodic") == ["portal.tasks.resend_reports"]


def test_with_redis_down_the_cache_reads_as_a_miss_and_forgets_writes_at_once(settings):
    with redis_down(settings):
        started = time.monotonic()
        assert cache.get("dashboard", "recomputed") == "recomputed"
        cache.set("dashboard", "figures")
        assert cache.get_or_set("dashboard", "recomputed") == "recomputed"
        assert cache.get_many(["a", "b"]) == {}
        with pytest.raises(ValueError):
            cache.incr("hits")
        assert time.monotonic() - started < 0.5
