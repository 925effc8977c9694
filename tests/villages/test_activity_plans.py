"""Monthly activity plans: the 25th deadline, timeliness, the two jobs and the digest."""

import io
import zoneinfo
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from portal import months
from portal.models import Notification
from portal.scoping import Scope
from villages import services
from villages.models import ActivityPlan, TimelinessSnapshot, Village
from villages.selectors import timeliness

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DECEMBER = date(2026, 12, 1)


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def item(day, kind="theme_day", topic="主题党日：学习党章"):
    return {
        "date": day,
        "kind": kind,
        "topic": topic,
        "place": "村党群服务中心",
        "instructor_attends": True,
    }


@pytest.fixture
def plan_for(alice):
    def make(village, month=DECEMBER, items=None, submit_at=None, **extra):
        plan = services.activity_plan_save(
            acting_user=alice,
            village=village,
            month=month,
            version=1,
            items=items if items is not None else [item(month.replace(day=15))],
            **extra,
        )
        if submit_at is not None:
            services.activity_plan_submit(acting_user=alice, plan=plan, now=submit_at)
        return plan

    return make


def test_the_deadline_is_the_end_of_the_25th_in_shanghai():
    assert months.due_by(DECEMBER) == at(2026, 11, 26, 0, 0, 0)
    assert months.due_date(DECEMBER) == date(2026, 11, 25)


def test_2359_59_on_the_25th_is_on_time_and_midnight_is_late(plan_for, village_a, village_b, bob):
    on_time = plan_for(village_a, submit_at=at(2026, 11, 25, 23, 59, 59))
    assert not ActivityPlan.objects.get(pk=on_time.pk).late
    plan = services.activity_plan_save(
        acting_user=bob,
        village=village_b,
        month=DECEMBER,
        version=1,
        items=[item(date(2026, 12, 3))],
    )
    services.activity_plan_submit(acting_user=bob, plan=plan, now=at(2026, 11, 26, 0, 0, 0))
    assert ActivityPlan.objects.get(pk=plan.pk).late


def test_january_is_due_on_the_25th_of_december():
    assert months.due_by(date(2027, 1, 1)) == at(2026, 12, 26)
    assert months.add_months(DECEMBER, 1) == date(2027, 1, 1)


def test_the_due_day_is_configuration(settings):
    settings.ACTIVITY_PLAN_DUE_DAY = 20
    assert months.due_date(DECEMBER) == date(2026, 11, 20)


def test_an_activity_outside_the_month_is_refused(plan_for, village_a):
    with pytest.raises(ValidationError) as refused:
        plan_for(village_a, items=[item(date(2027, 1, 2))])
    assert "2027-01-02" in str(refused.value)


def test_no_activity_with_a_reason_counts_as_submitted_and_shows_apart(
    client, plan_for, village_a, alice
):
    with pytest.raises(ValidationError):
        plan_for(village_a, items=[], no_activity=True)
    plan_for(
        village_a,
        items=[],
        no_activity=True,
        no_activity_reason="秋收农忙，集中至下月开展",
        submit_at=at(2026, 11, 20, 10),
    )
    figures = timeliness(scope=Scope.of(alice), months=[DECEMBER], now=at(2026, 11, 27))
    assert figures[(village_a.township_id, DECEMBER)].on_time == 1
    client.force_login(alice)
    page = client.get(reverse("activity_township"), {"month": "2026-12"})
    states = {village.code: state for village, _plan, state in page.context["rows"]}
    assert states[village_a.code] == "no_activity"


def test_an_empty_plan_cannot_be_submitted(plan_for, village_a, alice):
    plan = plan_for(village_a, items=[])
    with pytest.raises(ValidationError):
        services.activity_plan_submit(acting_user=alice, plan=plan)


def test_timeliness_counts_expected_on_time_late_and_missing(plan_for, alice, village_a):
    villages = list(Village.objects.filter(township_id=village_a.township_id).order_by("code"))
    plan_for(villages[0], submit_at=at(2026, 11, 24, 9))
    plan_for(villages[1], submit_at=at(2026, 11, 25, 23, 59, 59))
    plan_for(villages[2], submit_at=at(2026, 11, 27, 8))
    plan_for(villages[3])  # a draft: not submitted
    before = timeliness(scope=Scope.of(alice), months=[DECEMBER], now=at(2026, 11, 25, 23))
    t = before[(village_a.township_id, DECEMBER)]
    assert (t.expected, t.missing) == (
        len(villages),
        None,
    )  # nothing is missing before the due time
    after = timeliness(scope=Scope.of(alice), months=[DECEMBER], now=at(2026, 11, 28))
    t = after[(village_a.township_id, DECEMBER)]
    assert (t.on_time, t.late, t.missing) == (2, 1, len(villages) - 3)
    assert (t.rate, t.on_time_rate) == (Decimal("6.7"), Decimal("4.4"))  # 3 and 2 of 45


def test_a_village_added_after_the_deadline_is_not_expected_that_month(alice, village_a, plan_for):
    township = village_a.township
    plan_for(village_a)  # the county's first plan (December): expected from then on
    Village.objects.create(
        code=f"{township.code}999",
        name="新设村委会",
        township=township,
        added_on=date(2026, 12, 10),
    )
    count = Village.objects.filter(township=township).count()
    figures = timeliness(
        scope=Scope.of(alice), months=[DECEMBER, date(2027, 1, 1)], now=at(2027, 1, 1)
    )
    assert figures[(township.code, DECEMBER)].expected == count - 1
    assert figures[(township.code, date(2027, 1, 1))].expected == count


def test_copy_last_month_and_submit_all_from_the_township_page(client, plan_for, alice, village_a):
    plan_for(village_a, month=date(2026, 11, 1), items=[item(date(2026, 11, 30))])
    client.force_login(alice)
    client.post(reverse("activity_copy", args=[village_a.code, 2026, 12]))
    copied = ActivityPlan.objects.get(village=village_a, month=DECEMBER)
    assert [i.date for i in copied.items.all()] == [date(2026, 12, 30)]
    response = client.post(
        reverse("activity_submit_all"), {"township": village_a.township_id, "month": "2026-12"}
    )
    assert response.status_code == 302
    copied.refresh_from_db()
    assert copied.submitted_at is not None


def test_another_township_cannot_open_the_plan(client, bob, village_a):
    client.force_login(bob)
    assert client.get(reverse("activity_plan", args=[village_a.code, 2026, 12])).status_code == 404


def test_the_plan_page_saves_and_submits(client, alice, village_a):
    client.force_login(alice)
    url = reverse("activity_plan", args=[village_a.code, 2026, 12])
    form = {
        "version": 1,
        "items-TOTAL_FORMS": 1,
        "items-INITIAL_FORMS": 0,
        "items-0-date": "2026-12-05",
        "items-0-kind": "party_lesson",
        "items-0-topic": "书记讲党课",
        "items-0-place": "村委会",
        "submit": "1",
    }
    assert client.post(url, form).status_code == 302
    plan = ActivityPlan.objects.get(village=village_a, month=DECEMBER)
    assert plan.submitted_at is not None and plan.items.get().kind == "party_lesson"


# --- The jobs ---------------------------------------------------------------------------


def run(name, period):
    call_command("run_job", name, "--period", period, stdout=io.StringIO())


def test_the_reminder_lists_the_villages_without_a_plan_once(plan_for, alice, bob, village_a):
    plan_for(village_a, submit_at=at(2026, 11, 18))
    run("activity_plan_reminder", "2026-12")
    run("activity_plan_reminder", "2026-12")
    mine = Notification.objects.get(user=alice)
    assert village_a.name not in mine.body and "2026-12" in mine.title
    assert Notification.objects.filter(user=bob).count() == 1


def test_the_deadline_check_records_and_notifies_once(
    plan_for, alice, county_admin, village_a, settings
):
    plan_for(village_a, submit_at=at(2026, 11, 25, 12))
    run("activity_plan_deadline", "2026-12")
    snapshot = TimelinessSnapshot.objects.get(township_id=village_a.township_id, month=DECEMBER)
    missing = snapshot.missing
    assert snapshot.on_time == 1 and missing == snapshot.expected - 1
    run("activity_plan_deadline", "2026-12")
    assert (
        TimelinessSnapshot.objects.filter(month=DECEMBER).count()
        == TimelinessSnapshot.objects.filter(month=DECEMBER).values("township").distinct().count()
    )
    assert Notification.objects.filter(user=alice).count() == 1
    summary = Notification.objects.get(user=county_admin)
    assert "1" in summary.title and "2026-12" in summary.title


def test_the_daily_digest_sends_one_mail_per_user_per_day(alice, mailoutbox, village_a):
    alice.email = "alice@example.gov.cn"
    alice.save()
    Notification.objects.create(user=alice, key="a", title="第一条")
    Notification.objects.create(user=alice, key="b", title="第二条")
    run("notification_digest", "2026-12-01")
    run("notification_digest", "2026-12-01")
    assert len(mailoutbox) == 1 and "第二条" in mailoutbox[0].body
    Notification.objects.create(user=alice, key="c", title="第三条")
    run("notification_digest", "2026-12-01")
    assert len(mailoutbox) == 1  # not twice in a day
    run("notification_digest", "2026-12-02")
    assert (
        len(mailoutbox) == 2
        and "第三条" in mailoutbox[1].body
        and "第一条" not in mailoutbox[1].body
    )


def test_the_bell_counts_unread_notifications(client, alice):
    Notification.objects.create(user=alice, key="a", title="请上报下月活动计划", url="/activity/")
    client.force_login(alice)
    assert client.get(reverse("home")).context["unread_notifications"] == 1
    note = Notification.objects.get()
    response = client.post(reverse("notification_read", args=[note.pk]))
    assert response["Location"] == "/activity/"
    assert client.get(reverse("home")).context["unread_notifications"] == 0


# --- The API ----------------------------------------------------------------------------


def test_the_api_saves_submits_and_refuses_a_second_submission(client, alice, village_a):
    client.force_login(alice)
    body = {
        "village": village_a.code,
        "month": "2026-12-01",
        "version": 1,
        "items": [
            {
                "date": "2026-12-08",
                "kind": "member_assembly",
                "topic": "党员大会",
                "place": "村委会",
                "instructor_attends": True,
            }
        ],
    }
    created = client.post(reverse("activity-plan-list"), body, content_type="application/json")
    assert created.status_code == 201, created.content
    submit = reverse("activity-plan-submit", args=[created.json()["id"]])
    assert client.post(submit).status_code == 200
    assert client.post(submit).status_code == 409


def test_the_timeliness_api_is_scoped(client, plan_for, alice, bob, village_a):
    plan_for(village_a, submit_at=at(2026, 11, 20))
    client.force_login(alice)
    rows = client.get(reverse("timeliness-api"), {"month": "2026-12"}).json()
    assert [(r["township"], r["on_time"]) for r in rows] == [(village_a.township_id, 1)]
    client.force_login(bob)
    rows = client.get(reverse("timeliness-api"), {"month": "2026-12"}).json()
    assert {r["township"] for r in rows} == {bob.division_id}
    assert client.get(reverse("timeliness-api"), {"month": "十二月"}).status_code == 400


def test_only_the_county_marks_a_sit_in(client, alice, county_admin, village_a):
    record = services.activity_record_save(
        acting_user=alice,
        village=village_a,
        held_on=date(2026, 4, 10),
        kind="theme_day",
        topic="主题党日",
        attendance=25,
    )
    client.force_login(alice)
    assert client.post(reverse("activity-record-sit-in", args=[record.pk])).status_code == 403
    client.force_login(county_admin)
    assert client.post(reverse("activity-record-sit-in", args=[record.pk])).json()["county_sat_in"]


def test_the_deadline_checks_queries_do_not_grow_with_the_data(plan_for, village_a, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.jobs import run as run_job_now
    from tests.factories import UserFactory

    for township in Village.objects.values_list("township_id", flat=True).distinct():
        UserFactory(username=f"org-{township}", role="township_organizer", division_id=township)
    with CaptureQueriesContext(connection) as empty:
        run_job_now("activity_plan_deadline", date(2027, 1, 1))
    for village in Village.objects.filter(township_id=village_a.township_id)[:20]:
        plan_for(village, month=DECEMBER, submit_at=at(2026, 11, 20))
    with CaptureQueriesContext(connection) as busy:
        run_job_now("activity_plan_deadline", DECEMBER)
    assert len(empty) == len(busy)


def test_each_county_starts_with_its_earliest_plan_deleted_plans_forgotten(village_a, village_b):
    # Wuqing planned in October and December, Jimo (another county) in November; a county
    # without a plan has no start. The earliest plan deleted, the next one is the start.
    from tests.conftest import COUNTY, JIMO
    from villages.models import Division
    from villages.selectors import first_plan_months

    Division.objects.create(code=f"{JIMO}001", name="环秀街道", level="township", parent_id=JIMO)
    jimo = Village.objects.create(code=f"{JIMO}001001", name="东关村", township_id=f"{JIMO}001")
    october = ActivityPlan.objects.create(village=village_a, month=date(2026, 10, 1))
    ActivityPlan.objects.create(village=village_b, month=DECEMBER)
    ActivityPlan.objects.create(village=jimo, month=date(2026, 11, 1))

    assert first_plan_months("") == {COUNTY: date(2026, 10, 1), JIMO: date(2026, 11, 1)}
    assert first_plan_months(village_a.township_id) == {COUNTY: date(2026, 10, 1)}
    october.delete()
    assert first_plan_months("") == {COUNTY: DECEMBER, JIMO: date(2026, 11, 1)}
