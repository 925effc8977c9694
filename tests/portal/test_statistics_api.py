"""The statistics API answers the dashboard's figures: for every persona of the demo and
several filters, each figure the page shows (read from its HTML, its charts' JSON and its
context) is the number the API gives for the same year, campaign and area; and a filter
the page would ignore is refused (400 for a year or campaign, 404 for an area)."""

import json
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.models import User
from rectification.models import Campaign
from tests.conftest import make_persona

PARTS = ("summary", "funnel", "categories", "ranking", "activity-plans")

# The cards' figures (data-figure in the page) and the summary's field for each.
CARDS = {
    "listed": ("listed",),
    "villages": ("administrative_villages",),
    "listed-villages": ("listed_administrative",),
    "communities": ("communities",),
    "listed-communities": ("listed_communities",),
    "converted": ("converted",),
    "relapses": ("relapses",),
    "behind": ("behind_schedule",),
    "five": ("five_ones_incomplete",),
    "open-cases": ("first_secretary_coverage", "denominator"),
    "covered": ("first_secretary_coverage", "numerator"),
    "findings": ("findings_open",),
    "findings-verified": ("findings_verified",),
    "venues": ("venues_up_to_standard",),
    "posted": ("secretaries_posted_last_month",),
    "below": ("secretaries_below_days_threshold",),
}


class _Page(HTMLParser):
    """The page's figures: each card's first data-count, the ranking's totals in order,
    the heat map's levels in order, and the charts' JSON."""

    def __init__(self):
        super().__init__()
        self.cards, self.unit_totals, self.levels = {}, [], []
        self.charts, self._json = None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        figure, count = attrs.get("data-figure"), attrs.get("data-count")
        if figure == "unit-total":
            self.unit_totals.append(int(count))
        elif figure and count is not None:
            self.cards.setdefault(figure, int(count))
        if "data-level" in attrs:
            self.levels.append(attrs["data-level"])
        if tag == "script" and attrs.get("id") == "dashboard-data":
            self._json = ""

    def handle_data(self, data):
        if self._json is not None:
            self._json += data

    def handle_endtag(self, tag):
        if tag == "script" and self._json is not None:
            self.charts, self._json = json.loads(self._json), None


@pytest.fixture
def demo(demo_once, db, settings):
    settings.DEBUG = True


@pytest.fixture
def still_clock():
    """Page and API read the same day and month (a request a second later stays there)."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


def _decimal(value):
    return None if value is None else str(value)


def _api(client, params):
    answers = {}
    for part in PARTS:
        response = client.get(reverse(f"statistics-{part}"), params)
        assert response.status_code == 200, (part, response.content[:300])
        answers[part] = response.json()
    return answers


def compare(client, params):
    """Every figure of the dashboard for `params` against the API's; returns how many."""
    response = client.get(reverse("dashboard"), params)
    assert response.status_code == 200
    context = response.context
    page = _Page()
    page.feed(response.content.decode())
    api = _api(client, params)
    stats = context["stats"]
    compared = 0

    for answer in api.values():
        assert answer["year"] == context["year"]
        assert (answer["area"] or {}).get("code") == (context["area_code"] or None)
        assert answer["campaign"] == (context["campaign"].pk if context["campaign"] else None)

    summary = api["summary"]
    for figure, path in CARDS.items():
        value = summary
        for key in path:
            value = value[key]
        if figure in page.cards:
            assert page.cards[figure] == value, figure
            compared += 1
    for must in ("listed", "villages", "converted", "behind", "five", "open-cases", "posted"):
        assert must in page.cards, f"the page shows no {must}"
    # The shares, and the denominators they name.
    assert summary["listed_share"]["percent"] == _decimal(stats.listed_share)
    assert summary["listed_share"]["denominator"] == page.cards["villages"]
    assert summary["community_share"]["percent"] == _decimal(stats.community_share)
    assert summary["conversion_rate"]["percent"] == _decimal(stats.conversion_rate)
    assert summary["conversion_rate"]["denominator"] == page.cards["listed"]
    assert summary["first_secretary_coverage"]["percent"] == _decimal(context["coverage"][2])
    assert summary["overdue_tasks"] == stats.overdue_tasks
    compared += 6

    stages = api["funnel"]["stages"]
    assert [(s["status"], s["reached"]) for s in stages] == [
        (bar["status"], bar["value"]) for bar in page.charts["funnel"]
    ]
    assert [s["now"] for s in stages] == [stage.now for stage in context["funnel"]]
    compared += 2 * len(stages)

    categories = api["categories"]
    assert categories["listed"] == page.cards["listed"]
    assert [(c["id"], c["name"], c["cases"]) for c in categories["categories"] if c["cases"]] == [
        (bar["category"], bar["name"], bar["value"]) for bar in page.charts["categories"]
    ]
    assert [c["share"]["percent"] for c in categories["categories"]] == [
        _decimal(share) for _category, _n, share in stats.by_category
    ]
    compared += len(categories["categories"])

    units = api["ranking"]["units"]
    assert [(u["code"], u["name"], float(u["conversion_rate"]["percent"] or 0)) for u in units] == [
        (bar["code"], bar["name"], bar["value"]) for bar in page.charts["ranking"]
    ]
    assert [u["cases"] for u in units] == page.unit_totals
    assert [
        (u["converted"], u["relapses"], u["behind_schedule"], u["five_ones_incomplete"])
        for u in units
    ] == [(u.converted, u.relapses, u.overdue, u.missing_five) for u in context["ranking"]]
    compared += len(units)

    plans = api["activity-plans"]
    assert plans["months"] == [month.isoformat() for month in context["months"]]
    assert [m["level"] for unit in plans["units"] for m in unit["months"]] == page.levels
    assert [
        (
            u["code"],
            [(m["expected"], m["on_time"], m["late"], m["rate"]["percent"]) for m in u["months"]],
        )
        for u in plans["units"]
    ] == [
        (unit.code, [(t.expected, t.on_time, t.late, _decimal(t.rate)) for t in cells])
        for unit, cells in context["heat"]
    ]
    compared += len(page.levels)
    return compared


def _campaign(year):
    return str(Campaign.objects.get(division_id="120114", year=year).pk)


@pytest.mark.parametrize(
    "username, params",
    [
        ("admin", {}),  # the whole country
        ("admin", {"area": "12"}),
        ("admin", {"area": "120114", "year": "2025"}),
        ("county", {}),
        ("county", {"year": "2025"}),
        ("county", {"campaign": 2026}),
        ("county", {"area": "120114101", "campaign": 2026}),
        ("meichang", {}),  # a township: its rows are villages
        ("leader", {"area": "120114102"}),
        ("inspector", {}),
        ("secretary", {}),  # a village
    ],
)
def test_every_figure_of_the_page_is_the_api_s(client, demo, still_clock, username, params):
    if "campaign" in params:
        params = {**params, "campaign": _campaign(params["campaign"])}
    client.force_login(User.objects.get(username=username))
    assert compare(client, params) >= 20  # not a vacuous pass


def test_the_campaign_filter_narrows_the_cases_to_one_campaign(client, demo, still_clock):
    client.force_login(User.objects.get(username="county"))
    this_year = _api(client, {"year": "2026"})["summary"]
    campaign = _api(client, {"campaign": _campaign(2026)})["summary"]
    assert campaign == {
        **this_year,
        "campaign": campaign["campaign"],
        "campaign_name": campaign["campaign_name"],
    }
    assert campaign["campaign_name"] == "武清区2026年度软弱涣散村党组织整顿"
    assert this_year["campaign"] is None


@pytest.mark.parametrize(
    "username, area",
    [
        ("county", "370215"),  # another county
        ("county", "37"),  # wider than the county
        ("county", "12"),
        ("county", "120114999"),  # inside, but no such township
        ("county", "120114101001"),  # a village: the drill-down stops at townships
        ("county", "abc"),
        ("meichang", "120114102"),  # the neighbouring township
    ],
)
def test_an_area_outside_the_callers_is_not_found(client, demo, username, area):
    client.force_login(User.objects.get(username=username))
    for part in PARTS:
        assert client.get(reverse(f"statistics-{part}"), {"area": area}).status_code == 404


def test_a_year_without_a_campaign_is_refused_with_the_years_there_are(client, demo):
    client.force_login(User.objects.get(username="county"))
    for year in ("1999", "abc", "2026x"):
        response = client.get(reverse("statistics-summary"), {"year": year})
        assert response.status_code == 400
        assert response.json() == {
            "year": [f"您所辖地区没有{year}年度的整顿批次；已有年度：2026、2025。"]
        }


def test_an_unknown_or_mismatched_campaign_is_refused(client, demo):
    client.force_login(User.objects.get(username="county"))
    response = client.get(reverse("statistics-summary"), {"campaign": "999999"})
    assert response.status_code == 400
    assert response.json() == {"campaign": ["本地区没有编号为999999的整顿批次。"]}
    response = client.get(
        reverse("statistics-funnel"), {"campaign": _campaign(2025), "year": "2026"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "year": ["整顿批次“武清区2025年度软弱涣散村党组织整顿”属于2025年度。"]
    }


def test_another_county_s_campaign_is_refused(client, demo):
    client.force_login(make_persona("other_county_admin"))
    response = client.get(reverse("statistics-summary"), {"campaign": _campaign(2026)})
    assert response.status_code == 400


def test_anonymous_callers_are_refused(client, demo):
    for part in PARTS:
        assert client.get(reverse(f"statistics-{part}")).status_code == 403


def test_the_schema_documents_each_address_with_its_filters_and_its_own_components(client, demo):
    client.force_login(User.objects.get(username="county"))
    schema = client.get(reverse("api_schema"), {"format": "json"}).json()
    for part in PARTS:
        operation = schema["paths"][f"/api/v1/statistics/{part}/"]["get"]
        assert [p["name"] for p in operation["parameters"]] == ["area", "campaign", "year"]
        assert set(operation["responses"]) >= {"200", "400", "403", "404"}
    components = schema["components"]["schemas"]
    assert components["StatisticsShare"]["required"] == [
        "denominator",
        "denominator_label",
        "numerator",
        "percent",
    ]
    # The dispatching unit keeps its name: no statistics component shadows another.
    assert "kind" in components["Unit"]["properties"]


def test_a_campaign_s_dashboard_keeps_the_campaign_in_every_link(client, demo, still_clock):
    from tests.portal.test_dashboard_figures import check_page

    client.force_login(User.objects.get(username="county"))
    pk = _campaign(2025)
    page, checked = check_page(client, {"campaign": pk})
    # Every figure still equals the rows of the list it opens (2025: one closed case).
    assert checked >= 5
    listed = {name: href for name, href, _count in page.figures}["listed"]
    assert f"campaign={pk}" in listed
    html = client.get(reverse("dashboard"), {"campaign": pk}).content.decode()
    assert "武清区2025年度软弱涣散村党组织整顿" in html  # the heading names it
    assert f"?area=120114109&year=2025&amp;campaign={pk}" in html  # the drill-down keeps it


def test_each_address_makes_the_same_number_of_queries_for_a_county_and_a_township(
    client, demo, still_clock
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for username, params in (("county", {}), ("county", {"area": "120114101"}), ("meichang", {})):
        client.force_login(User.objects.get(username=username))
        for part in PARTS:
            client.get(reverse(f"statistics-{part}"), params)  # the session and the user read
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(f"statistics-{part}"), params).status_code == 200
            counts.append((username, bool(params), part, len(queries)))
    by_part = {}
    for _username, _drilled, part, n in counts:
        by_part.setdefault(part, set()).add(n)
    assert all(len(numbers) == 1 for numbers in by_part.values()), counts
