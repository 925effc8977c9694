"""Log-in throttling behind the county's reverse proxy: five wrong passwords lock out the
client that typed them, not the account, and a forged X-Forwarded-For changes nothing.

Every request below reaches the portal from the proxy at 10.0.0.2 (REMOTE_ADDR), which
appends the address it was connected from to X-Forwarded-For, as nginx's
$proxy_add_x_forwarded_for does.
"""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.7"
ADMIN_AT_HIS_DESK = "198.51.100.20"
PASSWORD = "correct-horse-battery"  # the personas' password (tests/factories.py)


def log_in(client, password, *, remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": "county", "password": password}, **headers)


def logged_in(response):
    # A login lands on `start`, which sends each role to its own first page.
    return response.status_code == 302 and response["Location"] == reverse("start")


def locked_out(response):
    return response.status_code == 429 and "登录失败次数过多" in response.content.decode()


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_behind_the_proxy_an_attacker_cannot_lock_the_county_administrator_out(
    client, county_admin, one_proxy
):
    for _ in range(5):
        assert not logged_in(log_in(client, "guess", remote=PROXY, forwarded=ATTACKER))
    # The attacker is locked out of the account, even with the right password…
    assert locked_out(log_in(client, PASSWORD, remote=PROXY, forwarded=ATTACKER))
    # …and the administrator, through the same proxy from his own desk, logs in.
    assert logged_in(log_in(client, PASSWORD, remote=PROXY, forwarded=ADMIN_AT_HIS_DESK))


def test_the_lock_out_record_names_the_client_not_the_proxy(client, county_admin, one_proxy):
    for _ in range(5):
        log_in(client, "guess", remote=PROXY, forwarded=ATTACKER)
    attempt = AccessAttempt.objects.get(username="county")
    assert (attempt.ip_address, attempt.failures_since_start) == (ATTACKER, 5)


def test_a_forged_leftmost_address_does_not_free_the_attacker_behind_the_proxy(
    client, county_admin, one_proxy
):
    # The attacker sends his own X-Forwarded-For, a new address each time; the proxy appends
    # the address it really saw. Only that last entry counts.
    for n in range(5):
        log_in(client, "guess", remote=PROXY, forwarded=f"192.0.2.{n}, {ATTACKER}")
    forged = f"{ADMIN_AT_HIS_DESK}, {ATTACKER}"
    assert locked_out(log_in(client, PASSWORD, remote=PROXY, forwarded=forged))


def test_without_a_trusted_proxy_a_forged_header_changes_nothing(client, county_admin):
    # TRUSTED_PROXY_COUNT is 0 by default: the portal faces its clients directly.
    for n in range(5):
        log_in(client, "guess", remote=ATTACKER, forwarded=f"192.0.2.{n}")
    # Rotating the header does not free the attacker…
    assert locked_out(log_in(client, PASSWORD, remote=ATTACKER, forwarded="192.0.2.99"))
    assert locked_out(log_in(client, PASSWORD, remote=ATTACKER, forwarded=ADMIN_AT_HIS_DESK))
    # …nor is the header what is recorded; the administrator's own machine still logs in.
    assert AccessAttempt.objects.get(username="county").ip_address == ATTACKER
    assert logged_in(log_in(client, PASSWORD, remote=ADMIN_AT_HIS_DESK))


def test_with_two_proxies_the_client_is_the_entry_the_outer_proxy_wrote(
    client, county_admin, settings
):
    # A load balancer (10.0.0.1) in front of the proxy: the client is second from the right.
    settings.TRUSTED_PROXY_COUNT = 2
    for n in range(5):
        log_in(client, "guess", remote=PROXY, forwarded=f"192.0.2.{n}, {ATTACKER}, 10.0.0.1")
    assert locked_out(log_in(client, PASSWORD, remote=PROXY, forwarded=f"{ATTACKER}, 10.0.0.1"))
    assert logged_in(
        log_in(client, PASSWORD, remote=PROXY, forwarded=f"{ADMIN_AT_HIS_DESK}, 10.0.0.1")
    )


def test_a_request_that_bypassed_the_proxy_is_judged_by_its_own_address(
    client, county_admin, one_proxy
):
    # No header (or garbage instead of an address): the connection's address is the client.
    for forwarded in (None, "", "not-an-address", None, "unknown"):
        log_in(client, "guess", remote=ATTACKER, forwarded=forwarded)
    assert locked_out(log_in(client, PASSWORD, remote=ATTACKER))
    assert logged_in(log_in(client, PASSWORD, remote=ADMIN_AT_HIS_DESK))
