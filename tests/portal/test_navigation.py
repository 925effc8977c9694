"""The menu: grouped so it fits one line, and never offering a page that answers 403."""

import pytest
from django.urls import reverse
from django.utils import translation

PERSONAS = ["county_admin", "alice", "inspector", "secretary", "viewer", "superuser"]


def _links(items):
    for item in items:
        yield from item.get("children", [item])


@pytest.mark.parametrize("name", PERSONAS)
def test_every_menu_entry_opens_for_whoever_sees_it(client, persona, name):
    user = persona(name)
    client.force_login(user)
    items = client.get(reverse("home")).context["nav_items"]
    links = list(_links(items))
    assert len(items) <= 8, "the top bar must fit one line at 1,400 px"
    for link in links:
        assert client.get(link["url"]).status_code == 200, link


def test_the_menu_follows_the_role(client, persona):
    labels = {}
    for name in ("county_admin", "alice", "secretary"):
        client.force_login(persona(name))
        items = client.get(reverse("home")).context["nav_items"]
        labels[name] = {str(link["label"]) for link in _links(items)}
    assert "用户管理" in labels["county_admin"] and "用户管理" not in labels["alice"]
    assert "我的民情日记" in labels["secretary"] and "我的民情日记" not in labels["county_admin"]


def test_the_current_page_is_marked_in_its_menu(client, county_admin):
    client.force_login(county_admin)
    items = client.get(reverse("screening")).context["nav_items"]
    menu = next(item for item in items if item.get("children"))
    assert menu["active"] and [c["active"] for c in menu["children"]].count(True) == 1


def test_the_apps_compose_the_menu_in_its_order():
    """Each app declares its entries (portal.menus); together, in the order written here."""
    from portal import menus

    def names(navigation):
        return [
            (str(first), [name for name, _label in second]) if isinstance(second, list) else first
            for first, second in navigation
        ]

    with translation.override("en"):
        assert names(menus.navigation()) == [
            "home",
            "dashboard",
            ("Rectification", ["case_list", "screening", "support_overview", "campaign_list"]),
            ("First secretaries", ["secretary_list", "presence", "trust_review", "worklog"]),
            "activity_township",
            "round_list",
            (
                "Records",
                [
                    "township_list",
                    "village_list",
                    "venue_list",
                    "report_list",
                    "user_list",
                    "county_settings",
                ],
            ),
        ]
        assert names(menus.first_secretary_navigation()) == ["my_village", "home", "worklog"]


def test_each_role_keeps_its_own_menu_when_asked_in_turn(client, persona):
    """The menu is worked out once per role and kept in the process: asked in turn by a
    superuser, a read-only viewer and a first secretary, each is shown his own."""
    menus = {}
    for name in ("superuser", "viewer", "secretary", "superuser", "viewer", "secretary"):
        client.force_login(persona(name))
        items = client.get(reverse("home")).context["nav_items"]
        labels = frozenset(str(link["label"]) for link in _links(items))
        assert menus.setdefault(name, labels) == labels
    assert "用户管理" in menus["superuser"]
    assert "用户管理" not in menus["viewer"] and "用户管理" not in menus["secretary"]
    assert "我的民情日记" in menus["secretary"] and "我的民情日记" not in menus["viewer"]
