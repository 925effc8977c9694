"""Every change to cases, plans and their tasks, findings, postings and users leaves a
history entry naming who made it and when — walked through the pages and the API the
way users make them."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from firstsecretary.models import Assignment
from inspections.models import Finding, InspectionRound, Team, Visit
from portal.models import User
from rectification.models import Category, PlanTask


def assert_recorded(obj, who, since):
    entry = obj.history.order_by("-history_date", "-history_id").first()
    assert entry is not None, f"no history for {obj!r}"
    assert entry.history_user == who
    assert entry.history_date >= since
    return entry


@pytest.fixture
def since():
    return timezone.now()


def test_a_ledger_row_edited_in_the_api(client, alice, case_a, since):
    client.force_login(alice)
    response = client.patch(
        reverse("case-detail", args=[case_a.pk]),
        {"version": case_a.version, "problems": "班子软弱，组织生活不经常"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    case_a.refresh_from_db()
    entry = assert_recorded(case_a, alice, since)
    assert entry.problems == "班子软弱，组织生活不经常"
    # The earlier state is kept beside it.
    assert case_a.history.count() >= 2


def test_a_plan_approved_and_a_task_updated(client, county_admin, secretary, rectifying_case):
    since = timezone.now()
    plan = rectifying_case.plan
    task = PlanTask.objects.filter(plan=plan).order_by("order").first()
    task.assignee = secretary
    task.save(update_fields=["assignee"])
    client.force_login(secretary)
    response = client.post(
        reverse("task-progress", args=[task.pk]),
        {"progress": 60, "note": "已完成班子调整"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert assert_recorded(task, secretary, since).progress == 60
    # The plan's approval earlier was the county's.
    approved = plan.history.filter(status="approved").order_by("history_date").first()
    assert approved is not None and approved.history_type in "+~"


def test_a_finding_answered_by_the_township(client, alice, village_a, since):
    inspection = InspectionRound.objects.create(
        county_id="120114",
        year=2026,
        quarter=4,
        kind="random",
        status="active",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 31),
    )
    visit = Visit.objects.create(
        round=inspection,
        team=Team.objects.create(round=inspection, name="第一组"),
        village=village_a,
        visited_on=date(2026, 10, 9),
    )
    finding = Finding.objects.create(
        visit=visit,
        category=Category.objects.first(),
        description="三会一课记录不全",
        severity="serious",
        township_id=village_a.township_id,
        deadline=date(2026, 12, 1),
    )
    client.force_login(alice)
    response = client.post(
        reverse("finding-answer", args=[finding.pk]),
        {"response": "已补齐会议记录并公示"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    finding.refresh_from_db()
    assert assert_recorded(finding, alice, since).response == "已补齐会议记录并公示"


def test_a_posting_ended_by_the_county(client, county_admin, posted, since):
    posting = Assignment.objects.get(secretary=posted, actual_end__isnull=True)
    client.force_login(county_admin)
    response = client.post(
        reverse("assignment-end", args=[posting.pk]),
        {"ended_on": "2026-11-20", "reason": "期满轮换"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    posting.refresh_from_db()
    assert assert_recorded(posting, county_admin, since).actual_end == date(2026, 11, 20)


def test_a_user_changed_on_the_users_page(client, county_admin, bob, since):
    client.force_login(county_admin)
    response = client.post(
        reverse("user_edit", args=[bob.pk]),
        {
            "display_name": "王志刚",
            "phone": "13800000000",
            "role": bob.role,
            "division": bob.division_id,
            "is_active": "",
            "password": "",
        },
    )
    assert response.status_code == 302, response.content
    bob.refresh_from_db()
    entry = assert_recorded(bob, county_admin, since)
    assert entry.is_active is False and entry.display_name == "王志刚"
    # Password hashes never go into the history.
    assert not hasattr(entry, "password")


def test_changes_a_job_makes_are_recorded_without_a_user(alice, since):
    alice.display_name = "李秀英"
    alice.save()
    entry = User.history.filter(id=alice.pk).order_by("-history_date").first()
    assert entry.history_user is None and entry.history_date >= since
