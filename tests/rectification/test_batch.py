"""Batches through the API: one transition on many cases, each case through the same
service as its own call, with a result per id; 1,000 cases in one request in a bounded
number of queries; more in the background as a job to poll; one notice per recipient."""

import io
import time
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from portal.models import BulkJob, Notification
from rectification import services
from rectification.models import Acceptance, Campaign, Case, CaseEvent
from tests.conftest import JIMO, TOWNSHIP_A
from tests.factories import UserFactory
from villages.models import Division, Village

TASKS = [{"measure": "选优配强村党组织书记", "owner": "镇党委", "due_on": date(2026, 12, 30)}]


@pytest.fixture(autouse=True)
def november_20th():
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        yield


def batch(client, **body):
    return client.post(reverse("case-batch"), body, content_type="application/json")


def transformed(case, on):
    Case.objects.filter(pk=case.pk).update(status="transformed", transformed_on=on)
    return case


def meichang(n):
    return list(Village.objects.filter(township_id=TOWNSHIP_A).order_by("code")[:n])


@pytest.fixture
def jimo_case(categories):
    """A case of another county (即墨区): not the Wuqing administrator's to see."""
    town = Division.objects.create(
        code=f"{JIMO}001", name="通济街道", level="township", parent_id=JIMO
    )
    village = Village.objects.create(
        code=f"{JIMO}001001", name="即墨村", township=town, kind="village"
    )
    campaign = Campaign.objects.create(
        division_id=JIMO, year=2026, name="即墨区2026年度整顿", started_on=date(2026, 3, 1)
    )
    case = Case.objects.create(
        campaign=campaign,
        village=village,
        problems="班子软弱",
        responsible_person="王强",
        identified_on=date(2026, 3, 10),
        deadline=date(2026, 12, 31),
    )
    return transformed(case, date(2026, 9, 1))


def test_each_case_of_a_batch_has_its_own_result(client, county_admin, alice, list_case, jimo_case):
    first, second, third = (list_case(alice, village) for village in meichang(3))
    transformed(first, date(2026, 9, 1))
    transformed(second, date(2026, 10, 15))  # closed "on" 10-01 would precede it
    client.force_login(county_admin)

    response = batch(
        client,
        action="close",
        ids=[first.pk, second.pk, third.pk, jimo_case.pk, 999999],
        on="2026-10-01",
        comment="巩固提升到位",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "action": "close",
        "done": 1,
        "refused": 4,
        "results": [
            {"id": first.pk, "ok": True, "status": "closed", "error": ""},
            # Refused by the service's rule: the date precedes the transformation.
            {
                "id": second.pk,
                "ok": False,
                "status": "transformed",
                "error": "销号时间不能早于转化时间。",
            },
            # Refused by the state: still identified.
            {
                "id": third.pk,
                "ok": False,
                "status": "identified",
                "error": "当前状态为“已列入”，不能“巩固提升后销号”。",
            },
            # Another county's case and an id that does not exist read the same.
            {"id": jimo_case.pk, "ok": False, "status": None, "error": "未找到。"},
            {"id": 999999, "ok": False, "status": None, "error": "未找到。"},
        ],
    }
    first.refresh_from_db()
    assert (first.status, first.closed_on) == ("closed", date(2026, 10, 1))
    # Each close-out is written as on its own page: an event with the opinion.
    assert list(
        CaseEvent.objects.filter(case=first, action="close").values_list("comment", "actor")
    ) == [("巩固提升到位", county_admin.pk)]
    assert Case.objects.get(pk=jimo_case.pk).status == "transformed"


def test_a_role_that_may_not_close_is_refused_the_whole_batch(client, alice, list_case):
    case = transformed(list_case(alice, meichang(1)[0]), date(2026, 9, 1))
    client.force_login(alice)

    response = batch(client, action="close", ids=[case.pk])

    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == "transformed"


def test_plans_are_not_returned_in_bulk_without_a_reason(client, county_admin):
    client.force_login(county_admin)

    response = batch(client, action="plan_return", ids=[1, 2], comment=" ")

    assert response.status_code == 400
    assert list(response.json()) == ["comment"]


def test_acceptance_results_go_in_by_their_total_score(client, county_admin, alice, list_case):
    passing, failing = (list_case(alice, village) for village in meichang(2))
    Case.objects.filter(pk__in=[passing.pk, failing.pk]).update(status="acceptance_requested")
    client.force_login(county_admin)

    fields = {"reviewed_on": "2026-11-18", "satisfaction": "92.5", "conclusion": "达到转化标准"}
    passed = batch(client, action="acceptance", ids=[passing.pk], total=86, **fields)
    failed = batch(client, action="acceptance", ids=[failing.pk], total=61, **fields)

    assert [r["status"] for r in passed.json()["results"]] == ["transformed"]
    assert [r["status"] for r in failed.json()["results"]] == ["rectifying"]
    assert list(
        Acceptance.objects.order_by("pk").values_list("case", "total", "pass_mark", "passed")
    ) == [(passing.pk, 86, 70, True), (failing.pk, 61, 70, False)]
    assert Case.objects.get(pk=passing.pk).transformed_on == date(2026, 11, 18)


def test_acceptance_results_need_every_field_of_the_review(client, county_admin):
    client.force_login(county_admin)

    response = batch(client, action="acceptance", ids=[1], total=80)

    assert response.status_code == 400
    assert sorted(response.json()) == ["conclusion", "reviewed_on", "satisfaction"]


def test_a_batch_tells_each_recipient_once_for_all_its_cases(
    client, county_admin, alice, list_case
):
    cases = [list_case(alice, village) for village in meichang(6)]
    for case in cases:
        services.plan_save(case=case, acting_user=alice, version=1, goal="转化", tasks=TASKS)
        services.plan_submit(case=case, acting_user=alice)
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    client.force_login(county_admin)

    response = batch(client, action="plan_approve", ids=[c.pk for c in cases], comment="同意")

    assert response.json()["done"] == 6
    sent = Notification.objects.filter(pk__gt=before)
    assert [(n.user, n.title, n.url) for n in sent] == [
        (alice, "6个村整顿方案已审批通过", "/ledger/?plan_status=approved")
    ]
    names = "、".join(f"梅厂镇{v.name}" for v in meichang(6))
    assert sent[0].body == f"{names}\n同意"


def test_a_single_case_in_a_batch_is_told_as_on_its_own_page(
    client, county_admin, alice, list_case
):
    case = list_case(alice, meichang(1)[0])
    services.plan_save(case=case, acting_user=alice, version=1, goal="转化", tasks=TASKS)
    services.plan_submit(case=case, acting_user=alice)
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    client.force_login(county_admin)

    batch(client, action="plan_approve", ids=[case.pk])

    sent = Notification.objects.filter(pk__gt=before)
    assert [(n.user, n.title, n.url) for n in sent] == [
        (alice, f"梅厂镇{case.village.name}整顿方案已审批通过", f"/ledger/{case.pk}/")
    ]


# --- Size ----------------------------------------------------------------------------------


def transformed_cases(campaign, n):
    """`n` transformed cases in made-up townships of Wuqing (500 villages each), with an
    organizer of the first one: the batch's one recipient."""
    villages = []
    for t in range((n + 499) // 500):
        town = Division.objects.create(
            code=f"120114{990 + t}", name=f"测试镇{t}", level="township", parent_id="120114"
        )
        villages += [
            Village(code=f"{town.code}{i:03d}", name=f"测试村{i}", township=town, kind="village")
            for i in range(1, 501)
        ]
    Village.objects.bulk_create(villages[:n])
    Case.objects.bulk_create(
        Case(
            campaign=campaign,
            village=village,
            problems="班子软弱",
            responsible_person="王强",
            identified_on=date(2026, 3, 10),
            deadline=date(2026, 12, 31),
            status="transformed",
            transformed_on=date(2026, 9, 1),
        )
        for village in villages[:n]
    )
    UserFactory(username="testtown", role="township_organizer", division_id="120114990")
    return list(Case.objects.filter(village__township__name__startswith="测试镇").order_by("pk"))


@contextmanager
def counting():
    """Every statement sent to the database (savepoints too), however many: Django's own
    capture keeps only the last 9,000."""
    count = [0]

    def counted(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        yield count


def close(client, cases):
    with counting() as queries:
        response = batch(client, action="close", ids=[c.pk for c in cases], on="2026-11-20")
    assert response.status_code == 200
    assert response.json()["done"] == len(cases)
    return queries[0]


# What one case's close-out costs: the service's savepoint and its release, the update, its
# history row, the event, and who is told (the case was loaded and locked with the others,
# in scope, with its village and township; the notice is written once for the batch).
PER_CASE = 6
# What a batch costs besides: the session and the user, the cases loaded at once, their
# statuses afterwards, the notices (savepoint, which were sent, the insert, release), and
# here the savepoint that is the batch's transaction inside the test's (two).
FIXED = 10


def test_a_batch_costs_a_fixed_number_of_queries_per_case(client, county_admin, campaign):
    cases = transformed_cases(campaign, 30)
    client.force_login(county_admin)

    ten, twenty = close(client, cases[:10]), close(client, cases[10:30])

    assert (ten, twenty) == (FIXED + 10 * PER_CASE, FIXED + 20 * PER_CASE)


def test_a_thousand_cases_close_in_one_request(client, county_admin, campaign):
    cases = transformed_cases(campaign, 1000)
    client.force_login(county_admin)
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    started = time.perf_counter()
    count = close(client, cases)
    seconds = time.perf_counter() - started

    print(f"\n1,000 cases closed in one request: {seconds:.1f} s, {count} queries")
    assert Case.objects.filter(pk__in=[c.pk for c in cases], status="closed").count() == 1000
    assert count == FIXED + 1000 * PER_CASE
    # The organizer of the first made-up township is told once for its 500 villages.
    assert list(Notification.objects.filter(pk__gt=before).values_list("title", flat=True)) == [
        "500个村整顿工作已销号"
    ]


# --- In the background ------------------------------------------------------------------------


def test_a_batch_beyond_the_request_runs_as_a_job_to_poll(
    client, county_admin, alice, list_case, settings, django_capture_on_commit_callbacks
):
    settings.BULK_SYNC_MAX_ITEMS = 2
    cases = [transformed(list_case(alice, v), date(2026, 9, 1)) for v in meichang(3)]
    client.force_login(county_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = batch(client, action="close", ids=[*(c.pk for c in cases), 999999])

    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["status"], job["total"]) == ("pending", 4)
    polled = client.get(reverse("batch-job-detail", args=[job["id"]])).json()
    assert (polled["status"], polled["progress"], polled["done_count"]) == ("done", 100, 3)
    assert polled["results"] == [
        *({"id": c.pk, "ok": True, "status": "closed", "error": ""} for c in cases),
        {"id": 999999, "ok": False, "status": None, "error": "未找到。"},
    ]
    # The requester is told it is finished, with the way to its results.
    assert list(Notification.objects.filter(user=county_admin).values_list("title", "url")) == [
        ("批量处理完成：3件已办，1件未办", f"/batches/{job['id']}/")
    ]
    workbook = client.get(polled["results_url"])
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    page = client.get(reverse("bulk_job_detail", args=[job["id"]]))
    assert "3件已办，1件未办" in page.content.decode()


def test_a_job_is_its_requesters_alone(client, county_admin):
    job = BulkJob.objects.create(
        kind="rectification.case", action="close", ids=[1], requested_by=county_admin
    )
    colleague = UserFactory(username="county2", role="county_admin", division_id="120114")
    client.force_login(colleague)

    assert client.get(reverse("batch-job-detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("bulk_job_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("bulk_job_results", args=[job.pk])).status_code == 404


# --- The ledger page ----------------------------------------------------------------------------


def shown(response):
    return [str(message) for message in response.context["messages"]]


def test_the_ledger_closes_the_ticked_cases_and_names_those_it_could_not(
    client, county_admin, alice, list_case
):
    done, early = (list_case(alice, village) for village in meichang(2))
    transformed(done, date(2026, 9, 1))
    client.force_login(county_admin)

    response = client.post(
        reverse("case_batch"),
        {"action": "close", "ids": [done.pk, early.pk], "query": "status=transformed"},
        follow=True,
    )

    assert response.redirect_chain == [("/ledger/?status=transformed", 302)]
    assert shown(response) == [
        "巩固提升后销号：已办理1件。",
        f"1 项未处理：梅厂镇{early.village.name}——当前状态为“已列入”，不能“巩固提升后销号”。",
    ]
    assert Case.objects.get(pk=done.pk).closed_on == date(2026, 11, 20)


def test_the_ledger_acts_on_all_the_cases_matching_its_filter(
    client, county_admin, alice, list_case, jimo_case
):
    cases = [list_case(alice, village) for village in meichang(4)]
    for case in cases[:3]:
        transformed(case, date(2026, 9, 1))
    client.force_login(county_admin)

    client.post(
        reverse("case_batch"),
        {"action": "close", "everything": "on", "query": "status=transformed"},
    )

    assert sorted(Case.objects.filter(status="closed").values_list("pk", flat=True)) == [
        c.pk for c in cases[:3]
    ]
    # The fourth did not match the filter; another county's case is not in the scope.
    assert Case.objects.get(pk=cases[3].pk).status == "identified"
    assert Case.objects.get(pk=jimo_case.pk).status == "transformed"


def test_the_ledger_hands_a_large_batch_to_a_worker(
    client, county_admin, alice, list_case, settings, django_capture_on_commit_callbacks
):
    settings.BULK_SYNC_MAX_ITEMS = 1
    cases = [transformed(list_case(alice, v), date(2026, 9, 1)) for v in meichang(2)]
    client.force_login(county_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("case_batch"),
            {"action": "close", "everything": "on", "query": "status=transformed"},
        )

    job = BulkJob.objects.get()
    assert response["Location"] == f"/batches/{job.pk}/"
    assert (job.status, job.done_count, job.ids) == ("done", 2, [c.pk for c in cases])


def test_a_township_is_offered_only_its_own_batch_actions(client, alice, list_case):
    list_case(alice, meichang(1)[0])
    client.force_login(alice)

    form = client.get(reverse("case_list")).context["batch_form"]

    assert [name for name, _label in form.fields["action"].choices] == [
        "plan_submit",
        "apply",
        "withdraw",
    ]


# --- Acceptance results from a workbook ---------------------------------------------------------


def results_workbook(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "案件编号",
            "村代码",
            "村（社区）",
            "验收结果",
            "总分",
            "群众满意度（%）",
            "验收日期",
            "验收结论",
        ]
    )
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def upload_results(client, content):
    response = client.post(
        reverse("acceptance_import"), {"file": SimpleUploadedFile("验收结果.xlsx", content)}
    )
    assert response.status_code == 302, response.context["form"].errors
    return response["Location"], client.get(response["Location"]).context["preview"]


@pytest.fixture
def applied(alice, list_case):
    """Four cases of 梅厂镇 whose acceptance alice has applied for."""
    cases = [list_case(alice, village) for village in meichang(4)]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(status="acceptance_requested")
    return cases


def test_acceptance_results_are_checked_by_row_and_cell(
    client, county_admin, alice, list_case, applied
):
    listed = list_case(alice, Village.objects.filter(township_id=TOWNSHIP_A).order_by("code")[5])
    client.force_login(county_admin)
    day = date(2026, 11, 18)
    content = results_workbook(
        [
            [applied[0].pk, "", "", "通过", 86, 92.5, day, "达到转化标准"],
            [applied[0].pk, "", "", "通过", 86, 92.5, day, "重复"],
            [999999, "", "", "通过", 86, 92.5, day, "越权"],
            [listed.pk, "", "", "通过", 86, 92.5, day, "未申请"],
            ["", applied[1].village_id, "", "通过", 50, 70, day, "分数与结果不符"],
            ["", "", "", "合格吧", 86, 101, "2026-11-31", "样样不对"],
        ]
    )

    _url, preview = upload_results(client, content)

    assert {row.line: row.errors for row in preview.rows if row.errors} == {
        3: {"case": "与第 2 行重复。"},
        4: {"case": "本辖区没有这个编号的案件。"},
        5: {"case": "案件当前为“已列入”，须先申请验收才能录入验收结果。"},
        6: {"result": "总分50分、合格线70分，结果应为“不通过”。"},
        7: {
            "": "请填写案件编号或村代码。",
            "result": "请填写“通过”或“不通过”。",
            "satisfaction": "应为0至100之间的百分数，最多保留一位小数。",
            "reviewed_on": "日期格式不正确，请按 2026-12-31 的格式填写。",
        },
    }


def test_acceptance_results_go_in_whole_with_one_notice_per_recipient(
    client, county_admin, alice, applied
):
    client.force_login(county_admin)
    day = date(2026, 11, 18)
    content = results_workbook(
        [
            [applied[0].pk, "", "", "通过", 86, 92.5, day, "达到转化标准"],
            ["", applied[1].village_id, applied[1].village.name, "不通过", 61, 80, day, "未达标"],
            [applied[2].pk, applied[2].village_id, "", "通过", 90, "95%", day, "成效明显"],
        ]
    )
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    url, preview = upload_results(client, content)
    assert preview.ok

    response = client.post(url.rstrip("/") + "/confirm/")

    assert response["Location"] == "/ledger/"
    assert list(
        Acceptance.objects.order_by("case").values_list("case", "total", "satisfaction", "passed")
    ) == [
        (applied[0].pk, 86, Decimal("92.5"), True),
        (applied[1].pk, 61, Decimal("80.0"), False),
        (applied[2].pk, 90, Decimal("95.0"), True),
    ]
    assert [Case.objects.get(pk=c.pk).status for c in applied] == [
        "transformed",
        "rectifying",
        "transformed",
        "acceptance_requested",
    ]
    # alice is told of the two passed at once, and of the failed one on its own.
    assert sorted(
        Notification.objects.filter(pk__gt=before, user=alice).values_list("title", flat=True)
    ) == sorted(
        [
            "2个村验收通过，已转化",
            f"梅厂镇{applied[1].village.name}验收未通过，请继续整改",
        ]
    )


def test_a_refusal_at_confirm_writes_no_acceptance_at_all(client, county_admin, applied):
    client.force_login(county_admin)
    day = date(2026, 11, 18)
    url, _preview = upload_results(
        client,
        results_workbook(
            [
                [applied[0].pk, "", "", "通过", 86, 92.5, day, "达到转化标准"],
                [applied[1].pk, "", "", "通过", 88, 90, day, "达到转化标准"],
            ]
        ),
    )
    # Between preview and confirm, the second application is withdrawn.
    Case.objects.filter(pk=applied[1].pk).update(status="rectifying")

    response = client.post(url.rstrip("/") + "/confirm/")

    assert response.status_code == 200
    assert not Acceptance.objects.exists()
    assert Case.objects.get(pk=applied[0].pk).status == "acceptance_requested"


def test_the_plans_approved_together_on_their_page_are_told_together(
    client, county_admin, alice, list_case
):
    cases = [list_case(alice, village) for village in meichang(3)]
    for case in cases:
        services.plan_save(case=case, acting_user=alice, version=1, goal="转化", tasks=TASKS)
        services.plan_submit(case=case, acting_user=alice)
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    client.force_login(county_admin)

    client.post(
        reverse("plan_pending"),
        {"ids": [c.pk for c in cases], "decision": "approve", "comment": "同意"},
    )

    assert list(Notification.objects.filter(pk__gt=before).values_list("user", "title", "url")) == [
        (alice.pk, "3个村整顿方案已审批通过", "/ledger/?plan_status=approved")
    ]
