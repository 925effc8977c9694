"""The quarterly report: figures checked cell by cell on a small known dataset."""

import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from firstsecretary.models import Assignment, DispatchUnit, FirstSecretary, WorkLog
from inspections.models import Finding, InspectionRound, Team, Visit
from inspections.reports import KIND
from portal.models import GeneratedReport, Notification
from rectification.models import Category
from villages.models import ActivityPlan, Village

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def known(county_admin, list_case, village_a, alice, bob):
    """Township A: 2 cases (1 transformed), plans for Q4 from 2 villages (1 late), one
    posting of 3 days a month, 2 findings (1 verified). Township B: 1 case, nothing else."""
    a_villages = list(
        Village.objects.filter(township_id=village_a.township_id).order_by("code")[:2]
    )
    b_village = Village.objects.filter(township_id=bob.division_id).order_by("code").first()
    first = list_case(alice, a_villages[0])
    list_case(alice, a_villages[1])
    list_case(bob, b_village)
    type(first).objects.filter(pk=first.pk).update(
        status="transformed", transformed_on=date(2026, 9, 1)
    )
    for village, late in ((a_villages[0], False), (a_villages[1], True)):
        ActivityPlan.objects.create(
            village=village,
            month=date(2026, 10, 1),
            late=late,
            submitted_at=datetime(2026, 9, 25 if not late else 27, 10, tzinfo=SHANGHAI),
        )
    unit = DispatchUnit.objects.create(
        county_id="120114", name="区财政局", level="county", kind="government"
    )
    person = FirstSecretary.objects.create(
        county_id="120114",
        name="王磊",
        gender="male",
        birth_year=1988,
        education="college",
        unit=unit,
    )
    posting = Assignment.objects.create(
        secretary=person,
        village=a_villages[0],
        started_on=date(2026, 1, 1),
        planned_end=date(2027, 12, 31),
    )
    for day in (1, 2, 3):
        WorkLog.objects.create(
            assignment=posting, date=date(2026, 11, day), kind="visit", summary="走访"
        )
    inspection = InspectionRound.objects.create(
        county_id="120114",
        year=2026,
        quarter=4,
        kind="random",
        status="active",
        starts_on=date(2026, 10, 8),
        ends_on=date(2026, 10, 30),
    )
    team = Team.objects.create(round=inspection, name="一组")
    visit = Visit.objects.create(
        round=inspection,
        team=team,
        village=a_villages[0],
        visited_on=date(2026, 10, 9),
        summary="座谈",
    )
    category = Category.objects.first()
    for status in ("open", "verified"):
        Finding.objects.create(
            visit=visit,
            category=category,
            description=f"问题{status}",
            severity="minor",
            township_id=village_a.township_id,
            deadline=date(2026, 11, 30),
            status=status,
        )
    return village_a.township.name, Village.objects.get(code=b_village.code).township.name


def test_the_quarterly_report_has_the_right_figures_cell_by_cell(known, county_admin, settings):
    settings.FIRST_SECRETARY_MIN_DAYS_ON_SITE = 20
    call_command("run_job", "quarterly_report", "--period", "2026-10", stdout=io.StringIO())
    report = GeneratedReport.objects.get(kind=KIND, scope_code="120114")
    assert report.status == "done"
    book = load_workbook(io.BytesIO(report.file.read()))
    assert [ws.title for ws in book.worksheets] == [
        "分乡镇汇总",
        "软弱涣散村党组织整顿台账",
        "督查发现问题",
        "督查走访记录",
    ]
    summary = book.worksheets[0]
    header = [c.value for c in summary[2]]
    rows = {
        row[0]: dict(zip(header, row, strict=True))
        for row in summary.iter_rows(min_row=3, values_only=True)
    }
    a_name, b_name = known
    a, b = rows[a_name], rows[b_name]
    assert (a["整顿对象数"], a["已转化"], a["已列入"], a["转化率（%）"]) == (2, 1, 1, 50)
    # 45 villages × 3 months expected; 2 plans (1 late) for October: 1.5 % and 0.7 %.
    assert (a["应报计划数"], a["上报率（%）"], a["按时率（%）"]) == (135, 1.5, 0.7)
    # One posting, 3 days in November and none in October and December: 3 months short.
    assert (a["第一书记在岗数"], a["在岗不足月数"]) == (1, 3)
    assert (a["督查问题"], a["未核实问题"], a["已核实问题"]) == (2, 1, 1)
    assert (b["整顿对象数"], b["转化率（%）"], b["督查问题"], b["第一书记在岗数"]) == (
        1,
        0,
        0,
        0,
    )
    findings = book.worksheets[2]
    assert findings.max_row == 2 + 2
    assert (
        Notification.objects.filter(user=county_admin, key__startswith="quarterly-report").count()
        == 1
    )


def test_running_the_quarterly_job_twice_builds_once(known, county_admin):
    call_command("run_job", "quarterly_report", "--period", "2026-11", stdout=io.StringIO())
    # Wuqing's report and Tianjin's (the province-level municipality above it).
    first = dict(GeneratedReport.objects.filter(kind=KIND).values_list("scope_code", "file"))
    assert sorted(first) == ["12", "120114"]
    call_command("run_job", "quarterly_report", "--period", "2026-12", stdout=io.StringIO())
    again = dict(GeneratedReport.objects.filter(kind=KIND).values_list("scope_code", "file"))
    assert again == first
    assert Notification.objects.filter(key__startswith="quarterly-report").count() == 1


def test_the_county_starts_the_report_from_the_page(
    client, known, county_admin, django_capture_on_commit_callbacks
):
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quarterly_report"), {"year": 2026, "quarter": 4})
    report = GeneratedReport.objects.get(kind=KIND)
    assert response["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    assert report.status == "done" and report.requested_by == county_admin


def test_a_township_is_not_offered_the_countys_report_and_cannot_ask_for_it(
    client, known, alice, inspector
):
    client.force_login(alice)
    assert "quarterly" not in client.get(reverse("round_list")).content.decode()
    response = client.post(reverse("quarterly_report"), {"year": 2026, "quarter": 4}, follow=True)
    assert "季度督查报告覆盖全县" in response.content.decode()
    assert not GeneratedReport.objects.filter(kind=KIND).exists()
    client.force_login(inspector)
    assert reverse("quarterly_report") in client.get(reverse("round_list")).content.decode()


@pytest.mark.parametrize(
    "today, year, quarter",
    [
        ("2027-01-15T10:00+08:00", 2026, 4),  # January: last year's fourth quarter
        ("2027-03-31T10:00+08:00", 2026, 4),
        ("2027-04-01T10:00+08:00", 2027, 1),
        ("2027-12-31T10:00+08:00", 2027, 3),
    ],
)
def test_the_countys_report_form_offers_the_quarter_just_ended(
    client, county_admin, today, year, quarter
):
    with time_machine.travel(datetime.fromisoformat(today), tick=False):
        client.force_login(county_admin)
        html = client.get(reverse("round_list")).content.decode()
    year_input = re.search(r'<input[^>]*id="q-year"[^>]*>', html).group(0)
    assert f'value="{year}"' in year_input
    select = re.search(r'<select[^>]*id="q-quarter".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="(\d)"[^>]*selected', select) == [str(quarter)]
