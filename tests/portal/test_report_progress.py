"""A large export's report shows a progress bar while it is built, and in `make run` (no
worker: TASKS_IN_THREAD) the request answers before the build, so the bar is seen."""

import re
import threading

import pytest
from django.urls import reverse

from portal import services
from portal.choices import ReportStatus
from portal.models import GeneratedReport


def _report(user, **fields):
    return GeneratedReport.objects.create(
        kind="villages.village_list",
        title="村（社区）名单",
        scope_code=user.division_id,
        requested_by=user,
        row_count=745,
        **fields,
    )


def _progress_bar(html):
    match = re.search(r'<progress class="report-progress" max="100" value="(\d+)"', html)
    return match and int(match.group(1))


def test_the_page_of_a_report_still_running_shows_its_progress_bar(client, county_admin):
    report = _report(county_admin, status=ReportStatus.RUNNING, progress=40)
    client.force_login(county_admin)
    html = client.get(report.get_absolute_url()).content.decode()
    assert _progress_bar(html) == 40
    assert "生成中…" in html
    assert f'hx-get="{report.get_absolute_url()}"' in html  # and it polls until done
    assert reverse("report_download", args=[report.pk]) not in html


def test_a_finished_report_shows_its_download_and_no_bar(client, county_admin):
    report = _report(county_admin, status=ReportStatus.DONE, progress=100)
    client.force_login(county_admin)
    html = client.get(report.get_absolute_url()).content.decode()
    assert _progress_bar(html) is None
    assert reverse("report_download", args=[report.pk]) in html


@pytest.fixture
def held_build(monkeypatch):
    """The report's build, held until released: what a worker is doing meanwhile."""
    release, started, finished = threading.Event(), threading.Event(), threading.Event()

    def build(*, report_id):
        started.set()
        release.wait(timeout=3)
        finished.set()

    monkeypatch.setattr(services, "report_build", build)
    yield started, release, finished
    release.set()


def test_without_a_worker_the_export_answers_at_once_and_the_page_shows_the_bar(
    client, county_admin, settings, held_build, django_capture_on_commit_callbacks
):
    settings.TASKS_IN_THREAD = True
    settings.EXPORT_SYNC_MAX_ROWS = 500
    started, release, finished = held_build
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("village_export"))
    assert response.status_code == 302
    assert not finished.is_set(), "the request did not wait for the build"
    assert started.wait(timeout=10), "the build runs in a thread of its own"
    report = GeneratedReport.objects.get(requested_by=county_admin)
    assert report.status == ReportStatus.PENDING  # answered before the build was done
    html = client.get(response["Location"]).content.decode()
    assert _progress_bar(html) == 0
    release.set()
    for thread in threading.enumerate():
        if thread.name == "portal.tasks.build_report":
            thread.join(timeout=10)
            assert not thread.is_alive()
    assert finished.is_set()
