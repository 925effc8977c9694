"""The village file (一村一档) in Chromium, as a department prints it for a meeting: the
demo's relapse village from its page to its file, then on A4 paper (print media, a page
210 mm wide). Screenshot in var/artifacts/."""

import pytest

from home.demo import the_village
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

# A4 at the browser's 96 dots per inch: 210 × 297 mm.
A4 = {"width": 794, "height": 1123}


def test_the_county_opens_a_villages_file_and_prints_it_on_a4(page):
    village = the_village()
    log_in(page, "county")
    page.goto(f"/villages/{village.code}/")
    page.get_by_role("link", name="一村一档").click()
    page.wait_for_url(f"**/villages/{village.code}/file/")
    heading = page.locator("h1").inner_text()
    assert village.name in heading and "一村一档" in heading
    # Both listings, the relapse marked; both secretaries; the 2025 circular that named it.
    assert page.locator("#listings .listing").count() == 2
    assert "反弹" in page.locator("#listings").inner_text()
    assert page.locator("#secretaries .posting").count() == 2
    assert "武组通〔2025〕" in page.locator("#circulars").inner_text()
    assert page.locator("#timeline tbody tr").count() > 20
    page.set_viewport_size(A4)
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert not page.get_by_role("button", name="打印").is_visible()
    shot = screenshot(page, "village-file-a4", full_page=True)
    assert shot.stat().st_size > 50_000
