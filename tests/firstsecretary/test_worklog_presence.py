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
from villages.models import Village


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


@pytest.fixture
def fifty_two_postings(posted, secretary, add_secretary, county_admin, village_a, settings):
    """刘洋 in village A, one day in the village in April (the threshold set at 1 day), and
    书记01 … 书记51 posted to the next 51 villages by code, no day logged: 52 postings in
    April, 51 of them under the threshold. Returns the 51 villages in code order."""
    settings.FIRST_SECRETARY_MIN_DAYS_ON_SITE = 1
    log(secretary, date(2026, 4, 1))
    villages = list(
        Village.objects.filter(
            code__startswith="120114", kind="village", code__gt=village_a.code
        ).order_by("code")[:51]
    )
    for number, village in enumerate(villages, start=1):
        services.assignment_start(
            acting_user=county_admin,
            secretary=add_secretary(f"书记{number:02d}"),
            village=village,
            started_on=date(2026, 3, 1),
            planned_end=date(2028, 2, 28),
        )
    return villages


def test_the_presence_page_shows_fifty_postings_a_page_and_counts_them_all(
    client, fifty_two_postings, county_admin
):
    client.force_login(county_admin)
    first = client.get(reverse("presence"), {"month": "2026-04"})
    names = [p.assignment.secretary.name for p in first.context["rows"]]
    assert len(names) == 50 and names[0] == "刘洋" and names[-1] == "书记49"
    html = first.content.decode()
    assert 'data-count="52"' in html and "共52名第一书记" in html and "共 52 条" in html
    assert "第 1 / 2 页" in html and 'href="?month=2026-04&amp;page=2"' in html
    second = client.get(reverse("presence"), {"month": "2026-04", "page": 2})
    assert [p.assignment.secretary.name for p in second.context["rows"]] == ["书记50", "书记51"]
    assert 'data-count="52"' in second.content.decode()
    assert "书记51" in second.content.decode() and "书记51" not in html


def test_the_filter_below_the_threshold_survives_into_page_two(
    client, fifty_two_postings, county_admin
):
    client.force_login(county_admin)
    first = client.get(reverse("presence"), {"month": "2026-04", "below": "true"})
    html = first.content.decode()
    assert "在村天数不足的第一书记51名" in html and 'data-count="51"' in html
    assert "刘洋" not in html  # one day: not under the threshold of one
    assert 'href="?month=2026-04&amp;below=true&amp;page=2"' in html
    second = client.get(reverse("presence"), {"month": "2026-04", "below": "true", "page": 2})
    assert [p.assignment.secretary.name for p in second.context["rows"]] == ["书记51"]
    assert "在村天数不足的第一书记51名" in second.content.decode()
    # "Show every posting" leaves ?below= and the page behind, and keeps the month.
    assert second.context["every_query"] == "month=2026-04"


def test_a_province_reader_pages_the_county_chosen_and_keeps_it(
    client, fifty_two_postings, tianjin_admin
):
    client.force_login(tianjin_admin)
    query = {"month": "2026-04", "county": "120114", "below": "true", "page": 2}
    second = client.get(reverse("presence"), query)
    assert [p.assignment.secretary.name for p in second.context["rows"]] == ["书记51"]
    html = second.content.decode()
    assert 'href="?month=2026-04&amp;county=120114&amp;below=true&amp;page=1"' in html
    assert second.context["every_query"] == "month=2026-04&county=120114"


def test_the_presence_export_holds_the_list_shown_every_page_of_it(
    client, fifty_two_postings, county_admin
):
    """The export button takes the page's filters (the month, below the threshold), not
    its page: what the official sees listed, every page of it."""

    def exported(query):
        export = client.post(reverse("presence_export") + query)
        sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
        return [sheet.cell(row=row, column=4).value for row in range(3, sheet.max_row + 1)]

    client.force_login(county_admin)
    page = client.get(reverse("presence"), {"month": "2026-04", "below": "true", "page": 2})
    action = '/presence/export/?month=2026-04&amp;below=true"'
    assert action in page.content.decode()
    below = exported("?month=2026-04&below=true")
    assert len(below) == 51 and below[0] == "书记01" and below[-1] == "书记51"
    assert "刘洋" not in below
    every = exported("?month=2026-04&page=2")
    assert len(every) == 52 and every[0] == "刘洋" and every[-1] == "书记51"


def test_the_presence_pages_cost_the_same_queries_for_the_county_and_the_province(
    client, fifty_two_postings, county_admin, tianjin_admin, django_assert_max_num_queries
):
    counted = []
    for user, query in (
        (county_admin, {"month": "2026-04"}),
        (county_admin, {"month": "2026-04", "page": 2}),
        (tianjin_admin, {"month": "2026-04", "county": "120114", "page": 2}),
    ):
        client.force_login(user)
        with django_assert_max_num_queries(20) as queries:
            assert client.get(reverse("presence"), query).status_code == 200
        counted.append(len(queries.captured_queries))
    assert counted[0] == counted[1] == counted[2]


def test_a_page_past_the_last_is_not_found(client, fifty_two_postings, county_admin):
    client.force_login(county_admin)
    assert client.get(reverse("presence"), {"month": "2026-04", "page": 3}).status_code == 404


def test_a_township_organizer_sees_and_exports_only_his_townships_postings(
    client, posted, add_secretary, county_admin, village_b, alice, bob
):
    """刘洋 is posted in 梅厂镇 (alice's), 王磊 in 大碱厂镇 (bob's): each organizer's
    presence page and export hold his own township's secretary only."""
    services.assignment_start(
        acting_user=county_admin,
        secretary=add_secretary("王磊"),
        village=village_b,
        started_on=date(2026, 3, 1),
        planned_end=date(2028, 2, 28),
    )
    for user, own, other in ((alice, "刘洋", "王磊"), (bob, "王磊", "刘洋")):
        client.force_login(user)
        page = client.get(reverse("presence"), {"month": "2026-04"})
        assert [p.assignment.secretary.name for p in page.context["rows"]] == [own]
        assert other not in page.content.decode()
        export = client.post(reverse("presence_export") + "?month=2026-04")
        assert export.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
        names = [sheet.cell(row=row, column=4).value for row in range(3, sheet.max_row + 1)]
        assert names == [own]
