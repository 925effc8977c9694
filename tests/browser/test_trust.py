"""Work logs to look at (请核实) in Chromium: the county opens the list from the menu, sees
the demo's copied entry and reused photo side by side, and follows a side to the
secretary's page with his figure and villagers' awareness. Screenshot in var/artifacts/."""

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_the_county_looks_at_a_copied_entry_and_a_reused_photo_side_by_side(page):
    log_in(page, "county")
    page.goto("/worklog/review/")
    assert page.locator("h1").inner_text().startswith("民情日记请核实")
    texts = page.locator("#texts + p + table tbody tr")
    assert texts.count() == 1 and "涉及两名书记" in texts.inner_text()
    photos = page.locator("#photos + p + table tbody tr img")
    assert photos.count() == 2
    photos.first.wait_for()
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    shot = screenshot(page, "worklog-review", full_page=True)
    assert shot.stat().st_size > 20_000
    texts.get_by_role("link", name="陈晓燕").click()
    page.wait_for_url("**/secretaries/*/")
    assert "1 对日记内容高度雷同" in page.locator("#trust").inner_text()
    assert "群众知晓率" in page.locator("#awareness").inner_text()
