"""Seed 004's table, at a tenth of its size, through the product's own doors: the division
loader; the province's administrator and the banners' through the users API; one
star-rating and one ledger workbook for the whole province on the import pages; the plans
through the plan API and every transition after them through the batch API; then the
statistics API (bench/province_journey.py, which `make bench` runs at full size).

Inner Mongolia (2014): of 11,165 gacha and villages, 1,129 were class 3 (10.1 %): 28 % weak
and lax, 8 % chaotic finances, 50 % lagging development, 14 % prominent conflicts; 987
transformed (87.4 %). Here a made-up league of two banners: 1,015 gacha and village
committees (and 40 urban communities, counted apart), 103 rated four stars or fewer and
listed (29 / 8 / 52 / 14 by category), 90 of them transformed (8 of those closed out).
Every expected figure below is worked out by hand in its comment.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from bench import province_journey as journey
from rectification.models import VillageRating
from tests.conftest import kept_for_the_module
from villages.models import Village

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


# The same journey as `make bench` runs at full size (bench/province_journey.py), on the
# league: users through the users API, one ratings and one ledger workbook for the whole
# province, plans through the plan API, the rest in batches.
LEAGUE_PROVINCE = journey.Province(
    code="15",
    name="内蒙古自治区",
    leagues={LEAGUE: "示例盟"},
    banners={code: (name, ADMINISTRATIVE[code], LISTED[code]) for code, name in BANNERS.items()},
    communities=COMMUNITIES,
    categories=tuple(CATEGORIES),
    converted=CONVERTED,
    closed=CLOSED,
)


@pytest.fixture(scope="module")
def league(django_db_setup, django_db_blocker, tmp_path_factory):
    """The league entered as its department would (bench/province_journey.py). Entered once
    for the module (see kept_for_the_module): a minute of the product's work."""
    with kept_for_the_module(django_db_blocker):
        viewer, _figures, _steps = journey.enter(
            LEAGUE_PROVINCE, tmp_path_factory.mktemp("divisions")
        )
        yield viewer


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
