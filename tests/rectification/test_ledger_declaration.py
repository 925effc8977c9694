"""The ledger row is declared once (rectification/ledger.py): the form, the API, the Excel
import and export and the case page all read it, so none of them can drift from it."""

import pytest
from django.urls import reverse
from django.utils import translation

from rectification import api, ledger
from rectification.exports import LEDGER
from rectification.forms import CaseForm
from rectification.imports import LEDGER_IMPORT

# The paper ledger's columns as an official reads them, written by hand.
ROW = [
    ("categories", "问题类型"),
    ("basic_situation", "基本情况"),
    ("problems", "存在问题"),
    ("measures", "整顿措施"),
    ("responsible_person", "整顿责任人"),
    ("township_leader", "包村领导"),
    ("county_leader", "县级联系领导"),
    ("identified_on", "列入时间"),
    ("deadline", "转化时限"),
]
RECORDED = [("transformed_on", "转化时间"), ("closed_on", "销号时间"), ("listing", "列入次数")]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def _pairs(fields):
    return [(field.name, str(field.label)) for field in fields]


def test_the_declaration_is_the_paper_ledger_in_order():
    assert _pairs(ledger.ENTERED) == ROW
    assert _pairs(ledger.RECORDED) == RECORDED
    # Which day a village was listed is not edited: it is listed again instead.
    assert ledger.names(ledger.EDITABLE) == [n for n, _ in ROW if n != "identified_on"]


def test_the_export_has_the_declared_columns_between_the_village_and_the_status():
    headers = [str(column.header) for column in LEDGER.columns]
    assert headers == [
        "乡镇（街道）",
        "村（社区）",
        "村代码",
        "整顿批次",
        *(label for _, label in ROW),
        "状态",
        *(label for _, label in RECORDED),
    ]
    assert headers[4:13] == [label for _, label in _pairs(ledger.ENTERED)]
    assert [(str(title), span) for title, span in LEDGER.groups] == [
        ("村基本信息", 5),
        ("整顿内容", 3),
        ("责任落实", 3),
        ("时限与进展", 6),
    ]
    assert [column.width for column in LEDGER.columns][4:] == [30, 40, 40, 40, 10, 10, 10] + [
        15
    ] * 2 + [10, 15, 15, 8]


def test_the_import_reads_the_declared_columns_after_the_village():
    columns = LEDGER_IMPORT.columns
    assert [column.key for column in columns] == [
        "village",
        "village_name",
        *ledger.names(ledger.ENTERED),
    ]
    assert [str(column.header) for column in columns[2:]] == [label for _, label in ROW]
    required = [column.key for column in columns if column.required]
    assert required == ["village", "categories", "problems", "responsible_person", "deadline"]
    assert [column.max_length for column in columns[2:]] == [
        None,
        5000,
        5000,
        5000,
        50,
        50,
        50,
        None,
        None,
    ]


def test_the_form_lists_the_declared_fields_and_edits_the_editable_ones(alice, case_a):
    listing = CaseForm(acting_user=alice)
    assert list(listing.fields) == ["campaign", "village", *(n for n, _ in ROW), "version"]
    assert [str(listing.fields[n].label) for n, _ in ROW] == [label for _, label in ROW]
    editing = CaseForm(acting_user=alice, instance=case_a)
    assert list(editing.fields) == [*ledger.names(ledger.EDITABLE), "version"]


def test_the_api_names_the_declared_fields():
    read = list(api.CaseSerializer().fields)
    assert read == [
        "id",
        "campaign",
        "village",
        "village_name",
        "township",
        "status",
        *(n for n, _ in ROW),
        *(n for n, _ in RECORDED),
        "is_relapse",
        "version",
        "updated_at",
        "available_actions",
    ]
    create = api.CaseCreateSerializer().fields
    assert list(create) == ["campaign", "village", *(n for n, _ in ROW)]
    assert [str(create[n].label) for n, _ in ROW] == [label for _, label in ROW]
    assert [n for n, f in create.items() if f.required] == [
        "campaign",
        "village",
        "categories",
        "problems",
        "responsible_person",
        "deadline",
    ]
    assert list(api.CaseUpdateSerializer().fields) == ["version", *ledger.names(ledger.EDITABLE)]


def test_the_case_page_shows_the_declared_row_in_order(client, alice, case_a):
    client.force_login(alice)
    html = client.get(reverse("case_detail", args=[case_a.pk])).content.decode()
    row = html[html.index("<dl") : html.index("</dl>")]
    positions = [row.index(f">{label}</dt>") for _, label in ROW]
    assert positions == sorted(positions)
    assert "班子不团结，组织生活不正常" in row and "2026-12-31" in row
