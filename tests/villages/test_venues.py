"""Activity venues (活动场所): a register per village with its area, state, works and funding;
the standard area by village kind is set by a province or a county (else 200 m² for village
committees and communities, 150 m² for gacha); the dashboard counts the listed villages whose
venue is up to standard, and that figure opens the venue list of exactly those villages."""

from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from portal.exceptions import StaleEditError
from portal.scoping import Scope
from rectification.models import Campaign, Case
from villages import selectors, services
from villages.models import Division, Venue, Village

TODAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def villages_of(township, count, kind="village"):
    return list(Village.objects.filter(township_id=township, kind=kind).order_by("code")[:count])


def enter(user, village, *, area, state="meets", version=None, **fields):
    return services.venue_save(
        acting_user=user,
        village=village,
        version=version,
        area=Decimal(area),
        state=state,
        **fields,
    )


def standard_of(village):
    venue = selectors.with_standard(Venue.objects.filter(village=village)).get()
    return venue.standard_area


def test_a_venue_up_to_standard_has_at_least_200_square_metres_in_a_village(alice, village_a):
    with pytest.raises(ValidationError) as refused:
        enter(alice, village_a, area="199.5")
    assert refused.value.message_dict["area"] == [
        "本地达标活动场所面积不少于200平方米，该场所仅199.5平方米。"
    ]
    venue = enter(alice, village_a, area="200")
    assert (venue.state, venue.area, venue.version) == ("meets", Decimal("200"), 1)


def test_a_gacha_is_held_to_150_square_metres(alice, village_a):
    Village.objects.filter(pk=village_a.pk).update(kind="gacha")
    village_a.refresh_from_db()
    enter(alice, village_a, area="150")
    assert standard_of(village_a) == 150


def test_a_county_setting_overrides_its_provinces_and_the_province_the_default(
    tianjin_admin, county_admin, alice, village_a
):
    enter(alice, village_a, area="190", state="below")
    assert standard_of(village_a) == 200
    services.venue_standards_update(
        acting_user=tianjin_admin,
        division=Division.objects.get(pk="12"),
        venue_area_village=250,
        venue_area_gacha=None,
        venue_area_community=None,
    )
    assert standard_of(village_a) == 250
    services.venue_standards_update(
        acting_user=county_admin,
        division=Division.objects.get(pk="120114"),
        venue_area_village=180,
        venue_area_gacha=None,
        venue_area_community=None,
    )
    assert standard_of(village_a) == 180
    assert selectors.standard_areas(village_a.township) == {
        "village": 180,
        "community": 200,
        "gacha": 150,
    }
    # Now 190 m² is enough: the venue may be declared up to standard.
    enter(alice, village_a, area="190", version=1)


def test_a_county_cannot_set_the_standard_of_its_province(county_admin):
    with pytest.raises(Http404):
        services.venue_standards_update(
            acting_user=county_admin, division=Division.objects.get(pk="12"), venue_area_village=1
        )


def test_funding_rows_are_replaced_and_a_source_is_entered_once_a_year(alice, village_a):
    funding = [
        {"source": "county", "year": 2025, "amount": Decimal("30")},
        {"source": "own", "year": 2025, "amount": Decimal("8.5")},
    ]
    venue = enter(alice, village_a, area="260", funding=funding)
    assert [(f.source, f.year, f.amount) for f in venue.funding.all()] == [
        ("county", 2025, Decimal("30.00")),
        ("own", 2025, Decimal("8.50")),
    ]
    with pytest.raises(ValidationError) as refused:
        enter(alice, village_a, area="260", version=1, funding=[funding[0], funding[0]])
    assert refused.value.message_dict["funding"] == ["同一来源每年只填一行。"]
    venue = enter(alice, village_a, area="260", version=1, funding=funding[1:])
    assert [(f.source, f.amount) for f in venue.funding.all()] == [("own", Decimal("8.50"))]


def test_works_under_way_have_started_and_not_finished(alice, village_a):
    with pytest.raises(ValidationError) as refused:
        enter(alice, village_a, area="150", state="building")
    assert refused.value.message_dict == {"works_started_on": ["在建工程须填写开工日期。"]}
    with pytest.raises(ValidationError) as refused:
        enter(
            alice,
            village_a,
            area="150",
            state="extending",
            works_started_on=date(2026, 5, 1),
            works_finished_on=date(2026, 10, 1),
        )
    assert list(refused.value.message_dict) == ["works_finished_on"]
    with pytest.raises(ValidationError) as refused:
        enter(alice, village_a, area="250", works_started_on=date(2026, 12, 1))
    assert refused.value.message_dict == {"works_started_on": ["该日期晚于今天。"]}


def test_an_organizer_cannot_enter_the_venue_of_another_township(bob, village_a):
    with pytest.raises(Http404):
        enter(bob, village_a, area="250")


def test_a_second_entry_and_a_stale_form_are_refused(alice, county_admin, village_a):
    enter(alice, village_a, area="250")
    with pytest.raises(ValidationError) as refused:
        enter(county_admin, village_a, area="260")
    assert list(refused.value.message_dict) == ["village"]
    enter(county_admin, village_a, area="260", version=1)
    with pytest.raises(StaleEditError):
        enter(alice, village_a, area="270", version=1)


class _Figure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.figures, self.count = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-figure" in attrs:
            self.figures[attrs["data-figure"]] = (attrs.get("href"), attrs.get("data-count"))
        elif "data-count" in attrs and self.count is None:
            self.count = int(attrs["data-count"])


def parse(response):
    assert response.status_code == 200
    parser = _Figure()
    parser.feed(response.content.decode())
    return parser


def test_the_dashboard_counts_listed_villages_with_a_venue_up_to_standard_and_opens_them(
    client, county_admin, alice
):
    listed_ok, listed_small, listed_building, unlisted_ok = villages_of("120114101", 4)
    campaign = Campaign.objects.create(
        division_id="120114", year=2026, name="2026年度整顿", started_on=date(2026, 3, 1)
    )
    for village in (listed_ok, listed_small, listed_building):
        Case.objects.create(
            campaign=campaign,
            village=village,
            problems="班子软弱",
            responsible_person="王强",
            identified_on=date(2026, 3, 10),
            deadline=date(2026, 12, 31),
        )
    enter(alice, listed_ok, area="260")
    enter(alice, listed_small, area="120", state="below")
    enter(alice, listed_building, area="300", state="building", works_started_on=date(2026, 9, 1))
    enter(alice, unlisted_ok, area="400")
    wuqing = Scope.under("120114")
    assert selectors.venues_listed_up_to_standard(scope=wuqing, year=2026) == 1
    assert selectors.venues_listed_up_to_standard(scope=wuqing, year=2025) == 0

    client.force_login(county_admin)
    page = parse(client.get(reverse("dashboard"), {"year": 2026}))
    href, count = page.figures["venues"]
    assert count == "1"
    listed = client.get(href.replace("&amp;", "&"))
    assert parse(listed).count == 1
    assert listed.context["object_list"][0].village_id == listed_ok.code
    # Without the listing, the list has both venues up to standard; by state, all four.
    assert parse(client.get(reverse("venue_list"), {"up_to_standard": "true"})).count == 2
    assert parse(client.get(reverse("venue_list"), {"up_to_standard": "false"})).count == 2
    assert parse(client.get(reverse("venue_list"), {"state": "building"})).count == 1


def test_an_organizer_enters_a_venue_with_its_funding_and_sees_it_on_the_village_page(
    client, alice, village_a
):
    client.force_login(alice)
    response = client.post(
        reverse("venue_create"),
        {
            "village": village_a.code,
            "area": "230",
            "state": "meets",
            "works_started_on": "2025-04-01",
            "works_finished_on": "2025-09-30",
            "note": "",
            "funding-TOTAL_FORMS": "2",
            "funding-INITIAL_FORMS": "0",
            "funding-0-source": "county",
            "funding-0-year": "2025",
            "funding-0-amount": "25",
            "funding-1-source": "",
            "funding-1-year": "",
            "funding-1-amount": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("village_detail", args=[village_a.code])
    page = client.get(response["Location"]).content.decode()
    assert "230.0平方米（本地标准：200平方米）" in page
    assert "<td>县级</td>" in page and "25.00" in page
    # The form for a correction carries the version and the funding rows.
    edit = client.get(reverse("venue_edit", args=[village_a.code]))
    assert edit.context["form"].initial["version"] == 1
    assert edit.context["formset"].initial == [
        {"source": "county", "year": 2025, "amount": Decimal("25.00")}
    ]


def test_the_county_sets_its_standard_areas_on_a_page(client, county_admin):
    client.force_login(county_admin)
    response = client.post(
        reverse("venue_standards"),
        {"venue_area_village": "220", "venue_area_gacha": "", "venue_area_community": "300"},
    )
    assert response.status_code == 302
    wuqing = Division.objects.get(pk="120114")
    assert (wuqing.venue_area_village, wuqing.venue_area_gacha, wuqing.venue_area_community) == (
        220,
        None,
        300,
    )
    page = client.get(reverse("venue_standards")).context
    assert page["in_force"] == {"village": 220, "community": 300, "gacha": 150}
    assert page["above"] == {"village": 200, "community": 200, "gacha": 150}


def test_the_standards_page_reads_the_levels_above_in_one_query_at_any_level(
    client, county_admin, tianjin_admin, django_assert_max_num_queries
):
    """Tianjin (the province) sets 250 m² for village committees, Wuqing (its county) 220:
    each page shows what is in force and what the levels above would give, for the same
    number of queries at the county as at the province."""
    Division.objects.filter(pk="12").update(venue_area_village=250)
    Division.objects.filter(pk="120114").update(venue_area_village=220)
    counted = {}
    for name, user in (("county", county_admin), ("province", tianjin_admin)):
        client.force_login(user)
        with django_assert_max_num_queries(20) as queries:
            counted[name] = client.get(reverse("venue_standards")).context
        counted[name + " queries"] = len(queries.captured_queries)
    assert counted["county"]["in_force"] == {"village": 220, "community": 200, "gacha": 150}
    assert counted["county"]["above"] == {"village": 250, "community": 200, "gacha": 150}
    assert counted["province"]["in_force"] == {"village": 250, "community": 200, "gacha": 150}
    assert counted["province"]["above"] == {"village": 200, "community": 200, "gacha": 150}
    assert counted["county queries"] == counted["province queries"]


def test_the_export_has_the_rows_of_the_list_with_the_same_filters(client, alice):
    from tests.portal.test_exports import read_rows

    first, second = villages_of("120114101", 2)
    enter(alice, first, area="260", funding=[{"source": "own", "year": 2025, "amount": 8}])
    enter(alice, second, area="120", state="below")
    client.force_login(alice)
    response = client.post(reverse("venue_export") + "?up_to_standard=true")
    _sheet, rows = read_rows(b"".join(response.streaming_content))
    assert [(row[0], row[3], row[4], row[5], row[8]) for row in rows[2:]] == [
        (first.code, "达标", 260, 200, 8)
    ]
