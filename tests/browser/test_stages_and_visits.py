"""Issue 20 §3 and §4 in Chromium: the time in each stage beside the funnel, the stalled
cases it opens on the ledger, and a case's contact visits. Screenshots in var/artifacts/."""

import re

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_the_county_follows_the_stage_times_to_the_stalled_cases_and_a_visit(page):
    log_in(page, "county")
    page.goto("/dashboard/")
    page.wait_for_selector('[data-chart="stages"] svg rect')
    # One bar colour per step, named in the legend, and the table's numbers beneath.
    legend = page.locator('[data-chart="stages"] svg').text_content()
    assert "审批通过整顿方案" in legend and "申请验收" in legend
    assert "全域" in page.locator("#stages").inner_text()
    screenshot(page, "dashboard-stage-times", full_page=True)
    stalled = page.locator('#stages [data-figure="stalled"]').first
    count = int(stalled.inner_text())
    stalled.click()
    page.wait_for_url(re.compile(r"/ledger/\?.*stalled=true"))
    assert page.locator("[data-stalled]").count() == count
    screenshot(page, "ledger-stalled", full_page=True)
    # The five-ones card's overdue contacts open the support overview of their villages.
    page.goto("/dashboard/")
    page.locator('[data-figure="visits-overdue"]').click()
    page.wait_for_url(re.compile(r"/support/\?.*visit_overdue=true"))
    page.locator("table tbody a[href^='/ledger/']").first.click()
    page.wait_for_url(re.compile(r"/ledger/\d+/"))
    visits = page.locator("#contact-visits")
    assert visits.locator("li").count() >= 1
    visits.scroll_into_view_if_needed()
    screenshot(page, "case-contact-visits", full_page=True)
