"""Accessibility basics: every label names its input, a skip link leads past the menu to
the page's content, and the report's progress is announced as it changes."""

from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from portal.choices import ReportStatus
from portal.models import GeneratedReport
from rectification import services
from rectification.models import Campaign, Category


class _Page(HTMLParser):
    """The ids on a page, its labels' `for`, and its focusable elements in order."""

    def __init__(self, html):
        super().__init__()
        self.ids, self.labels, self.focusable, self.live = set(), [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "label":
            self.labels.append(attrs.get("for"))
        link = tag == "a" and "href" in attrs
        control = tag in ("button", "input", "select", "textarea") and attrs.get("type") != "hidden"
        if link or control:
            self.focusable.append((tag, attrs))
        if "aria-live" in attrs:
            self.live.append((attrs["aria-live"], attrs.get("id")))


@pytest.fixture
def case(alice, village_a):
    campaign = Campaign.objects.create(
        division_id="120114", year=2026, name="武清区2026年度整顿", started_on=date(2026, 3, 1)
    )
    return services.case_create(
        acting_user=alice,
        campaign=campaign,
        village=village_a,
        categories=list(Category.objects.filter(group="central").order_by("order")[:2]),
        problems="班子不团结",
        responsible_person="李秀英",
        identified_on=date(2026, 3, 10),
        deadline=date(2026, 12, 31),
    )


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return _Page(response.content.decode())


@pytest.mark.parametrize(
    "url",
    [
        lambda case: case.get_absolute_url(),
        lambda case: reverse("case_list"),
        lambda case: reverse("case_create"),
        lambda case: reverse("case_edit", args=[case.pk]),
        lambda case: reverse("plan_edit", args=[case.pk]),
        lambda case: reverse("activity_record_create"),
        lambda case: reverse("village_list"),
    ],
    ids=["case-page", "ledger", "listing-form", "edit-form", "plan-form", "activity", "villages"],
)
def test_every_label_names_an_input_on_the_page(client, alice, case, url):
    page = _page(client, alice, url(case))
    assert page.labels  # the walk found the page's labels
    assert [name for name in page.labels if name not in page.ids] == []


def test_the_county_pages_labels_name_their_inputs_too(client, county_admin, case):
    for url in (reverse("plan_pending"), reverse("round_create"), reverse("campaign_create")):
        page = _page(client, county_admin, url)
        assert [name for name in page.labels if name not in page.ids] == [], url


def test_the_skip_link_is_the_first_thing_to_focus_and_leads_to_the_content(client, alice, case):
    page = _page(client, alice, reverse("case_list"))
    tag, attrs = page.focusable[0]
    assert (tag, attrs["href"]) == ("a", "#main")
    assert "main" in page.ids
    html = client.get(reverse("case_list")).content.decode()
    assert "跳到正文" in html


def test_the_report_progress_is_announced_politely(client, county_admin):
    report = GeneratedReport.objects.create(
        kind="villages.village_list",
        title="村（社区）名单",
        scope_code=county_admin.division_id,
        requested_by=county_admin,
        status=ReportStatus.RUNNING,
        progress=40,
    )
    page = _page(client, county_admin, report.get_absolute_url())
    assert [live for live, _id in page.live] == ["polite"]
    # The region stays while the bar inside it is swapped every second.
    partial = client.get(report.get_absolute_url(), headers={"HX-Request": "true"})
    assert 'id="report-progress"' in partial.content.decode()
    assert "aria-live" not in partial.content.decode()
