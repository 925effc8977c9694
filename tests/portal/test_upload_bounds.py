"""One upload must not stall the portal: hostile files are refused at once, unread.

Every spreadsheet upload (the ledger, the star ratings, the roster) is bounded before and
while it is read. The files here are generated: small on the wire, enormous or strange
once unzipped. Each is refused at the upload form within seconds, with a Chinese message
that names the limit and the figure, with little memory (so it was not unzipped or
parsed whole) and nothing kept. The workbook is read once, at upload: the preview and
the confirmation never parse it again. Evidence files and any request body are bounded
before they are read too.
"""

import functools
import io
import random
import re
import struct
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

import portal.imports
from firstsecretary.imports import ROSTER_IMPORT
from portal.models import Attachment, ImportBatch
from rectification.imports import LEDGER_IMPORT, RATING_IMPORT
from tests.conftest import COUNTY
from tests.portal.test_bad_input import IMPORTS, _workbook, import_world  # noqa: F401

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def county_sized_limits(settings):
    """The limits these files were built against (a county's imports, before the defaults
    grew to take a province's 100,000 rows): each hostile file passes exactly one of them,
    and the message names it. The defaults bound a file the same way, further out."""
    settings.IMPORT_MAX_MB = 5
    settings.IMPORT_MAX_UNZIPPED_MB = 30
    settings.IMPORT_MAX_PART_MB = 10
    settings.IMPORT_MAX_SHEET_ROWS = 10000
    settings.IMPORT_MAX_CELLS = 50000


# --- Building workbooks by hand, part by part ---------------------------------------------------

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
EMPTY_STRINGS = (
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0"/>'
)


def _inline(ref, value):
    text = value.replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def header_row(spec):
    with translation.override("zh-hans"):
        headers = spec.headers
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return b'<row r="1">' + b"".join(_inline(f"{letters[i]}1", h) for i, h in enumerate(headers))


def xlsx(sheet_data=b"", *, head=b"", sheet_open=SHEET_OPEN, strings=EMPTY_STRINGS, extra=()):
    """A workbook of one sheet: `sheet_data` is the inside of <sheetData> (bytes, or chunks
    streamed into the zip so that a huge part needs no memory), `extra` more parts."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, content in (
            ("xl/worksheets/sheet1.xml", [sheet_open, head, b"<sheetData>",
                                          sheet_data, b"</sheetData></worksheet>"]),
            ("xl/sharedStrings.xml", strings),
            *extra,
        ):  # fmt: skip
            with archive.open(name, "w", force_zip64=False) as part:
                for chunk in _flatten(content):
                    part.write(chunk)
    return data.getvalue()


def _flatten(content):
    if isinstance(content, bytes):
        yield content
    else:
        for item in content:
            yield from _flatten(item)


def _repeat(pattern, times, per_chunk=100_000):
    """`pattern` * `times`, as chunks."""
    chunk = pattern * per_chunk
    for _ in range(times // per_chunk):
        yield chunk
    yield pattern * (times % per_chunk)


def _lie_about_size(content, name, declared):
    """The zip's directory says `name` unpacks to `declared` bytes (it unpacks to more)."""
    data = bytearray(content)
    at = data.index(b"PK\x01\x02")  # the directory's first entry
    while (
        data[at + 46 : at + 46 + struct.unpack("<H", data[at + 28 : at + 30])[0]] != name.encode()
    ):
        at = data.index(b"PK\x01\x02", at + 4)
    data[at + 24 : at + 28] = struct.pack("<I", declared)
    return bytes(data)


def _random_text(chars, seed=14):
    """Text that does not compress (common Chinese characters at random)."""
    rng = random.Random(seed)
    return "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(chars))


# What each generated file is, the message the user sees (a pattern on the Chinese text,
# with the figure), and the settings for it when the point is to pass the other limits.
HOSTILE = {
    "shared texts that unpack to 200 MB": (
        lambda spec: xlsx(
            header_row(spec) + b"</row>",
            strings=[
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
                _repeat(b"<si><t>" + b"A" * 1000 + b"</t></si>", 200_000),
                b"</sst>",
            ],
        ),
        r"工作簿解压后为 19\d\.\d MB，超过 30 MB 的上限",
        {},
    ),
    "shared texts whose size in the zip's directory is a lie": (
        lambda spec: _lie_about_size(
            xlsx(
                header_row(spec) + b"</row>",
                strings=[
                    b"<sst>",
                    _repeat(b"<si><t>" + b"A" * 1000 + b"</t></si>", 20_000),
                    b"</sst>",
                ],
            ),
            "xl/sharedStrings.xml",
            1000,
        ),
        r"工作簿已损坏（部件 xl/sharedStrings.xml）",
        {},
    ),
    "a sheet that declares 50 million rows": (
        lambda spec: xlsx(header_row(spec) + b"</row>", head=b'<dimension ref="A1:Z50000000"/>'),
        r"工作表声明的范围有 50,000,000 行（A1:Z50000000），超过 10000 行的上限",
        {},
    ),
    "a sheet of three million blank rows, with the size limits out of the way": (
        lambda spec: xlsx([header_row(spec) + b"</row>", _repeat(b"<row/>", 3_000_000)]),
        r"工作表超过 10000 行（空行也计算在内）",
        {"IMPORT_MAX_PART_MB": 1000, "IMPORT_MAX_UNZIPPED_MB": 1000, "IMPORT_MAX_ZIP_RATIO": 10**6},
    ),
    "a row numbered 50,000,000": (
        lambda spec: xlsx(header_row(spec) + b'</row><row r="50000000"/>'),
        r"工作表超过 10000 行（空行也计算在内）",
        {},
    ),
    "a cell in column ZZ": (
        lambda spec: xlsx(
            header_row(spec) + b'</row><row r="2">' + _inline("ZZ2", "x") + b"</row>"
        ),
        r"工作表第 2 行用到了第 702 列，超过 64 列的上限",
        {},
    ),
    "60,000 empty cells": (
        lambda spec: xlsx(
            [header_row(spec) + b"</row>", _repeat(b"<row>" + b"<c/>" * 6 + b"</row>", 10_000)]
        ),
        r"工作簿的单元格超过 50000 个的上限",
        {},
    ),
    "a cell of 1 MB of text": (
        lambda spec: xlsx(
            header_row(spec)
            + b'</row><row r="2">'
            + _inline("A2", _random_text(350_000))
            + b"</row>"
        ),
        r"单元格 A2 超过 32767 个字符的上限",
        {},
    ),
    "a zip bomb part (9 MB of zeros)": (
        lambda spec: xlsx(
            header_row(spec) + b"</row>", extra=[("xl/media/image1.png", bytes(9 * MB))]
        ),
        r"部件 xl/media/image1\.png 的压缩比为 [\d,]+ 倍，超过 100 倍的上限",
        {},
    ),
    "a workbook inside the workbook": (
        lambda spec: xlsx(
            header_row(spec) + b"</row>",
            extra=[("xl/embeddings/inner.xlsx", xlsx(header_row(spec) + b"</row>"))],
        ),
        r"工作簿中嵌套了另一个压缩文件（xl/embeddings/inner\.xlsx）",
        {},
    ),
    "entities that expand (billion laughs)": (
        lambda spec: xlsx(
            header_row(spec) + b'</row><row r="2"><c r="A2" t="inlineStr"><is><t>&d;</t></is>'
            b"</c></row>",
            sheet_open=b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "'
            + b"A" * 100
            + b'"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
        ),
        r"工作簿中含有文档类型声明",
        {},
    ),
    "20,000 parts": (
        lambda spec: xlsx(
            header_row(spec) + b"</row>",
            extra=[(f"xl/media/p{i}.bin", b"x") for i in range(20_000)],
        ),
        r"文件包含 20006 个部件，超过 1000 个的上限",
        {},
    ),
    "a text file named .xlsx": (
        lambda spec: "村代码,村名\n120114101001,梅厂村\n".encode() * 1000,
        r"不是Excel工作簿",
        {},
    ),
}


@functools.cache
def hostile(label, kind):
    spec = {s.kind: s for s in (LEDGER_IMPORT, RATING_IMPORT, ROSTER_IMPORT)}[kind]
    return HOSTILE[label][0](spec)


ENDPOINTS = {
    "case_import": (LEDGER_IMPORT, "alice", lambda w: {"campaign": w["campaign"].pk}),
    "rating_import": (RATING_IMPORT, "alice", lambda w: {}),
    "secretary_import": (ROSTER_IMPORT, "county_admin", lambda w: {"county": COUNTY}),
}


@pytest.fixture
def world(campaign, unit):
    return {"campaign": campaign, "unit": unit}


def post_timed(client, url, data):
    started = time.perf_counter()
    response = client.post(url, data)
    return response, time.perf_counter() - started


def post_traced(client, url, data):
    """The response and the peak of memory allocated while answering (tracemalloc slows
    Python down several times: the time is measured on another request)."""
    tracemalloc.start()
    try:
        response = client.post(url, data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


@pytest.mark.parametrize("label", list(HOSTILE))
@pytest.mark.parametrize("url_name", sorted(ENDPOINTS))
def test_a_hostile_workbook_is_refused_at_once_with_the_limit_and_the_figure(
    client, persona, world, settings, url_name, label
):
    spec, who, form = ENDPOINTS[url_name]
    _build, message, overrides = HOSTILE[label]
    for name, value in overrides.items():
        setattr(settings, name, value)
    content = hostile(label, spec.kind)
    assert len(content) < 5 * MB  # small on the wire: under the upload limit
    client.force_login(persona(who))
    url = reverse(url_name)
    response, elapsed = post_timed(
        client, url, {**form(world), "file": SimpleUploadedFile("导入.xlsx", content)}
    )
    assert response.status_code == 200
    shown = " ".join(response.context["form"].errors["file"])
    assert re.search(message, shown), shown
    assert shown in response.content.decode()
    assert elapsed < 5, f"{elapsed:.1f} s"
    response, peak = post_traced(
        client, url, {**form(world), "file": SimpleUploadedFile("导入.xlsx", content)}
    )
    assert " ".join(response.context["form"].errors["file"]) == shown
    # The upload itself is in memory (and copied by the test client): beyond that, the
    # file was not unzipped or parsed whole (200 MB of texts, 3 million rows).
    assert peak < 2 * len(content) + 8 * MB, f"{peak / MB:.1f} MB"
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("url_name", sorted(ENDPOINTS))
def test_the_same_hand_built_workbook_without_the_hostile_part_is_taken(
    client, persona, world, url_name
):
    """The positive control: the builder makes a workbook the import reads."""
    spec, who, form = ENDPOINTS[url_name]
    client.force_login(persona(who))
    content = xlsx(
        header_row(spec) + b'</row><row r="2">' + _inline("A2", "120114101001") + b"</row>"
    )
    response = client.post(
        reverse(url_name), {**form(world), "file": SimpleUploadedFile("导入.xlsx", content)}
    )
    assert response.status_code == 302, response.context["form"].errors
    batch = ImportBatch.objects.get()
    assert list(batch.lines.values_list("number", "cells")) == [
        (2, ["120114101001"] + [""] * (len(spec.columns) - 1))
    ]


def test_a_batch_that_could_not_be_read_asks_for_the_file_again(client, alice):
    """A batch uploaded before the portal kept what it read, or one a worker failed on."""
    batch = ImportBatch.objects.create(
        kind=RATING_IMPORT.kind,
        file=SimpleUploadedFile("星级.xlsx", b"PK"),
        original_name="星级.xlsx",
        scope_code=alice.division_id,
        uploaded_by=alice,
        status="failed",
    )
    client.force_login(alice)
    response = client.get(reverse("rating_import_preview", args=[batch.pk]))
    assert "无法检查该文件，请重新上传。" in response.content.decode()
    assert reverse("rating_import_confirm", args=[batch.pk]) not in response.content.decode()


# --- Read once, at upload ----------------------------------------------------------------------


@pytest.mark.parametrize("url_name", sorted(IMPORTS))
def test_the_workbook_is_parsed_once_at_upload_and_never_by_the_preview_or_the_confirmation(
    client, persona, request, monkeypatch, url_name
):
    page, w = IMPORTS[url_name], request.getfixturevalue("import_world")
    client.force_login(persona(page.persona))
    opened = []
    real = portal.imports._sheet_rows
    monkeypatch.setattr(
        portal.imports, "_sheet_rows", lambda *a, **k: opened.append(1) or real(*a, **k)
    )
    content = _workbook(page.spec.headers, [page.good(w)])
    response = client.post(
        reverse(url_name), {**page.form(w), "file": SimpleUploadedFile("导入.xlsx", content)}
    )
    assert response.status_code == 302 and opened == [1]
    batch = ImportBatch.objects.get()
    batch.file.delete(save=False)  # even without the file, the preview and the import work
    for _visit in range(3):
        preview = client.get(response["Location"])
        assert preview.status_code == 200
        assert "已检查 1 行，未发现错误。" in preview.content.decode()
    before = page.watch.objects.count()
    confirm = client.post(reverse(url_name + "_confirm", args=[batch.pk]))
    assert confirm.status_code == 302 and page.watch.objects.count() == before + 1
    assert opened == [1]


# --- Evidence files and any request body ---------------------------------------------------------


def _docx(parts):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for i in range(parts):
            archive.writestr(f"word/media/p{i}.bin", b"x")
    return data.getvalue()


@pytest.mark.parametrize("where", ["page", "api"])
def test_an_evidence_file_of_20000_parts_is_refused_before_zipfile_reads_its_directory(
    client, alice, case_a, monkeypatch, where
):
    content, few = _docx(20_000), _docx(5)
    opened = []
    real = zipfile.ZipFile
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: opened.append(1) or real(*a, **k))
    client.force_login(alice)
    if where == "page":
        url = reverse("case_evidence", args=[case_a.pk])
        shown = client.post(url, {"file": SimpleUploadedFile("报告.docx", content)}, follow=True)
        shown = shown.content.decode()
    else:
        url = reverse("case-evidence", args=[case_a.pk])
        response = client.post(url, {"file": SimpleUploadedFile("报告.docx", content)})
        assert response.status_code == 400
        shown = str(response.json())
    assert "文件包含 20002 个部件，超过 1000 个的上限。" in shown
    assert opened == [] and not Attachment.objects.exists()
    # The same document with a few parts is taken.
    response = client.post(url, {"file": SimpleUploadedFile("报告.docx", few)})
    assert response.status_code in (201, 302) and Attachment.objects.count() == 1


@pytest.mark.parametrize("url_name", ["case_evidence", "case-evidence", "rating_import"])
def test_a_body_larger_than_any_upload_allowed_is_refused_before_it_is_read(
    client, alice, case_a, url_name
):
    client.force_login(alice)
    url = reverse(url_name, args=[case_a.pk] if "evidence" in url_name else [])
    started = time.perf_counter()
    response = client.generic(
        "POST",
        url,
        b"--x\r\n" * 100,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(3 * 1024**3),  # what a 3 GB upload announces
    )
    assert time.perf_counter() - started < 2
    assert response.status_code == 413
    shown = response.json()["detail"] if "/api/" in url else response.content.decode()
    assert "上传的内容为 3,072.0 MB，本系统最多接受 11.0 MB。" in shown
    assert not response.wsgi_request.META["wsgi.input"].read_started
