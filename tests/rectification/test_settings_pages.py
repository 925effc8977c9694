"""The county's settings: its campaigns and its own problem categories."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from portal.scoping import Scope
from rectification import services
from rectification.models import Campaign, Category
from villages.models import Division


def test_the_county_opens_a_campaign_once_a_year(client, county_admin):
    client.force_login(county_admin)
    data = {
        "division": "120114",
        "year": 2027,
        "name": "武清区2027年度整顿",
        "started_on": "2027-03-01",
    }
    assert client.post(reverse("campaign_create"), data).status_code == 302
    again = client.post(reverse("campaign_create"), data)
    assert "已有" in str(again.context["form"].errors["year"])
    assert Campaign.objects.filter(division_id="120114", year=2027).count() == 1


def test_a_campaign_can_only_be_opened_for_a_county_in_scope(other_county_admin):
    with pytest.raises(ValidationError):
        services.campaign_create(
            acting_user=other_county_admin,
            division=Division.objects.get(pk="120114"),
            year=2027,
            name="越界",
            started_on=date(2027, 3, 1),
        )


def test_a_county_category_is_seen_by_its_townships_and_not_by_another_county(
    county_admin, alice, other_county_admin
):
    own = services.category_save(acting_user=county_admin, name="村级阵地薄弱", group="local")
    assert own.division_id == "120114"
    assert Category.objects.visible_to(Scope.of(alice)).filter(pk=own.pk).exists()
    assert not Category.objects.visible_to(Scope.of(other_county_admin)).filter(pk=own.pk).exists()
    national = Category.objects.filter(division__isnull=True).first()
    assert Category.objects.visible_to(Scope.of(other_county_admin)).filter(pk=national.pk).exists()


def test_a_county_cannot_change_the_national_or_another_countys_categories(
    client, county_admin, other_county_admin
):
    national = Category.objects.filter(division__isnull=True).first()
    with pytest.raises(PermissionDenied):
        services.category_save(
            acting_user=county_admin, category=national, name="改名", group="central"
        )
    own = services.category_save(acting_user=county_admin, name="村级阵地薄弱", group="local")
    client.force_login(other_county_admin)
    assert client.get(reverse("category_edit", args=[own.pk])).status_code == 404


def test_a_retired_category_is_no_longer_offered(client, county_admin, alice):
    own = services.category_save(acting_user=county_admin, name="村级阵地薄弱", group="local")
    services.category_save(
        acting_user=county_admin, category=own, name=own.name, group="local", active=False
    )
    client.force_login(alice)
    offered = client.get(reverse("case_create")).context["form"].fields["categories"].queryset
    assert own not in offered


def test_another_countys_category_cannot_be_put_on_a_case(
    list_case, alice, village_a, other_county_admin
):
    foreign = services.category_save(acting_user=other_county_admin, name="外县类型", group="local")
    with pytest.raises(ValidationError) as refused:
        list_case(alice, village_a, categories=[foreign])
    assert "categories" in refused.value.message_dict
