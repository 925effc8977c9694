"""User management by the county: only inside its own area, with clear refusals."""

from django.urls import reverse

from portal.models import User
from portal.scoping import Scope
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B


def new_user(**overrides):
    data = {
        "username": "wangfang",
        "display_name": "王芳",
        "phone": "13800000000",
        "role": "township_organizer",
        "division": TOWNSHIP_B,
        "village": "",
        "password": "Meichang-2026-sure",
    }
    data.update(overrides)
    return data


def test_the_county_creates_a_township_organizer_who_can_then_work(client, county_admin):
    client.force_login(county_admin)
    response = client.post(reverse("user_create"), new_user())
    assert response.status_code == 302
    user = User.objects.get(username="wangfang")
    assert (user.role, user.division_id, user.display_name) == (
        "township_organizer",
        TOWNSHIP_B,
        "王芳",
    )
    assert user.check_password("Meichang-2026-sure")
    assert Scope.of(user).prefix == TOWNSHIP_B


def test_the_division_choices_stop_at_the_county_boundary(client, county_admin):
    client.force_login(county_admin)
    form = client.get(reverse("user_create")).context["form"]
    codes = {d.code for d in form.fields["division"].queryset}
    assert COUNTY in codes and TOWNSHIP_A in codes
    assert all(code.startswith(COUNTY) for code in codes)


def test_a_user_cannot_be_placed_in_another_county(client, other_county_admin):
    client.force_login(other_county_admin)
    response = client.post(reverse("user_create"), new_user(division=TOWNSHIP_B))
    assert response.status_code == 200
    assert response.context["form"].errors["division"]
    assert not User.objects.filter(username="wangfang").exists()


def test_a_first_secretary_needs_a_village_in_the_chosen_division(client, county_admin, village_a):
    client.force_login(county_admin)
    response = client.post(reverse("user_create"), new_user(role="first_secretary"))
    assert "第一书记须指定所驻村" in str(response.context["form"].errors["village"])
    response = client.post(
        reverse("user_create"), new_user(role="first_secretary", village=village_a.code)
    )
    assert "所选村不在所选区划内" in str(response.context["form"].errors["village"])
    response = client.post(
        reverse("user_create"),
        new_user(role="first_secretary", division=TOWNSHIP_A, village=village_a.code),
    )
    assert response.status_code == 302
    assert Scope.of(User.objects.get(username="wangfang")).prefix == village_a.code


def test_a_weak_password_is_refused_in_chinese(client, county_admin):
    client.force_login(county_admin)
    response = client.post(reverse("user_create"), new_user(password="12345678"))
    errors = " ".join(response.context["form"].errors["password"])
    assert "密码" in errors
    assert not User.objects.filter(username="wangfang").exists()


def test_a_taken_user_name_is_refused(client, county_admin, alice):
    client.force_login(county_admin)
    response = client.post(reverse("user_create"), new_user(username="alice"))
    assert response.context["form"].errors["username"]


def test_the_user_list_shows_only_users_of_the_area(
    client, county_admin, alice, other_county_admin
):
    client.force_login(county_admin)
    listed = {u.username for u in client.get(reverse("user_list")).context["object_list"]}
    assert {"county", "alice"} <= listed
    assert "jimo" not in listed


def test_the_county_moves_an_organizer_and_can_disable_them(client, county_admin, alice):
    client.force_login(county_admin)
    url = reverse("user_edit", args=[alice.pk])
    data = new_user(division=TOWNSHIP_B, password="")
    data.pop("username")
    response = client.post(url, {**data, "is_active": ""})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.division_id == TOWNSHIP_B and not alice.is_active
    assert Scope.of(alice).prefix is None  # a disabled user sees nothing


def test_an_administrator_cannot_lock_themselves_out(client, county_admin):
    client.force_login(county_admin)
    url = reverse("user_edit", args=[county_admin.pk])
    data = new_user(role="viewer", division=COUNTY, password="")
    data.pop("username")
    response = client.post(url, {**data, "is_active": "on"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    county_admin.refresh_from_db()
    assert county_admin.role == "county_admin"


def test_a_user_of_another_county_cannot_be_edited(client, other_county_admin, alice):
    client.force_login(other_county_admin)
    assert client.get(reverse("user_edit", args=[alice.pk])).status_code == 404
