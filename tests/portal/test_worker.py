"""A real Celery worker, in its own process, over Redis and PostgreSQL, builds an export.

Needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both; there it fails, never
skips, when they are missing).
"""

import io
import os
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from openpyxl import load_workbook

from portal import services
from portal.celery import app as celery_app
from portal.choices import ReportStatus
from portal.models import GeneratedReport
from villages.models import Village

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url():
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(wuqing):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url or connection.vendor != "postgresql":
        reason = "a real worker needs REDIS_URL and a PostgreSQL DATABASE_URL"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_SECRET_KEY": "worker-test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "PORTAL_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    celery_app.conf.task_always_eager = False
    yield process
    celery_app.conf.task_always_eager = True
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_real_worker_builds_a_large_export_end_to_end(worker, settings):
    from tests.factories import UserFactory

    settings.EXPORT_SYNC_MAX_ROWS = 100
    county = UserFactory(username="county-worker", role="county_admin", division_id="120114")
    outcome = services.export_start(
        kind="villages.village_list", params={"kind": ["village"]}, acting_user=county
    )
    report = outcome.report
    assert report is not None and report.status == ReportStatus.PENDING

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.is_finished:
            break
        assert worker.poll() is None, worker.stdout.read().decode(errors="replace")[-3000:]
        time.sleep(0.5)
    assert report.status == ReportStatus.DONE, f"report still {report.status} after 90 s"

    expected = Village.objects.filter(code__startswith="120114", kind="village").count()
    sheet = load_workbook(io.BytesIO(report.file.read())).active
    assert sheet.max_row - 2 == expected == report.row_count
    assert GeneratedReport.objects.get(pk=report.pk).started_at is not None


def test_a_real_worker_runs_the_activity_plan_deadline_check(worker):
    from datetime import date

    from portal.tasks import run_job
    from villages.models import TimelinessSnapshot, Village

    result = run_job.apply_async(args=("activity_plan_deadline", "2026-12"))
    summary = result.get(timeout=90)
    assert summary.startswith("activity_plan_deadline 2026-12")
    townships = Village.objects.filter(code__startswith="120114").values("township").distinct()
    assert TimelinessSnapshot.objects.filter(month=date(2026, 12, 1)).count() == townships.count()


def test_a_real_worker_builds_the_quarterly_report(worker):
    from datetime import date

    from inspections.reports import KIND
    from portal.tasks import run_job
    from rectification.models import Campaign, Case
    from villages.models import Village

    campaign = Campaign.objects.create(
        division_id="120114", year=2026, name="2026", started_on=date(2026, 3, 1)
    )
    Case.objects.create(
        campaign=campaign,
        village=Village.objects.filter(code__startswith="120114").first(),
        problems="班子不团结",
        responsible_person="李秀英",
        identified_on=date(2026, 3, 1),
        deadline=date(2026, 12, 31),
    )
    summary = run_job.apply_async(args=("quarterly_report", "2026-10")).get(timeout=90)
    assert summary == "quarterly_report 2026Q4: 1 built"
    report = GeneratedReport.objects.get(kind=KIND)
    assert report.status == ReportStatus.DONE and report.file
