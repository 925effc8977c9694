"""The county's dashboard in Chromium: charts drawn, figures that lead to their lists,
drill-down to a township, the print view. Screenshots in var/artifacts/."""

import re

import pytest

from rectification.models import Case
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_the_county_reviews_the_dashboard_and_follows_a_bar(page):
    log_in(page, "county")
    page.goto("/dashboard/")
    page.wait_for_selector(".chart svg rect")
    # Both charts are drawn as SVG with the Chinese labels of their bars.
    funnel = page.locator('[data-chart="funnel"] svg')
    labels = funnel.text_content()
    assert "整顿中" in labels and "已销号" in labels
    assert page.locator('[data-chart="categories"] svg text').count() > 4
    listed = int(page.locator('[data-figure="listed"]').inner_text())
    assert listed > 10
    shot = screenshot(page, "dashboard-county", full_page=True)
    assert shot.stat().st_size > 50_000
    # A click on the "rectifying" bar opens the ledger of the cases that reached that step
    # (the bar's count): rectifying or beyond, none only just listed.
    box = funnel.locator("text", has_text="整顿中").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] + 60, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r"/ledger/\?year=\d{4}&reached=rectifying"))
    rows = page.locator("table tbody tr")
    assert rows.count() > 0
    assert not any("已列入" in text for text in rows.all_inner_texts())


def test_drilling_down_to_a_township_and_printing(page):
    log_in(page, "county")
    page.goto("/dashboard/")
    first = page.locator("#ranking tbody tr td a").first
    township = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"area=\d{9}"))
    assert township in page.locator("h1").inner_text()
    assert page.locator(".breadcrumb").inner_text().startswith("武清区")
    # A township's rows are its villages, each leading to the village page.
    assert page.locator("#ranking tbody a[href^='/villages/']").count() > 0
    page.get_by_role("link", name="打印版").click()
    page.wait_for_selector(".chart svg rect")
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert not page.get_by_role("button", name="打印").is_visible()
    screenshot(page, "dashboard-township-print", full_page=True)


PAGES = ["/", "/ledger/", "/villages/", "/activity/", "/rounds/", "/findings/", "/secretaries/"]


def test_the_pages_keep_to_the_content_security_policy(page):
    """Chromium reports every violation of the policy as a console error, which fails the
    test (see the page fixture): inline script, inline style, a resource from elsewhere."""
    log_in(page, "county")
    for path in PAGES:
        response = page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto("/ledger/")
    page.locator("table tbody a").first.click()
    page.wait_for_url(re.compile(r"/ledger/\d+/"))
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info")


# The browsable API: the root, lists with their filter and create forms, an object with
# its edit form, and a view that is not a viewset.
API_PAGES = [
    "/api/v1/",
    "/api/v1/cases/",
    "/api/v1/villages/?page_size=5",
    "/api/v1/secretaries/",
    "/api/v1/rounds/",
    "/api/v1/timeliness/",
]


def test_the_browsable_api_keeps_to_the_content_security_policy(page):
    """The API's own HTML pages, as the county administrator reads them in a browser; a
    violation (the code highlighter's inline <style>, say) is a console error."""
    log_in(page, "county")
    for path in API_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert "style-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(".response-info")
    # An object's page carries the forms to change it (PUT, PATCH, DELETE).
    case = Case.objects.filter(village__code__startswith="120114").order_by("pk").first()
    page.goto(f"/api/v1/cases/{case.pk}/")
    page.wait_for_selector("form")


def test_the_admin_keeps_to_the_content_security_policy(page):
    log_in(page, "admin")
    for path in ["/admin/", "/admin/rectification/case/", "/admin/portal/user/"]:
        response = page.goto(path)
        assert response.status == 200, path
    page.locator("#result_list tbody a").first.click()
    page.wait_for_selector("form")
