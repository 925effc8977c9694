"""Activity venues in Chromium: the county opens the dashboard's venue figure, which lists
the listed villages whose venue is up to standard, then one village's page with its venue
and funding. Screenshots in var/artifacts/."""

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_the_county_follows_the_venue_figure_to_the_venues_and_a_village(page):
    log_in(page, "county")
    page.goto("/dashboard/")
    figure = page.locator("[data-figure=venues]")
    count = int(figure.get_attribute("data-count"))
    assert count > 0
    figure.click()
    page.wait_for_url("**/venues/**")
    assert page.locator("[data-count]").first.get_attribute("data-count") == str(count)
    assert page.locator("table tbody tr").count() == count
    screenshot(page, "venues-listed-up-to-standard", full_page=True)
    page.locator("table tbody tr a").first.click()
    page.wait_for_url("**/villages/**")
    venue = page.locator("#venue")
    assert "达标" in venue.inner_text()
    assert "平方米" in venue.inner_text()
    screenshot(page, "venue-on-the-village-page", full_page=True)
