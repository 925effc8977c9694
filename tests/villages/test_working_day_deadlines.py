"""A county's activity-plan deadline on China's working days (villages.deadlines), its
reminder three working days before, the daily jobs that pick the counties whose day it is,
and the page where a county enters a year the package does not hold. Real dates: the 25th
of September 2026 is a Friday of the Mid-Autumn holiday (9月25日至27日放假), so October's
plans are due on Monday the 28th where the county moves the date (顺延)."""

import io
import zoneinfo
from datetime import date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from portal.models import CalendarDay, Notification
from villages import deadlines, services
from villages.choices import DueDayRule
from villages.models import ActivityPlan, Division, TimelinessSnapshot

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
COUNTY = "120114"
OCTOBER = date(2026, 10, 1)


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def postponing(db):
    Division.objects.filter(pk=COUNTY).update(due_day_rule=DueDayRule.POSTPONE)


def run(name, period):
    call_command("run_job", name, "--period", period, stdout=io.StringIO())


def test_a_county_that_keeps_the_date_has_its_plans_due_on_the_holiday(db):
    assert deadlines.due_date(OCTOBER, COUNTY) == date(2026, 9, 25)


def test_a_county_that_moves_the_date_has_them_due_on_the_next_working_day(postponing):
    assert deadlines.due_date(OCTOBER, COUNTY) == date(2026, 9, 28)
    assert deadlines.due_by(OCTOBER, COUNTY) == at(2026, 9, 29)
    # 2025-01-25 is a Saturday; the Sunday after it was a make-up working day (调休).
    assert deadlines.due_date(date(2025, 2, 1), COUNTY) == date(2025, 1, 26)
    # A 25th that is a working day stays where it is.
    assert deadlines.due_date(date(2026, 12, 1), COUNTY) == date(2026, 11, 25)


def test_the_reminder_is_three_working_days_before_the_due_day(postponing):
    county = deadlines.CountyDeadlines([COUNTY])
    # Back from Monday 28 September 2026 over the holiday (25-27): 24, 23, 22.
    assert county.reminder_date(OCTOBER, COUNTY) == date(2026, 9, 22)
    # November's: due Sunday 25 October 2026 moved to Monday the 26th; back: 23, 22, 21.
    assert county.reminder_date(date(2026, 11, 1), COUNTY) == date(2026, 10, 21)


def test_a_plan_filed_on_the_holiday_weekend_is_on_time_only_where_the_date_moves(
    postponing, alice, village_a, village_b, bob
):
    def filed(user, village):
        plan = services.activity_plan_save(
            acting_user=user,
            village=village,
            month=OCTOBER,
            version=1,
            items=[],
            no_activity=True,
            no_activity_reason="秋收",
        )
        services.activity_plan_submit(acting_user=user, plan=plan, now=at(2026, 9, 27, 10))
        return ActivityPlan.objects.get(pk=plan.pk)

    assert not filed(alice, village_a).late
    Division.objects.filter(pk=COUNTY).update(due_day_rule=DueDayRule.KEEP)
    assert filed(bob, village_b).late


def test_the_daily_jobs_run_for_a_county_on_its_own_reminder_day_and_deadline(postponing, alice):
    run("activity_plan_reminder_due", "2026-09-21")
    assert not Notification.objects.filter(user=alice).exists()
    run("activity_plan_reminder_due", "2026-09-22")
    assert "2026-09-28" in Notification.objects.get(user=alice).title
    run("activity_plan_deadline_due", "2026-09-26")
    township = TimelinessSnapshot.objects.filter(township_id=alice.division_id, month=OCTOBER)
    assert not township.exists()
    run("activity_plan_deadline_due", "2026-09-29")
    assert township.exists()


def test_the_county_sets_its_rule_on_its_settings_page(client, county_admin):
    client.force_login(county_admin)
    response = client.post(
        reverse("county_settings"), {"document_abbreviation": "", "due_day_rule": "postpone"}
    )
    assert response.status_code == 302
    assert Division.objects.get(pk=COUNTY).due_day_rule == DueDayRule.POSTPONE


def test_before_the_year_turns_the_county_is_warned_and_enters_the_coming_year(
    client, county_admin
):
    # The pinned package holds 2026 but not 2027: from November the county is warned.
    with time_machine.travel(at(2026, 12, 1, 9), tick=False):
        client.force_login(county_admin)
        assert 'id="calendar-missing"' in client.get(reverse("home")).content.decode()
        page = client.get(reverse("county_calendar")).content.decode()
        assert 'id="calendar-missing"' in page and "2026-12-25" in page  # January's due day
        refused = client.post(reverse("county_calendar"), {"day": "2026-10-10", "is_workday": "1"})
        assert refused.status_code == 200 and not CalendarDay.objects.exists()
        # An example day, not the real 2027 arrangement: a Saturday entered as worked.
        entered = client.post(
            reverse("county_calendar"), {"day": "2027-02-06", "is_workday": "1", "note": "春节"}
        )
        assert entered.status_code == 302
        assert 'id="calendar-missing"' not in client.get(reverse("home")).content.decode()
        day = CalendarDay.objects.get()
        assert deadlines.CountyDeadlines([COUNTY]).calendar(COUNTY).is_workday(date(2027, 2, 6))
        client.post(reverse("county_calendar"), {"remove": str(day.pk)})
        assert not CalendarDay.objects.exists()


def test_another_county_cannot_see_the_days_a_county_entered(client, county_admin):
    CalendarDay.objects.create(
        county_code=COUNTY, day=date(2027, 2, 6), is_workday=True, entered_by=county_admin
    )
    assert not deadlines.CountyDeadlines(["370215"]).calendar("370215").is_workday(date(2027, 2, 6))
