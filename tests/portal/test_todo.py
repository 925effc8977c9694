"""The to-do list (待办, issue 16): each role's lines, written out by hand, on a pinned day.

The day is Monday 16 November 2026, 10:00 in Tianjin: the plans for December are due by
the 25th (9 days left); 梅厂镇 (alice's township) has 45 villages, none has filed yet.
An item disappears when its work is done; nothing outside the reader's area shows; each
role's list costs as many queries with 20 villages' worth of items as with 2.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from firstsecretary import services as secretary_services
from home.todo import todo_count, todo_for
from inspections import services as inspection_services
from inspections.models import InspectionRound, Team
from rectification import services
from rectification.models import Category
from villages.models import Division, Village

TIANJIN = ZoneInfo("Asia/Shanghai")
NOV_16 = datetime(2026, 11, 16, 10, 0, tzinfo=TIANJIN)
MEICHANG = "120114101"
ACTIVITY_URL = "/activity/?township=120114101&month=2026-12"
ACTIVITY_LINE = (
    "45个村尚未上报2026年12月活动计划，距截止还有9天",
    "梅厂镇",
    date(2026, 11, 1),
    date(2026, 11, 25),
    ACTIVITY_URL,
    False,
)
TASKS = [
    {"measure": "选优配强村党组织书记", "owner": "镇党委", "due_on": date(2026, 11, 20)},
    {"measure": "规范“三会一课”制度", "owner": "村党支部", "due_on": date(2026, 12, 31)},
]


@pytest.fixture(autouse=True)
def clock():
    cache.clear()
    with time_machine.travel(NOV_16, tick=False) as traveller, translation.override("zh-hans"):
        yield traveller


@pytest.fixture
def list_case(list_case):
    """Cases listed with both leaders named: a complete ledger row."""

    def make(user, village, **fields):
        leaders = {"township_leader": "王建军", "county_leader": "刘志宏"}
        return list_case(user, village, **{**leaders, **fields})

    return make


def lines(user):
    return [
        (item.what, item.place, item.since, item.due, item.url, item.overdue)
        for item in todo_for(user).items
    ]


def meichang(n):
    return list(Village.objects.filter(township_id=MEICHANG).order_by("code")[:n])


def submit(case, user, tasks=TASKS):
    services.plan_save(case=case, acting_user=user, version=1, goal="一年内转化", tasks=tasks)
    services.plan_submit(case=case, acting_user=user)


def test_township_lines_follow_the_plan(alice, bob, county_admin, list_case, village_a, village_b):
    case = list_case(alice, village_a)
    list_case(bob, village_b)  # another township's case: never on alice's list
    plan_url = reverse("plan_edit", args=[case.pk])
    listed = ("已列入台账：请制定“一村一策”整顿方案", village_a.name, date(2026, 3, 10), None)
    assert lines(alice) == [ACTIVITY_LINE, (*listed, plan_url, False)]

    submit(case, alice)
    assert lines(alice) == [ACTIVITY_LINE]  # submitted: the county's move now

    services.plan_review(case=case, acting_user=county_admin, approve=False, comment="目标不具体")
    returned = "整顿方案被县委组织部退回（目标不具体）：请修改后重新上报"
    assert lines(alice) == [
        ACTIVITY_LINE,
        (returned, village_a.name, date(2026, 11, 16), None, plan_url, False),
    ]

    services.plan_submit(case=case, acting_user=alice)
    services.plan_review(case=case, acting_user=county_admin, approve=True)
    case_url = case.get_absolute_url()
    # Due on the 20th: before the activity plans, due on the 25th.
    assert lines(alice) == [
        (
            "整顿任务“选优配强村党组织书记”到期（当前进度0%）",
            village_a.name,
            date(2026, 11, 16),
            date(2026, 11, 20),
            case_url,
            False,
        ),
        ACTIVITY_LINE,
    ]
    task = case.plan.tasks.get(measure="选优配强村党组织书记")
    services.task_progress(task=task, acting_user=alice, progress=100)
    other = case.plan.tasks.get(measure="规范“三会一课”制度")
    services.task_progress(task=other, acting_user=alice, progress=100)
    ready = ("整顿任务已全部完成：可申请验收", village_a.name)
    assert [line[:2] for line in lines(alice)] == [ACTIVITY_LINE[:2], ready]
    assert lines(alice)[1][3] == date(2026, 12, 31)  # by the case's deadline
    services.case_transition(case=case, action="request_acceptance", acting_user=alice)
    assert lines(alice) == [ACTIVITY_LINE]


def test_township_completes_the_ledger_row(alice, list_case, village_a):
    case = list_case(alice, village_a, township_leader="", county_leader="")
    complete = (
        "台账信息待完善：请填写乡镇包村领导和县级联系领导",
        village_a.name,
        date(2026, 3, 10),
        None,
        reverse("case_edit", args=[case.pk]),
        False,
    )
    assert complete in lines(alice)
    services.case_update(
        case=case, acting_user=alice, version=case.version, township_leader="王建军"
    )
    case.refresh_from_db()
    assert complete in lines(alice)  # the county-level leader is still missing
    services.case_update(case=case, acting_user=alice, version=case.version, county_leader="刘志宏")
    assert complete not in lines(alice)


def test_township_answers_findings_and_acknowledges_circulars(
    alice, bob, county_admin, inspector, village_a, village_b, clock
):
    inspection, team = _round(county_admin, inspector, [village_a, village_b])
    finding = _finding(inspector, team, village_a, deadline=date(2026, 11, 15))
    _finding(inspector, team, village_b, deadline=date(2026, 12, 20))  # bob's
    answer = (
        "督查发现问题待整改反馈：" + str(finding),
        village_a.name,
        date(2026, 11, 10),
        date(2026, 11, 15),
        finding.get_absolute_url(),
        True,
    )
    assert lines(alice) == [answer, ACTIVITY_LINE]
    inspection_services.finding_answer(acting_user=alice, finding=finding, response="已整改")
    assert lines(alice) == [ACTIVITY_LINE]

    inspection_services.round_move(acting_user=county_admin, inspection=inspection, to="closed")
    draft = (
        f"{inspection}已结束：请起草通报",
        "武清区",
        date(2026, 11, 30),
        None,
        inspection.get_absolute_url(),
        False,
    )
    assert draft in lines(county_admin)
    circular = inspection_services.circular_draft(acting_user=county_admin, inspection=inspection)
    assert draft not in lines(county_admin)
    assert lines(alice) == [ACTIVITY_LINE]  # a draft is the county's own
    inspection_services.circular_publish(acting_user=county_admin, circular=circular)
    circular.refresh_from_db()
    acknowledge = (
        f"通报{circular}：请阅知并签收",
        "梅厂镇",
        date(2026, 11, 16),
        None,
        reverse("circular_detail", args=[circular.pk]),
        False,
    )
    assert lines(alice) == [ACTIVITY_LINE, acknowledge]
    inspection_services.circular_acknowledge(acting_user=alice, circular=circular)
    assert lines(alice) == [ACTIVITY_LINE]


def test_county_lines(alice, bob, county_admin, inspector, list_case, village_a, village_b):
    case = list_case(alice, village_a)
    submit(case, alice)
    approve = (
        "整顿方案已上报：请审批或退回",
        village_a.name,
        date(2026, 11, 16),
        None,
        case.get_absolute_url(),
        False,
    )
    assert lines(county_admin) == [approve]
    services.plan_review(case=case, acting_user=county_admin, approve=True)
    assert lines(county_admin) == []

    _inspection, team = _round(county_admin, inspector, [village_b])
    finding = _finding(inspector, team, village_b, deadline=date(2026, 11, 12))
    late = (
        "问题已超过整改时限：" + str(finding),
        village_b.name,
        date(2026, 11, 10),
        date(2026, 11, 12),
        finding.get_absolute_url(),
        True,
    )
    assert lines(county_admin) == [late]


def test_county_reviews_acceptance_then_closes_out(alice, county_admin, rectifying_case):
    case = rectifying_case
    for task in case.plan.tasks.all():
        services.task_progress(task=task, acting_user=alice, progress=100)
    services.case_transition(case=case, action="request_acceptance", acting_user=alice)
    review = ("已申请验收：请组织考核验收", case.village.name, date(2026, 11, 16))
    assert lines(county_admin) == [(*review, date(2026, 12, 31), case.get_absolute_url(), False)]
    services.acceptance_record(
        case=case,
        acting_user=county_admin,
        reviewed_on=date(2026, 11, 16),
        scores=_scores(90),
        satisfaction=92.5,
        conclusion="班子团结有力，组织生活规范。",
    )
    close = ("已转化：巩固后予以销号", case.village.name, date(2026, 11, 16), None)
    assert lines(county_admin) == [(*close, case.get_absolute_url(), False)]
    services.case_transition(case=case, action="close", acting_user=county_admin)
    assert lines(county_admin) == []


def test_county_sees_secretaries_under_the_threshold(posted, county_admin, village_a):
    # Posted since March, no day logged in October: 0 days, under the 20 required.
    assert lines(county_admin) == [
        (
            "第一书记刘洋：2026年10月仅在村0天",
            village_a.name,
            date(2026, 10, 1),
            None,
            "/presence/?month=2026-10&below=true",
            False,
        )
    ]


def _scores(total):
    from rectification.models import AcceptanceCriterion

    result, left = {}, total
    for criterion in AcceptanceCriterion.objects.filter(active=True):
        result[str(criterion.pk)] = min(criterion.points, left)
        left -= result[str(criterion.pk)]
    return result


def test_county_sees_late_townships_after_the_25th(county_admin, clock, client):
    clock.move_to(datetime(2026, 11, 26, 9, 0, tzinfo=TIANJIN))
    todo = todo_for(county_admin)
    # Every one of Wuqing's townships is late for December: one line opens the board
    # where the county urges them (催报).
    assert [(item.what, item.url, item.overdue) for item in todo.items] == [
        ("37个乡镇未报齐下月活动计划", "/activity/urging/?month=2026-12", True)
    ]
    assert todo.count == 37
    client.force_login(county_admin)
    board = client.get(todo.items[0].url).content.decode()
    assert "2026-12活动计划催报" in board and "一键催报未完成的乡镇" in board


def test_other_county_sees_nothing(other_county_admin, alice, list_case, village_a):
    submit(list_case(alice, village_a), alice)
    assert lines(other_county_admin) == []


def test_inspector_lines(county_admin, inspector, alice, village_a, village_b):
    inspection, team = _round(county_admin, inspector, [village_a, village_b])
    finding = _finding(inspector, team, village_a, deadline=date(2026, 12, 20))
    visit = (
        f"{inspection}第一督查组计划督查村，尚未走访",
        village_b.name,
        date(2026, 11, 2),
        date(2026, 11, 30),
        reverse("visit_create", args=[inspection.pk]),
        False,
    )
    assert lines(inspector) == [visit]
    inspection_services.finding_answer(acting_user=alice, finding=finding, response="已整改")
    verify = (
        f"乡镇已反馈整改情况，请核实：{finding}",
        village_a.name,
        date(2026, 11, 16),
        None,
        finding.get_absolute_url(),
        False,
    )
    assert lines(inspector) == [visit, verify]
    inspection_services.finding_verify(acting_user=inspector, finding=finding, comment="属实")
    assert lines(inspector) == [visit]


def test_first_secretary_lines(posted, secretary, alice, county_admin, list_case, village_a):
    case = list_case(alice, village_a)
    tasks = [{**TASKS[0], "assignee": secretary}, TASKS[1]]
    submit(case, alice, tasks)
    services.plan_review(case=case, acting_user=county_admin, approve=True)
    write = ("填写今天的民情日记", village_a.name, date(2026, 11, 16), date(2026, 11, 16))
    task = (
        "整顿任务“选优配强村党组织书记”到期（当前进度0%）",
        village_a.name,
        date(2026, 11, 16),
        date(2026, 11, 20),
        case.get_absolute_url(),
        False,
    )
    assert lines(secretary) == [(*write, "/worklog/", False), task]
    assert todo_for(secretary).count == 2
    secretary_services.worklog_save(
        acting_user=secretary,
        date=date(2026, 11, 16),
        on_site=True,
        households_visited=3,
        kind="visit",
        summary="走访脱贫户",
    )
    todo = todo_for(secretary)
    assert [(item.what, item.done) for item in todo.items] == [
        (task[0], False),
        ("今天的民情日记已填写", True),
    ]
    assert todo.count == 1


def test_leader_sees_figures_not_items(viewer, alice, county_admin, list_case, village_a):
    submit(list_case(alice, village_a), alice)
    services.plan_review(case=village_a.cases.get(), acting_user=county_admin, approve=True)
    todo = todo_for(viewer)
    assert todo.items == [] and todo.count == 0
    assert [(f.label, f.value, f.url) for f in todo.figures] == [
        ("近7天新列入台账的村", 0, "/ledger/"),  # listed on 10 March
        ("近7天审批通过的整顿方案", 1, "/ledger/?plan_status=approved"),
        ("近7天转化的村", 0, "/ledger/?status=transformed"),
        ("近7天督查发现问题", 0, "/findings/"),
        ("近7天核实销号问题", 0, "/findings/?status=verified"),
    ]


def test_home_page_shows_the_list(client, alice, list_case, village_a):
    case = list_case(alice, village_a)
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert "已列入台账：请制定“一村一策”整顿方案" in page
    assert f'href="{reverse("plan_edit", args=[case.pk])}"' in page
    assert "自2026-03-10起" in page
    assert "限2026-11-25前办结" in page
    # The ledger's plan column and filter: the case has no plan yet, then one awaiting approval.
    assert "尚无方案" in client.get("/ledger/").content.decode()
    submit(case, alice)
    submitted = client.get("/ledger/?plan_status=submitted").content.decode()
    assert village_a.name in submitted
    assert village_a.name not in client.get("/ledger/?plan_status=returned").content.decode()


def test_overdue_lines_are_red_and_say_so(client, alice, county_admin, inspector, village_a):
    _inspection, team = _round(county_admin, inspector, [village_a])
    _finding(inspector, team, village_a, deadline=date(2026, 11, 15))
    client.force_login(alice)
    page = client.get("/").content.decode()
    overdue = page.split("todo-overdue", 1)[1].split("</li>", 1)[0]
    assert "逾期" in overdue and "text-danger" in overdue


def test_menu_count_is_cached_per_user(client, alice, list_case, village_a):
    client.force_login(alice)
    client.get("/")  # the home page computes the list and keeps its count
    with CaptureQueriesContext(connection) as queries:
        assert todo_count(alice) == 1
    assert len(queries) == 0


# --- Query counts do not grow with the data ---------------------------------------------------


def _queries(user):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        todo = todo_for(user)
    return len(queries), todo.count


def _work(villages, alice, county_admin, inspector, secretary, list_case):
    """For each village: a case with a submitted plan (or an approved one with a task due
    soon), a team village not visited."""
    team = Team.objects.get()
    inspection_services.team_assign(
        acting_user=county_admin, team=team, villages=[*team.villages.all(), *villages]
    )
    for index, village in enumerate(villages):
        case = list_case(alice, village)
        submit(case, alice, TASKS[:1])
        if index % 2:
            services.plan_review(case=case, acting_user=county_admin, approve=True)


def test_query_counts_are_flat(
    alice, county_admin, inspector, secretary, posted, viewer, list_case, village_a
):
    _round(county_admin, inspector, [village_a])
    _finding(inspector, Team.objects.get(), village_a)
    users = {"alice": alice, "county": county_admin, "inspector": inspector}
    users |= {"secretary": secretary, "viewer": viewer}
    villages = meichang(22)[1:]
    _work(villages[:2], alice, county_admin, inspector, secretary, list_case)
    small = {name: _queries(user) for name, user in users.items()}
    _work(villages[2:20], alice, county_admin, inspector, secretary, list_case)
    for _ in range(3):  # more open findings in the secretary's village
        _finding(inspector, Team.objects.get(), village_a)
    large = {name: _queries(user) for name, user in users.items()}
    for name in users:
        assert large[name][0] == small[name][0], name
    # Ten plans awaiting approval (every other one of the twenty) are one line that opens
    # the ledger's filter.
    approvals = [i for i in todo_for(county_admin).items if i.kind == "plan_approve"]
    assert [(i.what, i.url, i.count) for i in approvals] == [
        ("10份整顿方案待审批", "/ledger/?plan_status=submitted", 10)
    ]
    # …while the lists did grow (the viewer has figures, not items).
    assert large["alice"][1] > small["alice"][1]
    assert large["county"][1] > small["county"][1]
    assert large["inspector"][1] > small["inspector"][1]
    assert large["secretary"][1] > small["secretary"][1]


def test_every_demo_user_has_something(demo):
    from portal.models import User

    for user in User.objects.filter(is_active=True).exclude(role=""):
        todo = todo_for(user)
        assert todo.items or todo.figures, user.username


# --- Inspections scene ------------------------------------------------------------------------


def _round(county_admin, inspector, villages):
    inspection = inspection_services.round_create(
        acting_user=county_admin,
        county=Division.objects.get(pk="120114"),
        year=2026,
        quarter=4,
        kind="centralised",
        starts_on=date(2026, 11, 2),
        ends_on=date(2026, 11, 30),
    )
    team = inspection_services.team_save(
        acting_user=county_admin,
        inspection=inspection,
        name="第一督查组",
        leader="赵立新",
        members=[inspector],
    )
    inspection_services.team_assign(acting_user=county_admin, team=team, villages=villages)
    inspection_services.round_move(acting_user=county_admin, inspection=inspection, to="active")
    return inspection, team


def _finding(inspector, team, village, deadline=date(2026, 12, 20)):
    visit = inspection_services.visit_record(
        acting_user=inspector,
        team=team,
        village=village,
        visited_on=date(2026, 11, 10),
        unannounced=False,
        summary="查阅会议记录",
        score=75,
    )
    return inspection_services.finding_add(
        acting_user=inspector,
        visit=visit,
        category=Category.objects.first(),
        description=f"{village.name}“三会一课”记录不全",
        severity="serious",
        deadline=deadline,
    )


def test_the_menu_shows_the_count_the_home_page_computed(client, alice, list_case, village_a):
    list_case(alice, village_a)
    client.force_login(alice)
    assert "待办 2" in client.get("/").content.decode()
    with CaptureQueriesContext(connection) as known:
        page = client.get("/ledger/").content.decode()
    assert "待办 2" in page
    cache.clear()
    with CaptureQueriesContext(connection) as unknown:
        page = client.get("/ledger/").content.decode()
    # Not known (expired): no count rather than the whole list computed on every page.
    assert "待办 " not in page
    assert len(known) == len(unknown)


def test_a_hand_off_drops_the_menu_counts_it_changes(
    client, alice, county_admin, list_case, village_a
):
    """The county acts on alice's work: her menu must not keep saying 待办 2 for ten minutes
    when it is no longer true; it shows no count until her list is computed again. The
    actor's own count goes too: the work he just did is off his list."""
    from portal.models import User
    from portal.notifications import handoff

    list_case(alice, village_a)
    client.force_login(alice)
    assert "待办 2" in client.get("/").content.decode()
    client.force_login(county_admin)
    client.get("/")
    assert todo_count(county_admin) is not None
    handoff(
        acting_user=county_admin,
        to=User.objects.filter(pk__in=[alice.pk, county_admin.pk]),
        key="plan-returned:test",
        title="{place}",
        place="梅厂镇",
        url="/",
    )
    assert todo_count(alice) is None and todo_count(county_admin) is None
    client.force_login(alice)
    assert "待办 " not in client.get("/ledger/").content.decode()
    assert "待办 2" in client.get("/").content.decode()  # computed again on her home page


def test_a_count_kept_for_another_role_or_area_is_not_shown(alice, list_case, village_a, client):
    list_case(alice, village_a)
    client.force_login(alice)
    client.get("/")
    assert todo_count(alice) == 2
    alice.division_id = "120114102"  # moved to 大碱厂镇 by the county
    assert todo_count(alice) is None


def test_a_count_kept_in_another_shape_reads_as_unknown_not_as_an_error(alice, client):
    """Redis outlives a deployment: a value an earlier version kept (a bare number) is no
    count, and every page still opens."""
    from django.core.cache import cache

    from portal.notifications import todo_count_key

    cache.set(todo_count_key(alice.pk), 3)
    try:
        assert todo_count(alice) is None
        client.force_login(alice)
        assert client.get("/ledger/").status_code == 200
    finally:
        cache.delete(todo_count_key(alice.pk))


def test_many_closed_rounds_without_a_circular_are_one_line_that_opens_their_list(
    client, county_admin
):
    # Seven closed rounds of Wuqing (a province's department sees hundreds), one with its
    # circular drafted: six await theirs, more than a to-do list shows one by one.
    rounds = InspectionRound.objects.bulk_create(
        InspectionRound(
            county_id="120114",
            year=2025,
            quarter=quarter,
            kind=kind,
            status="closed",
            starts_on=date(2025, 3 * quarter - 1, 1),
            ends_on=date(2025, 3 * quarter - 1, 20),
        )
        for kind, quarters in (("random", (1, 2, 3, 4)), ("centralised", (1, 2, 3)))
        for quarter in quarters
    )
    inspection_services.circular_draft(acting_user=county_admin, inspection=rounds[0])
    assert lines(county_admin) == [
        (
            "6轮督查已结束，待起草通报",
            "",
            date(2025, 2, 20),
            None,
            "/rounds/?status=closed&circular=false",
            False,
        )
    ]
    client.force_login(county_admin)
    listed = client.get("/rounds/?status=closed&circular=false").context["object_list"]
    assert sorted(r.pk for r in listed) == sorted(r.pk for r in rounds[1:])
