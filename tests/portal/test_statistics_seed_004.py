"""Seed 004's table, at a tenth of its size, through the product's own doors: the division
loader, the star-rating and ledger imports, the case services; then the statistics API.

Inner Mongolia (2014): of 11,165 gacha and villages, 1,129 were class 3 (10.1 %): 28 % weak
and lax, 8 % chaotic finances, 50 % lagging development, 14 % prominent conflicts; 987
transformed (87.4 %). Here a made-up league of two banners: 1,015 gacha and village
committees (and 40 urban communities, counted apart), 103 rated four stars or fewer and
listed (29 / 8 / 52 / 14 by category), 90 of them transformed (8 of those closed out).
Every expected figure below is worked out by hand in its comment.
"""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from portal.choices import Role
from portal.models import ImportBatch
from portal.scoping import Scope
from rectification import services
from rectification.choices import CaseAction
from rectification.imports import LEDGER_IMPORT, RATING_IMPORT
from rectification.models import AcceptanceCriterion, Case, VillageRating
from rectification.selectors import screening_candidates
from tests.conftest import kept_for_the_module
from tests.factories import UserFactory
from villages.models import Division, Village
from villages.services import divisions_import

LEAGUE = "1598"
BANNERS = {"159801": "示例左旗", "159802": "示例右旗"}
# Gacha and village committees per banner: 600 + 415 = 1,015.
ADMINISTRATIVE = {"159801": 600, "159802": 415}
COMMUNITIES = 20  # per banner, in its first sumu
# Cases per banner, in listing order: the left banner's 60 first, then the right's 43.
LISTED = {"159801": 60, "159802": 43}
# Seed 004's categories, in listing order: 29 + 8 + 52 + 14 = 103.
CATEGORIES = [
    ("软弱涣散", 29),
    ("财务管理混乱", 8),
    ("经济社会发展落后", 52),
    ("矛盾问题较为突出", 14),
]
CONVERTED = 90  # the first 90 listed; the last 8 of them are closed out too
CLOSED = 8

LABEL = "行政村（村委会、嘎查）"


def _csv(path, header, rows):
    lines = [",".join(header)] + [
        ",".join(f'"{c}"' if not c.isdigit() else c for c in r) for r in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _division_files(directory):
    """The official files' layout (villages/services.py SOURCES), for the league alone. The
    villages' kind is not a column: the loader reads it off the name's ending."""
    _csv(directory / "provinces.csv", ["code", "name"], [["15", "内蒙古自治区"]])
    _csv(directory / "cities.csv", ["code", "name", "provinceCode"], [[LEAGUE, "示例盟", "15"]])
    _csv(
        directory / "areas.csv",
        ["code", "name", "cityCode", "provinceCode"],
        [[code, name, LEAGUE, "15"] for code, name in BANNERS.items()],
    )
    streets, villages = [], []
    for banner in BANNERS:
        sumus = [f"{banner}{n:03d}" for n in (1, 2, 3)]
        streets += [[code, f"第{code[-1]}苏木", banner, "15", LEAGUE] for code in sumus]
        for index in range(ADMINISTRATIVE[banner]):
            sumu = sumus[index % 3]
            code = f"{sumu}{index // 3 + 1:03d}"
            # Two gacha for one village committee, as in a pastoral banner.
            name = f"{code[-3:]}号村民委员会" if index % 3 == 0 else f"{code[-3:]}号嘎查"
            villages.append([code, name, sumu, "15", LEAGUE, banner])
        for n in range(COMMUNITIES):
            villages.append(
                [f"{sumus[0]}{900 + n}", f"{n}号社区居委会", sumus[0], "15", LEAGUE, banner]
            )
    _csv(
        directory / "streets.csv", ["code", "name", "areaCode", "provinceCode", "cityCode"], streets
    )
    _csv(
        directory / "villages.csv",
        ["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"],
        villages,
    )


def _workbook(headers, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _import(client, page, confirm, content, **fields):
    """Upload a workbook on an import page, check the preview is clean, confirm it."""
    response = client.post(
        reverse(page), {**fields, "file": SimpleUploadedFile("导入.xlsx", content)}
    )
    assert response.status_code == 302, response.context["form"].errors
    preview = client.get(response["Location"]).context["preview"]
    assert preview.ok, [(row.line, row.errors) for row in preview.rows if row.errors][:5]
    batch = ImportBatch.objects.latest("pk")
    assert client.post(reverse(confirm, args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    return batch.rows_written


def _take_to_transformed(case, admin, *, close):
    services.plan_save(
        case=case,
        acting_user=admin,
        version=1,
        goal="年底前实现转化",
        tasks=[{"measure": "选优配强班子", "owner": "苏木党委", "due_on": date(2014, 12, 15)}],
    )
    services.plan_submit(case=case, acting_user=admin)
    services.plan_review(case=case, acting_user=admin, approve=True)
    if close is None:
        return  # still rectifying
    services.case_transition(case=case, action=CaseAction.REQUEST_ACCEPTANCE, acting_user=admin)
    scores = {str(c.pk): c.points for c in AcceptanceCriterion.objects.filter(active=True)}
    services.acceptance_record(
        case=case,
        acting_user=admin,
        reviewed_on=date(2014, 10, 25),
        scores=scores,
        satisfaction=95,
        conclusion="班子坚强有力，群众满意。",
    )
    if close:
        services.case_transition(
            case=case, action=CaseAction.CLOSE, acting_user=admin, on=date(2014, 11, 10)
        )


@pytest.fixture(scope="module")
def league(django_db_setup, django_db_blocker, tmp_path_factory):
    """The league entered as its banners would: divisions, then each banner's ratings and
    ledger through the import pages, then its cases through the services. Entered once
    for the module (see kept_for_the_module): a minute and a half of the product's work."""
    with kept_for_the_module(django_db_blocker):
        yield _enter_the_league(Client(), tmp_path_factory.mktemp("divisions"))


def _enter_the_league(client, directory):
    with time_machine.travel(datetime(2014, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        _division_files(directory)
        divisions_import(source_dir=directory, prefix="15")
        names = [name for name, count in CATEGORIES for _ in range(count)]
        listed = iter(names)
        cases = []
        for banner in BANNERS:
            admin = UserFactory(
                username=f"admin{banner}", role=Role.COUNTY_ADMIN, division_id=banner
            )
            client.force_login(admin)
            campaign = services.campaign_create(
                acting_user=admin,
                division=Division.objects.get(pk=banner),
                year=2014,
                name=f"{BANNERS[banner]}三类嘎查村整顿转化",
                started_on=date(2014, 1, 1),
            )
            villages = list(
                Village.objects.filter(code__startswith=banner)
                .exclude(kind="community")
                .order_by("code")
            )
            chosen = villages[: LISTED[banner]]
            ratings = [
                [v.code, v.name, 2014, 2 + i % 3 if i < LISTED[banner] else 5 + i % 6]
                for i, v in enumerate(villages)
            ]
            assert _import(
                client,
                "rating_import",
                "rating_import_confirm",
                _workbook(RATING_IMPORT.headers, ratings),
            ) == len(villages)
            # The screening page's class-3 villages are those to list.
            candidates = screening_candidates(scope=Scope.of(admin), year=2014)
            assert sorted(r.village_id for r in candidates) == [v.code for v in chosen]
            rows = []
            for village in chosen:
                values = {
                    "village": village.code,
                    "village_name": village.name,
                    "categories": next(listed),
                    "problems": "评定为三类",
                    "responsible_person": "苏木党委书记",
                    "identified_on": "2014-03-10",
                    "deadline": "2014-12-31",
                }
                rows.append([values.get(column.key, "") for column in LEDGER_IMPORT.columns])
            assert (
                _import(
                    client,
                    "case_import",
                    "case_import_confirm",
                    _workbook(LEDGER_IMPORT.headers, rows),
                    campaign=campaign.pk,
                )
                == LISTED[banner]
            )
            cases += [
                (case, admin)
                for case in Case.objects.filter(campaign=campaign).order_by("village_id")
            ]
        for index, (case, admin) in enumerate(cases):
            if index < CONVERTED:
                _take_to_transformed(case, admin, close=index >= CONVERTED - CLOSED)
            else:
                _take_to_transformed(case, admin, close=None)
    client.logout()
    province = UserFactory(username="neimenggu", role=Role.VIEWER, division_id="15")
    return province


def test_the_loader_tells_gacha_and_village_committees_from_communities(league, db):
    kinds = {
        kind: Village.objects.filter(code__startswith=LEAGUE, kind=kind).count()
        for kind in ("village", "gacha", "community")
    }
    # A third of 600 and of 415 are village committees (200 + 139), the rest gacha.
    assert kinds == {"village": 339, "gacha": 676, "community": 40}
    assert VillageRating.objects.filter(village__code__startswith=LEAGUE).count() == 1_015


def test_the_statistics_api_gives_seed_004_s_table(client, league, db):
    province = league
    client.force_login(province)
    with time_machine.travel(datetime(2014, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        summary = client.get(reverse("statistics-summary")).json()
        funnel = client.get(reverse("statistics-funnel")).json()
        categories = client.get(reverse("statistics-categories")).json()
        ranking = client.get(reverse("statistics-ranking"), {"area": LEAGUE}).json()
    assert summary["area"] == {"code": "15", "name": "内蒙古自治区", "level": "province"}
    assert summary["year"] == 2014
    assert (summary["administrative_villages"], summary["communities"]) == (1_015, 40)
    assert (summary["listed"], summary["listed_administrative"]) == (103, 103)
    # 103 / 1,015 = 10.15 % → 10.1 % (over 1,055 with the communities it would be 9.8 %).
    assert summary["listed_share"] == {
        "percent": "10.1",
        "numerator": 103,
        "denominator": 1_015,
        "denominator_label": LABEL,
    }
    assert summary["community_share"] == {
        "percent": "0.0",
        "numerator": 0,
        "denominator": 40,
        "denominator_label": "城市社区",
    }
    # 90 / 103 = 87.38 % → 87.4 %.
    assert summary["converted"] == 90
    assert summary["conversion_rate"] == {
        "percent": "87.4",
        "numerator": 90,
        "denominator": 103,
        "denominator_label": "列入整顿村数",
    }
    # No plan task or deadline is past on 20 November; no village listed twice.
    assert (summary["relapses"], summary["behind_schedule"], summary["overdue_tasks"]) == (0, 0, 0)

    assert [(s["status"], s["now"], s["reached"]) for s in funnel["stages"]] == [
        ("identified", 0, 103),
        ("rectifying", 13, 103),
        ("acceptance_requested", 0, 90),
        ("transformed", 82, 90),
        ("closed", 8, 8),
    ]

    # 29 / 103 = 28.2 %, 8 / 103 = 7.8 %, 52 / 103 = 50.5 %, 14 / 103 = 13.6 %: seed 004's
    # 28 / 8 / 50 / 14 % to the unit.
    assert categories["listed"] == 103
    shares = {
        c["name"]: (c["cases"], c["share"]["percent"], c["share"]["denominator"])
        for c in categories["categories"]
        if c["cases"]
    }
    assert shares == {
        "软弱涣散": (29, "28.2", 103),
        "财务管理混乱": (8, "7.8", 103),
        "经济社会发展落后": (52, "50.5", 103),
        "矛盾问题较为突出": (14, "13.6", 103),
    }
    assert round(float(shares["经济社会发展落后"][1])) == 50

    # The league's banners: the left's 60 all converted; the right's 30 of 43 = 69.8 %.
    assert [
        (u["code"], u["cases"], u["converted"], u["conversion_rate"]["percent"])
        for u in ranking["units"]
    ] == [("159801", 60, 60, "100.0"), ("159802", 43, 30, "69.8")]
