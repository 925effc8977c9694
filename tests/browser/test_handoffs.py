"""The hand-off of a plan, in Chromium, with no browsing (issue 16): 大碱厂镇's organizer
finds his drafted plan on his to-do list and submits it; the county finds it on its to-do
list and in its bell, opens it from there and approves it; the township is told in its
bell, its list no longer asks for it and the ledger's plan filter finds it approved.
Screenshots in var/artifacts/."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from rectification.models import Case
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def november_20th():
    """Before the 25th, set before the demo is loaded (the clock ticks on from there)."""
    moment = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=True):
        yield


def todo_line(page, text, village):
    return page.locator(".todo-list .todo-item", has_text=text).filter(has_text=village)


def test_a_plan_goes_from_the_township_to_the_county_and_back(november_20th, page):
    case = Case.objects.get(village__township_id="120114102", plan__status="draft")
    village = case.village.name
    page.on("dialog", lambda dialog: dialog.accept())

    # The township: the drafted plan is on the home page; its link opens the plan.
    log_in(page, "dajianchang")
    page.goto("/")
    line = todo_line(page, "整顿方案已起草未上报", village)
    assert line.count() == 1
    line.locator("a").first.click()
    page.wait_for_url(f"**/ledger/{case.pk}/plan/")
    page.locator("main form[method=post] button[type=submit]:not([name])").click()  # Save
    page.wait_for_url(f"**/ledger/{case.pk}/")
    page.locator(f"form[action='/ledger/{case.pk}/plan/submit/'] button[type=submit]").click()
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.plan.status == "submitted"
    page.goto("/")
    assert todo_line(page, "整顿方案", village).count() == 0  # the county's move now

    # The county: the plan waits on its to-do list; the line opens the case to decide.
    page.context.clear_cookies()
    log_in(page, "county")
    page.goto("/")
    line = todo_line(page, "整顿方案已上报：请审批或退回", village)
    assert line.count() == 1
    assert re.search(r"自2026-11-20起", line.inner_text())
    screenshot(page, "handoff-1-county-todo", full_page=True)
    # …and in the bell: the notice names the township and the village.
    place = f"{case.village.township.name}{village}"
    assert page.locator("a[href='/notifications/'] .badge").count() == 1
    page.goto("/notifications/")
    assert page.locator(".list-group-item", has_text=f"{place}整顿方案已提交，请审批").count() == 1
    page.goto("/")
    line = todo_line(page, "整顿方案已上报：请审批或退回", village)
    line.locator("a").first.click()
    page.wait_for_url(f"**/ledger/{case.pk}/")
    page.check("input[name=decision][value=approve]")
    page.locator(f"form[action='/ledger/{case.pk}/plan/review/'] button[type=submit]").click()
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.plan.status == "approved"
    page.goto("/")
    assert todo_line(page, "整顿方案已上报", village).count() == 0

    # The township: nothing asks for the plan any more; the ledger says it is approved.
    page.context.clear_cookies()
    log_in(page, "dajianchang")
    page.goto("/")
    assert todo_line(page, "整顿方案", village).count() == 0
    page.goto("/notifications/")
    assert page.locator(".list-group-item", has_text=f"{place}整顿方案已审批通过").count() == 1
    page.goto("/ledger/?plan_status=approved")
    assert page.locator("table tbody tr", has_text=village).count() == 1
    screenshot(page, "handoff-2-township-ledger", full_page=True)
