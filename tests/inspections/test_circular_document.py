"""The circular's Word file as GB/T 9704 lays out an official document: A4 and its margins,
the organ's red heading, the number with the organ's abbreviation over a true red line,
the main recipients, the body in 仿宋 and the date written in Chinese."""

import io
from datetime import date, datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from inspections import services
from inspections.models import Circular
from villages.models import Division
from villages.organs import issuer, organ

WUQING = "120114"


@pytest.fixture
def circular(county_admin):
    inspection = services.round_create(
        acting_user=county_admin,
        county=Division.objects.get(pk=WUQING),
        year=2026,
        quarter=3,
        kind="random",
        starts_on=date(2026, 7, 6),
        ends_on=date(2026, 7, 24),
    )
    circular = services.circular_draft(acting_user=county_admin, inspection=inspection)
    services.circular_publish(acting_user=county_admin, circular=circular)
    # Published on 3 August 2026, in the morning, Beijing time.
    Circular.objects.filter(pk=circular.pk).update(
        published_at=datetime(2026, 8, 3, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    )
    return Circular.objects.get(pk=circular.pk)


def download(client, user, circular):
    client.force_login(user)
    response = client.get(reverse("circular_docx", args=[circular.pk]))
    assert response.status_code == 200
    return response, Document(io.BytesIO(response.content))


def texts(document):
    return [p.text for p in document.paragraphs]


def test_the_circular_is_an_a4_page_with_the_standard_margins(client, alice, circular):
    _response, document = download(client, alice, circular)
    section = document.sections[0]
    # Word keeps lengths in twentieths of a point: to the tenth of a millimetre.
    size = [round(length.mm, 1) for length in (section.page_width, section.page_height)]
    assert size == [210.0, 297.0]  # A4, not US Letter (215.9 × 279.4)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(length.mm, 1) for length in margins] == [37.0, 35.0, 28.0, 26.0]


def test_the_heading_is_the_organs_name_in_red_over_the_number_and_a_red_line(
    client, alice, circular
):
    response, document = download(client, alice, circular)
    paragraphs = document.paragraphs
    assert paragraphs[0].text == "中共天津市武清区委组织部"
    assert {str(run.font.color.rgb) for run in paragraphs[0].runs} == {"FF0000"}
    number = paragraphs[1]
    assert number.text == "武组通〔2026〕1号"
    # The separator is a border of the paragraph, red: no row of ━ characters.
    bottom = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert (bottom.get(qn("w:val")), bottom.get(qn("w:color"))) == ("single", "FF0000")
    # In the schema's order (Word calls the file damaged otherwise): before spacing and jc.
    order = [child.tag.rsplit("}", 1)[1] for child in number._p.pPr]
    assert order.index("pBdr") < order.index("spacing") < order.index("jc")
    assert not any("━" in text or "—" * 3 in text for text in texts(document))
    assert unquote(response["Content-Disposition"]).endswith("武组通〔2026〕1号.docx")


def test_the_title_recipients_body_and_signature_follow_the_standard(client, alice, circular):
    _response, document = download(client, alice, circular)
    lines = texts(document)
    assert circular.title in lines
    assert "各镇党委、各街道党工委：" in lines  # Wuqing has towns (镇) and streets (街道)
    assert lines[-2:] == ["中共天津市武清区委组织部", "2026年8月3日"]
    body = next(p for p in document.paragraphs if p.text.startswith(circular.body[:10]))
    fonts = body.runs[0]._element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert body.runs[0].font.size.pt == 16  # 三号


def test_the_county_sets_its_own_abbreviation(client, county_admin, alice, circular):
    client.force_login(county_admin)
    page = client.get(reverse("county_settings"))
    assert page.status_code == 200 and "武组通" in page.content.decode()
    response = client.post(reverse("county_settings"), {"document_abbreviation": "武区组通"})
    assert response.status_code == 302
    assert Division.objects.get(pk=WUQING).document_abbreviation == "武区组通"
    _response, document = download(client, alice, circular)
    assert document.paragraphs[1].text == "武区组通〔2026〕1号"


def test_a_township_may_not_change_the_countys_settings(client, alice):
    client.force_login(alice)
    assert (
        client.post(reverse("county_settings"), {"document_abbreviation": "改"}).status_code == 403
    )
    assert Division.objects.get(pk=WUQING).document_abbreviation == ""


@pytest.mark.parametrize(
    ("name", "parent", "expected_issuer", "expected_organ"),
    [
        ("武清区", "市辖区", "区委组织部", "中共天津市武清区委组织部"),
        ("蓟州区", "市辖区", "区委组织部", "中共天津市蓟州区委组织部"),
        ("满城县", "保定市", "县委组织部", "中共保定市满城县委组织部"),
        ("鄂托克旗", "鄂尔多斯市", "旗委组织部", "中共鄂尔多斯市鄂托克旗委组织部"),
        ("迁安市", "唐山市", "市委组织部", "中共唐山市迁安市委组织部"),
    ],
)
def test_the_issuer_follows_the_divisions_own_name(name, parent, expected_issuer, expected_organ):
    tianjin = Division(code="12", name="天津市", level="province")
    city = Division(code="1201", name=parent, level="city", parent=tianjin)
    county = Division(code="120199", name=name, level="county", parent=city)
    assert issuer(county) == expected_issuer
    assert organ(county) == expected_organ


def test_the_drafts_dates_are_written_in_chinese(circular):
    # Wuqing is a district: its organization department is the 区委, not a 县委.
    assert circular.body.startswith("2026年7月6日至2026年7月24日，区委组织部对")
    assert "2026-07" not in circular.body


def test_the_circular_page_shows_the_heading_and_number_of_the_word_file(client, alice, circular):
    client.force_login(alice)
    page = client.get(reverse("circular_detail", args=[circular.pk])).content.decode()
    assert '<p class="circular-organ">中共天津市武清区委组织部</p>' in page
    assert "武组通〔2026〕1号" in page


def test_the_number_is_the_same_on_the_list_the_page_the_api_and_the_word_file(
    client, county_admin, circular
):
    """One fact, one place: the abbreviation is part of the number wherever it is shown."""
    number = "武组通〔2026〕1号"
    _response, document = download(client, county_admin, circular)
    assert number in texts(document)
    assert number in client.get(reverse("circular_list")).content.decode()
    page = client.get(reverse("circular_detail", args=[circular.pk])).content.decode()
    assert number in page
    api = client.get(reverse("circular-detail", args=[circular.pk])).json()
    assert api["reference"] == number
