"""The menu under the user's name: everyone's API tokens; the English API documentation
for administrators only (a superuser, a county organization department)."""

import pytest
from django.urls import reverse


def _user_menu(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    return [item["url"] for item in response.context["user_menu"]], response.content.decode()


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("superuser", True),
        ("county_admin", True),
        ("alice", False),
        ("inspector", False),
        ("secretary", False),
        ("viewer", False),
    ],
)
def test_the_api_documentation_is_in_the_administrators_menu_only(client, persona, name, shown):
    urls, html = _user_menu(client, persona(name))
    assert (reverse("api_docs") in urls) is shown
    assert (f'href="{reverse("api_docs")}"' in html) is shown


@pytest.mark.parametrize("name", ["county_admin", "alice", "secretary", "viewer"])
def test_everyone_finds_their_api_tokens_under_their_name(client, persona, name):
    urls, html = _user_menu(client, persona(name))
    assert reverse("api_tokens") in urls
    assert "我的 API 令牌" in html
