"""The dashboard: figures from the selectors, scope, drill-down, a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from villages.models import Village


def test_a_township_organizer_sees_only_their_township(
    client, alice, bob, list_case, village_a, county_admin
):
    list_case(alice, village_a)
    other = Village.objects.filter(township_id=bob.division_id).first()
    list_case(bob, other)
    client.force_login(alice)
    page = client.get(reverse("dashboard"))
    assert page.context["stats"].cases == 1
    assert [row["code"] for row in page.context["ranking"]] == [alice.division_id]
    client.force_login(county_admin)
    assert client.get(reverse("dashboard")).context["stats"].cases == 2


def test_drilling_down_narrows_to_the_township_and_never_widens(
    client, alice, county_admin, list_case, village_a, bob
):
    list_case(alice, village_a)
    list_case(bob, Village.objects.filter(township_id=bob.division_id).first())
    client.force_login(county_admin)
    page = client.get(reverse("dashboard"), {"area": alice.division_id})
    assert page.context["stats"].cases == 1 and page.context["area"].code == alice.division_id
    client.force_login(alice)
    widened = client.get(reverse("dashboard"), {"area": "120114"})
    assert widened.context["stats"].cases == 1 and not widened.context["drilled"]


def test_the_dashboard_makes_the_same_number_of_queries_whatever_the_data(
    client, county_admin, list_case
):
    client.force_login(county_admin)
    villages = list(Village.objects.filter(code__startswith="120114").order_by("code")[:30])
    list_case(county_admin, villages[0])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard"))
    for village in villages[1:]:
        list_case(county_admin, village)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("dashboard"))
    assert page.context["stats"].cases == 30
    assert len(few) == len(many)
    assert len(many) < 40


def test_the_charts_are_drawn_from_static_files_and_page_data(
    client, county_admin, list_case, village_a
):
    list_case(county_admin, village_a)
    client.force_login(county_admin)
    html = client.get(reverse("dashboard")).content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in html and 'id="dashboard-data"' in html
    assert "<script>" not in html.replace(
        '<script id="dashboard-data" type="application/json">', ""
    )
