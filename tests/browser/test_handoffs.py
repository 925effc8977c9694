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


ORGANIZERS = {"120114101": "meichang", "120114102": "dajianchang"}


def test_a_finding_goes_from_the_inspector_to_the_township_and_back(november_20th, page):
    from inspections.models import Finding, Visit

    visit = Visit.objects.filter(
        round__status="active",
        team__members__username="inspector",
        village__township_id__in=ORGANIZERS,
    ).first()
    village = visit.village.name
    page.on("dialog", lambda dialog: dialog.accept())

    # The inspector records a finding on the visit's page.
    log_in(page, "inspector")
    page.goto(f"/visits/{visit.pk}/")
    category = page.locator("select[name=category] option[value]:not([value=''])").first
    page.select_option("select[name=category]", value=category.get_attribute("value"))
    page.fill("textarea[name=description]", "党员活动室长期锁门，群众反映办事找不到人。")
    page.select_option("select[name=severity]", value="serious")
    page.fill("input[name=deadline]", "2026-12-31")
    page.locator(f"form[action='/visits/{visit.pk}/findings/'] button[type=submit]").click()
    page.wait_for_load_state()
    finding = Finding.objects.get(description__startswith="党员活动室长期锁门")

    # The township finds it on its to-do list, with its deadline, and answers it from there.
    page.context.clear_cookies()
    log_in(page, ORGANIZERS[visit.village.township_id])
    page.goto("/")
    line = todo_line(page, "督查发现问题待整改反馈：党员活动室长期锁门", village)
    assert line.count() == 1
    assert "限2026-12-31前办结" in line.inner_text()
    line.locator("a").first.click()
    page.wait_for_url(f"**/findings/{finding.pk}/")
    page.fill("textarea[name=response]", "已安排专人值守，每日开放党员活动室。")
    page.locator(f"form[action='/findings/{finding.pk}/answer/'] button[type=submit]").click()
    page.wait_for_load_state()
    page.goto("/")
    assert todo_line(page, "党员活动室长期锁门", village).count() == 0

    # The inspector is told in his bell, finds the answer on his list and verifies it there.
    page.context.clear_cookies()
    log_in(page, "inspector")
    page.goto("/notifications/")
    told = page.locator(".list-group-item", has_text=f"{village}督查问题已反馈整改情况，请核实")
    assert told.count() == 1
    page.goto("/")
    line = todo_line(page, "乡镇已反馈整改情况，请核实：党员活动室长期锁门", village)
    assert line.count() == 1
    line.locator("a").first.click()
    page.wait_for_url(f"**/findings/{finding.pk}/")
    page.check("input[name=decision][value=verify]")
    page.locator(f"form[action='/findings/{finding.pk}/verify/'] button[type=submit]").click()
    page.wait_for_load_state()
    finding.refresh_from_db()
    assert finding.status == "verified"
    page.goto("/")
    assert todo_line(page, "党员活动室长期锁门", village).count() == 0
    screenshot(page, "handoff-3-inspector-todo", full_page=True)

    # The township is told in its bell: of the finding when it was recorded, and now of
    # the verdict.
    page.context.clear_cookies()
    log_in(page, ORGANIZERS[visit.village.township_id])
    page.goto("/notifications/")
    recorded = page.locator(".list-group-item", has_text="党员活动室长期锁门")
    assert recorded.filter(has_text=f"{village}督查发现问题，请于2026年12月31日前整改").count() == 1
    # The verdict's notice links to this finding (the demo has other verdicts in the village).
    from portal.models import Notification

    organizer = ORGANIZERS[visit.village.township_id]
    verdict = Notification.objects.get(
        user__username=organizer, url=f"/findings/{finding.pk}/", title__contains="已核实销号"
    )
    assert verdict.title == f"{visit.village.township.name}{village}督查问题整改已核实销号"
    assert page.locator(".list-group-item", has_text=verdict.title).count() >= 1
