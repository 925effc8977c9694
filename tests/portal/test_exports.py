"""Excel exports of filtered lists: in the request when small, as a Celery report when large."""

import io
import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal import services
from portal.choices import ReportStatus
from portal.models import GeneratedReport
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B
from villages.models import Village


def read_rows(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_a_small_export_downloads_the_filtered_list_at_once(client, alice):
    client.force_login(alice)
    response = client.post(reverse("village_export") + "?kind=community")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet, rows = read_rows(b"".join(response.streaming_content))
    assert rows[0][0] == "村（社区）名单"
    assert rows[1][:5] == ["代码", "名称", "县（区）", "乡镇（街道）", "类型"]
    expected = list(
        Village.objects.filter(township_id=TOWNSHIP_A, kind="community")
        .order_by("code")
        .values_list("code", flat=True)
    )
    assert [row[0] for row in rows[2:]] == expected
    assert {row[4] for row in rows[2:]} == {"社区"}
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == f"A2:J{len(expected) + 2}"


def test_an_export_never_leaves_the_users_scope(client, bob):
    client.force_login(bob)
    own = list(
        Village.objects.filter(township_id=TOWNSHIP_B)
        .order_by("code")
        .values_list("code", flat=True)
    )
    # Unfiltered, and filtered by his own township: exactly bob's villages.
    for query in ("", f"?township={TOWNSHIP_B}"):
        response = client.post(reverse("village_export") + query)
        _sheet, rows = read_rows(b"".join(response.streaming_content))
        assert [row[0] for row in rows[2:]] == own, query
    assert own
    # bob asks for township A's villages: the filter is refused, the file is empty.
    response = client.post(reverse("village_export") + f"?township={TOWNSHIP_A}")
    _sheet, rows = read_rows(b"".join(response.streaming_content))
    assert rows[2:] == []


def test_text_that_excel_would_run_as_a_formula_is_written_as_plain_text(client, alice, village_a):
    Village.objects.filter(pk=village_a.pk).update(
        name='=HYPERLINK("http://evil.example","点击")', secretary_name="@SUM(1+1)"
    )
    client.force_login(alice)
    response = client.post(reverse("village_export") + f"?q={village_a.code}")
    sheet, _rows = read_rows(b"".join(response.streaming_content))
    name_cell, secretary_cell = sheet.cell(row=3, column=2), sheet.cell(row=3, column=10)
    assert name_cell.value == '=HYPERLINK("http://evil.example","点击")'
    assert name_cell.data_type == "s" and name_cell.quotePrefix
    assert secretary_cell.value == "@SUM(1+1)"
    assert secretary_cell.data_type == "s" and secretary_cell.quotePrefix


def queued_report(user, **fields):
    """A village-list report as the export page queues it, for the county."""
    return GeneratedReport.objects.create(
        **{
            "kind": "villages.village_list",
            "title": "村（社区）名单",
            "scope_code": "120114",
            "requested_by": user,
            **fields,
        }
    )


@pytest.fixture
def small_sync_limit(settings):
    settings.EXPORT_SYNC_MAX_ROWS = 10


def test_a_large_export_becomes_a_report_with_progress_and_a_download(
    client, county_admin, small_sync_limit, django_capture_on_commit_callbacks
):
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("village_export") + "?kind=village")
    report = GeneratedReport.objects.get(requested_by=county_admin)
    assert response.status_code == 302
    assert response["Location"] == reverse("report_detail", args=[report.pk])
    assert report.status == ReportStatus.DONE and report.progress == 100
    village_count = Village.objects.filter(code__startswith="120114", kind="village").count()
    assert report.row_count == village_count
    page = client.get(response["Location"], headers={"HX-Request": "true"})
    assert reverse("report_download", args=[report.pk]) in page.content.decode()
    download = client.get(reverse("report_download", args=[report.pk]))
    _sheet, rows = read_rows(b"".join(download.streaming_content))
    assert len(rows) - 2 == village_count


def test_a_queued_report_polls_its_progress_until_done(client, county_admin):
    report = queued_report(county_admin, status=ReportStatus.RUNNING, progress=40)
    client.force_login(county_admin)
    html = client.get(report.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in html and "40%" in html
    assert "<nav" not in html  # htmx gets the fragment only


def test_building_a_report_twice_builds_it_once(county_admin, small_sync_limit):
    report = queued_report(county_admin)
    first = services.report_build(report_id=report.pk)
    name = first.file.name
    second = services.report_build(report_id=report.pk)
    assert second.status == ReportStatus.DONE and second.file.name == name


def test_a_report_for_a_deleted_request_is_ignored(county_admin):
    assert services.report_build(report_id=987654) is None


def test_a_report_with_a_stale_filter_builds_an_empty_workbook(county_admin):
    report = queued_report(county_admin, params={"kind": ["not-a-kind"]})
    built = services.report_build(report_id=report.pk)
    assert built.status == ReportStatus.DONE and built.row_count == 0


def test_a_report_that_fails_says_so_in_chinese(county_admin):
    report = queued_report(county_admin, kind="an.export.that.was.removed")
    failed = services.report_build(report_id=report.pk)
    assert failed.status == ReportStatus.FAILED
    assert "报表生成失败" in failed.error


def test_old_reports_and_their_files_are_purged(county_admin, settings):
    report = queued_report(county_admin, title="旧")
    services.report_build(report_id=report.pk)
    report.refresh_from_db()
    path = report.file.path
    GeneratedReport.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - timedelta(days=settings.REPORT_RETENTION_DAYS + 1)
    )
    fresh = queued_report(county_admin, title="新")
    assert services.reports_purge_expired() == 1
    assert list(GeneratedReport.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not os.path.exists(path)
