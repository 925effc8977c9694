"""Export, edit in Excel or LibreOffice, import: the ledger, the star ratings and the roster
go round and come back as they left, under the export's title and with its own columns."""

import io
import shutil
import subprocess
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from firstsecretary import services as secretary_services
from firstsecretary.models import Assignment, FirstSecretary
from portal.scoping import Scope
from rectification import services as rectification_services
from rectification.models import Case, VillageRating
from villages.models import Division, Village


@pytest.fixture
def villages_a(village_a):
    return list(
        Village.objects.filter(township_id=village_a.township_id, kind="village").order_by("code")[
            :3
        ]
    )


def exported(client, url_name, query=""):
    response = client.post(reverse(url_name) + query)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def edited(content, edit):
    """The file as a user saves it after changing a cell in Excel (openpyxl, not streamed)."""
    book = load_workbook(io.BytesIO(content))
    edit(book.active)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def header_column(sheet, header):
    for row in sheet.iter_rows(max_row=5):
        for cell in row:
            if cell.value == header:
                return cell.row, cell.column
    raise AssertionError(header)


def imported(client, url_name, content, form=None):
    """Upload, preview (no error, the rows expected), confirm: the preview's rows."""
    response = client.post(
        reverse(url_name), {**(form or {}), "file": SimpleUploadedFile("导出.xlsx", content)}
    )
    assert response.status_code == 302, response.context["form"].errors
    preview = client.get(response["Location"]).context["preview"]
    assert preview.file_errors == []
    assert [row.errors for row in preview.rows if row.errors] == []
    batch = response["Location"].rstrip("/").rsplit("/", 1)[1]
    done = client.post(reverse(url_name + "_confirm", args=[batch]))
    assert done.status_code == 302
    return preview.rows


def ledger_rows():
    return sorted(
        (
            c.village_id,
            tuple(c.categories.order_by("order").values_list("name", flat=True)),
            c.problems,
            c.responsible_person,
            c.identified_on,
            c.deadline,
        )
        for c in Case.objects.all()
    )


def test_the_exported_ledger_imports_back_with_the_same_rows(
    client, alice, campaign, list_case, villages_a
):
    for village in villages_a:
        list_case(alice, village, problems=f"{village.name}班子软弱")
    client.force_login(alice)
    content = exported(client, "case_export")
    before = ledger_rows()

    def edit(sheet):
        # The title merged over the columns and the group headers stay above the headers.
        assert "A1:R1" in {str(r) for r in sheet.merged_cells.ranges}
        top, column = header_column(sheet, "存在问题")
        sheet.cell(row=top + 1, column=column).value = "组织生活不正常（已核实）"

    content = edited(content, edit)
    Case.objects.all().delete()  # the same campaign's ledger, filed again from the file
    rows = imported(client, "case_import", content, {"campaign": campaign.pk})
    assert [row.line for row in rows] == [4, 5, 6]  # the sheet's own line numbers
    after = ledger_rows()
    assert len(after) == 3
    assert [row for row in after if row[2] == "组织生活不正常（已核实）"] == [
        (before[0][0], *before[0][1:2], "组织生活不正常（已核实）", *before[0][3:])
    ]
    assert after[1:] == before[1:]
    assert after[0][4:] == (date(2026, 3, 10), date(2026, 12, 31))


def test_the_exported_star_ratings_import_back_with_a_changed_star(client, alice, villages_a):
    for stars, village in zip((3, 6, 8), villages_a, strict=True):
        rectification_services.rating_set(
            acting_user=alice, village=village, year=2026, stars=stars
        )
    client.force_login(alice)
    content = exported(client, "rating_export")

    def edit(sheet):
        top, code = header_column(sheet, "村代码")
        _top, stars = header_column(sheet, "星级")
        for line in range(top + 1, top + 4):
            if sheet.cell(row=line, column=code).value == villages_a[0].code:
                sheet.cell(row=line, column=stars).value = 5

    rows = imported(client, "rating_import", edited(content, edit))
    assert len(rows) == 3
    assert dict(VillageRating.objects.values_list("village_id", "stars")) == {
        villages_a[0].code: 5,
        villages_a[1].code: 6,
        villages_a[2].code: 8,
    }


def roster_rows():
    return sorted(
        (
            s.name,
            s.birth_year,
            s.unit.name,
            s.phone,
            *next(
                ((a.village_id, a.started_on, a.planned_end) for a in s.assignments.all()),
                (None, None, None),
            ),
        )
        for s in FirstSecretary.objects.all()
    )


def test_the_exported_roster_imports_back_with_the_same_rows(
    client, county_admin, add_secretary, village_a
):
    posted = add_secretary("王磊")
    add_secretary("刘洋")
    secretary_services.assignment_start(
        acting_user=county_admin,
        secretary=posted,
        village=village_a,
        started_on=date(2026, 3, 1),
        planned_end=date(2028, 2, 28),
    )
    client.force_login(county_admin)
    content = exported(client, "secretary_export")
    before = roster_rows()
    Assignment.objects.all().delete()
    FirstSecretary.objects.all().delete()
    rows = imported(client, "secretary_import", content, {"county": "120114"})
    assert len(rows) == 2
    assert roster_rows() == before
    assert (village_a.code, date(2026, 3, 1), date(2028, 2, 28)) in [r[4:] for r in before]


def libreoffice_ledger(villages, category):
    """A ledger as LibreOffice Calc saves it: a merged title, a blank line, the headers in
    another order with a column of the user's own, dates typed with LibreOffice's format,
    a code typed as a number, and codes typed with a Chinese input method (full-width
    digits, a full-width space)."""
    book = Workbook()
    sheet = book.active
    sheet.append(["梅厂镇软弱涣散村党组织整顿台账（2026年）"])
    sheet.merge_cells("A1:H1")
    sheet.append([])
    sheet.append(
        [
            "备注",
            "村代码",
            "村（社区）",
            "问题类型",
            "存在问题",
            "整顿责任人",
            "列入时间",
            "转化时限",
        ]
    )
    full_width = villages[1].code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    codes = [
        int(villages[0].code),
        full_width[:6] + "\u3000" + full_width[6:],
        " " + villages[2].code + "\u3000",
    ]
    for code, village in zip(codes, villages, strict=True):
        sheet.append(["", code, village.name, category, "班子软弱", "李秀英"])
        listed, deadline = sheet.cell(sheet.max_row, 7), sheet.cell(sheet.max_row, 8)
        listed.value, listed.number_format = datetime(2026, 3, 10), "YYYY-MM-DD"
        deadline.value, deadline.number_format = "2026年12月31日", "@"
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_a_libreoffice_ledger_with_full_width_codes_imports(
    client, alice, campaign, categories, villages_a
):
    client.force_login(alice)
    content = libreoffice_ledger(villages_a, categories[0].name)
    rows = imported(client, "case_import", content, {"campaign": campaign.pk})
    assert len(rows) == len(villages_a)  # the codes as typed; the cases below as read
    assert sorted(Case.objects.values_list("village_id", "identified_on", "deadline")) == [
        (v.code, date(2026, 3, 10), date(2026, 12, 31)) for v in villages_a
    ]


def test_full_width_numbers_are_read_in_ratings(client, alice, villages_a):
    book = Workbook()
    book.active.append(["村代码", "村（社区）", "年度", "星级"])
    book.active.append(
        [villages_a[0].code.replace("1", "１"), villages_a[0].name, "２０２６", "３"]
    )
    data = io.BytesIO()
    book.save(data)
    client.force_login(alice)
    imported(client, "rating_import", data.getvalue())
    assert list(VillageRating.objects.values_list("village_id", "year", "stars")) == [
        (villages_a[0].code, 2026, 3)
    ]


def through_libreoffice(content, tmp_path):
    """The workbook opened and saved again by LibreOffice Calc."""
    source = tmp_path / "in" / "导出.xlsx"
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(content)
    out = tmp_path / "out"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    return (out / "导出.xlsx").read_bytes()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is absent")
def test_the_roster_and_ratings_saved_by_libreoffice_import(
    client, county_admin, add_secretary, village_a, villages_a, tmp_path
):
    secretary_services.assignment_start(
        acting_user=county_admin,
        secretary=add_secretary("王磊"),
        village=village_a,
        started_on=date(2026, 3, 1),
        planned_end=date(2028, 2, 28),
    )
    rectification_services.rating_set(
        acting_user=county_admin, village=villages_a[1], year=2026, stars=4
    )
    client.force_login(county_admin)
    roster = through_libreoffice(exported(client, "secretary_export"), tmp_path)
    ratings = through_libreoffice(exported(client, "rating_export"), tmp_path)
    before = roster_rows()
    Assignment.objects.all().delete()
    FirstSecretary.objects.all().delete()
    VillageRating.objects.all().delete()
    imported(client, "secretary_import", roster, {"county": "120114"})
    imported(client, "rating_import", ratings)
    assert roster_rows() == before
    assert list(VillageRating.objects.values_list("village_id", "year", "stars")) == [
        (villages_a[1].code, 2026, 4)
    ]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is absent")
def test_the_ledger_saved_by_libreoffice_itself_imports(
    client, alice, campaign, list_case, villages_a, tmp_path
):
    for village in villages_a:
        list_case(alice, village)
    client.force_login(alice)
    content = through_libreoffice(exported(client, "case_export"), tmp_path)
    before = ledger_rows()
    Case.objects.all().delete()
    imported(client, "case_import", content, {"campaign": campaign.pk})
    assert ledger_rows() == before


@pytest.mark.parametrize(
    ("url_name", "persona_name", "forbidden"),
    [
        ("case_import_template", "bob", "120114101001"),
        ("rating_import_template", "bob", "120114101001"),
        ("secretary_import_template", "other_county_admin", "120114101001"),
    ],
)
def test_the_templates_example_is_a_village_of_the_users_own_area(
    client, persona, url_name, persona_name, forbidden
):
    # Another county's administrator, with one village of his own.
    township = Division.objects.create(
        code="370215001", name="通济街道", level="township", parent_id="370215"
    )
    Village.objects.create(code="370215001201", name="大村庄村委会", township=township)
    user = persona(persona_name)
    client.force_login(user)
    sheet = load_workbook(io.BytesIO(client.get(reverse(url_name)).content)).active
    headers = [cell.value for cell in sheet[1]]
    code = sheet.cell(row=2, column=headers.index("村代码") + 1).value
    assert code != forbidden
    assert Village.objects.visible_to(Scope.of(user)).filter(code=code).exists()


def test_a_file_without_a_needed_column_names_it(client, alice, campaign, villages_a):
    book = Workbook()
    book.active.append(["村代码", "村（社区）", "存在问题", "整顿责任人"])  # no 转化时限
    book.active.append([villages_a[0].code, villages_a[0].name, "班子软弱", "李秀英"])
    data = io.BytesIO()
    book.save(data)
    client.force_login(alice)
    response = client.post(
        reverse("case_import"),
        {"campaign": campaign.pk, "file": SimpleUploadedFile("台账.xlsx", data.getvalue())},
    )
    preview = client.get(response["Location"]).context["preview"]
    assert preview.file_errors[-1] == "缺少导入必需的列：问题类型、转化时限。"
