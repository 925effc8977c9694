"""Progress inputs only where the user may write: a first secretary records progress on the
tasks assigned to him, so his case page has inputs on those rows only (before, every row
had one, and saving another's gave a 403 page and lost the value). The rule is
`services.may_update_task`, used by the page and enforced by `task_progress`."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from rectification import services


def progress_inputs(html):
    """The task ids whose row carries a progress input."""
    return {int(pk) for pk in re.findall(r'id="task-(\d+)-progress"', html)}


@pytest.fixture
def tasks(rectifying_case, secretary):
    mine, theirs = rectifying_case.plan.tasks.order_by("order")
    mine.assignee = secretary
    mine.save()
    return mine, theirs


def test_a_first_secretary_has_a_progress_input_only_on_his_own_task(client, tasks, secretary):
    mine, theirs = tasks
    client.force_login(secretary)
    html = client.get(reverse("case_detail", args=[mine.plan.case_id])).content.decode()
    assert progress_inputs(html) == {mine.pk}
    assert f'action="{reverse("task_progress", args=[theirs.pk])}"' not in html
    # The other task's progress is still shown, as text.
    row = html.split(theirs.measure)[1].split("</tr>")[0]
    assert "0%" in row


def test_the_township_organizer_has_a_progress_input_on_every_task(client, tasks, alice):
    mine, theirs = tasks
    client.force_login(alice)
    html = client.get(reverse("case_detail", args=[mine.plan.case_id])).content.decode()
    assert progress_inputs(html) == {mine.pk, theirs.pk}


def test_no_progress_input_before_the_plan_is_approved(client, case_a, alice):
    services.plan_save(
        case=case_a,
        acting_user=alice,
        version=1,
        goal="转化",
        tasks=[{"measure": "换届", "owner": "镇党委", "due_on": "2026-12-30"}],
    )
    client.force_login(alice)
    html = client.get(reverse("case_detail", args=[case_a.pk])).content.decode()
    assert progress_inputs(html) == set()


def test_the_rule_the_page_follows_is_the_one_the_service_enforces(tasks, secretary, alice):
    mine, theirs = tasks
    assert services.may_update_task(secretary, mine)
    assert not services.may_update_task(secretary, theirs)
    assert services.may_update_task(alice, theirs)
    with pytest.raises(PermissionDenied):
        services.task_progress(task=theirs, acting_user=secretary, progress=50)
    services.task_progress(task=mine, acting_user=secretary, progress=50)


def test_a_bad_progress_from_the_first_secretary_keeps_his_input_and_the_error_under_it(
    client, tasks, secretary
):
    mine, _theirs = tasks
    client.force_login(secretary)
    response = client.post(
        reverse("task_progress", args=[mine.pk]), {"progress": "百分之六十", "note": "已走访"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index(f'id="task-{mine.pk}-progress"') - 200 :]
    row = row[: row.index("</form>")]
    assert 'value="百分之六十"' in row and "输入整数。" in row
    assert 'value="已走访"' in row
    # Still only his row has inputs on the page shown again.
    assert progress_inputs(html) == {mine.pk}
    mine.refresh_from_db()
    assert mine.progress == 0
