"""Work logs by the secretary, presence by month, and the monthly job that reports it."""

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from firstsecretary import services
from firstsecretary.models import WorkLog
from firstsecretary.selectors import presence
from portal.models import Notification
from portal.months import month_bounds
from portal.scoping import Scope


def log(user, day, on_site=True, households=5):
    return services.worklog_save(
        acting_user=user,
        date=day,
        on_site=on_site,
        households_visited=households if on_site else 0,
        kind="visit",
        summary="入户走访，了解群众诉求",
    )


def test_a_secretary_logs_a_day_on_the_phone_page(client, posted, secretary):
    client.force_login(secretary)
    page = client.get(reverse("worklog"))
    assert (
        page.status_code == 200 and posted.assignments.get().village.name in page.content.decode()
    )
    response = client.post(
        reverse("worklog"),
        {
            "date": "2026-04-02",
            "on_site": "on",
            "households_visited": 6,
            "kind": "visit",
            "summary": "走访困难党员",
        },
    )
    assert response.status_code == 302
    assert WorkLog.objects.get().households_visited == 6


def test_logging_the_same_day_again_corrects_it(posted, secretary):
    # Within the 7 days a day can be corrected (tests/firstsecretary/test_phone_start.py).
    with time_machine.travel(datetime(2026, 4, 5, 2, 0, tzinfo=UTC), tick=False):
        log(secretary, date(2026, 4, 2), households=3)
        log(secretary, date(2026, 4, 2), households=9)
    assert WorkLog.objects.get().households_visited == 9


def test_only_a_secretary_with_an_active_posting_can_log(secretary, add_secretary):
    add_secretary("刘洋", user=secretary)  # on the roster, never posted
    with pytest.raises(ValidationError):
        log(secretary, date(2026, 4, 2))


@pytest.mark.parametrize("day", [date(2026, 2, 28), date(2099, 1, 1)])
def test_a_day_before_the_posting_or_in_the_future_is_refused(posted, secretary, day):
    with pytest.raises(ValidationError):
        log(secretary, day)


def test_an_organizer_cannot_write_a_secretarys_log(client, posted, alice):
    client.force_login(alice)
    assert client.get(reverse("worklog")).status_code == 403


def test_a_secretary_sees_only_their_village(client, posted, secretary, village_a):
    client.force_login(secretary)
    listed = client.get(reverse("village-list")).json()
    assert [row["code"] for row in listed["results"]] == [village_a.code]


def test_month_bounds_roll_over_december():
    assert month_bounds(date(2026, 12, 15)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert month_bounds(date(2026, 2, 3)) == (date(2026, 2, 1), date(2026, 3, 1))


def test_presence_counts_days_in_the_village_within_the_month_only(
    posted, secretary, county_admin, village_a
):
    village_a.households = 300
    village_a.save()
    log(secretary, date(2026, 3, 31), households=4)  # the last day of March
    for day in (1, 2, 30):
        log(secretary, date(2026, 4, day), households=5)
    log(secretary, date(2026, 4, 15), on_site=False)  # away: logged, not on site
    log(secretary, date(2026, 5, 1), households=7)  # the first day of May
    (april,) = presence(scope=Scope.of(county_admin), month=date(2026, 4, 1))
    assert (april.days_on_site, april.households_visited, april.logged_days) == (3, 15, 4)
    (march,) = presence(scope=Scope.of(county_admin), month=date(2026, 3, 1))
    assert (march.days_on_site, march.households_visited) == (1, 4)
    assert april.households_share == 5  # 15 of 300 households


def test_a_posting_that_starts_mid_month_counts_in_that_month(posted, county_admin):
    assert [
        p.assignment.secretary.name
        for p in presence(scope=Scope.of(county_admin), month=date(2026, 3, 1))
    ] == ["刘洋"]
    assert presence(scope=Scope.of(county_admin), month=date(2026, 2, 1)) == []


def test_the_monthly_job_tells_the_county_once(posted, secretary, county_admin, viewer, settings):
    settings.FIRST_SECRETARY_MIN_DAYS_ON_SITE = 3
    log(secretary, date(2026, 4, 1))
    log(secretary, date(2026, 4, 2))
    call_command("run_job", "secretary_presence", "--period", "2026-04", stdout=io.StringIO())
    call_command("run_job", "secretary_presence", "--period", "2026-04", stdout=io.StringIO())
    notes = Notification.objects.filter(user=county_admin)
    assert notes.count() == 1
    assert "2026-04" in notes.get().title and "刘洋" in notes.get().body
    assert not Notification.objects.filter(user=viewer).exists()  # the county administrators
    log(secretary, date(2026, 4, 3))
    call_command("run_job", "secretary_presence", "--period", "2026-05", stdout=io.StringIO())
    assert notes.count() == 2  # May: no log at all, still under the threshold


def test_the_presence_page_and_export_for_a_month(client, posted, secretary, county_admin):
    log(secretary, date(2026, 4, 1))
    client.force_login(county_admin)
    page = client.get(reverse("presence"), {"month": "2026-04"})
    assert page.context["rows"][0].days_on_site == 1
    export = client.post(reverse("presence_export") + "?month=2026-04")

    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert sheet.cell(row=3, column=4).value == "刘洋" and sheet.cell(row=3, column=6).value == 1


def test_the_county_evaluates_a_secretary_yearly(client, posted, county_admin, alice):
    services.evaluation_set(
        acting_user=county_admin, secretary=posted, year=2026, grade="excellent"
    )
    evaluation = services.evaluation_set(
        acting_user=county_admin, secretary=posted, year=2026, grade="competent"
    )
    assert posted.evaluations.get() == evaluation and evaluation.grade == "competent"
    client.force_login(alice)
    response = client.post(
        reverse("secretary_evaluate", args=[posted.pk]), {"year": 2026, "grade": "incompetent"}
    )
    assert response.status_code == 403
