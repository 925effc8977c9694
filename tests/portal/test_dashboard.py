"""The dashboard: every figure against a recount of known data, seed 004's table, scope,
drill-down, the links behind the figures, the workbook, the print view, a fixed number of
queries."""

import io
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from firstsecretary.choices import FIVE_ONES
from firstsecretary.models import Assignment
from inspections.models import Finding
from portal.models import User
from portal.months import due_by, due_date
from portal.scoping import Scope
from rectification.choices import CONVERTED, CaseStatus
from rectification.models import Case, PlanTask
from villages.models import ActivityPlan, Division, Village
from villages.selectors import percent


def test_seed_004_is_what_the_dashboard_shows(client, region_of_seed_004):
    admin, campaign = region_of_seed_004
    client.force_login(admin)
    page = client.get(reverse("dashboard"), {"year": campaign.year})
    stats = page.context["stats"]
    # 11,165 gacha and villages plus one urban community: still 10.1 % listed.
    assert (stats.cases, stats.listed_share) == (1_129, Decimal("10.1"))
    shares = {c.name: round(share) for c, n, share in stats.by_category if n}
    assert shares == {
        "软弱涣散": 28,
        "财务管理混乱": 8,
        "经济社会发展落后": 50,
        "矛盾问题较为突出": 14,
    }
    assert (stats.converted, stats.conversion_rate) == (987, Decimal("87.4"))
    funnel = {stage.status: (stage.now, stage.reached) for stage in page.context["funnel"]}
    assert funnel[CaseStatus.IDENTIFIED] == (0, 1_129)
    assert funnel[CaseStatus.RECTIFYING] == (142, 1_129)
    assert funnel[CaseStatus.TRANSFORMED] == (900, 987)
    assert funnel[CaseStatus.CLOSED] == (87, 87)
    html = page.content.decode()
    assert "10.1" in html and "87.4%" in html
    # The ranking's townships add up to the whole.
    assert sum(unit.total for unit in page.context["ranking"]) == 1_129


def _recount(user, year, today):
    """The dashboard's figures worked out again in plain Python from every row."""
    prefix = Scope.of(user).prefix
    cases = [
        c
        for c in Case.objects.select_related("campaign").prefetch_related("support")
        if c.village_id.startswith(prefix) and c.campaign.year == year
    ]
    posted = {a.village_id for a in Assignment.objects.filter(actual_end__isnull=True)}
    overdue_task_cases = {
        t.plan.case_id
        for t in PlanTask.objects.select_related("plan__case")
        if t.due_on < today
        and t.progress < 100
        and t.plan.status == "approved"
        and t.plan.case.status not in CONVERTED
    }

    def behind(c):
        late = c.deadline < today and c.status not in CONVERTED
        return late or c.pk in overdue_task_cases

    def missing(c):
        kinds = {s.kind for s in c.support.all()}
        if c.village_id in posted:
            kinds.add("first_secretary")
        return c.status != CaseStatus.CLOSED and not set(FIVE_ONES) <= kinds

    by_township = {}
    for c in cases:
        by_township.setdefault(c.village_id[:9], []).append(c)
    findings = [
        f
        for f in Finding.objects.select_related("visit__round")
        if f.visit.village_id.startswith(prefix) and f.visit.round.year == year
    ]
    return {
        "villages": Village.objects.filter(code__startswith=prefix)
        .exclude(kind="community")
        .count(),
        "cases": len(cases),
        "by_status": Counter(c.status for c in cases),
        "converted": sum(1 for c in cases if c.status in CONVERTED),
        "relapses": sum(1 for c in cases if c.listing > 1),
        "behind": sum(1 for c in cases if behind(c)),
        "missing_five": sum(1 for c in cases if missing(c)),
        "coverage": (
            sum(1 for c in cases if c.status != "closed" and c.village_id in posted),
            sum(1 for c in cases if c.status != "closed"),
        ),
        "findings": (
            sum(1 for f in findings if f.status == "open"),
            sum(1 for f in findings if f.status == "verified"),
        ),
        "ranking": {
            code: (len(rows), sum(1 for c in rows if behind(c)))
            for code, rows in by_township.items()
        },
    }


def _reporting_rate(township, month):
    expected = [
        v
        for v in Village.objects.filter(township_id=township)
        if v.added_on is None or v.added_on <= due_date(month)
    ]
    submitted = ActivityPlan.objects.filter(
        village__in=expected, month=month, submitted_at__isnull=False
    ).count()
    return percent(submitted, len(expected))


def test_every_figure_matches_a_recount_of_the_demo(client, demo):
    county = User.objects.get(username="county")
    client.force_login(county)
    page = client.get(reverse("dashboard"))
    year = page.context["year"]
    today = timezone.localdate()
    expected = _recount(county, year, today)
    stats = page.context["stats"]
    assert expected["cases"] > 10, "the demo should give the dashboard something to show"
    # Wuqing: 745 villages and communities, of which 622 administrative villages.
    assert stats.villages == expected["villages"] == 622
    assert stats.communities == 745 - 622
    assert stats.cases == expected["cases"]
    assert stats.by_status == {s: expected["by_status"].get(s, 0) for s in CaseStatus.values}
    assert stats.converted == expected["converted"]
    assert stats.relapses == expected["relapses"]
    assert page.context["behind"] == expected["behind"]
    assert page.context["missing_five"] == expected["missing_five"]
    assert page.context["coverage"][:2] == expected["coverage"]
    findings = page.context["findings"]
    assert (findings["open"], findings["verified"]) == expected["findings"]
    ranking = {u.code: (u.total, u.overdue) for u in page.context["ranking"]}
    assert ranking == expected["ranking"]
    # The heat map: every township of the county, each month's reporting rate.
    heat = page.context["heat"]
    townships = Division.objects.filter(level="township", code__startswith="120114")
    assert [unit.code for unit, _cells in heat] == sorted(t.code for t in townships)
    last_due = next(m for m in reversed(page.context["months"]) if timezone.now() >= due_by(m))
    column = page.context["months"].index(last_due)
    for unit, cells in heat[:5]:
        assert cells[column].rate == _reporting_rate(unit.code, last_due)


def test_a_township_organizer_sees_only_their_township_by_village(
    client, alice, bob, list_case, village_a, county_admin
):
    list_case(alice, village_a)
    other = Village.objects.filter(township_id=bob.division_id).first()
    list_case(bob, other)
    client.force_login(alice)
    page = client.get(reverse("dashboard"))
    assert page.context["stats"].cases == 1
    assert [u.code for u in page.context["ranking"]] == [village_a.code]
    assert page.context["villages_level"]
    assert {u.code[:9] for u, _cells in page.context["heat"]} == {alice.division_id}
    html = page.content.decode()
    # Each village's row leads to its file (一村一档).
    assert reverse("village_dossier", args=[village_a.code]) in html
    assert other.name not in html
    client.force_login(county_admin)
    assert client.get(reverse("dashboard")).context["stats"].cases == 2


def test_drilling_down_from_the_county_to_a_township_and_on_to_a_village_page(
    client, alice, county_admin, list_case, village_a, bob
):
    list_case(alice, village_a)
    list_case(bob, Village.objects.filter(township_id=bob.division_id).first())
    client.force_login(county_admin)
    county = client.get(reverse("dashboard"))
    assert {u.code for u in county.context["ranking"]} == {alice.division_id, bob.division_id}
    assert f"?area={alice.division_id}&year=2026" in county.content.decode()
    township = client.get(reverse("dashboard"), {"area": alice.division_id})
    assert township.context["stats"].cases == 1
    assert township.context["area"].code == alice.division_id
    assert [u.code for u in township.context["ranking"]] == [village_a.code]
    assert [d.code for d in township.context["trail"]] == ["120114"]
    assert reverse("village_dossier", args=[village_a.code]) in township.content.decode()
    village_page = client.get(reverse("village_dossier", args=[village_a.code]))
    assert village_page.status_code == 200


@pytest.mark.parametrize("area", ["120114", "12", "370215101", "120114101001", "x", ""])
def test_the_area_never_widens_nor_leaves_the_users_own(client, alice, list_case, village_a, area):
    list_case(alice, village_a)
    client.force_login(alice)
    page = client.get(reverse("dashboard"), {"area": area})
    assert page.context["stats"].cases == 1 and not page.context["drilled"]
    assert page.context["area"].code == alice.division_id


def test_every_figure_links_to_the_list_behind_it(
    client, county_admin, list_case, alice, village_a
):
    case = list_case(alice, village_a)
    client.force_login(county_admin)
    page = client.get(reverse("dashboard"), {"area": alice.division_id})
    html = page.content.decode().replace("&amp;", "&")
    base = f"{reverse('case_list')}?year=2026&q={alice.division_id}"
    for suffix in ("", "&converted=true", "&relapse=true", "&overdue=true"):
        assert f'href="{base}{suffix}"' in html
    # Charts: a click on a bar adds the bar's status or category to the link; the funnel's
    # bars count the cases that reached the step, and so does the list they open.
    assert f'data-link="{base}&reached="' in html
    assert f'data-link="{base}&category="' in html
    categories = page.context["charts"]["categories"]
    assert categories == [
        {"name": c.name, "value": 1, "category": c.pk} for c in case.categories.all()
    ]
    # Following a link gives the same number the dashboard shows.
    listed = client.get(reverse("case_list"), {"year": 2026, "q": alice.division_id})
    assert listed.context["paginator"].count == page.context["stats"].cases


def test_the_year_chooses_the_campaign(client, county_admin, list_case, village_a, alice):
    list_case(alice, village_a)
    client.force_login(county_admin)
    assert client.get(reverse("dashboard")).context["year"] == 2026
    empty = client.get(reverse("dashboard"), {"year": "1999"})
    assert empty.context["year"] == 2026  # not a campaign year: the latest instead


def test_the_workbook_holds_the_dashboards_tables(
    client, county_admin, list_case, alice, village_a
):
    list_case(alice, village_a)
    client.force_login(county_admin)
    page = client.get(reverse("dashboard"))
    response = client.post(reverse("dashboard_export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["概况", "按状态", "按问题类型", "排名", "活动计划"]
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=3, values_only=True)}
    assert summary["列入整顿村数"] == page.context["stats"].cases == 1
    assert summary["行政村（村委会和嘎查）"] == 622
    assert summary["城市社区（另计）"] == 123
    ranking = list(book["排名"].iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in ranking] == [alice.division_id]
    heat = list(book["活动计划"].iter_rows(min_row=3, values_only=True))
    assert len(heat) == Division.objects.filter(level="township").count() == 37
    assert len(heat[0]) == 7


def test_the_print_view_has_every_table_and_no_controls(
    client, county_admin, list_case, alice, village_a
):
    list_case(alice, village_a)
    client.force_login(county_admin)
    html = client.get(reverse("dashboard_print")).content.decode()
    for table in ('id="summary"', 'id="funnel"', 'id="categories"', 'id="ranking"', 'id="heat"'):
        assert table in html
    assert (
        'data-action="print"' in html
        and "<select" not in html.split("<main")[1].split("</main>")[0]
    )


def test_the_dashboard_makes_the_same_number_of_queries_whatever_the_data(
    client, county_admin, list_case
):
    client.force_login(county_admin)
    villages = list(Village.objects.filter(code__startswith="120114").order_by("code")[:30])
    list_case(county_admin, villages[0])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard"))
    for village in villages[1:]:
        list_case(county_admin, village)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as drilled:
        client.get(reverse("dashboard"), {"area": villages[0].township_id})
    assert page.context["stats"].cases == 30
    assert len(few) == len(many) == len(drilled)
    # 17 before the time in each stage (+8: the stages, the stalled cases, the contact
    # visits overdue) and the venues up to standard (+1); on PostgreSQL the stages' three
    # passes are one (-2) and JIT is turned off for the page's transaction (+1).
    assert len(many) <= 26


def test_the_charts_are_drawn_from_static_files_and_page_data(
    client, county_admin, list_case, village_a
):
    list_case(county_admin, village_a)
    client.force_login(county_admin)
    for name in ("dashboard", "dashboard_print"):
        html = client.get(reverse(name)).content.decode()
        assert "/static/vendor/echarts/echarts.min.js" in html and 'id="dashboard-data"' in html
        assert "<script>" not in html.replace(
            '<script id="dashboard-data" type="application/json">', ""
        )


def test_the_five_ones_card_links_to_the_cases_it_counts(
    client, county_admin, list_case, alice, bob, village_a, village_b
):
    list_case(alice, village_a)
    list_case(bob, village_b)
    client.force_login(county_admin)
    page = client.get(reverse("dashboard"), {"area": alice.division_id})
    link = f"{reverse('support_overview')}?year=2026&q={alice.division_id}"
    assert f'href="{link}" data-figure="five"' in page.content.decode().replace("&amp;", "&")
    listed = client.get(link)
    assert listed.context["count"] == page.context["missing_five"] == 1
    assert [case.village for case, _flags in listed.context["rows"]] == [village_a]
    # Undrilled, the county's card counts both townships, and so does its list.
    county = client.get(reverse("dashboard"))
    assert client.get(county.context["support_url"]).context["count"] == 2
    assert county.context["missing_five"] == 2


def test_the_dashboard_counts_its_figures_without_jit_in_its_own_transaction(
    client, county_admin, list_case, village_a
):
    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    list_case(county_admin, village_a)
    client.force_login(county_admin)
    with CaptureQueriesContext(connection) as page:
        client.get(reverse("dashboard"))
    statements = [q["sql"] for q in page.captured_queries]
    first_figure = next(i for i, sql in enumerate(statements) if "rectification_case" in sql)
    # Local to the transaction (true): the connection's next request compiles as before.
    assert "SELECT set_config('jit', 'off', true)" in statements[:first_figure]
