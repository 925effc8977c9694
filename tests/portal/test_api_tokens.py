"""API tokens: a user creates one on “My API tokens”, a script sends it instead of logging
in, and it reads and writes only what its user may, until revoked."""

import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import ApiToken
from tests.factories import UserFactory
from villages.models import Village


def _create(client, user, name="月报上传脚本"):
    """Create a token on the page as `user`: (the page's answer, the key shown)."""
    client.force_login(user)
    response = client.post(reverse("api_tokens"), {"name": name})
    assert response.status_code == 200
    match = re.search(r'id="new-api-key">([^<]+)<', response.content.decode())
    assert match, "the new key is shown in the answer"
    client.logout()
    return response, match.group(1)


def _script(key, keyword="Token"):
    """A client with no session and CSRF checks on, as a script is."""
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"{keyword} {key}"})


def test_the_key_is_shown_once_and_only_its_digest_is_kept(client, alice):
    response, key = _create(client, alice)
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=alice)
    assert token.name == "月报上传脚本"
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    stored = [str(value) for value in ApiToken.objects.values_list(flat=False).get()]
    assert key not in stored
    client.force_login(alice)
    again = client.get(reverse("api_tokens")).content.decode()
    assert key not in again
    assert f"{key[:8]}…" in again  # recognisable by its beginning


def test_a_script_reads_with_the_token_only_what_its_user_may(client, alice, village_a, village_b):
    _response, key = _create(client, alice)
    script = _script(key)
    listed = script.get(reverse("village-list"), {"page_size": 500})
    assert listed.status_code == 200
    assert listed.json()["count"] == Village.objects.filter(township_id="120114101").count()
    assert script.get(reverse("village-detail", args=[village_a.code])).status_code == 200
    assert script.get(reverse("village-detail", args=[village_b.code])).status_code == 404
    assert ApiToken.objects.get(user=alice).last_used_at is not None


def test_a_county_script_opens_a_campaign_with_a_bearer_token(client, county_admin):
    _response, key = _create(client, county_admin)
    response = _script(key, keyword="Bearer").post(
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


def test_a_token_keeps_its_users_role(client, alice):
    _response, key = _create(client, alice)
    response = _script(key).post(
        reverse("campaign-list"),
        {"division": "120114", "year": 2027, "name": "越权", "started_on": "2027-03-01"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_revoked_token_is_refused(client, alice):
    _response, key = _create(client, alice)
    assert _script(key).get(reverse("village-list")).status_code == 200
    client.force_login(alice)
    token = ApiToken.objects.get(user=alice)
    response = client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert "令牌已撤销" in response.content.decode()
    assert not ApiToken.objects.filter(user=alice).exists()
    assert _script(key).get(reverse("village-list")).status_code == 403


def test_another_users_token_cannot_be_revoked(client, alice, bob):
    _response, key = _create(client, alice)
    token = ApiToken.objects.get(user=alice)
    client.force_login(bob)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert _script(key).get(reverse("village-list")).status_code == 200


def test_a_user_sees_only_their_own_tokens(client, alice, bob):
    _create(client, alice, name="梅厂镇脚本")
    client.force_login(bob)
    page = client.get(reverse("api_tokens")).content.decode()
    assert "梅厂镇脚本" not in page


@pytest.mark.parametrize("header", ["Token not-a-key", "Bearer ", "Token a b"])
def test_an_unknown_or_malformed_key_is_refused(db, header):
    script = Client(headers={"Authorization": header})
    assert script.get(reverse("village-list")).status_code == 403


def test_the_token_of_a_deactivated_user_is_refused(client, alice):
    _response, key = _create(client, alice)
    alice.is_active = False
    alice.save()
    assert _script(key).get(reverse("village-list")).status_code == 403


def test_the_token_of_a_locked_out_user_is_refused(client, db):
    user = UserFactory(
        username="lixiuying",
        role="township_organizer",
        division_id="120114101",
        password="Meichang-2026-sure",
    )
    _response, key = _create(client, user)
    for _ in range(5):
        client.post(reverse("login"), {"username": "lixiuying", "password": "wrong"})
    assert _script(key).get(reverse("village-list")).status_code == 403


def test_the_admin_lists_tokens_without_their_digest(client, alice, superuser):
    _create(client, alice, name="梅厂镇脚本")
    token = ApiToken.objects.get(user=alice)
    client.force_login(superuser)
    listing = client.get(reverse("admin:portal_apitoken_changelist")).content.decode()
    assert "梅厂镇脚本" in listing
    detail = client.get(reverse("admin:portal_apitoken_change", args=[token.pk])).content.decode()
    assert token.digest not in listing + detail
