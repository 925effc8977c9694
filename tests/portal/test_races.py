"""Two requests that write the same thing at once: the one that loses the race is refused
like the check it passed a moment before (400 and the Chinese message), never a 500.

The first tests race for real, with threads on their own PostgreSQL connections. The others
make the race happen every time: another request's row is written between the service's
checks and its insert (a pre_save receiver writes the twin), which is exactly the window
two real requests share.
"""

import copy
import os
import threading
from contextlib import contextmanager
from datetime import date

import pytest
from django.db import connection, connections
from django.db.models.base import ModelState
from django.db.models.signals import pre_save
from django.test import Client
from django.urls import reverse

from firstsecretary.models import DispatchUnit
from inspections import services as inspection_services
from inspections.models import Circular, InspectionRound, Team
from portal.choices import Role
from portal.models import User
from rectification.models import Campaign, Case, Category
from tests.conftest import COUNTY, TOWNSHIP_A
from tests.factories import UserFactory
from villages.models import Village

ON_THE_LEDGER = "该村已列入本批次整顿台账。"


def require_postgresql():
    if connection.vendor != "postgresql":
        reason = "real concurrency needs PostgreSQL (DATABASE_URL=postgres://…)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def at_once(count, request):
    """Run request(i) in `count` threads released together; each has its own connection."""
    start = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            start.wait()
            results[i] = request(i)
        except Exception as error:  # the test shows what each request got
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def case_body(campaign, village, category):
    return {
        "campaign": campaign.pk,
        "village": village.code,
        "categories": [category.pk],
        "problems": "班子不团结",
        "responsible_person": "李秀英",
        "identified_on": "2026-03-10",
        "deadline": "2026-12-31",
    }


@pytest.mark.django_db(transaction=True)
def test_four_clicks_listing_one_village_at_once_give_one_case_and_three_refusals(wuqing):
    require_postgresql()
    county = UserFactory(username="county", role=Role.COUNTY_ADMIN, division_id=COUNTY)
    campaign = Campaign.objects.create(
        division_id=COUNTY, year=2026, name="武清区2026年度整顿", started_on=date(2026, 3, 1)
    )
    category = Category.objects.create(name="班子不团结", group="central")
    villages = list(Village.objects.filter(township_id=TOWNSHIP_A).order_by("code")[:8])
    clients = []
    for _ in range(4):
        client = Client(raise_request_exception=False)  # a crash is a 500, as in production
        client.force_login(county)
        clients.append(client)
    # Eight villages, each listed by four clients at the same moment.
    for village in villages:
        body = case_body(campaign, village, category)
        responses = at_once(
            4,
            lambda i, body=body: clients[i].post(
                "/api/v1/cases/", body, content_type="application/json"
            ),
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201, 400, 400, 400], (village.code, statuses)
        # Each refusal is the check's message: from the service's check, from full_clean()
        # (which looked after the winner committed: a non-field error), or from the
        # constraint itself (the insert lost the race).
        refusals = [list(r.json().values()) for r in responses if r.status_code == 400]
        assert refusals == [[[ON_THE_LEDGER]]] * 3
    assert Case.objects.count() == 8


@pytest.mark.django_db(transaction=True)
def test_two_rounds_drafting_their_circulars_at_once_get_numbers_1_and_2(wuqing):
    require_postgresql()
    county = UserFactory(username="county", role=Role.COUNTY_ADMIN, division_id=COUNTY)
    rounds = [
        InspectionRound.objects.create(
            county_id=COUNTY,
            year=2026,
            quarter=quarter,
            kind="overt",
            starts_on=date(2026, 3 * quarter - 2, 1),
            ends_on=date(2026, 3 * quarter - 2, 28),
        )
        for quarter in (1, 2)
    ]
    results = at_once(
        2,
        lambda i: inspection_services.circular_draft(acting_user=county, inspection=rounds[i]),
    )
    assert sorted(str(getattr(c, "number", c)) for c in results) == ["1", "2"]
    assert Circular.objects.count() == 2


# --- The race made certain --------------------------------------------------------------


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(
        division_id=COUNTY, year=2026, name="武清区2026年度整顿", started_on=date(2026, 3, 1)
    )


@contextmanager
def another_request_writes_first(model):
    """Between the service's checks and its insert, another request writes the same row."""

    def write_twin(sender, instance, **kwargs):
        pre_save.disconnect(write_twin, sender=model)
        twin = copy.copy(instance)
        twin.pk = None
        twin._state = ModelState()
        model.objects.bulk_create([twin])

    pre_save.connect(write_twin, sender=model, weak=False)
    try:
        yield
    finally:
        pre_save.disconnect(write_twin, sender=model)


def test_a_listing_that_lost_the_race_is_refused_like_the_check_in_the_api(
    client, county_admin, campaign, village_a
):
    client.force_login(county_admin)
    category = Category.objects.filter(active=True).first()
    with another_request_writes_first(Case):
        response = client.post(
            "/api/v1/cases/",
            case_body(campaign, village_a, category),
            content_type="application/json",
        )
    assert response.status_code == 400
    assert response.json() == {"village": [ON_THE_LEDGER]}


def test_a_listing_that_lost_the_race_is_refused_like_the_check_on_the_page(
    client, alice, campaign, village_a
):
    client.force_login(alice)
    category = Category.objects.filter(active=True).first()
    body = case_body(campaign, village_a, category)
    body["categories"] = [category.pk]
    with another_request_writes_first(Case):
        response = client.post(reverse("case_create"), body)
    assert response.status_code == 200
    assert response.context["form"].errors["village"] == [ON_THE_LEDGER]
    assert not Case.objects.exists()


def test_a_campaign_opened_twice_at_once_is_refused_once(client, county_admin):
    client.force_login(county_admin)
    body = {
        "division": COUNTY,
        "year": 2027,
        "name": "武清区2027年度整顿",
        "started_on": "2027-03-01",
    }
    with another_request_writes_first(Campaign):
        response = client.post(reverse("campaign_create"), body)
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == ["该县（区）本年度已有整顿批次。"]


def test_a_dispatching_unit_added_twice_at_once_is_refused_once(client, county_admin):
    client.force_login(county_admin)
    body = {"county": COUNTY, "name": "区财政局", "level": "county", "kind": "government"}
    with another_request_writes_first(DispatchUnit):
        response = client.post("/api/v1/units/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"name": ["本县（区）派出单位名录中已有同名单位。"]}
    # Without a race the serializer's own check says the same.
    DispatchUnit.objects.create(
        county_id=COUNTY, name="区财政局", level="county", kind="government"
    )
    response = client.post("/api/v1/units/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["本县（区）派出单位名录中已有同名单位。"]}


def test_a_user_name_taken_at_the_same_moment_is_refused_on_the_page(client, county_admin):
    client.force_login(county_admin)
    body = {
        "username": "wangfang",
        "display_name": "王芳",
        "phone": "",
        "role": "township_organizer",
        "division": TOWNSHIP_A,
        "village": "",
        "password": "Meichang-2026-sure",
    }
    with another_request_writes_first(User):
        response = client.post(reverse("user_create"), body)
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["已存在一位使用该名字的用户。"]


def test_a_team_name_taken_at_the_same_moment_is_refused_on_the_page(
    client, county_admin, inspector
):
    client.force_login(county_admin)
    inspection = InspectionRound.objects.create(
        county_id=COUNTY,
        year=2026,
        quarter=2,
        kind="overt",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 4, 30),
    )
    with another_request_writes_first(Team):
        response = client.post(
            reverse("team_create", args=[inspection.pk]),
            {"name": "第一督查组", "leader": "", "members": [inspector.pk]},
        )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["本轮督查已有同名督查组。"]


def test_a_category_renamed_to_a_name_taken_at_the_same_moment_is_refused(client, county_admin):
    client.force_login(county_admin)
    body = {"name": "集体经济空壳", "group": "local", "order": 1, "active": "on"}
    with another_request_writes_first(Category):
        response = client.post(reverse("category_create"), body)
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["具有 名称 的 问题类型 已存在。"]
