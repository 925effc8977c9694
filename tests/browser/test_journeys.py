"""The work as people do it, in Chromium: a township organizer lists a village, files its
plan and next month's activity plan; the county approves the plan and finds the case
rectifying on the ledger and the dashboard; an inspector records a finding and downloads
the findings workbook, which is opened and checked. Screenshots in var/artifacts/."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from rectification.models import Case
from tests.browser.conftest import ARTIFACTS, log_in, screenshot
from villages.models import ActivityPlan, Village

pytestmark = pytest.mark.browser


def submit(page, form_selector):
    page.locator(f"{form_selector} button[type=submit]").first.click()


@pytest.fixture
def november_20th():
    """The journey happens on 20 November 2026, before the 25th: next month's activity plan
    is on time whatever day the suite runs. Set before the demo is loaded, so the demo is
    that day's too; the clock ticks on from there (timeouts still work)."""
    moment = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=True):
        yield


def test_a_village_is_listed_planned_and_approved(november_20th, page):
    free = (
        Village.objects.filter(township_id="120114101")
        .exclude(cases__status__in=["identified", "rectifying", "acceptance_requested"])
        .exclude(cases__campaign__year=2026)
        .order_by("-code")
        .first()
    )
    # 上报 and 审批 ask first (tests below cancel one): here the user says yes.
    page.on("dialog", lambda dialog: dialog.accept())
    # The township organizer of 梅厂镇 lists the village.
    log_in(page, "meichang")
    page.goto("/ledger/new/")
    campaign = page.locator("select[name=campaign] option", has_text="2026").first
    page.select_option("select[name=campaign]", value=campaign.get_attribute("value"))
    # The village is chosen in a search box (745 villages: no plain list): its code, then
    # the one match.
    page.fill("#id_village", free.code)
    page.locator("#id_village-results [role=option]", has_text=free.name).first.click()
    assert page.input_value("input[name=village]") == free.code
    # A problem category is a tick box the size of one, with its name beside it, and
    # ticking it shows (drawn with the text-input class, it was an empty bar).
    category = page.locator("input[name=categories]").first
    category.check()
    box = category.bounding_box()
    assert box["width"] < 30 and box["height"] < 30, box
    assert category.is_checked()
    label = page.locator(f"label[for='{category.get_attribute('id')}']")
    assert label.is_visible() and label.inner_text().strip()
    page.fill("textarea[name=basic_situation]", "党员28名，户籍460户，村集体收入薄弱。")
    page.fill("textarea[name=problems]", "村党组织书记长期缺职，班子不团结。")
    page.fill("textarea[name=measures]", "选派第一书记，配齐班子，规范三会一课。")
    page.fill("input[name=responsible_person]", "王建国")
    page.fill("input[name=identified_on]", "2026-11-20")
    page.fill("input[name=deadline]", "2027-06-30")
    submit(page, "main form[method=post]")
    page.wait_for_url(re.compile(r"/ledger/\d+/$"))
    case = Case.objects.get(village=free, campaign__year=2026)
    assert free.name in page.locator("h1").inner_text()
    # …drafts the plan with one task, and submits it to the county.
    page.goto(f"/ledger/{case.pk}/plan/")
    page.fill("textarea[name=goal]", "半年内配齐班子，年底前转化。")
    page.fill("textarea[name=tasks-0-measure]", "召开党员大会补选村党组织书记")
    page.fill("input[name=tasks-0-owner]", "镇组织委员")
    page.fill("input[name=tasks-0-due_on]", "2027-01-31")
    page.locator("main form[method=post] button[type=submit]:not([name])").click()  # Save
    page.wait_for_url(f"**/ledger/{case.pk}/")
    submit(page, f"form[action='/ledger/{case.pk}/plan/submit/']")
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.plan.status == "submitted"
    screenshot(page, "journey-1-township-plan-submitted", full_page=True)

    # …and files next month's activity plan of a village that has none yet.
    month = date(2026, 12, 1)
    village = (
        Village.objects.filter(township_id="120114101")
        .exclude(activity_plans__month=month)
        .order_by("code")
        .first()
    )
    page.goto(f"/activity/{village.code}/{month.year}-{month.month}/")
    page.fill("input[name=items-0-date]", month.replace(day=8).isoformat())
    page.select_option("select[name=items-0-kind]", value="theme_day")
    page.fill("input[name=items-0-topic]", "主题党日：重温入党誓词")
    page.fill("input[name=items-0-place]", "村党群服务中心")
    page.locator("main form[method=post] button[name=submit]").click()
    page.wait_for_load_state()
    plan = ActivityPlan.objects.get(village=village, month=month)
    assert plan.submitted_at is not None and not plan.late
    assert plan.items.count() == 1

    # The county approves the plan: the case is rectifying.
    page.context.clear_cookies()
    log_in(page, "county")
    page.goto(f"/ledger/{case.pk}/")
    page.check("input[name=decision][value=approve]")
    submit(page, f"form[action='/ledger/{case.pk}/plan/review/']")
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == "rectifying" and case.plan.status == "approved"
    assert "整顿中" in page.locator("main").inner_text()
    screenshot(page, "journey-2-county-plan-approved", full_page=True)
    page.goto(f"/ledger/?year=2026&q={free.code}")
    assert page.locator("table tbody tr").count() == 1
    page.goto("/dashboard/")
    page.wait_for_selector(".chart svg rect")


def test_an_inspector_records_a_finding_and_downloads_the_excel(page):
    from openpyxl import load_workbook

    from inspections.models import Finding, Visit

    visit = Visit.objects.filter(
        round__status="active", team__members__username="inspector"
    ).first()
    log_in(page, "inspector")
    page.goto(f"/visits/{visit.pk}/")  # the finding form is on the visit's page
    category = page.locator("select[name=category] option[value]:not([value=''])").first
    page.select_option("select[name=category]", value=category.get_attribute("value"))
    page.fill("textarea[name=description]", "党员活动室长期锁门，群众反映办事找不到人。")
    page.select_option("select[name=severity]", value="serious")
    page.fill("input[name=deadline]", "2026-12-31")
    submit(page, f"form[action='/visits/{visit.pk}/findings/']")
    page.wait_for_load_state()
    finding = Finding.objects.get(description__startswith="党员活动室长期锁门")
    assert finding.visit == visit and finding.severity == "serious"
    # The findings list, exported to Excel: the new finding is in the workbook.
    page.goto(f"/findings/?q={visit.village_id}")
    with page.expect_download() as download:
        submit(page, "form[action^='/findings/export/']")
    assert download.value.suggested_filename.endswith(".xlsx")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "journey-3-findings.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).active
    texts = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "党员活动室长期锁门，群众反映办事找不到人。" in texts
    assert visit.village.name in texts
    screenshot(page, "journey-3-inspector-finding", full_page=True)


def test_a_finding_posted_without_a_deadline_keeps_the_text_and_shows_the_error_under_it(
    november_20th, page
):
    from inspections.models import Finding, Visit

    visit = Visit.objects.filter(
        round__status="active", team__members__username="inspector"
    ).first()
    before = Finding.objects.count()
    log_in(page, "inspector")
    page.goto(f"/visits/{visit.pk}/")
    category = page.locator("select[name=category] option[value]:not([value=''])").first
    page.select_option("select[name=category]", value=category.get_attribute("value"))
    page.fill("textarea[name=description]", "村务公开栏内容两年未更新。")
    page.select_option("select[name=severity]", value="grave")
    submit(page, f"form[action='/visits/{visit.pk}/findings/']")  # no deadline typed
    page.wait_for_load_state()
    # The same form again, with what was typed, and the error under the deadline field.
    assert page.input_value("textarea[name=description]") == "村务公开栏内容两年未更新。"
    assert page.input_value("select[name=severity]") == "grave"
    error = page.locator("input[name=deadline] ~ .invalid-feedback")
    assert error.is_visible() and error.inner_text() == "该字段是必填项。"
    assert "is-invalid" in page.get_attribute("input[name=deadline]", "class")
    assert Finding.objects.count() == before
    screenshot(page, "journey-4-finding-error-under-its-field", full_page=True)
    # Typing the deadline in the same form saves it.
    page.fill("input[name=deadline]", "2026-12-31")
    submit(page, f"form[action='/visits/{visit.pk}/findings/']")
    page.wait_for_url(f"**/visits/{visit.pk}/")
    assert Finding.objects.filter(description="村务公开栏内容两年未更新。").count() == 1


def test_a_first_secretary_has_an_input_only_on_his_own_task(november_20th, page):
    from rectification.models import PlanTask

    secretary_task = PlanTask.objects.get(assignee__username="secretary")
    case = secretary_task.plan.case
    others = secretary_task.plan.tasks.exclude(pk=secretary_task.pk)
    assert others.exists()
    log_in(page, "secretary")
    page.goto(f"/ledger/{case.pk}/")
    inputs = page.locator("input[name=progress]")
    assert inputs.count() == 1
    assert inputs.get_attribute("id") == f"task-{secretary_task.pk}-progress"
    for task in others:
        row = page.locator("tr", has_text=task.measure[:10])
        assert row.locator("input").count() == 0
        assert f"{task.progress}%" in row.inner_text()
    # A value out of range comes back in his row, with the error under it.
    page.fill(f"#task-{secretary_task.pk}-progress", "150")
    submit(page, f"form[action='/tasks/{secretary_task.pk}/progress/']")
    page.wait_for_load_state()
    field = page.locator(f"#task-{secretary_task.pk}-progress")
    assert field.input_value() == "150"
    error = page.locator(f"#task-{secretary_task.pk}-progress ~ .invalid-feedback")
    assert error.is_visible() and "100" in error.inner_text()
    secretary_task.refresh_from_db()
    assert secretary_task.progress != 150
    screenshot(page, "journey-5-secretary-own-task", full_page=True)


def test_submitting_a_plan_asks_first_and_cancelling_changes_nothing(november_20th, page):
    from rectification.models import Plan

    plan = Plan.objects.get(status="draft", case__village__township_id="120114102")
    form = f"form[action='/ledger/{plan.case_id}/plan/submit/']"
    log_in(page, "dajianchang")
    page.goto(f"/ledger/{plan.case_id}/")
    questions = []

    def answer(accept):
        def handle(dialog):
            questions.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()

        return handle

    # 上报, then "cancel": still a draft, still on the case page.
    page.once("dialog", answer(False))
    submit(page, form)
    page.wait_for_timeout(500)
    assert questions == ["确定上报整顿方案？审批期间不能修改。"]
    plan.refresh_from_db()
    assert plan.status == "draft"
    assert page.url.endswith(f"/ledger/{plan.case_id}/")
    # 上报, then "OK": submitted.
    page.once("dialog", answer(True))
    submit(page, form)
    page.wait_for_load_state()
    page.wait_for_selector(".alert-success")
    plan.refresh_from_db()
    assert plan.status == "submitted" and len(questions) == 2
    screenshot(page, "journey-6-plan-submitted-after-confirmation", full_page=True)
