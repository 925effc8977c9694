"""Wuqing's working-day calendar in Chromium: the county's rule (顺延) on its settings page,
then the calendar page it links to, with the due days ahead. Screenshot in var/artifacts/."""

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_the_county_sees_its_rule_and_its_working_day_calendar(page):
    log_in(page, "county")
    page.goto("/county/settings/")
    assert page.locator("input[name=due_day_rule][value=postpone]").is_checked()
    page.get_by_role("link", name="工作日历").click()
    page.wait_for_url("**/county/calendar/**")
    assert "武清区工作日历" in page.locator("h1").inner_text()
    assert page.locator("table tbody tr").count() == 4  # the next four months' due days
    screenshot(page, "calendar-county", full_page=True)
