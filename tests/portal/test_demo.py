"""The demo `make run` loads: every demo user logs in and sees exactly their area."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from portal.management.commands.load_demo import DEMO_PASSWORD, DEMO_USERS
from portal.models import User
from villages.models import Division, Village


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


def test_loading_the_demo_twice_changes_nothing(demo):
    before = (Division.objects.count(), Village.objects.count(), User.objects.count())
    facts = list(Village.objects.order_by("code").values_list("households", "secretary_name"))
    call_command("load_demo", stdout=io.StringIO())
    assert (Division.objects.count(), Village.objects.count(), User.objects.count()) == before
    assert list(
        Village.objects.order_by("code").values_list("households", "secretary_name")
    ) == facts


def test_the_demo_refuses_to_run_outside_debug(db, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")


@pytest.mark.parametrize("username", [row[0] for row in DEMO_USERS])
def test_each_demo_user_logs_in_and_sees_only_their_area(client, demo, username):
    response = client.post(
        reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    user = User.objects.get(username=username)
    listed = client.get(reverse("village-list"), {"page_size": 500}).json()
    assert listed["count"] == Village.objects.filter(code__startswith=user.scope_prefix).count()
    assert listed["count"] > 0
    assert all(row["code"].startswith(user.scope_prefix) for row in listed["results"])
