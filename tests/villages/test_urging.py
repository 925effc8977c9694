"""Urging townships before the 25th (催报): the board's colours, the urging and its notice,
once a day, who may, and the quarter's circular citing the townships urged and still late."""

import zoneinfo
from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from inspections import services as inspection_services
from inspections.models import InspectionRound
from portal.choices import Role
from portal.models import Notification
from portal.scoping import Scope
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B
from tests.factories import UserFactory
from villages import services
from villages.models import ActivityPlan, Division, Urging, Village
from villages.selectors import urging_board

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DECEMBER = date(2026, 12, 1)
# A township of one village (天津经济技术开发区逸仙科学工业园).
SMALL = "120114400"
# Another township of one village (武清经济技术开发区).
SMALL_2 = "120114401"


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    """Friday 20 November 2026, five days before December's plans are due."""
    with time_machine.travel(at(2026, 11, 20, 10), tick=False) as traveller:
        yield traveller


def villages_of(code):
    return list(Village.objects.filter(township_id=code).order_by("code"))


def filed(village, month=DECEMBER, when=None, late=False):
    return ActivityPlan.objects.create(
        village=village, month=month, submitted_at=when or at(2026, 11, 18, 9), late=late
    )


def draft(village, month=DECEMBER):
    return ActivityPlan.objects.create(village=village, month=month)


def board(user):
    return {row.township.code: row for row in urging_board(scope=Scope.of(user), month=DECEMBER)}


@pytest.fixture
def township(db):
    return Division.objects.get(pk=TOWNSHIP_A)


@pytest.fixture
def carol(db):
    """A second organizer of township A (梅厂镇)."""
    return UserFactory(username="carol", role=Role.TOWNSHIP_ORGANIZER, division_id=TOWNSHIP_A)


# --- The board -------------------------------------------------------------------------------


def test_a_township_with_only_drafts_is_red_and_its_drafts_are_counted_apart(clock, county_admin):
    a = villages_of(TOWNSHIP_A)
    draft(a[0])
    draft(a[1])
    row = board(county_admin)[TOWNSHIP_A]
    assert (row.colour, row.submitted, row.drafts) == ("danger", 0, 2)
    assert row.missing == row.expected == len(a)


def test_a_township_with_some_filed_is_amber_and_with_all_filed_green(clock, county_admin):
    b = villages_of(TOWNSHIP_B)
    filed(b[0])
    draft(b[1])
    (small,) = villages_of(SMALL)
    filed(small)
    rows = board(county_admin)
    assert (rows[TOWNSHIP_B].colour, rows[TOWNSHIP_B].submitted, rows[TOWNSHIP_B].drafts) == (
        "warning",
        1,
        1,
    )
    assert rows[TOWNSHIP_B].missing == len(b) - 1
    assert (rows[SMALL].colour, rows[SMALL].missing) == ("success", 0)


def test_the_board_page_shows_the_colours_and_the_days_left(client, clock, county_admin):
    (small,) = villages_of(SMALL)
    filed(small)
    filed(villages_of(TOWNSHIP_B)[0])
    client.force_login(county_admin)
    page = client.get(reverse("activity_urging")).content.decode()
    assert f'data-township="{TOWNSHIP_A}" data-colour="danger"' in page
    assert f'data-township="{TOWNSHIP_B}" data-colour="warning"' in page
    assert f'data-township="{SMALL}" data-colour="success"' in page
    assert 'data-days-left="5"' in page
    assert "2026-11-25" in page
    assert "一键催报未完成的乡镇" in page


def test_the_board_reads_in_few_queries_whatever_the_number_of_townships(
    client, clock, county_admin, django_assert_max_num_queries
):
    client.force_login(county_admin)
    with django_assert_max_num_queries(12):
        client.get(reverse("activity_urging"))


# --- Urging ----------------------------------------------------------------------------------


def test_urging_notifies_exactly_the_townships_organizers(
    clock, county_admin, alice, carol, bob, township
):
    urging, created = services.township_urge(
        acting_user=county_admin, township=township, month=DECEMBER
    )
    assert created
    assert (urging.urged_by, urging.urged_on, urging.month) == (
        county_admin,
        date(2026, 11, 20),
        DECEMBER,
    )
    told = Notification.objects.filter(key__startswith="urging:")
    assert sorted(told.values_list("user__username", flat=True)) == ["alice", "carol"]
    notice = told.get(user=alice)
    assert notice.title == "区委组织部催报2026年12月活动计划"
    assert f"?township={TOWNSHIP_A}&month=2026-12" in notice.url


def test_urging_twice_the_same_day_adds_nothing(clock, county_admin, alice, township):
    services.township_urge(acting_user=county_admin, township=township, month=DECEMBER)
    clock.move_to(at(2026, 11, 20, 17, 30))
    _urging, created = services.township_urge(
        acting_user=county_admin, township=township, month=DECEMBER
    )
    assert not created
    assert Urging.objects.count() == 1
    assert Notification.objects.filter(user=alice).count() == 1


def test_the_next_day_the_township_can_be_urged_again(clock, county_admin, alice, township):
    services.township_urge(acting_user=county_admin, township=township, month=DECEMBER)
    clock.move_to(at(2026, 11, 21, 9))
    _urging, created = services.township_urge(
        acting_user=county_admin, township=township, month=DECEMBER
    )
    assert created
    assert Urging.objects.count() == 2
    assert Notification.objects.filter(user=alice).count() == 2


def test_a_township_that_filed_every_plan_is_not_urged(clock, county_admin):
    (small,) = villages_of(SMALL)
    filed(small)
    with pytest.raises(Exception, match="无需催报"):
        services.township_urge(
            acting_user=county_admin, township=Division.objects.get(pk=SMALL), month=DECEMBER
        )
    assert not Urging.objects.exists()


def test_a_township_organizer_may_not_urge(client, clock, alice, township):
    with pytest.raises(PermissionDenied):
        services.township_urge(acting_user=alice, township=township, month=DECEMBER)
    client.force_login(alice)
    response = client.post(reverse("activity_urge"), {"month": "2026-12", "one": TOWNSHIP_A})
    assert response.status_code == 403
    assert not Urging.objects.exists()


def test_another_countys_township_is_out_of_scope(client, clock, other_county_admin, township):
    with pytest.raises(Http404):
        services.township_urge(acting_user=other_county_admin, township=township, month=DECEMBER)
    client.force_login(other_county_admin)
    response = client.post(reverse("activity_urge"), {"month": "2026-12", "one": TOWNSHIP_A})
    assert response.status_code == 404
    assert not Urging.objects.exists()


def test_one_click_urges_every_township_not_complete_and_says_what_it_did(
    client, clock, county_admin, alice, bob
):
    (small,) = villages_of(SMALL)
    filed(small)
    client.force_login(county_admin)
    response = client.post(reverse("activity_urge"), {"month": "2026-12", "all": "1"}, follow=True)
    urged = set(Urging.objects.values_list("township_id", flat=True))
    townships = set(
        Division.objects.filter(code__startswith="120114", level="township").values_list(
            "code", flat=True
        )
    )
    assert urged == townships - {SMALL}
    assert (
        Notification.objects.filter(user__in=[alice, bob], key__startswith="urging:").count() == 2
    )
    assert f"已催报{len(townships) - 1}个乡镇" in response.content.decode()
    # Again the same day: nothing new, and the page says so.
    again = client.post(reverse("activity_urge"), {"month": "2026-12", "all": "1"}, follow=True)
    assert Urging.objects.count() == len(townships) - 1
    assert "今天已催报过" in again.content.decode()


def test_ticked_townships_are_urged_and_a_complete_one_is_refused_with_its_reason(
    client, clock, county_admin
):
    (small,) = villages_of(SMALL)
    filed(small)
    client.force_login(county_admin)
    response = client.post(
        reverse("activity_urge"),
        {"month": "2026-12", "township": [TOWNSHIP_A, TOWNSHIP_B, SMALL]},
        follow=True,
    )
    assert set(Urging.objects.values_list("township_id", flat=True)) == {TOWNSHIP_A, TOWNSHIP_B}
    page = response.content.decode()
    assert "已催报2个乡镇：梅厂镇、大碱厂镇" in page
    assert "未催报" in page and "天津经济技术开发区逸仙科学工业园" in page


def test_the_board_shows_who_urged_and_when(client, clock, county_admin, township):
    services.township_urge(acting_user=county_admin, township=township, month=DECEMBER)
    client.force_login(county_admin)
    page = client.get(reverse("activity_urging")).content.decode()
    assert "2026-11-20 10:00" in page
    assert "今天已催报" in page


# --- The quarter's circular --------------------------------------------------------------------


def test_the_quarters_circular_cites_the_townships_urged_and_still_late(clock, county_admin):
    a, b = Division.objects.get(pk=TOWNSHIP_A), Division.objects.get(pk=TOWNSHIP_B)
    small_2 = Division.objects.get(pk=SMALL_2)
    for township in (a, b, small_2):
        services.township_urge(acting_user=county_admin, township=township, month=DECEMBER)
    # After the urging, B files every plan on time; the one village of SMALL_2 files late;
    # A files nothing; SMALL, never urged, files nothing either.
    for village in villages_of(TOWNSHIP_B):
        filed(village, when=at(2026, 11, 24, 9))
    filed(villages_of(SMALL_2)[0], when=at(2026, 11, 27, 9), late=True)
    clock.move_to(at(2026, 12, 10, 9))
    inspection = InspectionRound.objects.create(
        county_id="120114",
        year=2026,
        quarter=4,
        kind="random",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 8),
    )
    circular = inspection_services.circular_draft(acting_user=county_admin, inspection=inspection)
    assert "经催报仍未按时上报的有：梅厂镇、武清经济技术开发区。" in circular.body


def test_no_citation_before_the_deadline_nor_without_urging(clock, county_admin, township):
    inspection = InspectionRound.objects.create(
        county_id="120114",
        year=2026,
        quarter=4,
        kind="random",
        starts_on=date(2026, 11, 2),
        ends_on=date(2026, 11, 6),
    )
    services.township_urge(acting_user=county_admin, township=township, month=DECEMBER)
    circular = inspection_services.circular_draft(acting_user=county_admin, inspection=inspection)
    assert "经催报" not in circular.body


# --- The township's to-do line -----------------------------------------------------------------


def test_the_townships_to_do_line_shows_the_urging(clock, county_admin, alice, township):
    from portal.todo import todo_for

    a = villages_of(TOWNSHIP_A)
    for village in a[:-3]:
        filed(village)
    services.township_urge(acting_user=county_admin, township=township, month=DECEMBER)
    lines = [item.what for item in todo_for(alice, date(2026, 11, 21)).items]
    assert "区委组织部已于11月20日催报12月活动计划，尚有3个村未上报" in lines


# --- The demo --------------------------------------------------------------------------------


def test_the_demo_board_shows_townships_urged(demo, client):
    from portal.models import User

    client.force_login(User.objects.get(username="county"))
    page = client.get(reverse("activity_urging")).content.decode()
    assert Urging.objects.count() == 3
    assert page.count("今天已催报") == 3
    organizer = User.objects.get(username="meichang")
    assert Notification.objects.filter(user=organizer, key__startswith="urging:").count() == 1


def test_the_townships_activity_page_shows_the_urging(client, clock, county_admin, alice, township):
    client.force_login(alice)
    url = f"{reverse('activity_township')}?township={TOWNSHIP_A}&month=2026-12"
    assert "被催报" not in client.get(url).content.decode()
    services.township_urge(acting_user=county_admin, township=township, month=DECEMBER)
    page = client.get(url).content.decode()
    assert "本乡镇已于2026-11-20 10:00被催报本月活动计划" in page
