"""Ledger and rating imports: a preview with every error by row and cell; all rows or none."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from portal.models import ImportBatch
from rectification.imports import LEDGER_IMPORT, RATING_IMPORT
from rectification.models import Case, CaseEvent, VillageRating
from villages.models import Village

CATEGORY = "组织制度形同虚设、不开展组织活动"


def workbook(rows, headers=None):
    book = Workbook()
    sheet = book.active
    sheet.append(headers or LEDGER_IMPORT.headers)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def ledger_row(v, **overrides):
    values = {
        "village": v.code,
        "village_name": v.name,
        "categories": CATEGORY,
        "basic_situation": "党员32名",
        "problems": "“三会一课”落实不到位",
        "measures": "镇党委书记包村",
        "responsible_person": "李秀英",
        "township_leader": "王建军",
        "county_leader": "张立国",
        "identified_on": "2026-03-10",
        "deadline": "2026-12-31",
        **overrides,
    }
    return [values[column.key] for column in LEDGER_IMPORT.columns]


@pytest.fixture
def villages_a(village_a):
    return list(Village.objects.filter(township_id=village_a.township_id).order_by("code")[:4])


def upload(client, content, campaign, name="台账.xlsx"):
    response = client.post(
        reverse("case_import"),
        {"campaign": campaign.pk, "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302, response.context["form"].errors
    preview = client.get(response["Location"])
    return ImportBatch.objects.latest("pk"), preview.context["preview"]


def errors_by_line(preview):
    return {row.line: row.errors for row in preview.rows if row.errors}


def test_a_good_file_is_previewed_then_imported_whole(client, alice, campaign, villages_a):
    client.force_login(alice)
    content = workbook([ledger_row(v) for v in villages_a])
    batch, preview = upload(client, content, campaign)
    assert preview.ok and len(preview.rows) == 4
    assert Case.objects.count() == 0  # nothing before the confirmation
    response = client.post(reverse("case_import_confirm", args=[batch.pk]))
    assert response.status_code == 302
    cases = Case.objects.filter(campaign=campaign).order_by("village")
    assert [c.village_id for c in cases] == [v.code for v in villages_a]
    assert cases[0].categories.get().name == CATEGORY
    assert CaseEvent.objects.filter(action="listed", actor=alice).count() == 4
    batch.refresh_from_db()
    assert batch.rows_written == 4
    # Confirming twice imports nothing more.
    client.post(reverse("case_import_confirm", args=[batch.pk]))
    assert Case.objects.count() == 4


def test_every_bad_cell_is_marked_and_nothing_is_written(
    client, alice, campaign, villages_a, village_b
):
    first, second, third, fourth = villages_a
    rows = [
        ledger_row(first),  # line 2: good
        ledger_row(first),  # line 3: the same village again
        ledger_row(second, village="120114999999"),  # line 4: no such village
        ledger_row(village_b),  # line 5: another township's village
        ledger_row(third, deadline="明年底"),  # line 6: not a date
        ledger_row(third, categories=f"{CATEGORY}；作风不实"),  # line 7: unknown category
        ledger_row(second, problems=None),  # line 8: required value missing
        ledger_row(second, village="12011410100"),  # line 9: 11 digits
        ledger_row(fourth, village_name="别的村"),  # line 10: name does not match the code
    ]
    client.force_login(alice)
    batch, preview = upload(client, workbook(rows), campaign)
    errors = errors_by_line(preview)
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9, 10}
    assert "第 2 行" in errors[3]["village"] or "2" in errors[3]["village"]
    assert "120114999999" in errors[4]["village"]
    assert "辖区" in errors[5]["village"]
    assert "deadline" in errors[6]
    assert "作风不实" in errors[7]["categories"]
    assert "problems" in errors[8]
    assert "12" in errors[9]["village"]
    assert fourth.name in errors[10]["village_name"]
    response = client.post(reverse("case_import_confirm", args=[batch.pk]))
    assert response.status_code == 200
    assert Case.objects.count() == 0
    html = response.content.decode()
    assert "table-danger" in html and "未保存任何数据" in html


def test_a_village_already_on_the_ledger_is_refused(client, alice, campaign, case_a, villages_a):
    client.force_login(alice)
    _batch, preview = upload(client, workbook([ledger_row(case_a.village)]), campaign)
    assert "已列入本批次" in preview.rows[0].errors["village"]


def test_a_change_between_preview_and_confirm_rolls_everything_back(
    client, alice, campaign, villages_a, list_case
):
    client.force_login(alice)
    batch, preview = upload(client, workbook([ledger_row(v) for v in villages_a]), campaign)
    assert preview.ok
    list_case(alice, villages_a[2])  # someone lists the third village meanwhile
    response = client.post(reverse("case_import_confirm", args=[batch.pk]))
    assert response.status_code == 200
    assert Case.objects.exclude(village=villages_a[2]).count() == 0
    assert errors_by_line(response.context["preview"])[4]["village"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (workbook([["120114101001", "x"]], headers=["村代码", "名称"]), "模板"),
        (workbook([]), "没有"),
    ],
    ids=["wrong-headers", "no-rows"],
)
def test_a_file_that_is_not_the_template_is_refused_whole(
    client, alice, campaign, content, message
):
    client.force_login(alice)
    _batch, preview = upload(client, content, campaign)
    assert not preview.ok and message in " ".join(preview.file_errors)


def test_too_many_rows_are_refused(client, alice, campaign, villages_a, settings):
    settings.IMPORT_MAX_ROWS = 2
    client.force_login(alice)
    _batch, preview = upload(client, workbook([ledger_row(v) for v in villages_a]), campaign)
    assert "2" in preview.file_errors[0] and preview.rows == []


def test_an_oversize_or_misnamed_upload_is_refused_at_the_form(client, alice, campaign, settings):
    settings.IMPORT_MAX_MB = 0
    client.force_login(alice)
    response = client.post(
        reverse("case_import"),
        {"campaign": campaign.pk, "file": SimpleUploadedFile("台账.xlsx", b"x" * 10)},
    )
    assert response.status_code == 200 and response.context["form"].errors["file"]
    settings.IMPORT_MAX_MB = 5
    response = client.post(
        reverse("case_import"),
        {"campaign": campaign.pk, "file": SimpleUploadedFile("台账.csv", b"x")},
    )
    assert "xlsx" in str(response.context["form"].errors["file"])
    response = client.post(
        reverse("case_import"),
        {"campaign": campaign.pk, "file": SimpleUploadedFile("台账.xlsx", b"")},
    )
    assert "空文件" in str(response.context["form"].errors["file"])
    response = client.post(
        reverse("case_import"),
        {"campaign": campaign.pk, "file": SimpleUploadedFile("台账.xlsx", b"village,name\n")},
    )
    assert "不是Excel工作簿" in str(response.context["form"].errors["file"])
    assert not ImportBatch.objects.exists()


def test_another_township_cannot_open_the_preview(client, alice, bob, campaign, villages_a):
    client.force_login(alice)
    batch, _preview = upload(client, workbook([ledger_row(villages_a[0])]), campaign)
    client.force_login(bob)
    assert client.get(reverse("case_import_preview", args=[batch.pk])).status_code == 404
    assert client.post(reverse("case_import_confirm", args=[batch.pk])).status_code == 404


def test_the_check_does_not_query_per_row(client, alice, campaign, county_admin):
    villages = list(Village.objects.filter(code__startswith="120114").order_by("code")[:60])
    client.force_login(county_admin)
    counts = []
    for subset in (villages[:5], villages):
        response = client.post(
            reverse("case_import"),
            {
                "campaign": campaign.pk,
                "file": SimpleUploadedFile("a.xlsx", workbook([ledger_row(v) for v in subset])),
            },
        )
        with CaptureQueriesContext(connection) as queries:
            preview = client.get(response["Location"]).context["preview"]
        assert preview.ok, [r.errors for r in preview.rows if r.errors][:3]
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_template_has_the_headers_and_an_example(client, alice):
    client.force_login(alice)
    response = client.get(reverse("case_import_template"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == LEDGER_IMPORT.headers
    assert sheet["A1"].value == "村代码" and sheet.max_row == 2


def test_star_ratings_import_with_the_same_preview(client, alice, villages_a):
    client.force_login(alice)
    rows = [[v.code, v.name, 2026, s] for v, s in zip(villages_a[:3], (3, 6, 11), strict=True)]
    content = workbook(rows, headers=RATING_IMPORT.headers)
    response = client.post(
        reverse("rating_import"), {"file": SimpleUploadedFile("星级.xlsx", content)}
    )
    preview = client.get(response["Location"]).context["preview"]
    assert set(errors_by_line(preview)) == {4} and "stars" in preview.rows[2].errors
    assert VillageRating.objects.count() == 0
    content = workbook(rows[:2], headers=RATING_IMPORT.headers)
    response = client.post(
        reverse("rating_import"), {"file": SimpleUploadedFile("星级.xlsx", content)}
    )
    batch = ImportBatch.objects.latest("pk")
    client.post(reverse("rating_import_confirm", args=[batch.pk]))
    assert sorted(VillageRating.objects.values_list("stars", "grade")) == [(3, 3), (6, 2)]
