# ruff: noqa: F811 (the imported fixtures are parameters)
"""A notice at every hand-off: the people who act next are told, in their scope, once.

Each test performs one hand-off through its service and names by hand who is told and who
is not: another township's organizer, another county's administrator, and the actor
himself. The notice links to the object's page, which its reader can open; running the
same call (or the digest) again adds nothing.
"""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from firstsecretary import services as secretaries
from inspections import services as inspections
from portal.choices import Role
from portal.models import Notification
from rectification import services
from rectification.models import AcceptanceCriterion
from tests.factories import UserFactory
from tests.inspections.test_inspections import (  # noqa: F401
    active,
    finding,
    inspection,
    team,
    visit,
)
from tests.rectification.conftest import TASKS

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVERYONE = ("county", "county2", "jimo", "alice", "bob", "inspector", "secretary", "leader")


@pytest.fixture
def people(county_admin, other_county_admin, alice, bob, inspector, secretary, viewer):
    """Everyone who could be told: two Wuqing administrators, Jimo's, both townships'
    organizers, the inspector, village A's first secretary and a leader."""
    UserFactory(username="county2", role=Role.COUNTY_ADMIN, division_id="120114")


def told(prefix):
    """{username: notice} of the notices whose key starts with `prefix`."""
    notes = Notification.objects.filter(key__startswith=prefix).select_related("user")
    return {note.user.username: note for note in notes}


def opens(client, note):
    """The notice's reader opens its link."""
    client.force_login(note.user)
    return client.get(note.url).status_code == 200


def submitted(case, user, tasks=TASKS):
    services.plan_save(case=case, acting_user=user, version=1, goal="一年内转化", tasks=tasks)
    return services.plan_submit(case=case, acting_user=user)


# --- The plan --------------------------------------------------------------------------------


def test_a_submitted_plan_is_told_to_the_countys_administrators(client, people, case_a, alice):
    plan = submitted(case_a, alice)
    notes = told("plan-submitted:")
    assert set(notes) == {"county", "county2"}  # not Jimo, not the townships, not alice
    note = notes["county"]
    assert note.title == f"梅厂镇{case_a.village.name}整顿方案已提交，请审批"
    assert note.url == reverse("case_detail", args=[case_a.pk]) and opens(client, note)
    assert note.key == f"plan-submitted:{plan.pk}:{plan.version}"


def test_an_approved_plan_is_told_to_the_township_and_each_task_to_its_assignee(
    client, people, case_a, alice, secretary, county_admin
):
    tasks = [{**TASKS[0], "assignee": secretary}, TASKS[1]]
    submitted(case_a, alice, tasks)
    services.plan_review(case=case_a, acting_user=county_admin, approve=True, comment="同意")
    notes = told("plan-approved:")
    assert set(notes) == {"alice"}  # not bob, not the approving administrator
    assert notes["alice"].title == f"梅厂镇{case_a.village.name}整顿方案已审批通过"
    assert notes["alice"].body == "同意" and opens(client, notes["alice"])
    tasks = told("task-assigned:")
    assert set(tasks) == {"secretary"}
    assert tasks["secretary"].title == f"梅厂镇{case_a.village.name}有一项整顿任务分派给您"
    assert tasks["secretary"].body == "选优配强村党组织书记（2026-06-30前完成）"
    assert opens(client, tasks["secretary"])


def test_a_returned_plan_is_told_to_the_township_and_its_resubmission_to_the_county_again(
    people, case_a, alice, county_admin
):
    submitted(case_a, alice)
    services.plan_review(case=case_a, acting_user=county_admin, approve=False, comment="任务不具体")
    notes = told("plan-returned:")
    assert set(notes) == {"alice"} and notes["alice"].body == "任务不具体"
    assert "退回" in notes["alice"].title
    plan = case_a.plan
    plan.refresh_from_db()
    services.plan_save(
        case=case_a, acting_user=alice, version=plan.version, goal="半年内转化", tasks=TASKS
    )
    services.plan_submit(case=case_a, acting_user=alice)
    # A second submission is a second hand-off: the county is told again.
    assert (
        Notification.objects.filter(
            user__username="county", key__startswith="plan-submitted:"
        ).count()
        == 2
    )


def test_the_actor_is_never_told_of_his_own_hand_off(people, list_case, county_admin, village_a):
    """An administrator who files and submits a plan himself: his colleague is told, he not."""
    case = list_case(county_admin, village_a)
    submitted(case, county_admin)
    assert set(told("plan-submitted:")) == {"county2"}


# --- Acceptance and close-out ----------------------------------------------------------------


def scores(total):
    result, left = {}, total
    for criterion in AcceptanceCriterion.objects.filter(active=True):
        result[str(criterion.pk)] = min(criterion.points, left)
        left -= result[str(criterion.pk)]
    return result


def review(case, user, total):
    return services.acceptance_record(
        case=case,
        acting_user=user,
        reviewed_on=date(2026, 11, 20),
        scores=scores(total),
        satisfaction=92.5,
        conclusion="班子团结有力",
    )


def test_acceptance_applied_failed_passed_and_closed_out_tell_the_next_in_turn(
    client, people, rectifying_case, alice, county_admin
):
    case = rectifying_case
    village = f"梅厂镇{case.village.name}"
    services.case_transition(case=case, action="request_acceptance", acting_user=alice)
    applied = told("request_acceptance:")
    assert set(applied) == {"county", "county2"}
    assert applied["county"].title == f"{village}申请验收，请组织验收"
    assert opens(client, applied["county"])

    review(case, county_admin, 60)
    failed = told("fail_acceptance:")
    assert set(failed) == {"alice", "secretary"}  # the village's first secretary works on
    assert failed["alice"].title == f"{village}验收未通过，请继续整改"
    assert "60" in failed["alice"].body

    services.case_transition(case=case, action="request_acceptance", acting_user=alice)
    assert (
        Notification.objects.filter(
            user__username="county", key__startswith="request_acceptance:"
        ).count()
        == 2
    )
    review(case, county_admin, 85)
    passed = told("pass_acceptance:")
    assert set(passed) == {"alice", "secretary"}
    assert passed["alice"].title == f"{village}验收通过，已转化"

    services.case_transition(case=case, action="close", acting_user=county_admin)
    closed = told("close:")
    assert set(closed) == {"alice", "secretary"}
    assert closed["alice"].title == f"{village}整顿工作已销号"
    assert opens(client, closed["secretary"])


# --- Findings --------------------------------------------------------------------------------


def test_a_finding_is_told_to_the_township_and_the_villages_first_secretary(
    client,
    people,
    finding,
):
    notes = told("finding-recorded:")
    assert set(notes) == {"alice", "secretary"}  # not bob, not the inspector who recorded it
    village = finding.visit.village
    assert notes["alice"].title == f"梅厂镇{village.name}督查发现问题，请于2026年11月30日前整改"
    assert notes["alice"].body == "“三会一课”记录不全"
    assert notes["alice"].url == reverse("finding_detail", args=[finding.pk])
    assert opens(client, notes["alice"])


def test_an_answer_is_told_to_the_team_that_found_it_once_per_answer(
    client,
    people,
    finding,
    alice,
    inspector,
):
    off_the_team = UserFactory(username="inspector2", role=Role.INSPECTOR, division_id="120114")
    inspections.finding_answer(acting_user=alice, finding=finding, response="已补齐会议记录")
    inspections.finding_answer(acting_user=alice, finding=finding, response="已补齐，附签到表")
    notes = told("finding-answered:")
    assert set(notes) == {"inspector"}  # not inspector2, not alice
    assert off_the_team.notifications.count() == 0
    assert "请核实" in notes["inspector"].title and opens(client, notes["inspector"])
    # Sent back and answered anew: a new answer to judge.
    inspections.finding_send_back(acting_user=inspector, finding=finding, comment="缺签到表")
    inspections.finding_answer(acting_user=alice, finding=finding, response="签到表已补")
    assert inspector.notifications.filter(key__startswith="finding-answered:").count() == 2


def test_a_verdict_is_told_to_the_township_and_the_first_secretary(
    people,
    finding,
    alice,
    inspector,
):
    inspections.finding_answer(acting_user=alice, finding=finding, response="已整改")
    inspections.finding_send_back(acting_user=inspector, finding=finding, comment="缺签到表")
    back = told("finding-sent-back:")
    assert set(back) == {"alice", "secretary"} and back["alice"].body == "缺签到表"
    assert "退回" in back["alice"].title
    inspections.finding_answer(acting_user=alice, finding=finding, response="签到表已补")
    inspections.finding_verify(acting_user=inspector, finding=finding, comment="记录齐全")
    verified = told("finding-verified:")
    assert set(verified) == {"alice", "secretary"}
    assert verified["alice"].title.endswith("督查问题整改已核实销号")


def test_a_published_circular_is_told_to_the_countys_townships_only(
    client,
    people,
    county_admin,
    inspection,
):
    UserFactory(username="jimo-town", role=Role.TOWNSHIP_ORGANIZER, division_id="370215")
    circular = inspections.circular_draft(acting_user=county_admin, inspection=inspection)
    inspections.circular_publish(acting_user=county_admin, circular=circular)
    inspections.circular_publish(acting_user=county_admin, circular=circular)
    notes = told("circular:")
    assert set(notes) == {"alice", "bob"}
    assert notes["bob"].title == "通报武组通〔2026〕1号已印发，请阅读并签收"
    assert opens(client, notes["bob"])


# --- Postings --------------------------------------------------------------------------------


def test_a_posting_started_and_ended_is_told_to_the_secretary_and_the_township(
    client, people, add_secretary, county_admin, secretary, village_a
):
    person = add_secretary("刘洋", user=secretary)
    posting = secretaries.assignment_start(
        acting_user=county_admin,
        secretary=person,
        village=village_a,
        started_on=date(2026, 3, 1),
        planned_end=date(2028, 2, 28),
    )
    started = told("posting-started:")
    assert set(started) == {"secretary", "alice"}
    assert started["alice"].title == f"刘洋已选派到梅厂镇{village_a.name}任第一书记"
    assert started["secretary"].url == reverse("worklog")
    assert started["alice"].url == reverse("village_detail", args=[village_a.code])
    assert opens(client, started["secretary"]) and opens(client, started["alice"])
    secretaries.assignment_end(
        acting_user=county_admin, assignment=posting, ended_on=date(2026, 9, 1), reason="任期届满"
    )
    ended = told("posting-ended:")
    assert set(ended) == {"alice"} and ended["alice"].body == "任期届满"
    assert ended["alice"].title == f"刘洋在梅厂镇{village_a.name}的第一书记任职已结束"


# --- The digest, mark all read, the purge ------------------------------------------------------


def test_the_digest_carries_the_hand_offs_once(people, case_a, alice, county_admin, mailoutbox):
    county_admin.email = "county@example.gov.cn"
    county_admin.save()
    submitted(case_a, alice)
    call_command("run_job", "notification_digest", "--period", "2026-12-01", stdout=io.StringIO())
    call_command("run_job", "notification_digest", "--period", "2026-12-02", stdout=io.StringIO())
    assert len(mailoutbox) == 1
    assert f"梅厂镇{case_a.village.name}整顿方案已提交，请审批" in mailoutbox[0].body
    # With the address of the case's page, as the bell links it.
    assert f"http://127.0.0.1:8000/ledger/{case_a.pk}/" in mailoutbox[0].body


def test_mark_all_read_reads_only_ones_own(client, people, case_a, alice, county_admin):
    submitted(case_a, alice)
    client.force_login(county_admin)
    assert client.get(reverse("home")).context["unread_notifications"] == 1
    client.post(reverse("notifications_read_all"))
    assert client.get(reverse("home")).context["unread_notifications"] == 0
    assert Notification.objects.filter(user__username="county2", read_at=None).count() == 1


def test_notices_read_long_ago_are_purged_daily_unread_ones_kept(alice, settings):
    from portal.celery import app

    daily = app.conf.beat_schedule["purge-read-notifications"]
    assert daily["args"] == ("notification_purge",) and daily["schedule"].day_of_month == set(
        range(1, 32)
    )
    settings.NOTIFICATION_RETENTION_DAYS = 90
    with time_machine.travel(datetime(2026, 8, 1, 10, tzinfo=SHANGHAI), tick=False):
        for key in ("old-read", "old-unread"):
            Notification.objects.create(user=alice, key=key, title="旧通知")
        Notification.objects.filter(key="old-read").update(read_at=datetime.now(SHANGHAI))
    with time_machine.travel(datetime(2026, 10, 29, 10, tzinfo=SHANGHAI), tick=False):
        Notification.objects.create(user=alice, key="recent-read", title="近期通知")
        Notification.objects.filter(key="recent-read").update(read_at=datetime.now(SHANGHAI))
        call_command(
            "run_job", "notification_purge", "--period", "2026-10-30", stdout=io.StringIO()
        )
        assert set(Notification.objects.values_list("key", flat=True)) == {
            "old-read",  # read 1 August: 90 days before 30 October
            "old-unread",
            "recent-read",
        }
        call_command(
            "run_job", "notification_purge", "--period", "2026-10-31", stdout=io.StringIO()
        )
        assert set(Notification.objects.values_list("key", flat=True)) == {
            "old-unread",
            "recent-read",
        }


def test_a_hand_off_sent_twice_tells_once_and_drops_the_to_do_counts_of_whom_it_told(
    people, case_a, alice, bob, county_admin
):
    """One statement on PostgreSQL chooses the recipients and writes their notices: the
    second call with the same key writes nothing; the actor's and the new recipients' menu
    counts are dropped, an uninvolved user's kept."""
    from django.core.cache import cache

    from portal.notifications import handoff, next_actors, todo_count_key

    # Counts as the home page keeps them; deleted at the end (the cache outlives the test).
    kept = ("kept", 3)
    for user in (alice, bob, county_admin):
        cache.set(todo_count_key(user.pk), kept)

    def send():
        return handoff(
            acting_user=county_admin,
            to=next_actors(case_a.village_id, organizers=True, county=True),
            key="test-handoff:1",
            title="{place}：请办理",
            place="梅厂镇某村",
            url="/ledger/",
        )

    assert send() == 2  # alice (the township) and county2 (the colleague), not the actor
    assert set(told("test-handoff:")) == {"alice", "county2"}
    assert told("test-handoff:")["alice"].title == "梅厂镇某村：请办理"
    assert cache.get(todo_count_key(alice.pk)) is None
    assert cache.get(todo_count_key(county_admin.pk)) is None
    assert cache.get(todo_count_key(bob.pk)) == kept
    cache.set(todo_count_key(alice.pk), kept)
    assert send() == 0
    assert Notification.objects.filter(key="test-handoff:1").count() == 2
    assert cache.get(todo_count_key(alice.pk)) == kept  # told nothing new: her count stands
    cache.delete_many([todo_count_key(user.pk) for user in (alice, bob, county_admin)])


def test_a_hand_off_to_nobody_tells_no_one_and_refuses_nothing(people, county_admin):
    """A finding whose team has no members yet is still answered: the hand-off chooses
    nobody (Django compiles `pk__in=[]` to no SQL at all) and writes no notice."""
    from portal.models import User
    from portal.notifications import handoff

    told_before = Notification.objects.count()
    sent = handoff(
        acting_user=county_admin,
        to=User.objects.filter(pk__in=[]),
        key="test-handoff:nobody",
        title="{place}：请办理",
        place="梅厂镇某村",
        url="/ledger/",
    )
    assert sent == 0
    assert Notification.objects.count() == told_before
