"""Imports the size of a province: beyond IMPORT_SYNC_MAX_ROWS a worker checks and writes
the file with a progress bar; the preview is paged with every error by row and cell; the
rows with errors download as a workbook; the confirmation writes every row or none."""

import io
import re
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

import portal.imports
from portal.choices import ImportStatus
from portal.models import ImportBatch
from rectification.imports import LEDGER_IMPORT, RATING_IMPORT
from rectification.models import Case, VillageRating
from tests.conftest import COUNTY
from villages.models import Village

CATEGORY = "组织制度形同虚设、不开展组织活动"


def workbook(headers, rows):
    """A workbook built the way a large one is cheap to build: streamed, in memory."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def wuqing_villages():
    return list(Village.objects.filter(code__startswith=COUNTY).order_by("code"))


def rating_rows(count):
    """`count` good rating rows: every Wuqing village for 2024, 2025, 2026 in turn."""
    villages = wuqing_villages()
    rows = []
    for year in (2024, 2025, 2026):
        rows += [[v.code, v.name, year, 3] for v in villages]
    assert len(rows) >= count
    return rows[:count]


def ledger_row(v, **overrides):
    values = {
        "village": v.code,
        "village_name": v.name,
        "categories": CATEGORY,
        "problems": "“三会一课”落实不到位",
        "responsible_person": "李秀英",
        "identified_on": date(2026, 3, 10),
        "deadline": date(2026, 12, 31),
        **overrides,
    }
    return [values.get(column.key, "") for column in LEDGER_IMPORT.columns]


def upload(client, url_name, content, form=None):
    response = client.post(
        reverse(url_name), {**(form or {}), "file": SimpleUploadedFile("全市.xlsx", content)}
    )
    assert response.status_code == 302, response.context["form"].errors
    return ImportBatch.objects.latest("pk"), response["Location"]


def progress_bar(html):
    match = re.search(r'<progress class="report-progress" max="100" value="(\d+)"', html)
    return match and int(match.group(1))


@pytest.fixture
def progress_seen(monkeypatch):
    """Every progress figure the worker writes to the batch."""
    seen = []
    real = portal.imports._progress

    def record(batch, done, total):
        seen.append(done * 100 // max(total, 1))
        real(batch, done, total)

    monkeypatch.setattr(portal.imports, "_progress", record)
    return seen


def test_a_2001_row_workbook_is_checked_and_written_by_a_worker_with_its_progress(
    client, county_admin, django_capture_on_commit_callbacks, progress_seen
):
    client.force_login(county_admin)
    content = workbook(RATING_IMPORT.headers, rating_rows(2001))
    with django_capture_on_commit_callbacks(execute=False) as sent:
        batch, preview_url = upload(client, "rating_import", content)
    assert len(sent) == 1  # handed to a worker: nothing read yet in the request
    assert batch.status == ImportStatus.QUEUED and not batch.lines.exists()
    html = client.get(preview_url).content.decode()
    assert progress_bar(html) == 0 and f'hx-get="{preview_url}"' in html
    assert "等待检查" in html and 'aria-live="polite"' in html
    sent[0]()  # the worker's turn
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED and batch.row_count == 2001
    assert batch.lines.count() == 2001 and batch.error_count == 0
    # The uploader, who may have left the page, is told it is his turn.
    assert list(county_admin.notifications.values_list("title", "url")) == [
        ("全市.xlsx 已检查完毕：共 2001 行，0 处错误。", preview_url)
    ]
    assert progress_seen == [99, 100]  # a figure per chunk: 2,000 of 2,001 rows, then all
    # Polling now reloads the page, which shows the preview and the confirmation.
    polled = client.get(preview_url, headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"
    html = client.get(preview_url).content.decode()
    assert "已检查 2001 行，未发现错误。" in html and progress_bar(html) is None
    progress_seen.clear()
    with django_capture_on_commit_callbacks(execute=False) as sent:
        response = client.post(reverse("rating_import_confirm", args=[batch.pk]))
    assert response["Location"] == preview_url and len(sent) == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTING
    assert progress_bar(client.get(preview_url).content.decode()) == 0
    assert VillageRating.objects.count() == 0
    sent[0]()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.rows_written == 2001
    assert VillageRating.objects.count() == 2001
    assert VillageRating.objects.filter(year=2026, stars=3, grade=3).count() == 2001 - 2 * 745
    assert progress_seen == [99, 100]
    assert "导入 2001 行。" in client.get(preview_url).content.decode()
    assert county_admin.notifications.filter(title="全市.xlsx 已导入：共 2001 行。").exists()


def test_the_preview_is_paged_with_every_error_by_row_and_cell(client, county_admin):
    rows = rating_rows(250)
    rows[3][0] = "120114999999"  # line 5: no such village
    rows[227][3] = 11  # line 229: too many stars
    rows[240] = list(rows[10])  # line 242: the same village and year as line 12
    client.force_login(county_admin)
    batch, preview_url = upload(client, "rating_import", workbook(RATING_IMPORT.headers, rows))
    assert batch.status == ImportStatus.CHECKED  # 250 rows: checked in the request
    first = client.get(preview_url).context["preview"]
    assert [row.line for row in first.rows] == list(range(2, 102))
    assert first.error_count == 3 and not first.ok
    assert set(first.rows[3].errors) == {"village"}
    assert "120114999999" in first.rows[3].errors["village"]
    third = client.get(preview_url, {"page": 3})
    html = third.content.decode()
    lines = {row.line: row.errors for row in third.context["preview"].rows}
    assert sorted(lines) == list(range(202, 252))
    assert set(lines[229]) == {"stars"} and "10" in lines[229]["stars"]
    assert lines[242] == {"village": "与第 12 行重复。"}
    assert "第 3 / 3 页" in html
    only = client.get(preview_url, {"errors": "1"}).context["preview"]
    assert {row.line: set(row.errors) for row in only.rows} == {
        5: {"village"},
        229: {"stars"},
        242: {"village"},
    }
    assert reverse("rating_import_confirm", args=[batch.pk]) not in html


def test_a_repeated_row_is_found_whatever_chunk_it_is_in(client, county_admin, monkeypatch):
    monkeypatch.setattr(portal.imports, "CHUNK", 3)
    rows = rating_rows(10)
    rows[8] = list(rows[1])  # line 10 repeats line 3, two chunks later
    client.force_login(county_admin)
    batch, _url = upload(client, "rating_import", workbook(RATING_IMPORT.headers, rows))
    assert dict(batch.lines.filter(has_errors=True).values_list("number", "errors")) == {
        10: {"village": "与第 3 行重复。"}
    }


def test_the_rows_with_errors_download_as_a_workbook_with_an_error_column(client, alice, campaign):
    villages = list(Village.objects.filter(township_id=alice.division_id).order_by("code")[:4])
    rows = [
        ledger_row(villages[0]),
        ledger_row(villages[1], village="120114999999"),  # line 3
        ledger_row(villages[2]),
        ledger_row(villages[3], deadline="明年底", problems=""),  # line 5
    ]
    client.force_login(alice)
    batch, _url = upload(
        client, "case_import", workbook(LEDGER_IMPORT.headers, rows), {"campaign": campaign.pk}
    )
    response = client.get(reverse("case_import_errors", args=[batch.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == [*LEDGER_IMPORT.headers, "错误", "行号"]
    assert [row[0] for row in values[1:]] == ["120114999999", villages[3].code]
    listed_on = LEDGER_IMPORT.headers.index("列入时间")
    assert values[1][listed_on] == datetime(2026, 3, 10)  # a date cell, as typed
    assert sheet.cell(row=2, column=listed_on + 1).number_format == 'yyyy"年"m"月"d"日"'
    assert values[1][-2:] == ("村代码：没有代码为 120114999999 的村（社区）。", 3)
    assert "转化时限" in values[2][-2] and "存在问题：必填。" in values[2][-2]
    assert values[2][-1] == 5
    assert not Case.objects.exists()


def test_a_late_refusal_rolls_back_every_chunk_written_and_names_its_line(
    client, alice, campaign, list_case, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_MAX_ROWS = 5  # a worker writes it, three rows at a time
    monkeypatch.setattr(portal.imports, "CHUNK", 3)
    villages = list(Village.objects.filter(township_id=alice.division_id).order_by("code")[:8])
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        batch, preview_url = upload(
            client,
            "case_import",
            workbook(LEDGER_IMPORT.headers, [ledger_row(v) for v in villages]),
            {"campaign": campaign.pk},
        )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED and batch.error_count == 0
    list_case(alice, villages[7])  # meanwhile someone lists the last row's village (line 9)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("case_import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED and batch.committed_at is None
    assert list(Case.objects.values_list("village_id", flat=True)) == [villages[7].code]
    assert batch.file_errors == ["未保存任何数据：第 9 行：已列入本批次整顿台账。"]
    html = client.get(preview_url).content.decode()
    assert "未保存任何数据：第 9 行" in html
    assert dict(batch.lines.filter(has_errors=True).values_list("number", "errors")) == {
        9: {"village": "已列入本批次整顿台账。"}
    }


def test_a_small_import_is_checked_and_written_in_the_request(client, alice, campaign, monkeypatch):
    monkeypatch.setattr(portal.imports, "send", lambda *a, **k: pytest.fail("sent a task"))
    villages = list(Village.objects.filter(township_id=alice.division_id).order_by("code")[:3])
    client.force_login(alice)
    batch, preview_url = upload(
        client,
        "case_import",
        workbook(LEDGER_IMPORT.headers, [ledger_row(v) for v in villages]),
        {"campaign": campaign.pk},
    )
    assert batch.status == ImportStatus.CHECKED
    assert client.get(preview_url).context["preview"].ok
    response = client.post(reverse("case_import_confirm", args=[batch.pk]))
    assert response.status_code == 302 and Case.objects.count() == 3
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.rows_written == 3


def test_the_bulk_write_records_the_history_and_the_events_of_each_case(client, alice, campaign):
    villages = list(Village.objects.filter(township_id=alice.division_id).order_by("code")[:2])
    rows = [
        ledger_row(villages[0], county_leader="张立国", township_leader="王建军、刘洋"),
        ledger_row(villages[1]),
    ]
    client.force_login(alice)
    batch, _url = upload(
        client, "case_import", workbook(LEDGER_IMPORT.headers, rows), {"campaign": campaign.pk}
    )
    client.post(reverse("case_import_confirm", args=[batch.pk]))
    first = Case.objects.get(village=villages[0])
    assert first.history.get().history_user == alice
    assert list(first.events.values_list("action", "actor")) == [("listed", alice.pk)]
    assert first.county_leader == "张立国" and first.township_leader == "王建军、刘洋"
    assert first.categories.get().name == CATEGORY
    assert Case.objects.get(village=villages[1]).county_leader == ""
