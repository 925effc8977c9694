"""The ledger's figures: seed 004's table reproduced, one query per figure, lists that scale."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.choices import Role
from portal.scoping import Scope
from rectification.choices import CaseStatus
from rectification.selectors import ledger_statistics, percent
from tests.factories import UserFactory


def test_the_statistics_reproduce_seed_004(region_of_seed_004):
    admin, campaign = region_of_seed_004
    stats = ledger_statistics(scope=Scope.of(admin), campaign=campaign, today=date(2014, 11, 1))
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
    # One township of the banner (130 cases, all of one category), then the whole banner
    # (1,129 cases of four): villages, the case aggregate, categories, overdue tasks.
    township = UserFactory(username="sumu2", role=Role.TOWNSHIP_ORGANIZER, division_id="159901002")
    measured = []
    for user in (township, admin):
        with CaptureQueriesContext(connection) as queries:
            stats = ledger_statistics(scope=Scope.of(user), campaign=campaign)
        categories = sum(1 for _category, n, _share in stats.by_category if n)
        measured.append((stats.cases, categories, len(queries)))
    assert measured == [(130, 1, 4), (1_129, 4, 4)]


def test_overdue_cases_are_those_past_deadline_and_not_converted(region_of_seed_004):
    admin, campaign = region_of_seed_004
    assert (
        ledger_statistics(
            scope=Scope.of(admin), campaign=campaign, today=date(2015, 1, 5)
        ).overdue_cases
        == 142
    )
    assert (
        ledger_statistics(
            scope=Scope.of(admin), campaign=campaign, today=date(2014, 6, 1)
        ).overdue_cases
        == 0
    )


def test_a_scope_without_cases_has_no_rate_rather_than_a_division_by_zero(alice):
    stats = ledger_statistics(scope=Scope.of(alice))
    assert stats.cases == 0 and stats.conversion_rate is None


def test_percent_rounds_half_up():
    assert percent(987, 1129) == Decimal("87.4")
    assert percent(1, 8) == Decimal("12.5")
    # Exactly half at the last place: up (四舍五入), not to the even neighbour.
    assert percent(1, 16) == Decimal("6.3")  # 6.25
    assert percent(1, 80) == Decimal("1.3")  # 1.25
    assert percent(1, 2000) == Decimal("0.1")  # 0.05
    assert percent(5, 8, places=0) == Decimal("63")  # 62.5
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
