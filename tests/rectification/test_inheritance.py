"""Campaigns, categories and acceptance checklists set above a county: inherited below,
changed only by the area that set them; another province never sees them."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal.scoping import Scope
from rectification import selectors, services
from rectification.models import AcceptanceCriterion, Campaign, Category
from tests.conftest import COUNTY, TIANJIN


@pytest.fixture
def tianjin_category(tianjin_admin):
    return services.category_save(
        acting_user=tianjin_admin, name="软弱涣散的“村霸”问题", group="local", order=1
    )


def test_a_county_sees_the_provinces_category_and_another_province_does_not(
    tianjin_category, county_admin, other_county_admin
):
    assert tianjin_category.division_id == TIANJIN
    assert (
        Category.objects.visible_to(Scope.of(county_admin)).filter(pk=tianjin_category.pk).exists()
    )
    assert (
        not Category.objects.visible_to(Scope.of(other_county_admin))
        .filter(pk=tianjin_category.pk)
        .exists()
    )


def test_a_county_cannot_change_the_provinces_category(client, tianjin_category, county_admin):
    with pytest.raises(PermissionDenied) as refused:
        services.category_save(
            acting_user=county_admin,
            category=tianjin_category,
            name="改名",
            group="local",
        )
    assert str(refused.value) == "此项由天津市设定，只有其组织部可以修改。"
    client.force_login(county_admin)
    response = client.get(reverse("category_edit", args=[tianjin_category.pk]))
    assert response.status_code == 403
    assert "此项由天津市设定，只有其组织部可以修改。" in response.content.decode()
    tianjin_category.refresh_from_db()
    assert tianjin_category.name == "软弱涣散的“村霸”问题"


def test_another_province_gets_404_for_the_category(client, tianjin_category, other_county_admin):
    client.force_login(other_county_admin)
    response = client.get(reverse("category_edit", args=[tianjin_category.pk]))
    assert response.status_code == 404


def test_a_county_files_a_case_under_the_provinces_category_and_its_own(
    tianjin_category, county_admin, alice, village_a
):
    own = services.category_save(
        acting_user=county_admin, name="武清区自定问题", group="local", order=2
    )
    assert own.division_id == COUNTY
    campaign = Campaign.objects.create(
        division_id=COUNTY, year=2026, name="武清区2026年度整顿", started_on=date(2026, 3, 1)
    )
    case = services.case_create(
        acting_user=alice,
        campaign=campaign,
        village=village_a,
        categories=[tianjin_category, own],
        problems="村霸干扰换届",
        responsible_person="李秀英",
        identified_on=date(2026, 3, 10),
        deadline=date(2026, 12, 31),
    )
    assert set(case.categories.values_list("name", flat=True)) == {
        "软弱涣散的“村霸”问题",
        "武清区自定问题",
    }


def test_the_province_opens_a_campaign_the_county_shares_but_cannot_change(
    client, tianjin_admin, county_admin, other_county_admin
):
    from villages.models import Division

    campaign = services.campaign_create(
        acting_user=tianjin_admin,
        division=Division.objects.get(code=TIANJIN),
        year=2026,
        name="天津市2026年度整顿软弱涣散村党组织",
        started_on=date(2026, 3, 1),
    )
    assert selectors.campaigns_for(scope=Scope.of(county_admin)).filter(pk=campaign.pk).exists()
    assert (
        not selectors.campaigns_for(scope=Scope.of(other_county_admin))
        .filter(pk=campaign.pk)
        .exists()
    )
    # The county still opens its own for the year beside it.
    services.campaign_create(
        acting_user=county_admin,
        division=Division.objects.get(code=COUNTY),
        year=2026,
        name="武清区2026年度整顿",
        started_on=date(2026, 3, 1),
    )
    with pytest.raises(PermissionDenied):
        services.campaign_update(
            acting_user=county_admin, campaign=campaign, name="改名", started_on=date(2026, 3, 1)
        )
    client.force_login(county_admin)
    assert client.get(reverse("campaign_edit", args=[campaign.pk])).status_code == 403
    page = client.get(reverse("campaign_list")).content.decode()
    assert "天津市2026年度整顿软弱涣散村党组织" in page and "上级设定" in page


def test_a_county_cannot_open_a_campaign_for_the_province(county_admin):
    from django.core.exceptions import ValidationError

    from villages.models import Division

    with pytest.raises(ValidationError):
        services.campaign_create(
            acting_user=county_admin,
            division=Division.objects.get(code=TIANJIN),
            year=2026,
            name="越级",
            started_on=date(2026, 3, 1),
        )


def _names(items):
    return [item.name for item in items]


def test_the_checklist_in_force_is_the_nearest_areas_own(
    tianjin_admin, county_admin, other_county_admin, village_a
):
    national = _names(AcceptanceCriterion.objects.filter(division=None, active=True))
    wuqing_village = Scope.under(village_a.code)
    assert _names(selectors.checklist(scope=wuqing_village)) == national
    services.criterion_save(acting_user=tianjin_admin, name="天津市验收项目", points=100)
    assert _names(selectors.checklist(scope=wuqing_village)) == ["天津市验收项目"]
    assert _names(selectors.checklist(scope=Scope.of(other_county_admin))) == national
    services.criterion_save(acting_user=county_admin, name="武清区验收项目", points=100)
    assert _names(selectors.checklist(scope=wuqing_village)) == ["武清区验收项目"]
    assert _names(selectors.checklist(scope=Scope.of(tianjin_admin))) == ["天津市验收项目"]


def test_a_county_cannot_change_the_provinces_checklist(tianjin_admin, county_admin):
    item = services.criterion_save(acting_user=tianjin_admin, name="天津市验收项目", points=100)
    with pytest.raises(PermissionDenied):
        services.criterion_save(acting_user=county_admin, criterion=item, name="改名", points=50)
    national = AcceptanceCriterion.objects.filter(division=None).first()
    with pytest.raises(PermissionDenied) as refused:
        services.criterion_save(
            acting_user=county_admin, criterion=national, name="改名", points=50
        )
    assert str(refused.value) == "此项为全国统一设定，不能在此修改。"


def test_an_acceptance_is_scored_on_the_provinces_checklist(
    tianjin_admin, rectifying_case, alice, county_admin
):
    item = services.criterion_save(acting_user=tianjin_admin, name="天津市验收项目", points=100)
    services.case_transition(case=rectifying_case, action="request_acceptance", acting_user=alice)
    acceptance = services.acceptance_record(
        case=rectifying_case,
        acting_user=county_admin,
        reviewed_on=date(2026, 11, 1),
        scores={item.pk: 80},
        satisfaction=95,
        conclusion="整改到位",
    )
    assert (acceptance.total, acceptance.passed) == (80, True)
