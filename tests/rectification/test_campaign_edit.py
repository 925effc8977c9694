"""A county renames its campaign on the page, through the service the API's PATCH calls."""

from datetime import date

from django.urls import reverse


def test_a_county_renames_its_campaign_on_the_page(client, county_admin, campaign):
    client.force_login(county_admin)
    page = client.get(reverse("campaign_list")).content.decode()
    assert reverse("campaign_edit", args=[campaign.pk]) in page
    form = client.get(reverse("campaign_edit", args=[campaign.pk])).content.decode()
    assert "武清区2026年度整顿批次" in form and 'value="武清区2026年度整顿"' in form
    response = client.post(
        reverse("campaign_edit", args=[campaign.pk]),
        {"name": "武清区2026年度软弱涣散村党组织整顿", "started_on": "2026-03-05", "year": "2030"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "武清区2026年度软弱涣散村党组织整顿"
    assert (campaign.started_on, campaign.year) == (date(2026, 3, 5), 2026)


def test_an_empty_name_is_refused_under_its_field_and_the_date_kept(client, county_admin, campaign):
    client.force_login(county_admin)
    response = client.post(
        reverse("campaign_edit", args=[campaign.pk]), {"name": "", "started_on": "2026-03-05"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert 'value="2026-03-05"' in response.content.decode()


def test_a_township_sees_no_edit_link(client, alice, campaign):
    client.force_login(alice)
    page = client.get(reverse("campaign_list")).content.decode()
    assert reverse("campaign_edit", args=[campaign.pk]) not in page
