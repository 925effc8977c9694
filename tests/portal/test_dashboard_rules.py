"""The dashboard's definitions, with numbers written by hand: first-secretary coverage over
every open case, the share listed over administrative villages, the activity-plan window and
its colours (one rule, one legend, on the dashboard and the timeliness page), and "no data"
before a county's first plan."""

import io
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from firstsecretary import services as secretary_services
from portal.choices import Role
from rectification import services as ledger_services
from rectification.models import Campaign, Case
from tests.factories import UserFactory
from villages.models import ActivityPlan, Division, Village

SHANGHAI = ZoneInfo("Asia/Shanghai")
TOWNSHIP_A = "120114101"


@pytest.fixture
def november_27th():
    """Two days after the December plan fell due (the 25th): December is the month just due."""
    with time_machine.travel(datetime(2026, 11, 27, 10, tzinfo=SHANGHAI), tick=False):
        yield


# --- 9. First-secretary coverage --------------------------------------------------------------


def test_coverage_counts_every_listed_case_not_yet_closed(
    client, county_admin, alice, list_case, add_secretary
):
    villages = list(Village.objects.filter(township_id=TOWNSHIP_A).order_by("code")[:4])
    cases = [list_case(alice, village) for village in villages]
    # Two just listed, one rectifying, one closed out; secretaries in the first and the last.
    Case.objects.filter(pk=cases[2].pk).update(status="rectifying")
    Case.objects.filter(pk=cases[3].pk).update(
        status="closed", transformed_on=date(2026, 9, 1), closed_on=date(2026, 10, 1)
    )
    for number, village in enumerate((villages[0], villages[3])):
        secretary_services.assignment_start(
            acting_user=county_admin,
            secretary=add_secretary(f"王磊{number}"),
            village=village,
            started_on=date(2026, 3, 1),
            planned_end=date(2028, 2, 28),
        )
    client.force_login(county_admin)
    page = client.get(reverse("dashboard"))
    # Open cases: three (the closed one is out); with a secretary among them: one.
    assert page.context["coverage"] == (1, 3, Decimal("33.3"))
    html = page.content.decode()
    assert 'data-figure="covered" data-count="1"' in html
    assert 'data-figure="open-cases" data-count="3"' in html


# --- 10. The share listed over administrative villages ------------------------------------------


@pytest.fixture
def small_county(db, categories):
    """A made-up county: one township of 8 village committees, 2 gacha and 3 communities; one
    village committee and one community listed."""
    Division.objects.get_or_create(code="13", defaults={"name": "河北省", "level": "province"})
    Division.objects.create(code="1399", name="示例市", level="city", parent_id="13")
    Division.objects.create(code="139901", name="示例县", level="county", parent_id="1399")
    Division.objects.create(code="139901001", name="示例镇", level="township", parent_id="139901")
    kinds = ["village"] * 8 + ["gacha"] * 2 + ["community"] * 3
    villages = [
        Village.objects.create(
            code=f"139901001{n:03d}", name=f"示例{n}", township_id="139901001", kind=kind
        )
        for n, kind in enumerate(kinds, start=1)
    ]
    admin = UserFactory(username="small", role=Role.COUNTY_ADMIN, division_id="139901")
    campaign = Campaign.objects.create(
        division_id="139901", year=2026, name="示例整顿", started_on=date(2026, 1, 1)
    )
    for village in (villages[0], villages[-1]):
        ledger_services.case_create(
            acting_user=admin,
            campaign=campaign,
            village=village,
            categories=categories,
            problems="班子不团结",
            responsible_person="李秀英",
            identified_on=date(2026, 3, 10),
            deadline=date(2026, 12, 31),
        )
    return admin


def test_the_share_listed_is_over_administrative_villages_with_communities_apart(
    client, small_county
):
    client.force_login(small_county)
    page = client.get(reverse("dashboard"))
    stats = page.context["stats"]
    # 1 of 10 administrative villages: 10.0 %, not 2 of 13 (15.4 %).
    assert (stats.villages, stats.village_cases, stats.listed_share) == (10, 1, Decimal("10.0"))
    assert (stats.communities, stats.community_cases, stats.cases) == (3, 1, 2)
    html = page.content.decode()
    # The denominator in words and in number beside each share; 1 of 3 communities apart.
    assert "占行政村·嘎查（10个）的10.0%" in html
    assert "占城市社区（3个，另计）的33.3%" in html
    assert "行政村（村委会和嘎查）" in html and "城市社区（另计）" in html
    printed = client.get(reverse("dashboard_print")).content.decode()
    assert "占行政村的10.0%" in printed and "城市社区（另计）" in printed
    assert "占社区的33.3%" in printed
    response = client.post(reverse("dashboard_export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=3, values_only=True)}
    assert summary["行政村（村委会和嘎查）"] == 10
    assert summary["行政村列入整顿比例（%）"] == 10.0
    assert summary["城市社区（另计）"] == 3
    assert summary["列入整顿社区数"] == 1
    assert summary["社区列入整顿比例（%）"] == 33.3
    # The village list behind "10" holds the ten, communities apart.
    villages = client.get(reverse("village_list"), {"administrative": "true"})
    assert villages.context["paginator"].count == 10
    communities = client.get(reverse("village_list"), {"administrative": "false"})
    assert communities.context["paginator"].count == 3


# --- 11 and 19. The activity-plan heat map and the timeliness page --------------------------------


class _Cells(HTMLParser):
    """{row's first link text: [(the cell's class, its text)]} of every table row."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell, self._name, self._in_link = {}, None, None, None, False
        self.legend = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("data-legend") == "timeliness":
            self.legend = True
        if tag == "tr":
            self._row, self._name = [], None
        elif tag == "a" and self._row is not None and self._name is None:
            self._in_link = True
        elif tag == "td" and self._row is not None and self._name is not None:
            self._cell = [set((attrs.get("class") or "").split()), ""]

    def handle_data(self, data):
        if self._in_link:
            self._name = data.strip()
            self._in_link = False
        elif self._cell is not None:
            self._cell[1] += data

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            colour = {c for c in self._cell[0] if c.startswith("table-")}
            self._row.append((colour, self._cell[1].strip()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._name:
                self.rows[self._name] = self._row
            self._row = None


def cells(client, name, params=None):
    parser = _Cells()
    response = client.get(reverse(name), params or {})
    parser.feed(response.content.decode())
    return response, parser


def submit_plans(villages, month, late=()):
    ActivityPlan.objects.bulk_create(
        ActivityPlan(
            village=village,
            month=month,
            submitted_at=datetime(2026, 11, 20 if village not in late else 26, tzinfo=SHANGHAI),
            late=village in late,
        )
        for village in villages
    )


def test_both_pages_end_with_the_month_just_due(client, county_admin, november_27th):
    client.force_login(county_admin)
    dashboard = client.get(reverse("dashboard"))
    timeliness = client.get(reverse("activity_timeliness"))
    months = [date(2026, m, 1) for m in (7, 8, 9, 10, 11, 12)]
    assert dashboard.context["months"] == timeliness.context["months"] == months


def test_the_same_rate_has_the_same_colour_on_both_pages(client, county_admin, november_27th):
    villages = list(Village.objects.filter(township_id=TOWNSHIP_A).order_by("code"))
    assert len(villages) == 45
    # December: 40 of 45 submitted (88.9 %), 38 on time (84.4 %): yellow on both pages.
    submit_plans(villages[:40], date(2026, 12, 1), late=villages[38:40])
    # November: 44 of 45 on time (97.8 %): green on both.
    submit_plans(villages[:44], date(2026, 11, 1))
    client.force_login(county_admin)
    _page, dashboard = cells(client, "dashboard")
    _page, timeliness = cells(client, "activity_timeliness")
    township = Division.objects.get(pk=TOWNSHIP_A).name
    on_dashboard, on_timeliness = dashboard.rows[township], timeliness.rows[township]
    assert on_dashboard[-1][0] == on_timeliness[-1][0] == {"table-warning"}
    assert on_dashboard[-1][1] == "88.9"
    assert on_dashboard[-2][0] == on_timeliness[-2][0] == {"table-success"}
    # Another township planned nothing for December: red on both, the same legend below both.
    other = Division.objects.get(pk="120114102").name
    assert dashboard.rows[other][-1][0] == timeliness.rows[other][-1][0] == {"table-danger"}
    assert dashboard.legend and timeliness.legend


def test_months_before_the_countys_first_plan_are_no_data_not_failures(
    client, county_admin, november_27th
):
    villages = list(Village.objects.filter(township_id=TOWNSHIP_A).order_by("code"))
    # The county started with the portal in October: one village's plan for October.
    submit_plans(villages[:1], date(2026, 10, 1))
    client.force_login(county_admin)
    township = Division.objects.get(pk=TOWNSHIP_A).name
    for name in ("dashboard", "activity_timeliness"):
        page, table = cells(client, name)
        row = table.rows[township]
        # July, August, September: grey "no data"; October to December: 1 of 45, red.
        assert [colour for colour, _text in row[:3]] == [{"table-secondary"}] * 3, name
        assert all(text == "无数据" for _colour, text in row[:3]), name
        assert [colour for colour, _text in row[3:]] == [{"table-danger"}] * 3, name
        assert "无数据：本县（区）首份活动计划之前的月份" in page.content.decode(), name


def test_a_county_that_never_planned_shows_no_data_everywhere(client, county_admin, november_27th):
    client.force_login(county_admin)
    township = Division.objects.get(pk=TOWNSHIP_A).name
    for name in ("dashboard", "activity_timeliness"):
        _page, table = cells(client, name)
        assert [colour for colour, _text in table.rows[township]] == [{"table-secondary"}] * 6
