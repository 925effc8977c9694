"""Bulk actions: several plans approved with one opinion, several findings verified, several
notices marked read. Each record goes through the single action's service, all or nothing
per record; the page says what was done and, by name, what was refused and why."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from inspections import services as inspection_services
from inspections.models import Finding, FindingReview, InspectionRound, Team, Visit
from portal.models import Notification
from rectification import services as case_services
from rectification.models import Campaign, CaseEvent
from tests.conftest import JIMO, TOWNSHIP_A
from tests.factories import UserFactory
from villages.models import Division, Village

TASKS = [{"measure": "选优配强村党组织书记", "owner": "镇党委", "due_on": date(2026, 12, 30)}]


@pytest.fixture(autouse=True)
def november_20th():
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        yield


def _submit(case, organizer):
    case_services.plan_save(case=case, acting_user=organizer, version=1, goal="转化", tasks=TASKS)
    case_services.plan_submit(case=case, acting_user=organizer)
    return case


@pytest.fixture
def submitted(alice, list_case):
    """Six cases of 梅厂镇 whose plans alice has submitted to the county."""
    villages = Village.objects.filter(township_id=TOWNSHIP_A).order_by("code")[:6]
    return [_submit(list_case(alice, village), alice) for village in villages]


@pytest.fixture
def jimo_case(list_case, categories):
    """A submitted plan of another county (即墨区): not the Wuqing administrator's."""
    town = Division.objects.create(
        code=f"{JIMO}001", name="通济街道", level="township", parent_id=JIMO
    )
    village = Village.objects.create(
        code=f"{JIMO}001001", name="即墨村", township=town, kind="village"
    )
    campaign = Campaign.objects.create(
        division_id=JIMO, year=2026, name="即墨区2026年度整顿", started_on=date(2026, 3, 1)
    )
    organizer = UserFactory(username="jimo_town", role="township_organizer", division_id=town.pk)
    return _submit(list_case(organizer, village, campaign=campaign), organizer)


def shown(response):
    return [str(message) for message in response.context["messages"]]


def history(case):
    return list(
        CaseEvent.objects.filter(case=case)
        .order_by("pk")
        .values_list("action", "from_status", "to_status", "actor", "comment")
    )


def new_notices(before, village):
    """(user, title) of the notices sent since `before` (the highest pk then), the
    village's name in the title put as "{village}"."""
    sent = Notification.objects.filter(pk__gt=before).values_list("user_id", "title")
    return sorted((user, title.replace(village.name, "{village}")) for user, title in sent)


def last_notice():
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- Plans ------------------------------------------------------------------------------------


def test_the_county_approves_three_plans_and_is_told_what_was_refused_and_why(
    client, county_admin, submitted, jimo_case
):
    one, two, three, decided = submitted[:4]
    case_services.plan_review(case=decided, acting_user=county_admin, approve=False, comment="改")
    client.force_login(county_admin)
    page = client.get(reverse("plan_pending")).content.decode()
    assert one.village.name in page and decided.village.name not in page
    assert "即墨村" not in page

    ids = [one.pk, two.pk, three.pk, decided.pk, jimo_case.pk]
    response = client.post(
        reverse("plan_pending"),
        {"ids": ids, "decision": "approve", "comment": "同意，抓紧落实。"},
        follow=True,
    )

    for case in (one, two, three):
        case.refresh_from_db()
        assert case.plan.status == "approved" and case.plan.review_comment == "同意，抓紧落实。"
        assert case.status == "rectifying"
    decided.refresh_from_db()
    assert decided.plan.status == "returned" and decided.plan.review_comment == "改"
    jimo_case.refresh_from_db()
    assert jimo_case.plan.status == "submitted" and jimo_case.plan.reviewed_by is None
    assert shown(response) == [
        "已审批通过 3 份整顿方案。",
        f"2 项未处理：{decided.village.name}——只有已上报的方案可以审批或退回；"
        f"编号 {jimo_case.pk}——不在您的辖区范围内。",
    ]
    # The other county's village is never named.
    assert "即墨村" not in response.content.decode()


def test_returning_plans_without_a_reason_is_refused_as_a_whole(client, county_admin, submitted):
    client.force_login(county_admin)
    response = client.post(
        reverse("plan_pending"),
        {"ids": [submitted[0].pk, submitted[1].pk], "decision": "return", "comment": "  "},
    )
    assert response.status_code == 200
    assert "请填写退回理由。" in response.content.decode()
    # What was ticked stays ticked.
    ticked = re.findall(r'name="ids" value="(\d+)"[^>]* checked', response.content.decode())
    assert ticked == [str(submitted[0].pk), str(submitted[1].pk)]
    assert {case.plan.status for case in submitted} == {"submitted"}
    assert CaseEvent.objects.filter(action="plan_returned").count() == 0


def test_returning_plans_with_a_reason_returns_each(client, county_admin, submitted):
    client.force_login(county_admin)
    response = client.post(
        reverse("plan_pending"),
        {"ids": [submitted[0].pk, submitted[1].pk], "decision": "return", "comment": "目标不具体"},
        follow=True,
    )
    assert shown(response) == ["已退回 2 份整顿方案。"]
    for case in submitted[:2]:
        case.refresh_from_db()
        assert case.plan.status == "returned" and case.plan.review_comment == "目标不具体"
    submitted[2].refresh_from_db()
    assert submitted[2].plan.status == "submitted"


def test_a_plan_approved_in_bulk_leaves_the_same_trace_as_one_approved_on_its_page(
    client, county_admin, submitted
):
    single, in_bulk = submitted[:2]
    client.force_login(county_admin)
    before = last_notice()
    client.post(
        reverse("plan_review", args=[single.pk]), {"decision": "approve", "comment": "同意"}
    )
    told_single = new_notices(before, single.village)
    before = last_notice()
    client.post(
        reverse("plan_pending"), {"ids": [in_bulk.pk], "decision": "approve", "comment": "同意"}
    )
    told_bulk = new_notices(before, in_bulk.village)

    assert history(in_bulk) == history(single)
    assert "plan_approved" in [event[0] for event in history(in_bulk)]
    assert told_bulk == told_single


@pytest.mark.parametrize("username", ["alice", "inspector", "viewer"])
def test_only_the_county_may_decide_plans_in_bulk(client, request, submitted, username):
    client.force_login(request.getfixturevalue(username))
    assert client.get(reverse("plan_pending")).status_code == 403
    post = {"ids": [submitted[0].pk], "decision": "approve", "comment": ""}
    assert client.post(reverse("plan_pending"), post).status_code == 403
    submitted[0].refresh_from_db()
    assert submitted[0].plan.status == "submitted"


def test_a_ticked_id_that_is_not_a_number_is_a_form_error(client, county_admin, submitted):
    client.force_login(county_admin)
    response = client.post(
        reverse("plan_pending"), {"ids": ["abc' OR 1=1 --"], "decision": "approve"}
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    nothing = client.post(reverse("plan_pending"), {"decision": "approve"})
    assert "请至少勾选一项。" in nothing.content.decode()


# --- Findings ---------------------------------------------------------------------------------


@pytest.fixture
def answered(alice, inspector, categories):
    """Three findings of the inspector's round that alice has answered, one of them already
    verified; and one answered finding of a round the inspector is not on."""
    villages = list(Village.objects.filter(township_id=TOWNSHIP_A).order_by("code")[:4])

    def round_with(quarter, member, village_list):
        inspection = InspectionRound.objects.create(
            county_id="120114",
            year=2026,
            quarter=quarter,
            kind="random",
            status="active",
            starts_on=date(2026, 10, 1),
            ends_on=date(2026, 12, 31),
        )
        team = Team.objects.create(round=inspection, name="第一组")
        team.members.add(member)
        team.villages.add(*village_list)
        findings = []
        for village in village_list:
            visit = Visit.objects.create(
                round=inspection, team=team, village=village, visited_on=date(2026, 10, 9)
            )
            finding = Finding.objects.create(
                visit=visit,
                category=categories[0],
                description=f"{village.name}三会一课记录不全",
                severity="serious",
                township_id=TOWNSHIP_A,
                deadline=date(2026, 12, 1),
            )
            inspection_services.finding_answer(
                acting_user=alice, finding=finding, response="已补齐会议记录"
            )
            findings.append(finding)
        return findings

    mine = round_with(4, inspector, villages[:3])
    other_inspector = UserFactory(username="inspector2", role="inspector", division_id="120114")
    theirs = round_with(3, other_inspector, villages[3:4])
    inspection_services.finding_verify(acting_user=inspector, finding=mine[2], comment="")
    return mine + theirs


def test_an_inspector_verifies_several_findings_and_is_told_what_was_refused(
    client, inspector, answered
):
    one, two, verified, theirs = answered
    client.force_login(inspector)
    page = client.get(reverse("finding_pending")).content.decode()
    assert one.description in page and two.description in page
    assert verified.description not in page and theirs.description not in page

    response = client.post(
        reverse("finding_pending"),
        {"ids": [one.pk, two.pk, verified.pk, theirs.pk, 999999], "comment": "经核查已整改到位"},
        follow=True,
    )

    for finding in (one, two):
        finding.refresh_from_db()
        assert finding.status == "verified" and finding.verified_by == inspector
        assert finding.reviews.get().comment == "经核查已整改到位"
    theirs.refresh_from_db()
    assert theirs.status == "rectifying" and not theirs.reviews.exists()
    assert FindingReview.objects.filter(finding=verified).count() == 1
    v, t = verified.visit.village.name, theirs.visit.village.name
    assert shown(response) == [
        "已核实销号 2 个问题。",
        f"3 项未处理：{v}：{v}三会一课记录不全——乡镇反馈整改情况后才能核实；"
        f"{t}：{t}三会一课记录不全——只有本批次督查组成员可以核实问题；"
        "编号 999999——不在您的辖区范围内。",
    ]


def test_a_finding_verified_in_bulk_leaves_the_same_trace_as_one_verified_on_its_page(
    client, inspector, answered
):
    single, in_bulk = answered[:2]
    client.force_login(inspector)
    before = last_notice()
    client.post(
        reverse("finding_verify", args=[single.pk]), {"decision": "verify", "comment": "属实"}
    )
    told_single = new_notices(before, single.visit.village)
    before = last_notice()
    client.post(reverse("finding_pending"), {"ids": [in_bulk.pk], "comment": "属实"})
    told_bulk = new_notices(before, in_bulk.visit.village)

    single.refresh_from_db()
    in_bulk.refresh_from_db()
    assert (single.status, in_bulk.status) == ("verified", "verified")
    fields = ("verified", "comment", "reviewed_by")
    assert list(in_bulk.reviews.values_list(*fields)) == list(single.reviews.values_list(*fields))
    assert told_bulk == told_single


@pytest.mark.parametrize("username", ["county_admin", "alice"])
def test_only_inspectors_verify_in_bulk(client, request, answered, username):
    client.force_login(request.getfixturevalue(username))
    assert client.get(reverse("finding_pending")).status_code == 403
    assert client.post(reverse("finding_pending"), {"ids": [answered[0].pk]}).status_code == 403
    answered[0].refresh_from_db()
    assert answered[0].status == "rectifying"


# --- Notifications ----------------------------------------------------------------------------


def test_ticked_notices_are_marked_read_only_among_ones_own(client, alice, bob):
    mine = [
        Notification.objects.create(user=alice, key=f"k{n}", title=f"通知{n}") for n in range(3)
    ]
    bobs = Notification.objects.create(user=bob, key="k0", title="大碱厂镇的通知")
    client.force_login(alice)
    page = client.get(reverse("notifications")).content.decode()
    assert 'form="read-selected"' in page and "所选标为已读" in page

    response = client.post(
        reverse("notifications_read_selected"),
        {"ids": [mine[0].pk, mine[1].pk, bobs.pk]},
        follow=True,
    )

    assert shown(response) == ["已将 2 条通知标为已读。"]
    read = set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True))
    assert read == {mine[0].pk, mine[1].pk}


def test_marking_no_notice_read_says_so(client, alice):
    client.force_login(alice)
    response = client.post(reverse("notifications_read_selected"), {}, follow=True)
    assert shown(response) == ["请至少勾选一项。"]


# --- The demo ---------------------------------------------------------------------------------


def test_the_demo_gives_each_bulk_page_at_least_two_rows(client, demo):
    from portal.models import User

    client.force_login(User.objects.get(username="county"))
    plans = client.get(reverse("plan_pending")).context["cases"]
    assert len(plans) >= 2
    client.force_login(User.objects.get(username="inspector"))
    findings = client.get(reverse("finding_pending")).context["findings"]
    assert len(findings) >= 2


def test_the_bulk_verification_is_reached_from_the_findings_list(client, alice, inspector):
    client.force_login(inspector)
    page = client.get(reverse("finding_list")).content.decode()
    assert f'href="{reverse("finding_pending")}"' in page and "待核实问题" in page
    client.force_login(alice)
    assert reverse("finding_pending") not in client.get(reverse("finding_list")).content.decode()


def test_the_list_of_plans_awaiting_approval_costs_the_same_queries_for_more_plans(
    client, county_admin, alice, list_case
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    villages = list(Village.objects.filter(township_id=TOWNSHIP_A).order_by("code")[:6])
    client.force_login(county_admin)
    client.get(reverse("plan_pending"))  # the first request fills the per-process caches
    counts = []
    for batch in (villages[:2], villages[2:6]):
        for village in batch:
            _submit(list_case(alice, village), alice)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("plan_pending"))
        counts.append((len(response.context["cases"]), len(queries)))
    assert [n for n, _ in counts] == [2, 6]
    assert counts[0][1] == counts[1][1]


def test_the_ledger_filtered_to_plans_awaiting_approval_leads_to_the_bulk_page(
    client, county_admin, alice, submitted
):
    link = f'href="{reverse("plan_pending")}">批量审批'
    client.force_login(county_admin)
    assert link in client.get(reverse("case_list"), {"plan_status": "submitted"}).content.decode()
    assert link not in client.get(reverse("case_list")).content.decode()
    client.force_login(alice)
    assert (
        link not in client.get(reverse("case_list"), {"plan_status": "submitted"}).content.decode()
    )
