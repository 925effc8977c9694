"""In Chromium: a village is found by typing in a search box that knows only the user's own
area, and a plan's rows are added without saving, with the late one flagged at once."""

import re
from datetime import timedelta

import pytest

from rectification.models import Case, PlanTask
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_the_village_search_finds_only_the_users_own_villages(page):
    # 李秀英 organises 梅厂镇 (45 villages: a search box, not a list).
    log_in(page, "meichang")
    page.goto("/ledger/new/")
    assert page.locator("select[name=village]").count() == 0
    results = page.locator("#id_village-results")
    # 大碱厂村 lies in the next township: not found.
    page.fill("#id_village", "大碱厂村")
    results.get_by_text("本辖区内没有匹配项。").wait_for()
    assert results.locator("[role=option]").count() == 0
    # 郭罗庄 is hers: one match, which fills the form's value with its code.
    page.fill("#id_village", "郭罗庄")
    option = results.locator("[role=option]", has_text="郭罗庄村委会")
    option.wait_for()
    assert results.locator("[role=option]").count() == 1
    option.click()
    assert page.input_value("input[name=village]") == "120114101204"
    assert page.input_value("#id_village") == "梅厂镇 · 郭罗庄村委会（120114101204）"
    # Typing a whole township's worth shows twenty at most and says there are more.
    page.fill("#id_village", "村委会")
    results.get_by_text("匹配项较多").wait_for()
    assert results.locator("[role=option]").count() == 20
    screenshot(page, "chooser-village-search")


def test_plan_rows_are_added_without_saving_and_a_late_one_is_flagged(page):
    case = (
        Case.objects.filter(
            village__township_id="120114101", campaign__year=2026, status="identified"
        )
        .exclude(plan__status__in=["submitted", "approved"])
        .first()
    )
    log_in(page, "meichang")
    page.goto(f"/ledger/{case.pk}/plan/")
    rows = page.locator("#plan-tasks tbody tr")
    saved = PlanTask.objects.filter(plan__case=case).count()
    assert rows.count() == saved + 1  # the saved tasks and one empty row
    page.fill("textarea[name=goal]", "半年内配齐班子，年底前转化。")
    page.click("#add-task-row")
    page.click("#add-task-row")
    assert rows.count() == saved + 3
    assert page.url.endswith(f"/ledger/{case.pk}/plan/")  # nothing was posted
    assert page.input_value("textarea[name=goal]") == "半年内配齐班子，年底前转化。"
    on_time, later = case.deadline - timedelta(days=30), case.deadline + timedelta(days=90)
    rows_typed = [("补选村党组织书记", on_time), ("规范三会一课", on_time), ("建立长效机制", later)]
    for index, (measure, due) in enumerate(rows_typed, start=saved):
        page.fill(f"textarea[name=tasks-{index}-measure]", measure)
        page.fill(f"input[name=tasks-{index}-owner]", "镇组织委员")
        page.fill(f"input[name=tasks-{index}-due_on]", due.isoformat())
    # The last one is due after the case's deadline: its warning shows as soon as typed.
    late = rows.nth(saved + 2).locator(".task-late")
    assert late.is_visible()
    assert re.search(r"晚于转化时限", late.inner_text())
    assert not rows.nth(saved).locator(".task-late").is_visible()
    # The ledger row's problems stand beside the form.
    assert case.problems[:10] in page.locator("aside").inner_text()
    screenshot(page, "plan-form-rows-added", full_page=True)
    page.locator("main form[method=post] button[type=submit]:not([name])").click()
    page.wait_for_url(f"**/ledger/{case.pk}/")
    tasks = PlanTask.objects.filter(plan__case=case).order_by("order")
    measures = list(tasks.values_list("measure", flat=True))
    assert measures[saved:] == ["补选村党组织书记", "规范三会一课", "建立长效机制"]


def test_a_team_gets_several_villages_from_the_search_and_loses_one(page):
    from inspections.models import InspectionRound

    inspection = InspectionRound.objects.filter(county_id="120114").order_by("-pk").first()
    log_in(page, "county")
    page.goto(f"/rounds/{inspection.pk}/teams/new/")
    assert page.locator("select[name=villages]").count() == 0  # 745 villages: searched
    results = page.locator("#id_villages-results")
    for name in ("郭罗庄", "北王平"):
        page.fill("#id_villages", name)
        results.locator("[role=option]", has_text=name).click()
    chosen = page.locator(".chooser-chosen li")
    assert chosen.count() == 2
    assert page.input_value("input[name=villages]") == "120114101204 120114101205"
    chosen.filter(has_text="郭罗庄").get_by_role("button").click()
    assert chosen.count() == 1
    assert page.input_value("input[name=villages]") == "120114101205"
    screenshot(page, "chooser-team-villages")
