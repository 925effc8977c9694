"""The divisions and villages API: same scope and same FilterSet as the pages."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from villages.models import Village


def test_the_api_lists_only_villages_in_scope(client, alice):
    client.force_login(alice)
    body = client.get(reverse("village-list"), {"page_size": 500}).json()
    own = set(Village.objects.filter(code__startswith=TOWNSHIP_A).values_list("code", flat=True))
    assert own and {row["code"] for row in body["results"]} == own
    assert body["count"] == len(own)


def test_the_api_and_the_page_filter_the_same_way(client, county_admin):
    client.force_login(county_admin)
    query = {"kind": "community", "q": "社区"}
    api = client.get(reverse("village-list"), {**query, "page_size": 500}).json()
    page = client.get(reverse("village_list"), query)
    assert api["count"] == page.context["page_obj"].paginator.count > 0
    assert [r["code"] for r in api["results"]][:50] == [v.code for v in page.context["object_list"]]


def test_the_api_refuses_a_township_outside_scope_as_a_bad_filter(client, alice):
    client.force_login(alice)
    response = client.get(reverse("village-list"), {"township": TOWNSHIP_B})
    assert response.status_code == 400
    assert "township" in response.json()


def test_a_village_outside_scope_is_not_found_in_the_api(client, bob, village_a):
    client.force_login(bob)
    assert client.get(reverse("village-detail", args=[village_a.code])).status_code == 404


def test_divisions_are_scoped_and_filterable_by_level(client, county_admin, alice):
    client.force_login(county_admin)
    body = client.get(reverse("division-list"), {"level": "township", "page_size": 500}).json()
    assert body["count"] == 37  # 30 townships and streets, 7 development zones
    assert all(row["code"].startswith(COUNTY) for row in body["results"])
    client.force_login(alice)
    body = client.get(reverse("division-list")).json()
    assert [row["code"] for row in body["results"]] == [TOWNSHIP_A]


def test_the_api_list_query_count_does_not_grow_with_rows(client, county_admin):
    client.force_login(county_admin)
    with CaptureQueriesContext(connection) as few:
        small = client.get(reverse("village-list"), {"page_size": 5}).json()
    with CaptureQueriesContext(connection) as many:
        large = client.get(reverse("village-list"), {"page_size": 500}).json()
    assert len(small["results"]) == 5 and len(large["results"]) == 500
    assert len(few) == len(many)


def test_the_schema_and_the_docs_are_served_without_internet(client, alice):
    client.force_login(alice)
    schema = client.get(reverse("api_schema"))
    assert schema.status_code == 200
    assert b"/api/v1/villages/" in schema.content
    docs = client.get(reverse("api_docs")).content.decode()
    # Swagger UI's files come from our own static files (drf-spectacular-sidecar).
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs


def test_an_organizer_patches_a_village_with_its_version(client, alice, village_a):
    client.force_login(alice)
    url = reverse("village-detail", args=[village_a.code])
    response = client.patch(
        url, {"version": village_a.version, "party_members": 41}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["party_members"] == 41
    assert response.json()["version"] == village_a.version + 1


def test_a_stale_patch_is_a_conflict_naming_who_changed_it(client, alice, county_admin, village_a):
    url = reverse("village-detail", args=[village_a.code])
    client.force_login(county_admin)
    client.patch(url, {"version": village_a.version, "households": 300}, "application/json")
    client.force_login(alice)
    response = client.patch(
        url, {"version": village_a.version, "households": 999}, "application/json"
    )
    assert response.status_code == 409
    assert str(county_admin) in response.json()["detail"]
    village_a.refresh_from_db()
    assert village_a.households == 300


def test_a_patch_without_a_version_or_with_bad_values_is_a_400(client, alice, village_a):
    client.force_login(alice)
    url = reverse("village-detail", args=[village_a.code])
    missing = client.patch(url, {"households": 5}, "application/json")
    assert missing.status_code == 400 and "version" in missing.json()
    negative = client.patch(
        url, {"version": village_a.version, "households": -5}, "application/json"
    )
    assert negative.status_code == 400 and "households" in negative.json()


def test_a_read_only_role_cannot_patch(client, inspector, village_a):
    client.force_login(inspector)
    url = reverse("village-detail", args=[village_a.code])
    response = client.patch(url, {"version": village_a.version}, "application/json")
    assert response.status_code == 403
