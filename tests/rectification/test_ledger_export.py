"""The ledger exported in the layout of the paper ledger, from the list's own filters."""

import io
from datetime import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from villages.models import Village


def export(client, query=""):
    response = client.post(reverse("case_export") + query)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_the_export_looks_like_the_paper_ledger(client, alice, case_a):
    client.force_login(alice)
    sheet = export(client)
    assert sheet["A1"].value == "梅厂镇软弱涣散村党组织整顿台账"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "A1:R1" in merged  # the title spans the 18 columns
    assert {"B2:F2", "G2:I2", "J2:L2", "M2:R2"} <= merged  # the group headers
    assert [c.value for c in sheet[2]][1:7:5] == ["村基本信息", "整顿内容"]
    assert [c.value for c in sheet[3]][:4] == ["序号", "乡镇（街道）", "村（社区）", "村代码"]
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:R4"
    row = [c.value for c in sheet[4]]
    assert row[0] == 1 and row[2] == case_a.village.name
    assert row[5] == "；".join(c.name for c in case_a.categories.order_by("order"))
    assert row[14] == "已列入" and row[13] == datetime(2026, 12, 31)


def test_the_export_applies_the_lists_filters_and_scope(
    client, alice, bob, list_case, case_a, village_b
):
    second = Village.objects.filter(township_id=case_a.village.township_id).exclude(
        pk=case_a.village_id
    )[0]
    list_case(alice, second)
    list_case(bob, village_b)
    client.force_login(alice)
    sheet = export(client, f"?q={second.code}")
    assert [row[3] for row in sheet.iter_rows(min_row=4, values_only=True)] == [second.code]
    sheet = export(client)
    codes = sorted(row[3] for row in sheet.iter_rows(min_row=4, values_only=True))
    assert codes == sorted([case_a.village_id, second.code])
    # bob's own case, and nothing of another township.
    client.force_login(bob)
    sheet = export(client)
    assert [row[3] for row in sheet.iter_rows(min_row=4, values_only=True)] == [village_b.code]


def test_the_export_does_not_query_per_row(client, county_admin, list_case, village_a):
    villages = list(Village.objects.filter(code__startswith="120114").order_by("code")[:40])
    client.force_login(county_admin)
    counts = []
    for subset in (villages[:3], villages[3:]):
        for village in subset:
            list_case(county_admin, village)
        with CaptureQueriesContext(connection) as queries:
            sheet = export(client)
        counts.append((sheet.max_row, len(queries)))
    assert counts[0][0] < counts[1][0] and counts[0][1] == counts[1][1]
