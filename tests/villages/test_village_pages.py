"""The township and village pages: what each persona sees, filters, paging, edits."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from villages.models import Division, Village


def codes_on_page(response):
    return [village.code for village in response.context["object_list"]]


def test_a_township_organizer_sees_only_the_villages_of_their_township(client, alice):
    client.force_login(alice)
    response = client.get(reverse("village_list"))
    assert response.status_code == 200
    total = response.context["page_obj"].paginator.count
    assert total == Village.objects.filter(code__startswith=TOWNSHIP_A).count() > 0
    assert all(code.startswith(TOWNSHIP_A) for code in codes_on_page(response))


def test_the_county_sees_every_village_of_the_county(client, county_admin):
    client.force_login(county_admin)
    response = client.get(reverse("village_list"))
    assert response.context["page_obj"].paginator.count == 745  # Wuqing, 2023 codes


def test_another_townships_village_is_not_found(client, alice, village_b):
    client.force_login(alice)
    assert client.get(reverse("village_detail", args=[village_b.code])).status_code == 404


def test_filtering_by_another_township_shows_nothing_and_says_why(client, alice):
    client.force_login(alice)
    own = client.get(reverse("village_list"), {"township": TOWNSHIP_A})
    assert own.context["page_obj"].paginator.count == (
        Village.objects.filter(township_id=TOWNSHIP_A).count()
    )
    response = client.get(reverse("village_list"), {"township": TOWNSHIP_B})
    assert codes_on_page(response) == []
    assert "township" in response.context["filter"].form.errors


def test_the_township_filter_offers_only_townships_in_scope(client, alice, county_admin):
    client.force_login(alice)
    choices = client.get(reverse("village_list")).context["filter"].form.fields["township"]
    assert [d.code for d in choices.queryset] == [TOWNSHIP_A]
    client.force_login(county_admin)
    choices = client.get(reverse("village_list")).context["filter"].form.fields["township"]
    assert (
        choices.queryset.count()
        == Division.objects.filter(code__startswith=COUNTY, level="township").count()
    )


def test_search_finds_villages_by_name_or_code_prefix(client, county_admin, village_a):
    client.force_login(county_admin)
    by_name = client.get(reverse("village_list"), {"q": village_a.name[:3]})
    assert village_a.code in codes_on_page(by_name)
    by_code = client.get(reverse("village_list"), {"q": village_a.code})
    assert codes_on_page(by_code) == [village_a.code]


def test_kind_filter_separates_communities_from_village_committees(client, county_admin):
    client.force_login(county_admin)
    response = client.get(reverse("village_list"), {"kind": "community"})
    kinds = {village.kind for village in response.context["object_list"]}
    assert kinds == {"community"}
    assert (
        response.context["page_obj"].paginator.count
        == Village.objects.filter(code__startswith=COUNTY, kind="community").count()
    )


def test_the_list_is_paginated_by_fifty_and_keeps_filters_in_page_links(client, county_admin):
    client.force_login(county_admin)
    response = client.get(reverse("village_list"), {"kind": "village"})
    assert len(response.context["object_list"]) == 50
    assert "kind=village&amp;page=2" in response.content.decode()
    second = client.get(reverse("village_list"), {"kind": "village", "page": 2})
    assert codes_on_page(second)[0] > codes_on_page(response)[-1]


def test_the_village_list_query_count_does_not_grow_with_rows(client, county_admin):
    client.force_login(county_admin)
    # The same filters: a handful of communities in 梅厂镇, then a full page of fifty
    # village committees in 大良镇 (120114104, 57 villages).
    with CaptureQueriesContext(connection) as few:
        small = client.get(reverse("village_list"), {"township": TOWNSHIP_A, "kind": "community"})
    with CaptureQueriesContext(connection) as many:
        large = client.get(reverse("village_list"), {"township": "120114104", "kind": ""})
    assert len(small.context["object_list"]) < len(large.context["object_list"]) == 50
    assert len(few) == len(many)


def test_the_township_list_counts_villages_by_kind(client, county_admin):
    client.force_login(county_admin)
    response = client.get(reverse("township_list"))
    row = next(t for t in response.context["object_list"] if t.code == TOWNSHIP_A)
    in_a = Village.objects.filter(township_id=TOWNSHIP_A)
    assert row.total_count == in_a.count()
    assert row.community_count == in_a.filter(kind="community").count()
    assert row.village_count == in_a.filter(kind="village").count()


def test_the_township_list_query_count_does_not_grow_with_townships(client, alice, county_admin):
    client.force_login(alice)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("township_list"))
    client.force_login(county_admin)
    with CaptureQueriesContext(connection) as all_of_them:
        response = client.get(reverse("township_list"))
    assert len(response.context["object_list"]) > 30
    assert len(one) == len(all_of_them)


def test_the_pages_are_in_chinese(client, alice):
    client.force_login(alice)
    html = client.get(reverse("village_list")).content.decode()
    assert "村（社区）" in html and "乡镇（街道）" in html and "查询" in html


# --- Editing a village's basic facts ----------------------------------------------------


def test_an_organizer_updates_the_facts_of_their_village(client, alice, village_a):
    client.force_login(alice)
    url = reverse("village_edit", args=[village_a.code])
    form = client.get(url).context["form"]
    response = client.post(
        url,
        {
            "version": form.initial["version"],
            "households": 420,
            "population": 1310,
            "party_org_type": "branch",
            "party_members": 38,
            "secretary_name": "孙立平",
        },
    )
    assert response.status_code == 302
    village_a.refresh_from_db()
    assert (village_a.households, village_a.party_members) == (420, 38)
    assert village_a.updated_by == alice
    assert village_a.version == form.initial["version"] + 1


def test_a_stale_form_is_refused_with_who_changed_it(client, alice, county_admin, village_a):
    client.force_login(county_admin)
    url = reverse("village_edit", args=[village_a.code])
    version = client.get(url).context["form"].initial["version"]
    county_admin.display_name = "张建华"
    county_admin.save()
    client.post(url, {"version": version, "households": 500})
    client.force_login(alice)
    response = client.post(url, {"version": version, "households": 999})
    assert response.status_code == 200
    message = " ".join(response.context["form"].non_field_errors())
    assert "张建华" in message
    village_a.refresh_from_db()
    assert village_a.households == 500


@pytest.mark.parametrize("bad", [{"households": -3}, {"households": "很多"}])
def test_bad_numbers_are_refused_in_chinese(client, alice, village_a, bad):
    client.force_login(alice)
    url = reverse("village_edit", args=[village_a.code])
    response = client.post(url, {"version": village_a.version, **bad})
    assert response.status_code == 200
    errors = response.context["form"].errors["households"]
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors)
