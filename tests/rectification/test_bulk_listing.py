"""The ledger import's write (cases_create_bulk): what it stores for a row is what the form's
service (case_create) stores for the same row — the case, its categories, its leaders, its
history row, its "listed" event — whether written by COPY (PostgreSQL) or by bulk_create
(the path of other databases); texts survive COPY whatever they hold; a row refused rolls
every row of the chunk back."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from simple_history.models import HistoricalRecords

from firstsecretary.models import SupportLink
from portal.exceptions import ItemRefused
from rectification import services
from rectification.choices import CaseStatus
from rectification.models import Campaign, Case, CaseEvent, Category
from villages.models import Village

NOW = datetime(2026, 5, 20, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(params=["copy", "bulk_create"])
def write_path(request, monkeypatch):
    """COPY on PostgreSQL; bulk_create, the path SQLite (`make run`) takes."""
    if request.param == "bulk_create":
        monkeypatch.setattr(connection, "vendor", "sqlite")
    return request.param


@pytest.fixture
def villages(db):
    """Four villages of Wuqing (two townships' worth)."""
    return list(Village.objects.filter(code__startswith="120114").order_by("code")[:4])


def item(village, categories, **overrides):
    """A ledger row as the import gives it to the service (every ledger field, "" when the
    cell is empty)."""
    return {
        "village": village,
        "categories": categories,
        "basic_situation": "党员32名，户籍520户。",
        "problems": "“三会一课”落实不到位，班子不团结",
        "measures": "镇党委书记包村，选派第一书记",
        "responsible_person": "李秀英",
        "township_leader": "王建军",
        "county_leader": "张立国",
        "identified_on": date(2026, 3, 10),
        "deadline": date(2026, 12, 31),
        **overrides,
    }


def bulk(user, campaign, items):
    return services.cases_create_bulk(acting_user=user, campaign=campaign, items=items)


def stored(case):
    """What a reader of the ledger sees of a case: its row, categories, leaders, history
    and events."""
    case.refresh_from_db()
    history = list(case.history.all())
    return {
        "status": case.status,
        "basic_situation": case.basic_situation,
        "problems": case.problems,
        "measures": case.measures,
        "responsible_person": case.responsible_person,
        "identified_on": case.identified_on,
        "deadline": case.deadline,
        "transformed_on": case.transformed_on,
        "closed_on": case.closed_on,
        "listing": case.listing,
        "version": case.version,
        "created_by": case.created_by.username,
        "updated_by": case.updated_by.username,
        "categories": sorted(c.name for c in case.categories.all()),
        "leaders": sorted(
            (link.kind, link.name, link.contact, link.amount, link.project_status)
            for link in case.support.all()
        ),
        "history": [
            (h.history_type, h.history_user.username, h.problems, h.listing, h.status)
            for h in history
        ],
        "events": [
            (e.action, e.from_status, e.to_status, e.actor.username, e.comment)
            for e in case.events.all()
        ],
    }


def expected(categories, **overrides):
    """Written out by hand: the case of item() listed by the county administrator."""
    return {
        "status": "identified",
        "basic_situation": "党员32名，户籍520户。",
        "problems": "“三会一课”落实不到位，班子不团结",
        "measures": "镇党委书记包村，选派第一书记",
        "responsible_person": "李秀英",
        "identified_on": date(2026, 3, 10),
        "deadline": date(2026, 12, 31),
        "transformed_on": None,
        "closed_on": None,
        "listing": 1,
        "version": 1,
        "created_by": "county",
        "updated_by": "county",
        "categories": sorted(c.name for c in categories),
        "leaders": [
            ("county_leader", "张立国", "", None, ""),
            ("township_contact", "王建军", "", None, ""),
        ],
        "history": [("+", "county", "“三会一课”落实不到位，班子不团结", 1, "identified")],
        "events": [("listed", "", "identified", "county", "")],
        **overrides,
    }


def test_the_bulk_write_stores_what_the_form_stores(
    write_path, county_admin, campaign, categories, villages
):
    one, two = villages[:2]
    # As the form's request does: simple_history's middleware names the request's user.
    request = RequestFactory().post("/ledger/new/")
    request.user = county_admin
    HistoricalRecords.context.request = request
    try:
        by_form = services.case_create(
            acting_user=county_admin,
            campaign=campaign,
            village=one,
            categories=categories,
            **{
                k: v for k, v in item(one, categories).items() if k not in ("village", "categories")
            },
        )
    finally:
        del HistoricalRecords.context.request
    [pk] = bulk(county_admin, campaign, [item(two, categories)])
    assert stored(by_form) == expected(categories)
    assert stored(Case.objects.get(pk=pk)) == expected(categories)


def test_the_ids_returned_are_the_new_cases_in_the_order_of_the_items(
    write_path, county_admin, campaign, categories, villages
):
    ids = bulk(county_admin, campaign, [item(v, categories) for v in reversed(villages)])
    assert [Case.objects.get(pk=pk).village.code for pk in ids] == [
        v.code for v in reversed(villages)
    ]
    assert Case.objects.count() == 4


def test_timestamps_are_the_moment_of_the_write(
    write_path, county_admin, campaign, categories, villages
):
    [pk] = bulk(county_admin, campaign, [item(villages[0], categories)])
    case = Case.objects.get(pk=pk)
    assert case.created_at == NOW and case.updated_at == NOW
    assert case.history.get().history_date == NOW
    assert case.events.get().at == NOW
    assert case.support.first().created_at == NOW


def test_a_listing_date_left_empty_is_today(
    write_path, county_admin, campaign, categories, villages
):
    [pk] = bulk(county_admin, campaign, [item(villages[0], categories, identified_on=None)])
    assert Case.objects.get(pk=pk).identified_on == date(2026, 5, 20)


def test_optional_texts_left_empty_stay_empty_and_leaders_empty_make_no_link(
    write_path, county_admin, campaign, categories, villages
):
    row = item(
        villages[0],
        categories,
        basic_situation="",
        measures="",
        township_leader="",
        county_leader="",
    )
    [pk] = bulk(county_admin, campaign, [row])
    assert stored(Case.objects.get(pk=pk)) == expected(
        categories, basic_situation="", measures="", leaders=[]
    )


def test_several_leaders_of_a_kind_and_repeated_categories(
    write_path, county_admin, campaign, categories, villages
):
    row = item(
        villages[0],
        [categories[0], categories[1], categories[0]],
        county_leader="张立国、王强、张立国、 ",
    )
    [pk] = bulk(county_admin, campaign, [row])
    case = Case.objects.get(pk=pk)
    assert sorted(c.pk for c in case.categories.all()) == sorted(c.pk for c in categories)
    assert case.county_leader == "张立国、王强"
    assert case.township_leader == "王建军"


def test_a_village_closed_before_is_listed_again_with_its_number(
    write_path, county_admin, campaign, categories, villages
):
    earlier = Campaign.objects.create(
        division_id="120114", year=2024, name="武清区2024年度整顿", started_on=date(2024, 3, 1)
    )
    Case.objects.create(
        campaign=earlier,
        village=villages[0],
        status=CaseStatus.CLOSED,
        problems="班子软弱",
        responsible_person="赵明",
        identified_on=date(2024, 3, 1),
        deadline=date(2024, 12, 31),
        transformed_on=date(2024, 11, 1),
        closed_on=date(2024, 12, 1),
    )
    [pk] = bulk(county_admin, campaign, [item(villages[0], categories)])
    assert stored(Case.objects.get(pk=pk)) == expected(
        categories,
        listing=2,
        history=[("+", "county", "“三会一课”落实不到位，班子不团结", 2, "identified")],
        events=[
            (
                "listed",
                "",
                "identified",
                "county",
                "销号后再次列入：该村第 2 次列入整顿台账。",
            )
        ],
    )


# Text COPY could mangle: its own separators and escapes, CSV's quote and comma, a NULL's
# spelling, the end-of-data marker, spaces at the ends, characters beyond the BMP.
AWKWARD = [
    "第一行\n第二行",
    "列\t之间",
    "回车\r\n换行",
    "反斜杠\\结尾\\",
    '引号"中"间，逗号,之后',
    "\\N",
    "\\.",
    "NULL",
    "  前后空格  ",
    "表情🙂与生僻字𠀋",
    "",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_texts_survive_the_copy_as_typed(county_admin, campaign, categories, villages, text):
    row = item(villages[0], categories, basic_situation=text, measures=text + "。")
    [pk] = bulk(county_admin, campaign, [row])
    case = Case.objects.get(pk=pk)
    assert (case.basic_situation, case.measures) == (text, text + "。")
    assert case.history.get().basic_situation == text


def test_a_leader_refused_after_the_cases_were_written_rolls_the_chunk_back(
    write_path, county_admin, campaign, categories, villages
):
    rows = [item(v, categories) for v in villages]
    rows[2]["county_leader"] = "张" * 101  # a support link's name holds 100
    with pytest.raises(ItemRefused) as refused:
        bulk(county_admin, campaign, rows)
    assert refused.value.index == 2
    assert refused.value.messages == ["确保该变量包含不超过 100 字符 (目前字符数 101)。"]
    assert Case.objects.count() == 0
    assert Case.history.count() == 0
    assert CaseEvent.objects.count() == 0
    assert SupportLink.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"problems": ""}, "此字段不能为空。"),
        ({"deadline": date(2026, 3, 1)}, "转化时限不能早于列入时间。"),
        ({"categories": []}, "请至少选择一项问题类型。"),
    ],
)
def test_a_row_refused_names_its_index_and_nothing_is_written(
    county_admin, campaign, categories, villages, overrides, message
):
    rows = [item(v, categories) for v in villages]
    rows[1].update(overrides)
    with pytest.raises(ItemRefused) as refused:
        bulk(county_admin, campaign, rows)
    assert (refused.value.index, refused.value.messages) == (1, [message])
    assert Case.objects.count() == 0


def test_a_village_twice_and_a_category_out_of_use_are_refused(
    county_admin, campaign, categories, villages
):
    with pytest.raises(ItemRefused) as twice:
        bulk(county_admin, campaign, [item(villages[0], categories)] * 2)
    assert (twice.value.index, twice.value.messages) == (1, ["该村已列入本批次整顿台账。"])
    retired = Category.objects.create(name="已停用的问题类型", active=False)
    with pytest.raises(ItemRefused) as out_of_use:
        bulk(county_admin, campaign, [item(villages[0], [retired])])
    assert out_of_use.value.messages == ["请选择本县在用的问题类型。"]
    assert Case.objects.count() == 0


def test_a_village_outside_the_users_area_is_refused(alice, campaign, categories, village_b):
    with pytest.raises(ItemRefused) as refused:
        bulk(alice, campaign, [item(village_b, categories)])
    assert refused.value.messages == ["该村不在您的辖区范围内。"]
    assert Case.objects.count() == 0
