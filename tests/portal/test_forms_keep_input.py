"""Forms that post to another page (a detail page's forms, each posting to its own action
address) keep what was typed: a refused post shows the same page again, with the values
typed in their fields and each error under the field it is about; nothing is saved.

Before, each of these answered a redirect to the page with a banner that named no field,
and the page's form came back empty. One test per such form; `field_with_error` proves the
message stands under its field (the field's tag, then its invalid-feedback, and no other
field in between)."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from firstsecretary.models import Assignment, ContactVisit, Evaluation, SupportLink
from inspections import services as inspections
from inspections.models import AwarenessCheck, Circular, Finding, FindingReview
from portal.models import Attachment, GeneratedReport
from rectification import services as rectification
from rectification.models import Category, Plan
from tests.conftest import COUNTY
from villages.models import Division

REQUIRED = "该字段是必填项。"


def field_with_error(html, name=None, id=None):
    """The field (found by its name, or by its id where several rows share a name) as the
    page shows it, up to the end of the first error message after it. No other field lies
    in between: the message is this field's."""
    marker = f'id="{id}"' if id else f'name="{name}"'
    start = html.rindex("<", 0, html.index(marker))
    feedback = html.index('class="invalid-feedback', start)
    chunk = html[start : html.index("</div>", feedback)]
    names = set(re.findall(r'\bname="([^"]+)"', chunk))
    assert len(names) == 1, f"other fields before the error: {names}"
    return chunk


def textarea(html, name):
    """The text inside the textarea named `name`."""
    return html.split(f'name="{name}"')[1].split(">", 1)[1].split("</textarea>")[0]


def page_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def november_20th():
    moment = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=True):
        yield


# --- Inspections -------------------------------------------------------------------------


@pytest.fixture
def inspection(november_20th, county_admin):
    return inspections.round_create(
        acting_user=county_admin,
        county=Division.objects.get(pk=COUNTY),
        year=2026,
        quarter=4,
        kind="random",
        starts_on=date(2026, 10, 8),
        ends_on=date(2026, 12, 30),
    )


@pytest.fixture
def visit(inspection, county_admin, inspector, village_a):
    team = inspections.team_save(
        acting_user=county_admin,
        inspection=inspection,
        name="第一督查组",
        leader="",
        members=[inspector],
    )
    inspections.team_assign(acting_user=county_admin, team=team, villages=[village_a])
    inspections.round_move(acting_user=county_admin, inspection=inspection, to="active")
    return inspections.visit_record(
        acting_user=inspector,
        team=team,
        village=village_a,
        visited_on=date(2026, 10, 9),
        unannounced=False,
        summary="查阅会议记录",
        score=80,
    )


@pytest.fixture
def finding(visit, inspector):
    return inspections.finding_add(
        acting_user=inspector,
        visit=visit,
        category=Category.objects.filter(group="central").first(),
        description="“三会一课”记录不全",
        severity="serious",
        deadline=date(2026, 11, 30),
    )


@pytest.fixture
def answered(finding, alice):
    return inspections.finding_answer(acting_user=alice, finding=finding, response="已补齐会议记录")


def test_a_finding_with_no_deadline_keeps_the_description_and_says_so_under_the_deadline(
    client, visit, inspector
):
    client.force_login(inspector)
    category = Category.objects.filter(group="central").first()
    response = client.post(
        reverse("finding_create", args=[visit.pk]),
        {"category": category.pk, "description": "党员活动室长期锁门", "severity": "grave"},
    )
    html = page_of(response)
    assert "党员活动室长期锁门" in textarea(html, "description")
    assert REQUIRED in field_with_error(html, "deadline")
    assert '<option value="grave" selected>' in html
    assert f'<option value="{category.pk}" selected>' in html
    assert not Finding.objects.exists()


def test_a_finding_due_before_the_visit_is_refused_by_the_service_under_the_deadline(
    client, visit, inspector
):
    client.force_login(inspector)
    category = Category.objects.filter(group="central").first()
    response = client.post(
        reverse("finding_create", args=[visit.pk]),
        {
            "category": category.pk,
            "description": "党员活动室长期锁门",
            "severity": "serious",
            "deadline": "2026-10-01",
        },
    )
    html = page_of(response)
    deadline = field_with_error(html, "deadline")
    assert 'value="2026-10-01"' in deadline and "整改时限不能早于走访日期。" in deadline
    assert "党员活动室长期锁门" in textarea(html, "description")
    assert not Finding.objects.exists()


def test_an_answer_with_an_executable_for_proof_keeps_the_response_and_names_the_file(
    client, finding, alice
):
    client.force_login(alice)
    response = client.post(
        reverse("finding_answer", args=[finding.pk]),
        {
            "response": "已补齐三会一课记录",
            "file": SimpleUploadedFile("整改.pdf", b"MZ\x90\x00 exe"),
        },
    )
    html = page_of(response)
    assert "已补齐三会一课记录" in textarea(html, "response")
    assert "只接受 PDF、JPEG、PNG、Word（.docx）和 Excel（.xlsx）文件。" in field_with_error(
        html, "file"
    )
    finding.refresh_from_db()
    assert finding.status == "open" and finding.response == ""
    assert not Attachment.objects.exists()


def test_a_send_back_without_a_reason_asks_for_it_under_the_comment(client, answered, inspector):
    client.force_login(inspector)
    response = client.post(
        reverse("finding_verify", args=[answered.pk]), {"decision": "send_back", "comment": " "}
    )
    html = page_of(response)
    assert "请说明退回重新整改的理由。" in field_with_error(html, "comment")
    assert re.search(r'<input type="radio" name="decision" value="send_back"[^>]*checked', html)
    answered.refresh_from_db()
    assert answered.status == "rectifying"
    assert not FindingReview.objects.exists()


def test_a_circular_without_a_title_keeps_its_body(client, visit, county_admin):
    circular = inspections.circular_draft(acting_user=county_admin, inspection=visit.round)
    client.force_login(county_admin)
    response = client.post(
        reverse("circular_edit", args=[circular.pk]),
        {"title": "", "body": "各镇街党（工）委：新的正文"},
    )
    html = page_of(response)
    assert REQUIRED in field_with_error(html, "title")
    assert "各镇街党（工）委：新的正文" in textarea(html, "body")
    assert Circular.objects.get().title == circular.title


def test_a_draw_of_no_villages_keeps_the_seed_and_says_so_under_the_count(
    client, visit, county_admin
):
    client.force_login(county_admin)
    response = client.post(
        reverse("round_draw", args=[visit.round.pk]), {"count": "0", "seed": "seed-2026-q4"}
    )
    html = page_of(response)
    count = field_with_error(html, "count")
    assert 'value="0"' in count and "确保该值大于或等于1" in count
    assert 'value="seed-2026-q4"' in html
    visit.round.refresh_from_db()
    assert visit.round.draw_seed == ""


def test_a_quarterly_report_for_another_century_keeps_the_quarter_and_the_list_works(
    client, county_admin, november_20th
):
    client.force_login(county_admin)
    response = client.post(reverse("quarterly_report"), {"year": "2101", "quarter": "3"})
    html = page_of(response)
    year = field_with_error(html, id="q-year")
    assert 'value="2101"' in year and "确保该值小于或等于2100" in year
    assert re.search(r'<option value="3" selected>', html)
    # Shown under the form's address, the list's filter bar still filters the list.
    assert f'<form method="get" action="{reverse("round_list")}"' in html
    assert not GeneratedReport.objects.exists()


# --- First secretaries -------------------------------------------------------------------


def test_a_posting_without_a_planned_end_keeps_the_village_and_the_start(
    client, county_admin, add_secretary, village_a
):
    roster = add_secretary("王磊")
    client.force_login(county_admin)
    response = client.post(
        reverse("secretary_assign", args=[roster.pk]),
        {"village": village_a.code, "started_on": "2026-11-01", "planned_end": ""},
    )
    html = page_of(response)
    assert REQUIRED in field_with_error(html, "planned_end")
    assert 'value="2026-11-01"' in html
    village = html[html.rindex("<", 0, html.index('name="village"')) :]
    assert f'value="{village_a.code}"' in village[: village.index(">")]
    assert not Assignment.objects.exists()


def test_ending_a_posting_without_a_reason_keeps_the_date_in_its_row(client, county_admin, posted):
    assignment = posted.assignments.get()
    client.force_login(county_admin)
    response = client.post(
        reverse("assignment_end", args=[assignment.pk]), {"ended_on": "2026-11-18", "reason": ""}
    )
    html = page_of(response)
    assert REQUIRED in field_with_error(html, "reason")
    assert 'value="2026-11-18"' in html.split('id="end-ended_on"')[0][-200:]
    assignment.refresh_from_db()
    assert assignment.actual_end is None


def test_an_evaluation_of_another_century_keeps_the_comment(client, county_admin, posted):
    client.force_login(county_admin)
    response = client.post(
        reverse("secretary_evaluate", args=[posted.pk]),
        {"year": "1999", "grade": "excellent", "comment": "驻村工作扎实，群众认可"},
    )
    html = page_of(response)
    assert "确保该值大于或等于2000" in field_with_error(html, "year")
    assert "驻村工作扎实，群众认可" in html
    assert '<option value="excellent" selected>' in html
    assert not Evaluation.objects.exists()


def test_a_supporter_without_a_name_keeps_the_contact_in_the_open_card(
    client, county_admin, case_a
):
    client.force_login(county_admin)
    response = client.post(
        reverse("support_add", args=[case_a.pk]),
        {"kind": "enterprise", "name": "", "contact": "张经理 13900000000"},
    )
    html = page_of(response)
    assert REQUIRED in field_with_error(html, "name")
    assert 'value="张经理 13900000000"' in html
    assert "<details open>" in html
    assert not SupportLink.objects.exists()


def test_a_contact_visit_without_what_was_done_keeps_the_contact_and_the_day(
    client, county_admin, case_a
):
    link = SupportLink.objects.create(case=case_a, kind="county_leader", name="张立国")
    client.force_login(county_admin)
    response = client.post(
        reverse("contact_visit_add", args=[case_a.pk]),
        {"supporter": link.pk, "visited_on": "2026-11-02", "summary": ""},
    )
    html = page_of(response)
    assert REQUIRED in field_with_error(html, "summary")
    assert 'value="2026-11-02"' in html
    assert f'<option value="{link.pk}" selected>' in html
    assert not ContactVisit.objects.exists()


# --- The case page -------------------------------------------------------------------------


@pytest.fixture
def submitted_case(case_a, alice):
    tasks = [{"measure": "选优配强村党组织书记", "owner": "镇党委", "due_on": date(2026, 12, 30)}]
    rectification.plan_save(case=case_a, acting_user=alice, version=1, goal="转化", tasks=tasks)
    rectification.plan_submit(case=case_a, acting_user=alice)
    return case_a


def test_a_plan_decision_without_a_choice_keeps_the_comment(client, county_admin, submitted_case):
    client.force_login(county_admin)
    response = client.post(
        reverse("plan_review", args=[submitted_case.pk]), {"comment": "任务时限过松，请细化"}
    )
    html = page_of(response)
    assert REQUIRED in field_with_error(html, "decision")
    assert "任务时限过松，请细化" in textarea(html, "comment")
    assert Plan.objects.get().status == "submitted"


def test_a_decision_on_a_plan_decided_meanwhile_is_refused_in_a_banner(
    client, county_admin, submitted_case
):
    """The form is no longer on the page (the plan was approved by someone else since it
    was opened): the refusal is said over the page instead."""
    rectification.plan_review(case=submitted_case, acting_user=county_admin, approve=True)
    client.force_login(county_admin)
    response = client.post(
        reverse("plan_review", args=[submitted_case.pk]), {"decision": "return", "comment": "重做"}
    )
    html = page_of(response)
    assert f'action="{reverse("plan_review", args=[submitted_case.pk])}"' not in html
    banner = html.split('class="alert alert-danger')[1].split("</div>")[0]
    assert "只有已上报的方案可以审批或退回。" in banner
    assert Plan.objects.get().status == "approved"


def test_a_progress_of_150_percent_keeps_the_value_and_the_note_in_its_row(
    client, alice, rectifying_case
):
    task = rectifying_case.plan.tasks.order_by("order").last()
    client.force_login(alice)
    response = client.post(
        reverse("task_progress", args=[task.pk]), {"progress": "150", "note": "已召开党员大会"}
    )
    html = page_of(response)
    progress = field_with_error(html, id=f"task-{task.pk}-progress")
    assert 'value="150"' in progress and "确保该值小于或等于100" in progress
    assert 'value="已召开党员大会"' in html
    task.refresh_from_db()
    assert task.progress == 0 and task.note == ""


def test_an_upload_without_a_file_keeps_the_chosen_task(client, alice, rectifying_case):
    task = rectifying_case.plan.tasks.order_by("order").last()
    client.force_login(alice)
    response = client.post(reverse("case_evidence", args=[rectifying_case.pk]), {"task": task.pk})
    html = page_of(response)
    assert REQUIRED in field_with_error(html, "file")
    assert f'<option value="{task.pk}" selected>' in html
    assert not Attachment.objects.exists()


def test_household_interviews_with_more_aware_than_asked_keep_both_numbers(
    client, visit, inspector
):
    client.force_login(inspector)
    response = client.post(
        reverse("visit_interviews", args=[visit.pk]),
        {"households_asked": "10", "households_aware": "12"},
    )
    html = page_of(response)
    assert re.search(r'name="households_asked" value="10"', html)
    assert re.search(r'name="households_aware" value="12"', html)
    # The two numbers together are wrong, not either field: said above the form.
    assert "知晓第一书记的户数多于走访户数。" in html
    assert not AwarenessCheck.objects.exists()


def test_every_form_posting_to_another_page_is_covered_here():
    """The forms above, by URL name: a new form posting to another page needs its test."""
    from portal.generic import FormActionView
    from tests.portal.test_bad_input import FORMS, PAGES

    action_views = sorted(
        name
        for name, callback in PAGES.items()
        if issubclass(getattr(callback, "view_class", object), FormActionView)
    )
    assert action_views == sorted(COVERED)
    assert set(COVERED) <= set(FORMS)


COVERED = {
    "finding_create",
    "finding_answer",
    "finding_verify",
    "circular_edit",
    "round_draw",
    "quarterly_report",
    "secretary_assign",
    "assignment_end",
    "secretary_evaluate",
    "support_add",
    "plan_review",
    "task_progress",
    "case_evidence",
    "visit_interviews",
    "contact_visit_add",
}
