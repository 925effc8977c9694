"""Screening: star ratings give the grade; class-3 villages not on the ledger are candidates."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.scoping import Scope
from rectification import services
from rectification.selectors import screening_candidates
from villages.models import Village


@pytest.mark.parametrize(("stars", "grade"), [(0, 3), (4, 3), (5, 2), (7, 2), (8, 1), (10, 1)])
def test_the_grade_follows_the_stars(alice, village_a, stars, grade):
    rating = services.rating_set(acting_user=alice, village=village_a, year=2026, stars=stars)
    assert rating.grade == grade


def test_the_thresholds_are_configuration(alice, village_a, settings):
    settings.RATING_CLASS3_MAX_STARS = 5
    assert services.rating_set(acting_user=alice, village=village_a, year=2026, stars=5).grade == 3


def test_rating_again_corrects_the_years_rating(alice, village_a):
    services.rating_set(acting_user=alice, village=village_a, year=2026, stars=3)
    rating = services.rating_set(acting_user=alice, village=village_a, year=2026, stars=9)
    assert (rating.stars, rating.grade) == (9, 1)
    assert village_a.ratings.count() == 1


def test_another_township_cannot_rate_the_village(bob, village_a):
    with pytest.raises(ValidationError):
        services.rating_set(acting_user=bob, village=village_a, year=2026, stars=3)


def test_more_than_ten_stars_is_refused_on_the_page(client, alice, village_a):
    client.force_login(alice)
    response = client.post(
        reverse("rating_create"), {"village": village_a.code, "year": 2026, "stars": 11}
    )
    assert response.status_code == 200 and response.context["form"].errors["stars"]


def test_class_three_villages_not_on_the_ledger_are_the_candidates(
    alice, village_a, list_case, campaign
):
    second = Village.objects.filter(township_id=village_a.township_id).exclude(pk=village_a.pk)[0]
    services.rating_set(acting_user=alice, village=village_a, year=2026, stars=3)
    services.rating_set(acting_user=alice, village=second, year=2026, stars=2)
    third = Village.objects.filter(township_id=village_a.township_id).order_by("-code")[0]
    services.rating_set(acting_user=alice, village=third, year=2026, stars=8)
    candidates = {r.village_id for r in screening_candidates(scope=Scope.of(alice), year=2026)}
    assert candidates == {village_a.code, second.code}
    list_case(alice, second)
    candidates = {r.village_id for r in screening_candidates(scope=Scope.of(alice), year=2026)}
    assert candidates == {village_a.code}


def test_the_screening_page_links_each_candidate_to_a_prefilled_listing(client, alice, village_a):
    services.rating_set(acting_user=alice, village=village_a, year=2026, stars=3)
    client.force_login(alice)
    html = client.get(reverse("screening"), {"year": 2026}).content.decode()
    link = f"{reverse('case_create')}?village={village_a.code}"
    assert link in html
    form = client.get(link).context["form"]
    assert form.initial["village"] == village_a.code


def test_another_township_sees_none_of_the_candidates(client, alice, bob, village_a):
    services.rating_set(acting_user=alice, village=village_a, year=2026, stars=3)
    client.force_login(alice)
    response = client.get(reverse("screening"), {"year": 2026})
    assert [r.village_id for r in response.context["candidates"]] == [village_a.code]
    client.force_login(bob)
    response = client.get(reverse("screening"), {"year": 2026})
    assert list(response.context["candidates"]) == []
    assert list(response.context["object_list"]) == []
