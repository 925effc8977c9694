"""Every workbook the portal writes, as an official opens it in Excel, WPS or LibreOffice:
dates are dates and numbers are numbers (they sort, filter and sum), dates read 2026年3月10日,
and every sheet prints on A4 landscape, all columns on the page width, the headers on each
page, with room on the left and top for binding."""

import io
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from firstsecretary import services as secretary_services
from inspections.models import Finding, InspectionRound, Team, Visit
from portal import exports
from portal import services as portal_services
from rectification import services as rectification_services
from tests.conftest import COUNTY, TOWNSHIP_A
from villages import services as village_services
from villages.models import Village

# What a Chinese official reads in a date cell; Excel's own built-in Chinese date format.
CHINESE_DATE = 'yyyy"年"m"月"d"日"'
CHINESE_DATETIME = 'yyyy"年"m"月"d"日" hh:mm'

# For every list export: its date columns that hold a date in the world below, its date
# columns that may be empty, and its number columns (by the header the official reads).
EXPECTED = {
    "rectification.ledger": (
        ["列入时间", "转化时限"],
        ["转化时间", "销号时间"],
        ["序号", "列入次数"],
    ),
    "rectification.ratings": ([], [], ["序号", "年度", "星级"]),
    "villages.village_list": ([], [], ["户数", "人口", "党员数"]),
    "villages.venue_list": (
        ["开工日期", "竣工日期"],
        [],
        ["面积（平方米）", "标准（平方米）", "投入资金（万元）"],
    ),
    "firstsecretary.roster": (["驻村起始日期", "计划结束日期"], [], ["序号", "出生年份"]),
    "inspections.visits": (["走访日期"], [], ["序号", "评分"]),
    "inspections.findings": (["整改时限"], [], ["序号"]),
    "inspections.rounds": (["开始日期", "结束日期"], [], ["序号", "走访记录", "督查问题"]),
}


@pytest.fixture
def world(db, county_admin, alice, case_a, categories, add_secretary, village_a):
    Village.objects.filter(pk=village_a.pk).update(
        households=512, population=1630, party_members=41
    )
    inspection = InspectionRound.objects.create(
        county_id=COUNTY,
        year=2026,
        quarter=4,
        kind="random",
        status="active",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 12, 31),
    )
    team = Team.objects.create(round=inspection, name="第一组")
    visit = Visit.objects.create(
        round=inspection, team=team, village=village_a, visited_on=date(2026, 10, 9), score=72
    )
    Finding.objects.create(
        visit=visit,
        category=categories[0],
        description="记录不全",
        severity="serious",
        township_id=TOWNSHIP_A,
        deadline=date(2026, 12, 1),
    )
    secretary = add_secretary("王磊")
    secretary_services.assignment_start(
        acting_user=county_admin,
        secretary=secretary,
        village=village_a,
        started_on=date(2026, 3, 1),
        planned_end=date(2028, 2, 28),
    )
    rectification_services.rating_set(acting_user=alice, village=village_a, year=2026, stars=3)
    village_services.venue_save(
        acting_user=alice,
        village=village_a,
        version=None,
        area=Decimal("260"),
        state="meets",
        works_started_on=date(2025, 4, 1),
        works_finished_on=date(2025, 9, 30),
        funding=[{"source": "county", "year": 2025, "amount": Decimal("30")}],
    )
    return SimpleNamespace(case=case_a, inspection=inspection)


def export(kind, user, params=None):
    """The workbook as the background report writes it (the small export writes the same)."""
    handle = io.BytesIO()
    portal_services.export_write(handle, kind=kind, params=params or {}, acting_user=user)
    handle.seek(0)
    return load_workbook(handle)


def columns(sheet):
    """{header: [cells below it]}, from the header row (the one under the title and groups)."""
    for row in sheet.iter_rows(max_row=5):
        headers = [cell.value for cell in row]
        if all(headers):  # the title and the group headers leave cells empty
            top = row[0].row
            return {
                header: [r[index] for r in sheet.iter_rows(min_row=top + 1)]
                for index, header in enumerate(headers)
                if header
            }
    raise AssertionError("no header row")


def assert_dates(cells, *, filled, number_format=CHINESE_DATE):
    for cell in cells:
        if cell.value is None and not filled:
            continue
        assert isinstance(cell.value, datetime), (cell.coordinate, cell.value)
        assert cell.number_format == number_format, cell.coordinate


def assert_numbers(cells):
    for cell in cells:
        assert cell.value is None or type(cell.value) in (int, float), (cell.coordinate, cell.value)


def assert_print_setup(sheet, title_rows):
    setup = sheet.page_setup
    assert (setup.paperSize, setup.orientation) == (9, "landscape"), sheet.title  # 9: A4
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
    assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
    assert sheet.print_title_rows == title_rows, sheet.title
    margins = sheet.page_margins
    # Binding: the left and top margins (2.54 cm) are wider than the right and bottom.
    assert margins.left == margins.top == 1.0 and margins.right < 1.0 and margins.bottom < 1.0


def test_every_list_export_is_in_this_test():
    assert sorted(EXPECTED) == sorted(exports.REGISTRY)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_every_list_export_writes_dates_as_dates_and_numbers_as_numbers(world, county_admin, kind):
    sheet = export(kind, county_admin).active
    table = columns(sheet)
    filled, maybe_empty, numbers = EXPECTED[kind]
    assert all(len(cells) >= 1 for cells in table.values())
    for header in filled:
        assert_dates(table[header], filled=True)
    for header in maybe_empty:
        assert_dates(table[header], filled=False)
    for header in numbers:
        assert_numbers(table[header])
        assert any(cell.value is not None for cell in table[header]), header


def test_the_ledger_reads_the_dates_the_case_was_given(world, county_admin):
    table = columns(export("rectification.ledger", county_admin).active)
    assert [c.value for c in table["列入时间"]] == [datetime(2026, 3, 10)]
    assert [c.value for c in table["转化时限"]] == [datetime(2026, 12, 31)]
    assert [c.value for c in table["转化时间"]] == [None]  # empty, not "" nor "None"
    assert [c.value for c in table["列入次数"]] == [1]


def test_the_rating_time_is_a_date_and_time_in_beijing_time(world, county_admin):
    table = columns(export("rectification.ratings", county_admin).active)
    assert_dates(table["评定时间"], filled=True, number_format=CHINESE_DATETIME)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_every_list_export_prints_on_a4_landscape_with_its_headers_on_each_page(
    world, county_admin, kind
):
    sheet = export(kind, county_admin).active
    # The title row, the group headers where there are any, and the header row.
    title_rows = "$1:$3" if exports.get(kind).groups else "$1:$2"
    assert_print_setup(sheet, title_rows)


def test_the_quarterly_report_has_typed_dates_and_a_print_setup_on_every_sheet(world):
    from inspections.reports import build

    report = SimpleNamespace(params={"county": COUNTY, "year": 2026, "quarter": 4})
    handle = io.BytesIO()
    build(report, handle, lambda percent: None)
    handle.seek(0)
    book = load_workbook(handle)
    for sheet in book.worksheets:
        assert_print_setup(sheet, "$1:$2")
    ledger = columns(book.worksheets[1])
    assert_dates(ledger["转化时限"], filled=True)
    visits = columns(book.worksheets[3])
    assert [c.value for c in visits["走访日期"]] == [datetime(2026, 10, 9)]
    summary = columns(book.worksheets[0])
    for cells in list(summary.values())[1:]:  # after the township's name
        assert_numbers(cells)


def read(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_page_exports_are_typed_and_set_up_for_printing(client, world, county_admin):
    client.force_login(county_admin)
    books = {
        "presence": read(client.post(reverse("presence_export") + "?month=2026-04")),
        "timeliness": read(client.post(reverse("activity_timeliness_export"))),
        "dashboard": read(client.post(reverse("dashboard_export"))),
    }
    for name, book in books.items():
        for sheet in book.worksheets:
            assert sheet.page_setup.orientation == "landscape", (name, sheet.title)
            assert sheet.print_title_rows, (name, sheet.title)
            for row in sheet.iter_rows(min_row=3):
                for cell in row[1:]:
                    # Figures are numbers, never their text ("12" or "8.5").
                    assert not (isinstance(cell.value, str) and _is_number(cell.value)), (
                        name,
                        sheet.title,
                        cell.coordinate,
                    )
    # Months are headed as officials write them, not 2026-04.
    assert books["presence"].active["A1"].value == "2026年4月 第一书记在岗情况"
    overview = {
        row[0]: row[1]
        for row in books["dashboard"].worksheets[0].iter_rows(min_row=3, values_only=True)
    }
    assert overview["列入整顿村数"] == 1


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_the_import_templates_example_has_typed_dates(client, alice):
    client.force_login(alice)
    sheet = load_workbook(io.BytesIO(client.get(reverse("case_import_template")).content)).active
    headers = [cell.value for cell in sheet[1]]
    deadline = sheet.cell(row=2, column=headers.index("转化时限") + 1)
    assert deadline.value == datetime(2026, 12, 31) and deadline.number_format == CHINESE_DATE
    assert_print_setup(sheet, "$1:$1")
