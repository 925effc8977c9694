"""Postings: one active per secretary, one first secretary per village, history kept."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from firstsecretary import services
from firstsecretary.models import Assignment
from portal.scoping import Scope


def start(county_admin, secretary, village, on=date(2026, 3, 1)):
    return services.assignment_start(
        acting_user=county_admin,
        secretary=secretary,
        village=village,
        started_on=on,
        planned_end=date(2028, 2, 28),
    )


def test_a_secretary_cannot_hold_two_postings(
    add_secretary, county_admin, village_a, other_village
):
    person = add_secretary()
    start(county_admin, person, village_a)
    with pytest.raises(ValidationError) as refused:
        start(county_admin, person, other_village)
    assert "请先结束" in refused.value.message_dict["secretary"][0]


def test_a_village_cannot_have_two_first_secretaries(add_secretary, county_admin, village_a):
    start(county_admin, add_secretary("王磊"), village_a)
    with pytest.raises(ValidationError) as refused:
        start(county_admin, add_secretary("赵敏"), village_a)
    assert "王磊" in refused.value.message_dict["village"][0]


def test_the_database_itself_forbids_two_active_postings(add_secretary, village_a, other_village):
    person = add_secretary()
    Assignment.objects.create(
        secretary=person,
        village=village_a,
        started_on=date(2026, 3, 1),
        planned_end=date(2027, 3, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            secretary=person,
            village=other_village,
            started_on=date(2026, 4, 1),
            planned_end=date(2027, 4, 1),
        )


def test_the_page_answers_a_second_posting_with_a_message(
    client, add_secretary, county_admin, village_a
):
    start(county_admin, add_secretary("王磊"), village_a)
    second = add_secretary("赵敏")
    client.force_login(county_admin)
    response = client.post(
        reverse("secretary_assign", args=[second.pk]),
        {"village": village_a.code, "started_on": "2026-04-01", "planned_end": "2028-03-31"},
        follow=True,
    )
    assert response.status_code == 200
    assert "已有第一书记" in response.content.decode()


def test_the_api_answers_a_second_posting_with_400(client, add_secretary, county_admin, village_a):
    start(county_admin, add_secretary("王磊"), village_a)
    second = add_secretary("赵敏")
    client.force_login(county_admin)
    response = client.post(
        reverse("assignment-list"),
        {
            "secretary": second.pk,
            "village": village_a.code,
            "started_on": "2026-04-01",
            "planned_end": "2028-03-31",
        },
    )
    assert response.status_code == 400 and "village" in response.json()


def test_recall_and_replacement_keep_the_history(client, add_secretary, county_admin, village_a):
    # The county recalls the secretary and posts a successor on the same day, by its pages.
    first = add_secretary("王磊")
    posting = start(county_admin, first, village_a)
    successor = add_secretary("赵敏")
    client.force_login(county_admin)
    ended = client.post(
        reverse("assignment_end", args=[posting.pk]),
        {"ended_on": "2026-09-01", "reason": "工作调动"},
    )
    assert ended.status_code == 302
    posted = client.post(
        reverse("secretary_assign", args=[successor.pk]),
        {"village": village_a.code, "started_on": "2026-09-01", "planned_end": "2028-08-31"},
    )
    assert posted.status_code == 302
    history = list(
        Assignment.objects.filter(village=village_a)
        .order_by("started_on")
        .values_list("secretary__name", "actual_end", "end_reason")
    )
    assert history == [("王磊", date(2026, 9, 1), "工作调动"), ("赵敏", None, "")]


def test_ending_needs_a_reason_and_cannot_precede_the_start(add_secretary, county_admin, village_a):
    posting = start(county_admin, add_secretary(), village_a)
    with pytest.raises(ValidationError):
        services.assignment_end(
            acting_user=county_admin, assignment=posting, ended_on=date(2026, 9, 1), reason=" "
        )
    with pytest.raises(ValidationError):
        services.assignment_end(
            acting_user=county_admin, assignment=posting, ended_on=date(2026, 1, 1), reason="召回"
        )


def test_another_county_cannot_post_to_our_village(add_secretary, other_county_admin, village_a):
    from django.http import Http404

    with pytest.raises(Http404):
        start(other_county_admin, add_secretary(), village_a)


def test_the_secretarys_portal_user_follows_the_posting(posted, secretary, county_admin, village_a):
    secretary.refresh_from_db()
    assert Scope.of(secretary).prefix == village_a.code
    posting = posted.assignments.get()
    services.assignment_end(
        acting_user=county_admin, assignment=posting, ended_on=date(2026, 10, 1), reason="期满"
    )
    secretary.refresh_from_db()
    assert Scope.of(secretary).prefix is None  # no posting, nothing to see


def test_a_township_sees_the_secretaries_posted_in_its_villages_only(
    client, posted, add_secretary, alice, bob
):
    unposted = add_secretary("赵敏")
    client.force_login(alice)
    names = [s.name for s in client.get(reverse("secretary_list")).context["object_list"]]
    assert names == ["刘洋"]
    client.force_login(bob)
    assert list(client.get(reverse("secretary_list")).context["object_list"]) == []
    assert client.get(reverse("secretary_detail", args=[unposted.pk])).status_code == 404


def test_a_secretary_added_through_the_api_reads_back_as_listed(client, county_admin, unit):
    """The create answered without is_posted (the list's annotation), against its schema."""
    client.force_login(county_admin)
    body = {
        "county": "120114",
        "name": "李娜",
        "gender": "female",
        "birth_year": 1990,
        "education": "postgraduate",
        "unit": unit.pk,
    }
    created = client.post("/api/v1/secretaries/", body, content_type="application/json")
    assert created.status_code == 201
    listed = client.get("/api/v1/secretaries/").json()["results"]
    assert created.json() == next(row for row in listed if row["id"] == created.json()["id"])
    assert created.json()["is_posted"] is False
