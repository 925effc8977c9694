"""Delegated administration: who may grant which role at which level (DHIS2's rule).

The expected answers are written by hand below (GRANT_TABLE), not read from
`portal.roles.GRANTS`: each cell is a user created through the service, which must succeed
exactly where the table says yes.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from portal import services
from portal.choices import Role
from portal.models import User
from portal.scoping import Scope
from tests.conftest import COUNTY, TIANJIN, TOWNSHIP_A, TOWNSHIP_B
from tests.factories import UserFactory

CITY = "1201"  # 天津市市辖区, between Tianjin and Wuqing

# The division a new user is placed in, by level.
AT = {"province": TIANJIN, "city": CITY, "county": COUNTY, "township": TOWNSHIP_A}

# Rows: the acting administrator's level, then the role granted. Columns: the level of the
# new user's division. `yes`: created; `-`: refused.
GRANT_TABLE = """
                                province city  county township
province  county_admin          -        yes   yes    -
province  viewer                yes      yes   yes    -
province  township_organizer    -        -     -      -
province  inspector             -        -     -      -
province  first_secretary       -        -     -      -
city      county_admin          -        -     yes    -
city      viewer                -        yes   yes    -
city      township_organizer    -        -     -      -
city      inspector             -        -     -      -
city      first_secretary       -        -     -      -
county    county_admin          -        -     -      -
county    viewer                -        -     yes    yes
county    township_organizer    -        -     -      yes
county    inspector             -        -     yes    -
county    first_secretary       -        -     yes    yes
"""


def _cells():
    lines = [line.split() for line in GRANT_TABLE.strip().splitlines()]
    levels = lines[0]
    for actor, role, *answers in lines[1:]:
        for level, answer in zip(levels, answers, strict=True):
            yield actor, role, level, answer == "yes"


@pytest.fixture
def administrators(db):
    return {
        "province": UserFactory(username="tj", role=Role.COUNTY_ADMIN, division_id=TIANJIN),
        "city": UserFactory(username="tj-city", role=Role.COUNTY_ADMIN, division_id=CITY),
        "county": UserFactory(username="wq", role=Role.COUNTY_ADMIN, division_id=COUNTY),
    }


@pytest.mark.parametrize("actor, role, level, allowed", list(_cells()))
def test_each_level_grants_exactly_the_roles_of_the_table(
    administrators, village_a, actor, role, level, allowed
):
    create = lambda: services.user_create(  # noqa: E731
        acting_user=administrators[actor],
        username="newcomer",
        password="Tianjin-2026-sure",
        role=role,
        division=_division(AT[level]),
        village=village_a if role == Role.FIRST_SECRETARY else None,
        display_name="新用户",
    )
    if allowed:
        user = create()
        assert (user.role, user.division_id) == (role, AT[level])
    else:
        with pytest.raises(ValidationError):
            create()
        assert not User.objects.filter(username="newcomer").exists()


def _division(code):
    from villages.models import Division

    return Division.objects.get(code=code)


def test_a_county_administrator_created_by_tianjin_sees_his_county_only(tianjin_admin):
    user = services.user_create(
        acting_user=tianjin_admin,
        username="wuqing2",
        password="Tianjin-2026-sure",
        role=Role.COUNTY_ADMIN,
        division=_division(COUNTY),
        display_name="孙建军",
    )
    assert Scope.of(user).prefix == "120114"
    assert Scope.of(tianjin_admin).prefix == "12"
    assert str(user.role_title) == "县级组织部管理员"
    assert str(tianjin_admin.role_title) == "省级组织部管理员"
    assert str(user.level_label) == "县级"


def test_the_refusal_names_the_role_and_the_levels_in_chinese(tianjin_admin):
    with pytest.raises(ValidationError) as refused:
        services.user_create(
            acting_user=tianjin_admin,
            username="organizer",
            password="Tianjin-2026-sure",
            role=Role.TOWNSHIP_ORGANIZER,
            division=_division(TOWNSHIP_A),
            display_name="周丽",
        )
    assert refused.value.message_dict["role"] == ["您所在层级不能授予“乡镇组织委员”角色。"]
    with pytest.raises(ValidationError) as refused:
        services.user_create(
            acting_user=tianjin_admin,
            username="admin-of-township",
            password="Tianjin-2026-sure",
            role=Role.COUNTY_ADMIN,
            division=_division(TOWNSHIP_A),
            display_name="周丽",
        )
    assert refused.value.message_dict["division"] == [
        "“组织部管理员”角色只能授予以下层级的用户：市级、县级。"
    ]


def test_an_administrator_cannot_manage_a_colleague_of_his_own_level(county_admin):
    colleague = UserFactory(username="wq-colleague", role=Role.COUNTY_ADMIN, division_id=COUNTY)
    with pytest.raises(PermissionDenied):
        services.user_update(
            user=colleague,
            acting_user=county_admin,
            role=Role.COUNTY_ADMIN,
            division=colleague.division,
            is_active=False,
        )
    colleague.refresh_from_db()
    assert colleague.is_active


def test_tianjin_disables_a_county_administrator_but_not_a_township_organizer(
    tianjin_admin, county_admin, alice
):
    services.user_update(
        user=county_admin,
        acting_user=tianjin_admin,
        role=Role.COUNTY_ADMIN,
        division=county_admin.division,
        is_active=False,
    )
    county_admin.refresh_from_db()
    assert not county_admin.is_active
    with pytest.raises(PermissionDenied):
        services.user_update(
            user=alice,
            acting_user=tianjin_admin,
            role=Role.TOWNSHIP_ORGANIZER,
            division=alice.division,
            is_active=False,
        )


def test_no_one_raises_his_own_role_or_moves_himself(county_admin):
    for role, division in (
        (Role.COUNTY_ADMIN, _division(TIANJIN)),
        (Role.VIEWER, county_admin.division),
        (Role.COUNTY_ADMIN, _division(TOWNSHIP_B)),
    ):
        with pytest.raises(ValidationError):
            services.user_update(
                user=county_admin, acting_user=county_admin, role=role, division=division
            )
    county_admin.refresh_from_db()
    assert (county_admin.role, county_admin.division_id) == (Role.COUNTY_ADMIN, COUNTY)


def test_an_administrator_corrects_his_own_name(county_admin):
    services.user_update(
        user=county_admin,
        acting_user=county_admin,
        role=Role.COUNTY_ADMIN,
        division=county_admin.division,
        display_name="张建华",
    )
    county_admin.refresh_from_db()
    assert county_admin.display_name == "张建华"


# --- The pages ------------------------------------------------------------------------------


def test_the_form_offers_tianjin_only_the_roles_he_may_grant(client, tianjin_admin):
    client.force_login(tianjin_admin)
    form = client.get(reverse("user_create")).context["form"]
    offered = [value for value, _label in form.fields["role"].choices if value]
    assert offered == ["county_admin", "viewer"]
    codes = {d.code for d in form.fields["division"].queryset}
    assert {"12", "1201", "120114"} <= codes
    assert not any(len(code) == 9 for code in codes)


def test_the_form_offers_the_county_its_own_roles(client, county_admin):
    client.force_login(county_admin)
    form = client.get(reverse("user_create")).context["form"]
    offered = [value for value, _label in form.fields["role"].choices if value]
    assert offered == ["township_organizer", "inspector", "first_secretary", "viewer"]


def test_the_page_refuses_a_role_beyond_the_table_in_chinese(client, county_admin):
    client.force_login(county_admin)
    response = client.post(
        reverse("user_create"),
        {
            "username": "wuqing2",
            "display_name": "孙建军",
            "role": "county_admin",
            "division": COUNTY,
            "village": "",
            "password": "Wuqing-2026-sure",
        },
    )
    assert response.context["form"].errors["role"] == ["您所在层级不能授予该角色。"]
    assert not User.objects.filter(username="wuqing2").exists()


def test_tianjin_creates_a_county_administrator_on_the_page(client, tianjin_admin):
    client.force_login(tianjin_admin)
    response = client.post(
        reverse("user_create"),
        {
            "username": "wuqing2",
            "display_name": "孙建军",
            "role": "county_admin",
            "division": COUNTY,
            "village": "",
            "password": "Wuqing-2026-sure",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="wuqing2").division_id == COUNTY


def test_the_user_list_shows_levels_and_edits_only_whom_one_manages(
    client, tianjin_admin, county_admin, alice
):
    client.force_login(tianjin_admin)
    response = client.get(reverse("user_list"))
    page = response.content.decode()
    assert "省级组织部管理员" in page and "县级组织部管理员" in page and "乡镇级" in page
    manageable = {p.username: p.manageable for p in response.context["object_list"]}
    assert manageable == {"alice": False, "county": True, "tianjin": True}
    response = client.get(reverse("user_edit", args=[alice.pk]))
    assert response.status_code == 403
    assert "您所在层级不能管理“乡镇组织委员”角色的用户。" in response.content.decode()


# --- The API --------------------------------------------------------------------------------


def test_tianjin_creates_a_county_administrator_through_the_api(client, tianjin_admin):
    client.force_login(tianjin_admin)
    body = {
        "username": "wuqing2",
        "display_name": "孙建军",
        "role": "county_admin",
        "division": COUNTY,
        "password": "Wuqing-2026-sure",
    }
    response = client.post("/api/v1/users/", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["role_title"] == "县级组织部管理员"
    assert response.json()["level"] == "县级"


def test_the_api_refuses_a_role_beyond_the_table_in_chinese(client, tianjin_admin):
    client.force_login(tianjin_admin)
    body = {
        "username": "organizer",
        "display_name": "周丽",
        "role": "township_organizer",
        "division": TOWNSHIP_A,
        "password": "Wuqing-2026-sure",
    }
    response = client.post("/api/v1/users/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["role"] == ["您所在层级不能授予“乡镇组织委员”角色。"]


def test_the_api_refuses_to_change_a_user_beyond_the_table(client, tianjin_admin, alice):
    client.force_login(tianjin_admin)
    response = client.patch(
        f"/api/v1/users/{alice.pk}/", {"is_active": False}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "您所在层级不能管理“乡镇组织委员”角色的用户。"


def test_the_api_refuses_raising_ones_own_role(client, county_admin):
    client.force_login(county_admin)
    response = client.patch(
        f"/api/v1/users/{county_admin.pk}/",
        {"division": TOWNSHIP_A},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": ["不能修改本人的角色、所属区划或启用状态。"]}


def test_the_api_lists_the_users_of_the_area_to_administrators_only(
    client, tianjin_admin, county_admin, other_county_admin, alice
):
    client.force_login(tianjin_admin)
    listed = {row["username"] for row in client.get("/api/v1/users/").json()["results"]}
    assert listed == {"tianjin", "county", "alice"}
    client.force_login(alice)
    assert client.get("/api/v1/users/").status_code == 403


# --- Above the county -----------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["home", "dashboard", "case_list", "user_list"])
def test_a_city_administrator_works_on_his_four_digit_area(db, client, url_name):
    """His home is his to-do list; the Tianjin (two-digit) department is in the access
    matrix."""
    city = UserFactory(username="tj-city", role=Role.COUNTY_ADMIN, division_id=CITY)
    client.force_login(city)
    assert client.get(reverse(url_name)).status_code == 200


def test_the_county_department_is_told_of_a_handoff_not_tianjin(tianjin_admin, county_admin):
    from portal.notifications import county_admins

    assert set(county_admins(COUNTY)) == {county_admin}


def test_tianjin_is_told_where_its_county_has_no_department(tianjin_admin):
    from portal.notifications import county_admins

    assert set(county_admins(COUNTY)) == {tianjin_admin}
