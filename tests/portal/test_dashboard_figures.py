"""The rule of the dashboard: every figure opens a list, and the number shown is the number
of rows of that list. Checked over every figure (cards, chart bars, ranking cells, the
presence line), for every persona of the demo and at every drill level they can reach."""

import json
from html import unescape
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from portal.models import User


class _Figures(HTMLParser):
    """Every element carrying data-figure (the figure's links), the drill-down links, the
    first data-count of a list page, and the charts' JSON."""

    def __init__(self):
        super().__init__()
        self.figures = []  # (name, href, count or None)
        self.areas = []
        self.list_count = None
        self._json = None
        self.charts = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-figure" in attrs:
            self.figures.append((attrs["data-figure"], attrs.get("href"), attrs.get("data-count")))
        elif "data-count" in attrs and self.list_count is None:
            self.list_count = int(attrs["data-count"])
        href = attrs.get("href") or ""
        if tag == "a" and href.startswith("?area="):
            self.areas.append(href[len("?area=") :].split("&")[0])
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
    """Every test here reads the demo: it is loaded once for the module (each test still
    rolled back after it)."""
    settings.DEBUG = True


def parse(response):
    assert response.status_code == 200, response.status_code
    parser = _Figures()
    parser.feed(response.content.decode())
    return parser


def rows_of(client, url):
    """The total a list page shows for `url` (its data-count)."""
    listed = parse(client.get(unescape(url)))
    assert listed.list_count is not None, f"{url} shows no total"
    return listed.list_count


def check_page(client, params):
    """Every figure of one dashboard page against its list; returns the page's parser."""
    response = client.get(reverse("dashboard"), params)
    page = parse(response)
    assert page.figures, "the dashboard shows no figure"
    checked, opened = 0, set()
    for name, href, count in page.figures:
        assert href, f"figure {name} has no link"
        if count is None:
            # A rate: its link opens the list behind it (the first of each kind is opened).
            if name not in opened:
                url = reverse("dashboard") + href if href.startswith("?") else href
                assert client.get(unescape(url)).status_code == 200, f"{name}: {href}"
                opened.add(name)
            continue
        assert rows_of(client, href) == int(count), f"{name}: {href}"
        checked += 1
    # The charts: a click on a bar adds the bar's key to the chart's link.
    html = response.content.decode()
    for chart, key in (("funnel", "status"), ("categories", "category")):
        link = unescape(html.split(f'data-chart="{chart}" data-link="')[1].split('"')[0])
        for bar in page.charts[chart]:
            if bar["value"]:
                assert rows_of(client, f"{link}{bar[key]}") == bar["value"], (chart, bar)
                checked += 1
    return page, checked


def walk(client, code=""):
    """The dashboard at `code` and, one level down each time, at the first area it offers."""
    params = {"area": code} if code else {}
    page, checked = check_page(client, params)
    deeper = [area for area in page.areas if len(area) > len(code)]
    levels = [(code, checked)]
    if deeper:
        levels += walk(client, deeper[0])
    return levels


@pytest.mark.parametrize(
    "username, depths",
    [
        ("admin", [0, 2, 4, 6, 9]),  # the whole country, down to a township
        ("county", [0, 9]),
        ("meichang", [0]),  # a township: its rows are village pages, no further drill
        ("leader", [0, 9]),
        ("inspector", [0, 9]),
        ("secretary", [0]),
    ],
)
def test_every_figure_equals_the_rows_of_the_list_it_opens(client, demo, username, depths):
    client.force_login(User.objects.get(username=username))
    walked = walk(client)
    assert [len(code) for code, _checked in walked] == depths
    # Not a vacuous pass: the demo gives each persona's pages figures to follow.
    assert sum(checked for _code, checked in walked) >= 10
