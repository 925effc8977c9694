"""Logging in, being locked out after repeated failures, and switching the language."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory


@pytest.fixture
def organizer(db):
    return UserFactory(
        username="lixiuying",
        role="township_organizer",
        division_id="120114101",
        password="Meichang-2026-sure",
    )


def test_the_login_page_is_in_chinese_whatever_the_browser_asks(client):
    response = client.get(reverse("login"), headers={"Accept-Language": "en-US,en"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "登录" in html and "用户名" in html and "密码" in html
    assert '<html lang="zh-hans">' in html


def test_an_organizer_logs_in_and_lands_on_their_township(client, organizer):
    response = client.post(
        reverse("login"), {"username": "lixiuying", "password": "Meichang-2026-sure"}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "梅厂镇" in html and "乡镇组织委员" in html


def test_a_wrong_password_is_explained_in_chinese(client, organizer):
    response = client.post(reverse("login"), {"username": "lixiuying", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in response.content.decode()


def test_five_failures_lock_the_user_name_out_even_with_the_right_password(client, organizer):
    for _ in range(5):
        client.post(reverse("login"), {"username": "lixiuying", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "lixiuying", "password": "Meichang-2026-sure"}
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_interface_switches_to_english_and_back(client, organizer):
    client.force_login(organizer)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert "Villages and communities" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert "村（社区）" in client.get(reverse("home")).content.decode()


def test_logging_out_returns_to_the_login_page(client, organizer):
    client.force_login(organizer)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302
