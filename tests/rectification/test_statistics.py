"""The ledger's figures: seed 004's table reproduced, one query per figure, lists that scale."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.choices import Role
from rectification.choices import CaseStatus
from rectification.models import Campaign, Case, Category
from rectification.selectors import ledger_statistics, percent
from tests.factories import UserFactory
from villages.models import Division, Village

# Seed 004 (Inner Mongolia, 2014): of 11,165 gacha and villages, 1,129 were class 3
# (10.1 %): 321 weak and lax (28 %), 90 chaotic finances (8 %), 560 lagging development
# (50 %), 158 prominent conflicts (14 %); 987 transformed (87.4 %).
SEED_004 = {"软弱涣散": 321, "财务管理混乱": 90, "经济社会发展落后": 560, "矛盾问题较为突出": 158}


@pytest.fixture
def region_of_seed_004(db):
    """A made-up league (盟) 1599 of 12 banners' worth of villages: seed 004's counts."""
    Division.objects.get_or_create(
        code="15", defaults={"name": "内蒙古自治区", "level": "province"}
    )
    Division.objects.create(code="1599", name="示例盟", level="city", parent_id="15")
    Division.objects.create(code="159901", name="示例旗", level="county", parent_id="1599")
    townships = [
        Division(code=f"159901{n:03d}", name=f"第{n}苏木", level="township", parent_id="159901")
        for n in range(1, 13)
    ]
    Division.objects.bulk_create(townships)
    villages = []
    for index in range(11_165):
        township = townships[index // 999]
        kind = "gacha" if index % 3 else "village"
        code = f"{township.code}{index % 999 + 1:03d}"
        villages.append(Village(code=code, name=f"{code}嘎查", township=township, kind=kind))
    # Urban communities are not counted in seed 004's 11,165.
    villages.append(
        Village(code="159901012999", name="示例社区", township=townships[-1], kind="community")
    )
    Village.objects.bulk_create(villages, batch_size=2000)
    campaign = Campaign.objects.create(
        division_id="159901", year=2014, name="三类嘎查村整顿转化", started_on=date(2014, 1, 1)
    )
    categories = {c.name: c for c in Category.objects.filter(name__in=SEED_004)}
    cases, links = [], []
    listed = iter(villages)
    for name, count in SEED_004.items():
        for _ in range(count):
            cases.append(
                Case(
                    campaign=campaign,
                    village=next(listed),
                    problems=name,
                    responsible_person="示例",
                    identified_on=date(2014, 1, 10),
                    deadline=date(2014, 12, 31),
                )
            )
    # 987 converted: 900 transformed, 87 already closed; the other 142 still rectifying.
    for index, case in enumerate(cases):
        if index < 900:
            case.status, case.transformed_on = CaseStatus.TRANSFORMED, date(2014, 9, 1)
        elif index < 987:
            case.status, case.transformed_on = CaseStatus.CLOSED, date(2014, 9, 1)
            case.closed_on = date(2014, 10, 1)
        else:
            case.status = CaseStatus.RECTIFYING
    Case.objects.bulk_create(cases, batch_size=2000)
    for case in Case.objects.filter(campaign=campaign):
        links.append(Case.categories.through(case=case, category=categories[case.problems]))
    Case.categories.through.objects.bulk_create(links, batch_size=2000)
    admin = UserFactory(username="league", role=Role.COUNTY_ADMIN, division_id="159901")
    return admin, campaign


def test_the_statistics_reproduce_seed_004(region_of_seed_004):
    admin, campaign = region_of_seed_004
    stats = ledger_statistics(
        user=admin, campaign=campaign, village_kinds=["village", "gacha"], today=date(2014, 11, 1)
    )
    assert (stats.villages, stats.cases) == (11_165, 1_129)
    assert stats.listed_share == Decimal("10.1")
    shares = {c.name: (n, round(share)) for c, n, share in stats.by_category if n}
    assert shares == {
        "软弱涣散": (321, 28),
        "财务管理混乱": (90, 8),
        "经济社会发展落后": (560, 50),
        "矛盾问题较为突出": (158, 14),
    }
    assert stats.converted == 987
    assert stats.conversion_rate == Decimal("87.4")
    assert stats.by_status[CaseStatus.RECTIFYING] == 142


def test_each_figure_is_one_query_whatever_the_size(region_of_seed_004):
    admin, campaign = region_of_seed_004
    with CaptureQueriesContext(connection) as queries:
        ledger_statistics(user=admin, campaign=campaign)
    # villages, the case aggregate, categories, overdue tasks: four figures, four queries.
    assert len(queries) == 4


def test_overdue_cases_are_those_past_deadline_and_not_converted(region_of_seed_004):
    admin, campaign = region_of_seed_004
    assert (
        ledger_statistics(user=admin, campaign=campaign, today=date(2015, 1, 5)).overdue_cases
        == 142
    )
    assert (
        ledger_statistics(user=admin, campaign=campaign, today=date(2014, 6, 1)).overdue_cases == 0
    )


def test_a_scope_without_cases_has_no_rate_rather_than_a_division_by_zero(alice):
    stats = ledger_statistics(user=alice)
    assert stats.cases == 0 and stats.conversion_rate is None


def test_percent_rounds_half_up():
    assert percent(987, 1129) == Decimal("87.4")
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 0) is None


def test_the_ledger_list_and_api_keep_their_query_count_as_cases_grow(region_of_seed_004, client):
    admin, campaign = region_of_seed_004
    client.force_login(admin)
    counts = []
    # The same filters, by code prefix: ten villages' cases, then every case of the banner.
    for query in ({"q": "15990100200"}, {"q": "1599"}):
        with CaptureQueriesContext(connection) as page:
            response = client.get(reverse("case_list"), {**query, "campaign": campaign.pk})
        with CaptureQueriesContext(connection) as api:
            body = client.get(
                reverse("case-list"), {**query, "campaign": campaign.pk, "page_size": 200}
            ).json()
        counts.append(
            (len(response.context["object_list"]), len(page), len(body["results"]), len(api))
        )
    (few_rows, few_page, few_api_rows, few_api), (rows, many_page, api_rows, many_api) = counts
    assert few_rows < rows == 50 and few_api_rows < api_rows == 200
    assert few_page == many_page
    assert few_api == many_api
