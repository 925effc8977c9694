"""The plan form (一村一策): rows added without saving, the ledger row beside it, a warning
for a task due after the case's deadline, an assignee list of people who can act on the
task, and a submitted plan the township can take back until the county decides."""

import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from portal.choices import Role
from portal.exceptions import TransitionError
from portal.models import Notification
from rectification import services
from rectification.choices import PlanStatus
from rectification.models import Plan
from tests.factories import UserFactory
from villages.models import Village

ROW = {"measure": "选优配强村党组织书记", "owner": "镇党委", "due_on": "2026-06-30"}


def post_data(*rows, version=1, **extra):
    """The plan form as the browser posts it: the goal and the rows of the task formset."""
    data = {
        "goal": "年底前转化",
        "version": version,
        "tasks-TOTAL_FORMS": len(rows),
        "tasks-INITIAL_FORMS": 0,
        "tasks-MIN_NUM_FORMS": 0,
        "tasks-MAX_NUM_FORMS": 1000,
        **extra,
    }
    for index, row in enumerate(rows):
        data.update({f"tasks-{index}-{name}": value for name, value in row.items()})
    return data


def body_rows(page):
    """The task rows of the form's table (not the empty row kept in its <template>)."""
    tbody = re.search(r'<table[^>]*id="plan-tasks".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return tbody.count('class="task-row"')


def test_a_row_is_added_without_saving_and_nothing_typed_is_lost(client, case_a, alice):
    client.force_login(alice)
    url = reverse("plan_edit", args=[case_a.pk])
    response = client.post(url, post_data(ROW, add_row="1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert body_rows(page) == 2
    assert "选优配强村党组织书记" in page and 'name="tasks-1-measure"' in page
    assert not Plan.objects.filter(case=case_a).exists()  # nothing saved yet


def test_the_form_starts_with_one_empty_row_and_an_add_button(client, case_a, alice):
    client.force_login(alice)
    page = client.get(reverse("plan_edit", args=[case_a.pk])).content.decode()
    assert body_rows(page) == 1
    # The empty row plan.js copies for "Add a row", and the button itself.
    assert re.search(r'<template id="task-empty-row">.*name="tasks-__prefix__-measure"', page, re.S)
    assert 'id="add-task-row"' in page and "portal/plan.js" in page


def test_five_rows_typed_before_saving_are_saved_in_one_go(client, case_a, alice):
    client.force_login(alice)
    rows = [{**ROW, "measure": f"第{n}项措施"} for n in range(1, 6)]
    response = client.post(reverse("plan_edit", args=[case_a.pk]), post_data(*rows))
    assert response.status_code == 302
    measures = list(case_a.plan.tasks.order_by("order").values_list("measure", flat=True))
    assert measures == ["第1项措施", "第2项措施", "第3项措施", "第4项措施", "第5项措施"]


def test_the_ledger_rows_problems_and_measures_stand_beside_the_form(client, case_a, alice):
    case_a.measures = "调整村党支部书记，建立“三会一课”台账"
    case_a.save()
    client.force_login(alice)
    page = client.get(reverse("plan_edit", args=[case_a.pk])).content.decode()
    aside = re.search(r"<aside.*?</aside>", page, re.S).group(0)
    assert "班子不团结，组织生活不正常" in aside
    assert "调整村党支部书记，建立“三会一课”台账" in aside
    assert "2026-12-31" in aside  # the case's deadline


def test_a_task_due_after_the_cases_deadline_is_saved_with_a_warning(client, case_a, alice):
    # The case is due 2026-12-31; a measure due in March 2027 is the county's call to make
    # when it reviews the plan, so the township is warned, not stopped.
    client.force_login(alice)
    url = reverse("plan_edit", args=[case_a.pk])
    late = {**ROW, "due_on": "2027-03-31"}
    response = client.post(url, post_data(ROW, late), follow=True)
    assert [t.due_on for t in case_a.plan.tasks.order_by("order")] == [
        date(2026, 6, 30),
        date(2027, 3, 31),
    ]
    notices = [str(m) for m in response.context["messages"]]
    assert any("2026-12-31" in notice for notice in notices), notices
    page = client.get(url).content.decode()
    warnings = re.findall(
        r'<div class="form-text text-warning-emphasis task-late"( hidden)?>', page
    )
    # The late row (the second) shows it; the timely row and the empty ones do not.
    assert warnings == [" hidden", "", " hidden", " hidden"]


def test_a_task_on_time_brings_no_warning(client, case_a, alice):
    client.force_login(alice)
    response = client.post(reverse("plan_edit", args=[case_a.pk]), post_data(ROW), follow=True)
    notices = [str(m) for m in response.context["messages"]]
    assert not any("2026-12-31" in notice for notice in notices)


@pytest.fixture
def people(village_a, secretary):
    """Township A's people: who may be made responsible for a task of village A."""
    elsewhere = Village.objects.filter(township_id="120114101").exclude(pk=village_a.pk)[0]
    return {
        "carol": UserFactory(
            username="carol", role=Role.TOWNSHIP_ORGANIZER, division_id="120114101"
        ),
        # Sees the village, but a viewer records no progress.
        "dave": UserFactory(username="dave", role=Role.VIEWER, division_id="120114101"),
        # A first secretary of another village cannot see village A's tasks.
        "erin": UserFactory(
            username="erin",
            role=Role.FIRST_SECRETARY,
            division_id="120114101",
            village=elsewhere,
        ),
        "frank": UserFactory(
            username="frank",
            role=Role.TOWNSHIP_ORGANIZER,
            division_id="120114101",
            is_active=False,
        ),
        "bob2": UserFactory(username="bob2", role=Role.TOWNSHIP_ORGANIZER, division_id="120114102"),
    }


def test_the_assignee_list_holds_only_people_who_see_the_task_and_record_progress(
    client, case_a, alice, people
):
    client.force_login(alice)
    page = client.get(reverse("plan_edit", args=[case_a.pk])).content.decode()
    select = re.search(r'<select name="tasks-0-assignee".*?</select>', page, re.S).group(0)
    offered = re.findall(r"（([\w.@+-]+)）</option>", select)
    assert sorted(offered) == ["alice", "carol", "secretary"]


def test_an_assignee_who_cannot_see_the_task_is_refused(client, case_a, alice, people):
    client.force_login(alice)
    row = {**ROW, "assignee": people["erin"].pk}
    response = client.post(reverse("plan_edit", args=[case_a.pk]), post_data(row))
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["assignee"]
    # The API's way in, straight to the service, is refused too.
    task = {**ROW, "due_on": date(2026, 6, 30), "assignee": people["dave"]}
    with pytest.raises(ValidationError) as refused:
        services.plan_save(case=case_a, acting_user=alice, version=1, goal="", tasks=[task])
    assert "assignee" in refused.value.message_dict


@pytest.fixture
def submitted(case_a, alice):
    task = {**ROW, "due_on": date(2026, 6, 30)}
    services.plan_save(case=case_a, acting_user=alice, version=1, goal="年底前转化", tasks=[task])
    return services.plan_submit(case=case_a, acting_user=alice)


def test_the_township_withdraws_a_submitted_plan_until_the_county_decides(
    submitted, case_a, alice, bob, secretary, county_admin
):
    notices = Notification.objects.count()
    with pytest.raises(Http404):
        services.plan_withdraw(case=case_a, acting_user=bob)
    with pytest.raises(PermissionDenied):
        services.plan_withdraw(case=case_a, acting_user=secretary)
    plan = services.plan_withdraw(case=case_a, acting_user=alice)
    assert plan.status == PlanStatus.DRAFT
    assert Notification.objects.count() == notices  # a withdrawal is no hand-off
    assert case_a.events.filter(action="plan_withdrawn", actor=alice).count() == 1
    # A draft again: changed and submitted anew, then decided: no longer withdrawn.
    services.plan_save(
        case=case_a, acting_user=alice, version=plan.version, goal="半年内转化", tasks=[]
    )
    with pytest.raises(ValidationError):
        services.plan_submit(case=case_a, acting_user=alice)  # no task left
    plan.refresh_from_db()
    task = {**ROW, "due_on": date(2026, 6, 30)}
    services.plan_save(case=case_a, acting_user=alice, version=plan.version, goal="", tasks=[task])
    services.plan_submit(case=case_a, acting_user=alice)
    services.plan_review(case=case_a, acting_user=county_admin, approve=True)
    with pytest.raises(TransitionError):
        services.plan_withdraw(case=case_a, acting_user=alice)
    # The new submission went to the county, the decision to the township.
    assert Notification.objects.filter(
        user=county_admin, key__startswith="plan-submitted:"
    ).exists()
    assert Notification.objects.filter(user=alice, key__startswith="plan-approved:").exists()


def test_the_case_page_offers_the_withdrawal_while_the_county_has_not_decided(
    client, submitted, case_a, alice, county_admin
):
    client.force_login(alice)
    page = client.get(case_a.get_absolute_url()).content.decode()
    withdraw = reverse("plan_withdraw", args=[case_a.pk])
    assert f'action="{withdraw}"' in page
    client.post(withdraw)
    case_a.plan.refresh_from_db()
    assert case_a.plan.status == PlanStatus.DRAFT
    page = client.get(case_a.get_absolute_url()).content.decode()
    assert f'action="{withdraw}"' not in page
    assert reverse("plan_edit", args=[case_a.pk]) in page


def test_the_county_sees_on_the_case_page_which_task_is_due_after_the_deadline(
    client, case_a, alice, county_admin
):
    late = {**ROW, "measure": "建立长效机制", "due_on": date(2027, 3, 31)}
    services.plan_save(
        case=case_a,
        acting_user=alice,
        version=1,
        goal="",
        tasks=[{**ROW, "due_on": date(2026, 6, 30)}, late],
    )
    services.plan_submit(case=case_a, acting_user=alice)
    client.force_login(county_admin)
    page = client.get(case_a.get_absolute_url()).content.decode()
    rows = re.findall(r"<tr.*?</tr>", page, re.S)
    flagged = [row for row in rows if "晚于转化时限" in row]
    assert len(flagged) == 1 and "建立长效机制" in flagged[0]
