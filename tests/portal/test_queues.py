"""Two real Celery workers on separate queues, as a deployment runs them (Procfile,
docker-compose.yml): one for `imports` and `reports`, one for `periodic` and `default`.
Work piled on the first does not delay beat's deadline check on the second; and a
province's quarterly report is built in parts by the workers and joined.

Needs REDIS_URL and a PostgreSQL DATABASE_URL, like tests/portal/test_worker.py.
"""

import io
import os
import signal
import time
from datetime import date

import pytest
from openpyxl import load_workbook

from portal.celery import app as celery_app
from portal.choices import ReportStatus
from portal.models import GeneratedReport
from tests.live import require_services
from tests.portal.test_worker import _large_county, _start_worker, _stop, _wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(wuqing):
    """Start real workers with `workers(queues=..., name=...)`; all stopped at the end."""
    require_services()
    with celery_app.connection_for_write() as connection:
        for name in celery_app.amqp.queues:  # nothing left over from another test
            connection.default_channel.queue_purge(name)
    started = []

    def start(**kwargs):
        started.append(_start_worker(**kwargs))
        return started[-1]

    celery_app.conf.task_always_eager = False
    yield start
    celery_app.conf.task_always_eager = True
    for process in started:
        _stop(process)


def _exports(settings, count):
    """`count` background exports of the enlarged county's villages, each some seconds of
    work, queued on `reports` one after the other."""
    from portal import services
    from tests.factories import UserFactory

    settings.EXPORT_SYNC_MAX_ROWS = 100
    county = UserFactory(username="county-queues", role="county_admin", division_id="120114")
    reports = []
    for _n in range(count):
        # Sent to the workers on commit: at once here, outside any transaction.
        report = services.export_start(
            kind="villages.village_list", params={}, acting_user=county
        ).report
        reports.append(report)
    return reports


def test_reports_piled_on_their_worker_do_not_delay_the_deadline_check(workers, settings):
    from portal.tasks import run_job
    from villages.models import TimelinessSnapshot

    _large_county()
    bulk = workers(queues="imports,reports", name="bulk")
    periodic = workers(queues="periodic,default", name="periodic")
    first, waiting = _exports(settings, 2)
    _wait_for(first, {ReportStatus.RUNNING}, seconds=60, processes=[bulk, periodic])

    # The bulk worker is busy with the first export, the second waits behind it: beat's
    # deadline check, sent now, is taken at once by the other worker.
    sent = time.monotonic()
    result = run_job.apply_async(args=("activity_plan_deadline", "2026-12"), ignore_result=False)
    summary = result.get(timeout=30)
    took = time.monotonic() - sent

    assert summary.startswith("activity_plan_deadline 2026-12")
    assert TimelinessSnapshot.objects.filter(month=date(2026, 12, 1)).exists()
    waiting.refresh_from_db()
    assert waiting.status == ReportStatus.PENDING, f"the check took {took:.1f} s"
    print(f"deadline check answered in {took:.2f} s while the other worker was busy")
    os.killpg(bulk.pid, signal.SIGKILL)  # not its warm shutdown: the export may run on
    bulk.wait()


def test_two_workers_build_a_provinces_report_in_parts_the_same_as_one_task(workers):
    """Tianjin's quarterly report, one part per county (Wuqing and a made-up second
    county), built by two `reports` workers through Redis and joined by a chord."""
    from inspections.reports import build, quarterly_request
    from portal import services
    from rectification.models import Campaign, Case
    from villages.choices import DivisionLevel
    from villages.models import Division, Village

    Division.objects.create(
        code="120113", name="北辰区", level=DivisionLevel.COUNTY, parent_id="1201"
    )
    township = Division.objects.create(
        code="120113100", name="果园新村街道", level=DivisionLevel.TOWNSHIP, parent_id="120113"
    )
    Village.objects.create(code="120113100001", name="果园村", township=township)
    for code, county in (("120113100001", "120113"), (None, "120114")):
        village = (
            Village.objects.get(code=code)
            if code
            else Village.objects.filter(code__startswith=county).order_by("code").first()
        )
        Case.objects.create(
            campaign=Campaign.objects.get_or_create(
                division_id=county,
                year=2026,
                defaults={"name": "2026", "started_on": date(2026, 3, 1)},
            )[0],
            village=village,
            problems="班子不团结",
            responsible_person="李秀英",
            identified_on=date(2026, 3, 1),
            deadline=date(2026, 12, 31),
        )
    first = workers(queues="reports", name="one")
    second = workers(queues="reports", name="two")
    report, _created = quarterly_request(area="12", year=2026, quarter=4)
    assert services.report_send(report.pk)

    _wait_for(
        report, {ReportStatus.DONE, ReportStatus.FAILED}, seconds=90, processes=[first, second]
    )
    assert report.status == ReportStatus.DONE, report.error
    joined = load_workbook(io.BytesIO(report.file.read()))
    handle = io.BytesIO()
    build(GeneratedReport.objects.get(pk=report.pk), handle, lambda percent: None)
    handle.seek(0)
    single = load_workbook(handle)
    values = [[[c.value for c in row] for row in sheet.iter_rows()] for sheet in joined]
    assert values == [[[c.value for c in row] for row in sheet.iter_rows()] for sheet in single]
    assert values[0][2][0] == "果园新村街道" and len(values[1]) == 2 + 2  # two cases
