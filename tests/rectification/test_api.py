"""The ledger's API as a county's script uses it: open a campaign, rename it, read the
acceptance checklist and post the scores by its ids."""

import re
from datetime import date

from django.test import Client
from django.urls import reverse

from portal.services import api_token_create
from rectification import services
from rectification.models import Campaign


def test_a_county_opens_a_campaign_through_the_api(client, county_admin):
    client.force_login(county_admin)
    response = client.post(
        reverse("campaign-list"),
        {
            "division": "120114",
            "year": 2027,
            "name": "武清区2027年度整顿",
            "started_on": "2027-03-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    campaign = Campaign.objects.get(pk=response.json()["id"])
    assert (campaign.division_id, campaign.year, campaign.name) == (
        "120114",
        2027,
        "武清区2027年度整顿",
    )


def test_a_second_campaign_for_the_same_year_is_refused_by_the_service(
    client, county_admin, campaign
):
    client.force_login(county_admin)
    response = client.post(
        reverse("campaign-list"),
        {"division": "120114", "year": 2026, "name": "重复", "started_on": "2026-04-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "year" in response.json()
    assert Campaign.objects.filter(year=2026).count() == 1


def test_a_county_cannot_open_a_campaign_for_another_county(client, other_county_admin):
    client.force_login(other_county_admin)
    response = client.post(
        reverse("campaign-list"),
        {"division": "120114", "year": 2027, "name": "越权", "started_on": "2027-03-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "division" in response.json()
    assert not Campaign.objects.filter(year=2027).exists()


def test_a_township_may_read_campaigns_but_not_open_one(client, alice, campaign):
    client.force_login(alice)
    assert client.get(reverse("campaign-list")).json()["count"] == 1
    response = client.post(
        reverse("campaign-list"),
        {"division": "120114", "year": 2027, "name": "越权", "started_on": "2027-03-01"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_county_renames_its_campaign_but_not_its_year(client, county_admin, campaign):
    client.force_login(county_admin)
    response = client.patch(
        reverse("campaign-detail", args=[campaign.pk]),
        {"name": "武清区2026年度软弱涣散村党组织整顿", "year": 2030},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    campaign.refresh_from_db()
    assert campaign.name == "武清区2026年度软弱涣散村党组织整顿"
    assert campaign.year == 2026
    assert campaign.started_on == date(2026, 3, 1)


def test_another_county_cannot_find_the_campaign_to_rename(client, other_county_admin, campaign):
    client.force_login(other_county_admin)
    response = client.patch(
        reverse("campaign-detail", args=[campaign.pk]),
        {"name": "越权"},
        content_type="application/json",
    )
    assert response.status_code == 404
    campaign.refresh_from_db()
    assert campaign.name == "武清区2026年度整顿"


def test_the_checklist_ids_are_listed_and_scores_posted_by_them(
    client, rectifying_case, alice, county_admin
):
    services.case_transition(case=rectifying_case, action="request_acceptance", acting_user=alice)
    client.force_login(county_admin)
    listed = client.get(reverse("acceptance-criterion-list")).json()["results"]
    active = [item for item in listed if item["active"]]
    assert active and all(
        set(item) == {"id", "name", "points", "order", "active", "division"} for item in listed
    )
    response = client.post(
        reverse("case-acceptance", args=[rectifying_case.pk]),
        {
            "reviewed_on": "2026-11-01",
            "scores": {str(item["id"]): item["points"] for item in active},
            "satisfaction": "95.0",
            "conclusion": "整改到位",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["total"] == sum(item["points"] for item in active)
    assert response.json()["passed"] is True


def test_the_checklist_is_refused_to_anonymous_scripts(client):
    assert client.get(reverse("acceptance-criterion-list")).status_code == 403


def test_a_change_made_with_a_token_is_recorded_as_its_user(case_a, alice):
    _token, key = api_token_create(acting_user=alice, name="台账同步")
    script = Client(enforce_csrf_checks=True, headers={"Authorization": f"Token {key}"})
    response = script.patch(
        reverse("case-detail", args=[case_a.pk]),
        {"version": case_a.version, "measures": "选派第一书记，规范三会一课"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    case_a.refresh_from_db()
    assert case_a.measures == "选派第一书记，规范三会一课"
    assert case_a.history.first().history_user == alice


def test_the_browsable_api_carries_no_list_of_every_village(client, county_admin, case_a):
    """DRF's HTML form drew the ledger's village field as a <select> of the whole table;
    the page keeps its JSON form, which takes a village's code like the scripts do."""
    client.force_login(county_admin)
    page = client.get(reverse("case-list"), HTTP_ACCEPT="text/html")
    html = page.content.decode()
    assert page.status_code == 200
    selects = dict(re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S))
    assert "village" not in selects
    # What is left is the filter bar (the county's 37 townships are a short list).
    assert max(body.count("<option") for body in selects.values()) <= 41
    assert html.count("<option") < 120, html.count("<option")
    assert "_content" in html  # the raw JSON form is there to post with
    assert "郭罗庄村委会" in html  # the listed case itself is shown, in JSON


def test_a_deadline_before_the_listing_is_refused_in_chinese(
    client, alice, campaign, village_a, categories
):
    client.force_login(alice)
    response = client.post(
        reverse("case-list"),
        {
            "campaign": campaign.pk,
            "village": village_a.code,
            "categories": [c.pk for c in categories],
            "problems": "班子不团结",
            "responsible_person": "李秀英",
            "identified_on": "2026-09-01",
            "deadline": "2026-08-31",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "转化时限不能早于列入时间。" in response.content.decode()
    assert "case_deadline_after_listing" not in response.content.decode()
