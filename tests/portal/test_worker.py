"""A real Celery worker, in its own process, over Redis and PostgreSQL, builds an export.

Needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both; there it fails, never
skips, when they are missing).
"""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

from portal import services
from portal.celery import app as celery_app
from portal.choices import ReportStatus
from portal.models import GeneratedReport
from tests.live import database_url, require_services
from villages.models import Village

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _start_worker(*, pool="solo", env=None, queues=None, name="worker"):
    """A Celery worker in its own process group, as the Procfile runs it: on every queue,
    or on `queues` only (e.g. "periodic,default")."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_SECRET_KEY": "worker-test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "PORTAL_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **(env or {}),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname={name}@%h",
            *([f"--queues={queues}"] if queues else []),
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def workers(wuqing):
    """Start real workers with `workers(pool=..., env=...)`; all are stopped at the end."""
    require_services()
    started = []

    def start(**kwargs):
        started.append(_start_worker(**kwargs))
        return started[-1]

    celery_app.conf.task_always_eager = False
    yield start
    celery_app.conf.task_always_eager = True
    for process in started:
        _stop(process)


@pytest.fixture
def worker(workers):
    return workers()


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

    # Results are ignored unless asked for (CELERY_TASK_IGNORE_RESULT): this test asks.
    result = run_job.apply_async(args=("activity_plan_deadline", "2026-12"), ignore_result=False)
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
    summary = run_job.apply_async(args=("quarterly_report", "2026-10"), ignore_result=False).get(
        timeout=90
    )
    # The job hands the reports to the `reports` queue (the same worker here) and returns.
    assert summary == "quarterly_report 2026Q4: 2 started (1 counties, 1 provinces)"
    for area in ("120114", "12"):  # Wuqing's, and Tianjin's above it
        report = GeneratedReport.objects.get(kind=KIND, scope_code=area)
        _wait_for(report, {ReportStatus.DONE, ReportStatus.FAILED}, seconds=90, processes=[worker])
        assert report.status == ReportStatus.DONE and report.file


def _large_county(townships=6):
    """Wuqing plus made-up townships of 1,000 villages each, so that a county export takes
    seconds, not a fraction of one: long enough to kill a worker in the middle."""
    from villages.choices import DivisionLevel
    from villages.models import Division

    for t in range(townships):
        township = Division.objects.create(
            code=f"12011499{t}", name=f"测试{t}镇", level=DivisionLevel.TOWNSHIP, parent_id="120114"
        )
        Village.objects.bulk_create(
            Village(code=f"{township.code}{n:03d}", name=f"测试{t}镇{n}村", township=township)
            for n in range(1000)
        )
    return Village.objects.filter(code__startswith="120114").count()


def _export_in_background(settings):
    from tests.factories import UserFactory

    settings.EXPORT_SYNC_MAX_ROWS = 100
    county = UserFactory(username="county-worker", role="county_admin", division_id="120114")
    report = services.export_start(
        kind="villages.village_list", params={}, acting_user=county
    ).report
    assert report is not None and report.status == ReportStatus.PENDING
    return report


def _wait_for(report, statuses, *, seconds, processes=()):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in statuses:
            return report
        for process in processes:
            assert process.poll() is None, process.stdout.read().decode(errors="replace")[-3000:]
        time.sleep(0.02)
    raise AssertionError(f"report still {report.status} after {seconds} s, not {statuses}")


def _assert_complete(report, villages):
    sheet = load_workbook(io.BytesIO(report.file.read()), read_only=True).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))  # under the title and headers
    assert len(rows) == villages == report.row_count
    assert len({row[0] for row in rows}) == villages, "each village once, none twice"


def _child_of(process):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise AssertionError("the prefork worker started no pool process")


def test_a_report_survives_its_pool_process_being_killed(workers, settings):
    """The OOM killer takes the pool process building a report: the task is requeued at
    once (acks_late + reject_on_worker_lost) and the new pool process builds it whole."""
    villages = _large_county()
    worker = workers(pool="prefork")
    report = _export_in_background(settings)

    _wait_for(report, {ReportStatus.RUNNING}, seconds=60, processes=[worker])
    # The pool process building it, read now: a child seen while the worker was starting
    # could be gone (one fresh-check run killed a process that no longer existed).
    os.kill(_child_of(worker), signal.SIGKILL)
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING and not report.file, "killed mid-build"

    _wait_for(report, {ReportStatus.DONE, ReportStatus.FAILED}, seconds=120, processes=[worker])
    assert report.status == ReportStatus.DONE, report.error
    _assert_complete(report, villages)


def test_a_report_survives_its_whole_worker_being_killed(workers, settings):
    """The machine running the only worker dies mid-report. The task was never
    acknowledged, so Redis hands it to the next worker after the visibility timeout
    (an hour in production, two seconds here), which builds the report from the start."""
    villages = _large_county()
    quick = {"CELERY_VISIBILITY_TIMEOUT": "2"}
    first = workers(env=quick)
    report = _export_in_background(settings)

    _wait_for(report, {ReportStatus.RUNNING}, seconds=60, processes=[first])
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING and not report.file, "killed mid-build"

    second = workers(env=quick)
    _wait_for(report, {ReportStatus.DONE, ReportStatus.FAILED}, seconds=120, processes=[second])
    assert report.status == ReportStatus.DONE, report.error
    _assert_complete(report, villages)
