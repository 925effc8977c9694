"""Faults: with the broker unreachable a page that sends work still answers, the work is
kept, and it is sent once the broker is back. The broker here is really unreachable (a
Redis URL on a port nothing listens on), not a mock."""

import time
from contextlib import contextmanager

from django.urls import reverse

from portal import services
from portal.celery import app
from portal.choices import ReportStatus
from portal.models import GeneratedReport


def _reset_connections():
    """Forget the app's broker pools so the next publish uses the current URL. They are
    not closed: kombu keeps one pool per URL for the whole process, and the real broker's
    is used again once the URL is restored."""
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_down():
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = "redis://127.0.0.1:1/0", False
    _reset_connections()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _reset_connections()


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
        assert f"report {report.pk} recorded but not sent" in caplog.text
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
