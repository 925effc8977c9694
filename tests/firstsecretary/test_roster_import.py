"""The roster import: preview with every error by cell, then all rows or none."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from firstsecretary.imports import ROSTER_IMPORT
from firstsecretary.models import Assignment, FirstSecretary
from portal.models import ImportBatch


def workbook(rows):
    book = Workbook()
    book.active.append(ROSTER_IMPORT.headers)
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def row(name="王磊", village="", started="", planned="", **overrides):
    values = {
        "name": name,
        "gender": "男",
        "birth_year": 1988,
        "education": "大学本科",
        "unit": "区财政局",
        "position": "科员",
        "phone": "13800000000",
        "village": village,
        "started_on": started,
        "planned_end": planned,
        **overrides,
    }
    return [values[column.key] for column in ROSTER_IMPORT.columns]


@pytest.fixture
def upload(client, county_admin, unit):
    client.force_login(county_admin)

    def send(rows):
        response = client.post(
            reverse("secretary_import"),
            {"county": "120114", "file": SimpleUploadedFile("名册.xlsx", workbook(rows))},
        )
        assert response.status_code == 302, response.context["form"].errors
        batch = ImportBatch.objects.latest("pk")
        return batch, client.get(response["Location"]).context["preview"]

    return send


def test_a_good_roster_is_imported_with_its_postings(client, upload, village_a):
    batch, preview = upload(
        [row("王磊", village_a.code, "2026-03-01", "2028-02-28"), row("赵敏", phone="13900000000")]
    )
    assert preview.ok
    client.post(reverse("secretary_import_confirm", args=[batch.pk]))
    assert sorted(FirstSecretary.objects.values_list("name", flat=True)) == ["王磊", "赵敏"]
    assert Assignment.objects.get().village == village_a


def test_every_bad_cell_is_marked_and_nothing_is_written(
    client, upload, village_a, village_b, posted
):
    other = village_a.township.villages.exclude(pk=village_a.pk)[0]
    batch, preview = upload(
        [
            row("甲", gender="未知"),  # 2: not a gender
            row("乙", unit="不存在的单位"),  # 3: unit not on the roster
            row("丙", birth_year="八八年"),  # 4: not a number
            row(
                "丁", village=village_a.code, started="2026-03-01", planned="2028-02-28"
            ),  # 5: taken
            row("戊", village=other.code),  # 6: no dates
            row("己", village="120114999999", started="2026-03-01", planned="2028-02-28"),  # 7
            row("甲", gender="男"),  # 8: same name and phone as line 2
            row("庚", education=""),  # 9: required
        ]
    )
    errors = {r.line: r.errors for r in preview.rows if r.errors}
    assert set(errors) == {2, 3, 4, 5, 6, 7, 8, 9}
    assert "gender" in errors[2] and "unit" in errors[3] and "birth_year" in errors[4]
    assert "刘洋" in errors[5]["village"]
    assert "started_on" in errors[6] and "planned_end" in errors[6]
    assert "village" in errors[7] and "name" in errors[8] and "education" in errors[9]
    before = FirstSecretary.objects.count()
    client.post(reverse("secretary_import_confirm", args=[batch.pk]))
    assert FirstSecretary.objects.count() == before


def test_a_township_organizer_cannot_import_the_roster(client, alice):
    client.force_login(alice)
    assert client.get(reverse("secretary_import")).status_code == 403
