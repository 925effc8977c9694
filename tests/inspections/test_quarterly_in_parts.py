"""A province's (and the country's) quarterly report is built in parts, one Celery task
per county, joined by a last one: the workbook is the one a single task writes, cell for
cell. On the demo (Wuqing) with a second Tianjin county beside it, 北辰区, whose finding is
due before any of Wuqing's: sheets go county by county in both ways of building."""

import io
from datetime import date

import pytest
from kombu.utils.json import dumps, loads
from openpyxl import load_workbook

from inspections.models import Finding, InspectionRound, Team, Visit
from inspections.reports import KIND, build, build_part, counties, join, quarterly_request
from portal import services
from portal.choices import ReportStatus
from portal.models import GeneratedReport
from rectification.models import Campaign, Case, Category
from villages.choices import DivisionLevel
from villages.models import Division, Village

BEICHEN = "120113"


@pytest.fixture
def demo(demo_once, db, settings):
    """The demo, loaded once for the module (its tests only read it and add to it)."""


@pytest.fixture
def two_counties(demo):
    """The demo, and in 北辰区 one township, one village with a case, and a fourth-quarter
    round whose visit found one problem, due on 1 October 2026."""
    Division.objects.create(
        code=BEICHEN, name="北辰区", level=DivisionLevel.COUNTY, parent_id="1201"
    )
    township = Division.objects.create(
        code=f"{BEICHEN}100", name="果园新村街道", level=DivisionLevel.TOWNSHIP, parent_id=BEICHEN
    )
    village = Village.objects.create(code=f"{BEICHEN}100001", name="果园村", township=township)
    campaign = Campaign.objects.create(
        division_id=BEICHEN, year=2026, name="2026年整顿", started_on=date(2026, 3, 1)
    )
    Case.objects.create(
        campaign=campaign,
        village=village,
        problems="班子不团结",
        responsible_person="周海燕",
        identified_on=date(2026, 3, 1),
        deadline=date(2026, 12, 31),
    )
    inspection = InspectionRound.objects.create(
        county_id=BEICHEN,
        year=2026,
        quarter=4,
        kind="random",
        status="active",
        starts_on=date(2026, 10, 8),
        ends_on=date(2026, 10, 30),
    )
    visit = Visit.objects.create(
        round=inspection,
        team=Team.objects.create(round=inspection, name="一组"),
        village=village,
        visited_on=date(2026, 10, 9),
        summary="座谈",
    )
    Finding.objects.create(
        visit=visit,
        category=Category.objects.first(),
        description="三会一课记录不全",
        severity="minor",
        township=township,
        deadline=date(2026, 10, 1),
    )


def cells(book):
    """Every sheet as (title, rows of (value, number format)): what a reader sees."""
    return [
        (
            sheet.title,
            [[(cell.value, cell.number_format) for cell in row] for row in sheet.iter_rows()],
        )
        for sheet in book.worksheets
    ]


def in_one_task(report):
    handle = io.BytesIO()
    build(report, handle, lambda percent: None)
    handle.seek(0)
    return load_workbook(handle)


@pytest.mark.parametrize("area", ["12", ""], ids=["Tianjin", "the whole country"])
def test_a_report_built_in_parts_is_the_workbook_one_task_writes(two_counties, area):
    report, _created = quarterly_request(area=area, year=2026, quarter=4)
    assert counties(report) == [BEICHEN, "120114"]

    # Each part as a worker's result travels: through the result backend's JSON.
    parts = [loads(dumps(build_part(report, county))) for county in counties(report)]
    handle = io.BytesIO()
    join(report, parts, handle, lambda percent: None)
    handle.seek(0)
    joined = load_workbook(handle)

    assert cells(joined) == cells(in_one_task(report))
    summary, _ledger, findings, _visits = joined.worksheets
    assert summary["A3"].value == "果园新村街道"  # 北辰区 first, then Wuqing's 37 townships
    assert summary.max_row == 2 + 1 + 37
    # 北辰区's finding is due first of all, but Wuqing's come after it county by county.
    assert findings["G3"].value == "三会一课记录不全"


def test_the_job_has_a_provinces_report_built_in_parts_by_the_tasks(two_counties):
    """In-process (no worker), the tasks run as the workers would: the fan-out, a task
    per county, the join; the report is done, the same workbook as one task's."""
    from portal.jobs import run

    summary = run("quarterly_report", date(2026, 10, 1))

    assert summary == "quarterly_report 2026Q4: 3 started (2 counties, 1 provinces)"
    reports = GeneratedReport.objects.filter(kind=KIND, params__quarter=4)
    assert sorted(reports.values_list("scope_code", "status")) == [
        ("12", ReportStatus.DONE),
        (BEICHEN, ReportStatus.DONE),
        ("120114", ReportStatus.DONE),
    ]
    tianjin = reports.get(scope_code="12")
    assert tianjin.progress == 100 and tianjin.started_at is not None
    assert cells(load_workbook(io.BytesIO(tianjin.file.read()))) == cells(in_one_task(tianjin))


def test_a_part_that_fails_fails_the_report_and_says_so(two_counties, monkeypatch):
    from dataclasses import replace

    from inspections.reports import QUARTERLY
    from portal import exports

    def broken(report, county):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(exports.BUILDERS, KIND, replace(QUARTERLY, build_part=broken))
    report, _created = quarterly_request(area="12", year=2026, quarter=4)
    services.report_start(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and not report.file
    assert report.error


def test_tianjins_administrator_asks_for_tianjins_report_from_the_page(
    two_counties, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.factories import UserFactory

    tianjin = UserFactory(username="tianjin", role="county_admin", division_id="12")
    client.force_login(tianjin)
    assert reverse("quarterly_report") in client.get(reverse("round_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quarterly_report"), {"year": 2026, "quarter": 4})
    report = GeneratedReport.objects.get(kind=KIND, scope_code="12", params__quarter=4)
    assert response["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.requested_by == tianjin
    summary = load_workbook(io.BytesIO(report.file.read())).worksheets[0]
    assert summary["A1"].value == "分乡镇汇总 — 天津市2026年第4季度"


def test_a_superuser_asks_for_the_whole_countrys_report_from_the_page(
    two_counties, client, superuser, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    client.force_login(superuser)
    assert reverse("quarterly_report") in client.get(reverse("round_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("quarterly_report"), {"year": 2026, "quarter": 4})
    report = GeneratedReport.objects.get(kind=KIND, scope_code="", params__quarter=4)
    assert report.status == ReportStatus.DONE
    summary = load_workbook(io.BytesIO(report.file.read())).worksheets[0]
    assert summary["A1"].value == "分乡镇汇总 — 全国2026年第4季度"
    assert summary.max_row == 2 + 1 + 37
