"""The five ones of each case, the township contact and the mentor limit."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from firstsecretary import services
from firstsecretary.selectors import five_ones
from rectification import services as ledger
from villages.models import Village


def add(county_admin, case, kind, name, **extra):
    return services.support_add(acting_user=county_admin, case=case, kind=kind, name=name, **extra)


def test_a_case_shows_which_of_the_five_ones_are_in_place(client, case_a, county_admin, posted):
    add(county_admin, case_a, "enterprise", "天津某建材公司")
    add(county_admin, case_a, "county_leader", "张立国")
    status = dict(five_ones(case_a))
    assert status == {
        "enterprise": True,
        "department": False,
        "county_leader": True,
        "first_secretary": True,
        "project": False,
    }
    client.force_login(county_admin)
    html = client.get(case_a.get_absolute_url()).content.decode()
    assert "✘ 上级部门结对包扶" in html and "刘洋" in html


def test_the_county_sees_the_cases_missing_any_of_the_five(client, case_a, county_admin):
    client.force_login(county_admin)
    rows = client.get(reverse("support_overview")).context["rows"]
    assert [case.pk for case, _flags in rows] == [case_a.pk]
    for kind, name in (
        ("enterprise", "企业"),
        ("department", "区民政局"),
        ("county_leader", "张立国"),
    ):
        add(county_admin, case_a, kind, name)
    add(county_admin, case_a, "project", "设施农业大棚", amount=80, project_status="underway")
    rows = client.get(reverse("support_overview")).context["rows"]
    assert rows[0][1] == [True, True, True, False, True]  # still no first secretary


def test_a_rectifying_case_without_a_first_secretary_is_shown_as_such(
    client, rectifying_case, county_admin
):
    client.force_login(county_admin)
    html = client.get(rectifying_case.get_absolute_url()).content.decode()
    assert "未派驻" in html
    rows = client.get(reverse("support_overview")).context["rows"]
    assert rows[0][0] == rectifying_case and rows[0][1][3] is False


def test_a_project_needs_its_status_and_only_a_project_has_an_amount(case_a, county_admin):
    with pytest.raises(ValidationError):
        add(county_admin, case_a, "project", "大棚")
    with pytest.raises(ValidationError):
        add(county_admin, case_a, "enterprise", "企业", amount=10)


def test_an_excellent_secretary_mentors_at_most_three_villages(county_admin, list_case, village_a):
    mentor = Village.objects.filter(code__startswith="120114103").first()
    weak = list(Village.objects.filter(code__startswith="120114102")[:4])
    cases = [list_case(county_admin, v) for v in weak]
    for case in cases[:3]:
        add(county_admin, case, "mentor", "王书记", mentor_village=mentor)
    with pytest.raises(ValidationError) as refused:
        add(county_admin, cases[3], "mentor", "王书记", mentor_village=mentor)
    assert "3" in refused.value.message_dict["mentor_village"][0]


def test_the_mentor_limit_is_configuration_and_a_closed_case_frees_a_place(
    county_admin, alice, rectifying_case, list_case, settings
):
    settings.MENTOR_MAX_VILLAGES = 1
    mentor = Village.objects.filter(code__startswith="120114103").first()
    add(county_admin, rectifying_case, "mentor", "王书记", mentor_village=mentor)
    other = list_case(county_admin, Village.objects.filter(code__startswith="120114102").first())
    with pytest.raises(ValidationError):
        add(county_admin, other, "mentor", "王书记", mentor_village=mentor)
    ledger.case_transition(case=rectifying_case, action="request_acceptance", acting_user=alice)
    from rectification.models import AcceptanceCriterion

    scores = {str(c.pk): c.points for c in AcceptanceCriterion.objects.all()}
    ledger.acceptance_record(
        case=rectifying_case,
        acting_user=county_admin,
        reviewed_on=date(2026, 11, 1),
        scores=scores,
        satisfaction=95,
        conclusion="合格",
    )
    ledger.case_transition(case=rectifying_case, action="close", acting_user=county_admin)
    add(county_admin, other, "mentor", "王书记", mentor_village=mentor)


def test_only_the_county_manages_supporters(client, case_a, alice):
    client.force_login(alice)
    response = client.post(
        reverse("support_add", args=[case_a.pk]), {"kind": "enterprise", "name": "企业"}
    )
    assert response.status_code == 403


def test_the_overview_narrows_like_the_ledger_and_keeps_it_when_toggled(
    client, case_a, county_admin
):
    client.force_login(county_admin)
    url = reverse("support_overview")
    township = case_a.village.township_id
    assert client.get(url, {"q": township}).context["count"] == 1
    assert client.get(url, {"q": "120114102", "year": 2026}).context["count"] == 0
    assert client.get(url, {"year": 1999}).context["count"] == 0
    page = client.get(url, {"q": township, "year": 2026})
    assert "1 个整顿对象" in page.content.decode()
    toggle = page.context["toggle_query"]
    assert f"q={township}" in toggle and "year=2026" in toggle and "missing=false" in toggle
    # The ledger's list filters need its annotations: ?overdue= must not fail here either.
    assert client.get(url, {"overdue": "true"}).status_code == 200


def test_a_township_sees_only_its_own_cases_in_the_overview(
    client, list_case, alice, bob, village_a, village_b
):
    list_case(alice, village_a)
    list_case(bob, village_b)
    for user, village in ((alice, village_a), (bob, village_b)):
        client.force_login(user)
        page = client.get(reverse("support_overview"), {"missing": "false"})
        assert [case.village for case, _flags in page.context["rows"]] == [village]
        # Naming the other township narrows to nothing: it is not widened to it.
        other = village_b if village == village_a else village_a
        assert (
            client.get(reverse("support_overview"), {"q": other.township_id}).context["count"] == 0
        )


def test_the_overview_costs_the_same_queries_for_one_case_or_many(
    client, county_admin, list_case, alice, django_assert_max_num_queries
):
    villages = list(Village.objects.filter(township_id=alice.division_id).order_by("code")[:6])
    list_case(alice, villages[0])
    client.force_login(county_admin)
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("support_overview"))
    for village in villages[1:]:
        list_case(alice, village)
    with django_assert_max_num_queries(20) as many:
        page = client.get(reverse("support_overview"))
    assert page.context["count"] == 6
    assert len(many.captured_queries) == len(one.captured_queries)


@pytest.fixture
def fifty_two_cases(list_case, county_admin, posted, village_a):
    """Village A's case, its first secretary posted (刘洋), and the cases of the next 51
    villages by code, none posted: 52 open cases, each missing some of the five ones, 51
    without a first secretary. Returns the 51 villages in code order."""
    list_case(county_admin, village_a)
    villages = list(
        Village.objects.filter(
            code__startswith="120114", kind="village", code__gt=village_a.code
        ).order_by("code")[:51]
    )
    for village in villages:
        list_case(county_admin, village)
    return villages


def test_the_overview_shows_fifty_cases_a_page_and_counts_them_all(
    client, fifty_two_cases, county_admin, village_a
):
    client.force_login(county_admin)
    first = client.get(reverse("support_overview"))
    villages = [case.village for case, _flags in first.context["rows"]]
    assert villages == [village_a, *fifty_two_cases[:49]]
    html = first.content.decode()
    assert "共 52 个整顿对象尚未落实“五个一”。" in html and 'data-count="52"' in html
    assert "共 52 条" in html and 'href="?page=2"' in html
    second = client.get(reverse("support_overview"), {"page": 2})
    assert [case.village for case, _flags in second.context["rows"]] == fifty_two_cases[49:]
    assert second.context["count"] == 52


def test_the_overviews_filter_survives_into_page_two_and_counts_the_whole_list(
    client, fifty_two_cases, county_admin
):
    client.force_login(county_admin)
    url = reverse("support_overview")
    first = client.get(url, {"first_secretary": "false"})
    assert first.context["count"] == 51
    assert 'href="?first_secretary=false&amp;page=2"' in first.content.decode()
    second = client.get(url, {"first_secretary": "false", "page": 2})
    (only,) = second.context["rows"]
    last = fifty_two_cases[50]
    assert only[0].village == last and last.name in second.content.decode()
    assert second.context["count"] == 51 and 'data-count="51"' in second.content.decode()
    # Showing every open case is another list: from its first page, the filter kept.
    assert second.context["toggle_query"] == "first_secretary=false&missing=false"


def test_the_overview_pages_cost_the_same_queries_for_the_county_and_the_province(
    client, fifty_two_cases, county_admin, tianjin_admin, django_assert_max_num_queries
):
    counted = []
    for user, query in (
        (county_admin, {}),
        (county_admin, {"page": 2}),
        (tianjin_admin, {"county": "120114", "page": 2}),
    ):
        client.force_login(user)
        with django_assert_max_num_queries(20) as queries:
            page = client.get(reverse("support_overview"), query)
        assert page.context["count"] == 52
        counted.append(len(queries.captured_queries))
    assert counted[0] == counted[1] == counted[2]
