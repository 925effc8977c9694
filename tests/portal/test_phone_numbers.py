"""Telephone numbers are mobile or landline numbers as officials write them, and the page,
the API and the import refuse anything else with the same Chinese explanation."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from firstsecretary.imports import ROSTER_IMPORT
from firstsecretary.models import DispatchUnit, FirstSecretary
from portal.models import ImportBatch, User
from portal.validators import validate_phone
from tests.conftest import TOWNSHIP_B

EXPLAINED = (
    "请填写11位手机号码（如13812345678）或带区号的固定电话"
    "（如022-29391234，有分机的如0532-88881234-801）。"
)


@pytest.mark.parametrize(
    "number",
    [
        "13812345678",
        "19912345678",
        "022-29391234",  # Tianjin, 8-digit local number
        "02229391234",  # the same without the dash
        "010-6512345",  # 7-digit local number
        "0532-88881234",  # Qingdao
        "0532-88881234-801",  # with an extension
        "0871-6312345",  # Kunming, 7 digits
    ],
)
def test_mobile_and_landline_numbers_are_accepted(number):
    validate_phone(number)


@pytest.mark.parametrize(
    "number",
    [
        "12812345678",  # no mobile number starts 12
        "1381234567",  # ten digits
        "138123456789",  # twelve
        "29391234",  # a landline without its area code
        "22-29391234",  # an area code without its 0
        "022-09391234",  # a local number does not start with 0
        "0532-88881234-",  # a dash and no extension
        "138 1234 5678",
        "+86 13812345678",
        "请打办公室",
        "13812345678<script>",
    ],
)
def test_anything_else_is_refused_in_chinese(number):
    with pytest.raises(ValidationError) as refused:
        validate_phone(number)
    assert refused.value.messages == [EXPLAINED]


@pytest.fixture
def unit(db):
    return DispatchUnit.objects.create(
        county_id="120114", name="区财政局", level="county", kind="government"
    )


def secretary_form(**overrides):
    return {
        "county": "120114",
        "name": "王磊",
        "gender": "male",
        "birth_year": 1988,
        "education": "undergraduate",
        "position": "科员",
        "phone": "13800000000",
        **overrides,
    }


def test_the_secretary_page_refuses_a_bad_number_by_its_field(client, county_admin, unit):
    client.force_login(county_admin)
    response = client.post(
        reverse("secretary_create"), secretary_form(unit=unit.pk, phone="1380000")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [EXPLAINED]
    assert not FirstSecretary.objects.exists()
    response = client.post(
        reverse("secretary_create"), secretary_form(unit=unit.pk, phone="0532-88881234-801")
    )
    assert response.status_code == 302
    assert FirstSecretary.objects.get().phone == "0532-88881234-801"


def test_the_user_page_refuses_a_bad_number_on_create_and_edit(client, county_admin, bob):
    client.force_login(county_admin)
    user = {
        "username": "wangfang",
        "display_name": "王芳",
        "phone": "办公室电话",
        "role": "township_organizer",
        "division": TOWNSHIP_B,
        "village": "",
        "password": "Meichang-2026-sure",
    }
    response = client.post(reverse("user_create"), user)
    assert response.context["form"].errors["phone"] == [EXPLAINED]
    assert not User.objects.filter(username="wangfang").exists()
    edit = {k: v for k, v in user.items() if k not in ("username", "password")}
    edit.update(is_active="on", display_name="王志刚", phone="022-2939")
    response = client.post(reverse("user_edit", args=[bob.pk]), edit)
    assert response.context["form"].errors["phone"] == [EXPLAINED]
    bob.refresh_from_db()
    assert bob.phone == ""


def test_the_api_refuses_a_bad_number_with_400(client, county_admin, unit):
    client.force_login(county_admin)
    response = client.post(
        "/api/v1/secretaries/",
        secretary_form(unit=unit.pk, phone="12345"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"phone": [EXPLAINED]}
    response = client.post(
        "/api/v1/secretaries/",
        secretary_form(unit=unit.pk, phone="022-29391234"),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["phone"] == "022-29391234"


def roster(*phones):
    book = Workbook()
    book.active.append(ROSTER_IMPORT.headers)
    for n, phone in enumerate(phones):
        values = {
            "name": f"王磊{n}",
            "gender": "男",
            "birth_year": 1988,
            "education": "大学本科",
            "unit": "区财政局",
            "position": "科员",
            "phone": phone,
        }
        book.active.append([values.get(column.key, "") for column in ROSTER_IMPORT.columns])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_the_roster_import_marks_a_bad_number_in_its_cell(client, county_admin, unit):
    client.force_login(county_admin)
    response = client.post(
        reverse("secretary_import"),
        {
            "county": "120114",
            # An 11-digit number typed into Excel is a number cell; it reads back the same.
            "file": SimpleUploadedFile("名册.xlsx", roster(13800000000, "0532-8888", "")),
        },
    )
    preview = client.get(response["Location"]).context["preview"]
    assert [row.errors for row in preview.rows] == [{}, {"phone": EXPLAINED}, {}]
    batch = ImportBatch.objects.latest("pk")
    client.post(reverse("secretary_import_confirm", args=[batch.pk]))
    assert not FirstSecretary.objects.exists()
