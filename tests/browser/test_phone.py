"""The first secretary on a phone (390 × 844): he lands on his own page, writes today's log
in one tap, and neither his page nor his village's case scrolls sideways."""

import pytest

from tests.browser.conftest import log_in, screenshot

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium, demo_server):
    context = chromium.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=demo_server.url,
    )
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and problems.append(f"{response.status}: {response.url}")
        ),
    )
    yield page
    context.close()
    assert not problems, problems


def scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_secretary_writes_today_in_one_tap_and_nothing_scrolls_sideways(phone):
    log_in(phone, "secretary")
    assert phone.url.endswith("/my/")
    assert scroll_width(phone) <= PHONE["width"]
    assert phone.locator("img.log-thumb").count() >= 1  # the demo day with a photo
    # The menu is his few links, not the county's twenty.
    phone.click("button.navbar-toggler")
    phone.locator("#nav.collapse.show").wait_for()
    menu = phone.locator("#nav .navbar-nav.me-auto > li")
    assert menu.count() == 5  # his village's file (本村一村一档) is the fifth
    assert "本村一村一档" in " ".join(menu.all_inner_texts())
    phone.click("button.navbar-toggler")
    phone.locator("#nav").wait_for(state="hidden")
    screenshot(phone, "phone-start")

    phone.click("a[data-today=missing]")  # the one tap
    phone.fill("textarea[name=summary]", "走访脱贫户三户，了解务工情况。")
    phone.fill("input[name=households_visited]", "3")
    phone.click("main form button[type=submit]")
    phone.wait_for_url("**/my/")
    assert phone.locator("[data-today=written]").is_visible()
    assert scroll_width(phone) <= PHONE["width"]

    phone.click("main >> text=本村整顿档案")
    phone.wait_for_load_state()
    assert "/ledger/" in phone.url
    screenshot(phone, "phone-case", full_page=True)
    assert scroll_width(phone) <= PHONE["width"], "the case page scrolls sideways on a phone"
