"""Choosers that grow with the area are searched, not listed, and only ever offer (and
accept) what the form's own scope allows: the visit form the team's villages, the case page
no village list at all, the search endpoint the reader's own area."""

import re
from datetime import date

import pytest
from django.urls import reverse

from inspections import services as inspections
from portal import choosers
from villages.models import Division, Village

SEARCH = "chooser_search"
# Three villages of 梅厂镇 put on the inspector's team by hand, and two of 大碱厂镇 on a team
# he is not on.
TEAM_VILLAGES = ["120114101204", "120114101205", "120114101206"]
OTHER_TEAM_VILLAGES = ["120114102201", "120114102202"]


def options(html, name):
    """The values of the <option>s of the <select name=name> in a page."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no <select name={name}> in the page"
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v]


@pytest.fixture
def active_round(county_admin, inspector):
    inspection = inspections.round_create(
        acting_user=county_admin,
        county=Division.objects.get(pk="120114"),
        year=2026,
        quarter=4,
        kind="random",
        starts_on=date(2026, 10, 8),
        ends_on=date(2026, 10, 30),
    )
    team = inspections.team_save(
        acting_user=county_admin,
        inspection=inspection,
        name="第一督查组",
        leader="赵立新",
        members=[inspector],
    )
    inspections.team_assign(
        acting_user=county_admin,
        team=team,
        villages=list(Village.objects.filter(pk__in=TEAM_VILLAGES)),
    )
    other = inspections.team_save(
        acting_user=county_admin,
        inspection=inspection,
        name="第二督查组",
        leader="钱进",
        members=[],
    )
    inspections.team_assign(
        acting_user=county_admin,
        team=other,
        villages=list(Village.objects.filter(pk__in=OTHER_TEAM_VILLAGES)),
    )
    return inspections.round_move(acting_user=county_admin, inspection=inspection, to="active")


def test_the_visit_form_offers_exactly_the_villages_of_the_inspectors_team(
    client, active_round, inspector
):
    client.force_login(inspector)
    page = client.get(reverse("visit_create", args=[active_round.pk])).content.decode()
    assert options(page, "village") == TEAM_VILLAGES
    assert page.count("<option") < 10


def test_a_visit_to_a_village_of_another_team_is_refused_under_the_field(
    client, active_round, inspector
):
    client.force_login(inspector)
    team = active_round.teams.get(name="第一督查组")
    response = client.post(
        reverse("visit_create", args=[active_round.pk]),
        {
            "team": team.pk,
            "village": OTHER_TEAM_VILLAGES[0],
            "visited_on": "2026-10-09",
            "summary": "座谈",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    assert not active_round.visits.exists()


def test_the_team_form_searches_the_countys_villages_instead_of_listing_them(
    client, active_round, county_admin
):
    client.force_login(county_admin)
    page = client.get(reverse("team_create", args=[active_round.pk])).content.decode()
    assert 'class="chooser"' in page
    assert "郭罗庄" not in page  # one of the county's 745 villages: none is listed
    assert page.count("<option") < 20


def test_the_case_page_of_a_county_reader_carries_no_list_of_villages(
    client, county_admin, case_a, village_b
):
    client.force_login(county_admin)
    page = client.get(case_a.get_absolute_url()).content.decode()
    # The supporters' card offers a paired village (结对帮扶村): searched, not listed. Before,
    # its hidden <select> held the county's 745 villages (48 KB).
    assert "mentor_village" in page and 'class="chooser"' in page
    assert page.count("<option") <= 20
    assert len(page.encode()) < 25_000  # 12.7 KB when written
    assert village_b.code not in page and village_b.name not in page


def test_the_search_answers_from_the_readers_own_area_only(client, alice, county_admin):
    url = reverse(SEARCH, args=["villages"])
    client.force_login(alice)
    # 大碱厂村委会 is in township B: alice (township A) cannot find it, by name or by code.
    assert client.get(url, {"q": "大碱厂村"}).json() == {"results": [], "more": False}
    assert client.get(url, {"q": "120114102201"}).json()["results"] == []
    assert client.get(url, {"q": "郭罗庄"}).json()["results"] == [
        {"value": "120114101204", "label": "梅厂镇 · 郭罗庄村委会（120114101204）"}
    ]
    client.force_login(county_admin)
    found = client.get(url, {"q": "大碱厂村"}).json()["results"]
    assert {"value": "120114102201", "label": "大碱厂镇 · 大碱厂村委会（120114102201）"} in found


def test_the_search_takes_full_width_digits_of_a_code(client, alice):
    client.force_login(alice)
    found = client.get(reverse(SEARCH, args=["villages"]), {"q": "１２０１１４１０１２０４"})
    assert [r["value"] for r in found.json()["results"]] == ["120114101204"]


def test_the_search_answers_at_most_twenty_matches(client, county_admin):
    client.force_login(county_admin)
    answer = client.get(reverse(SEARCH, args=["villages"]), {"q": "村委会"}).json()
    assert len(answer["results"]) == 20 and answer["more"] is True


def test_the_team_villages_search_knows_only_the_inspectors_own_teams(
    client, active_round, inspector
):
    client.force_login(inspector)
    url = reverse(SEARCH, args=["team-villages"])
    found = client.get(url, {"round": active_round.pk, "q": "村"}).json()["results"]
    assert [r["value"] for r in found] == TEAM_VILLAGES
    assert client.get(url, {"q": "村"}).status_code == 404  # which round?


def test_the_search_needs_a_login_and_a_known_source(client, alice):
    url = reverse(SEARCH, args=["villages"])
    response = client.get(url, {"q": "村"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(alice)
    assert client.get(reverse(SEARCH, args=["everything"]), {"q": "村"}).status_code == 404


def test_a_posted_village_outside_the_readers_area_is_refused_under_its_field(
    client, alice, campaign, categories, village_b
):
    client.force_login(alice)
    response = client.post(
        reverse("case_create"),
        {
            "campaign": campaign.pk,
            "village": village_b.code,
            "categories": [c.pk for c in categories],
            "problems": "班子不团结",
            "responsible_person": "李秀英",
            "identified_on": "2026-03-10",
            "deadline": "2026-12-31",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    assert not village_b.cases.exists()


def test_without_javascript_a_unique_name_or_a_code_chooses_the_village(
    client, alice, campaign, categories
):
    client.force_login(alice)
    data = {
        "campaign": campaign.pk,
        "categories": [c.pk for c in categories],
        "problems": "班子不团结",
        "responsible_person": "李秀英",
        "identified_on": "2026-03-10",
        "deadline": "2026-12-31",
    }
    client.post(reverse("case_create"), {**data, "village": "郭罗庄村委会"})
    client.post(reverse("case_create"), {**data, "village": "１２０１１４１０１２０５"})
    listed = Village.objects.filter(cases__isnull=False).values_list("code", flat=True)
    assert sorted(listed) == ["120114101204", "120114101205"]


def test_the_ledger_filters_a_township_typed_as_its_code(client, county_admin, case_a):
    client.force_login(county_admin)
    page = client.get(reverse("case_list"), {"township": "120114101"})
    assert list(page.context["object_list"]) == [case_a]
    page = client.get(reverse("case_list"), {"township": "120114102"})
    assert list(page.context["object_list"]) == []


def test_a_chosen_value_holding_a_nul_is_refused_as_bad_input_not_a_server_error(
    client, county_admin, case_a
):
    # Found by the API fuzz: PostgreSQL refuses a NUL in a string, and the lookup by name
    # let its error through as a 500.
    client.force_login(county_admin)
    answer = client.get("/api/v1/activity-plans/", {"village": "\x00郭罗庄"})
    assert answer.status_code == 400
    assert "village" in answer.json()
    page = client.get(reverse("case_list"), {"township": "120114101\x00"})
    assert page.status_code == 200
    assert list(page.context["object_list"]) == []
    posted = client.post(reverse("case_create"), {"village": "郭罗庄村委会\x00"})
    assert posted.status_code == 200 and "village" in posted.context["form"].errors


def test_a_short_list_stays_a_select_and_a_long_one_becomes_a_search(
    client, county_admin, alice, monkeypatch
):
    # Wuqing's 37 townships are a short list; a province's thousand are not (here: a
    # short list of 20 at most stands for it).
    client.force_login(county_admin)
    page = client.get(reverse("case_list")).content.decode()
    assert len(options(page, "township")) == 37
    monkeypatch.setattr(choosers, "SMALL", 20)
    page = client.get(reverse("case_list")).content.decode()
    assert '<select name="township"' not in page
    assert 'data-chooser-url="/choose/divisions/?level=township"' in page
    client.force_login(alice)
    found = client.get(reverse(SEARCH, args=["divisions"]), {"level": "township", "q": "镇"})
    assert [r["value"] for r in found.json()["results"]] == ["120114101"]


def test_the_activity_page_chooses_a_township_by_code_or_name(client, county_admin, monkeypatch):
    client.force_login(county_admin)
    url = reverse("activity_township")
    page = client.get(url, {"township": "120114102", "month": "2026-12"})
    assert page.context["township"].code == "120114102"
    assert len(options(page.content.decode(), "township")) == 37
    # Typed by name without JavaScript, or searched when the list would be long.
    assert client.get(url, {"township": "大碱厂镇"}).context["township"].code == "120114102"
    monkeypatch.setattr(choosers, "SMALL", 20)
    page = client.get(url, {"township": "120114102"}).content.decode()
    assert '<select name="township"' not in page and 'class="chooser"' in page


def test_the_round_search_keeps_an_unannounced_round_secret(client, county_admin, alice):
    inspections.round_create(
        acting_user=county_admin,
        county=Division.objects.get(pk="120114"),
        year=2026,
        quarter=3,
        kind="unannounced",
        starts_on=date(2026, 8, 3),
        ends_on=date(2026, 8, 28),
    )
    url = reverse(SEARCH, args=["rounds"])
    client.force_login(county_admin)
    assert [r["label"] for r in client.get(url, {"q": "2026"}).json()["results"]] == [
        "武清区 2026年第3季度暗访"
    ]
    client.force_login(alice)  # a township hears of an unannounced round once visited
    assert client.get(url, {"q": "2026"}).json()["results"] == []
    assert client.get(url, {"q": "武清"}).json()["results"] == []


def test_the_unit_and_campaign_searches_answer_from_the_readers_county(
    client, alice, other_county_admin, campaign, unit
):
    for source, text, label in (
        ("units", unit.name[:2], unit.name),
        ("campaigns", "2026", campaign.name),
    ):
        url = reverse(SEARCH, args=[source])
        client.force_login(alice)
        assert label in [r["label"] for r in client.get(url, {"q": text}).json()["results"]]
        client.force_login(other_county_admin)
        assert client.get(url, {"q": text}).json()["results"] == []


def test_the_team_form_takes_several_villages_typed_by_code_or_name(
    client, active_round, county_admin, inspector
):
    client.force_login(county_admin)
    response = client.post(
        reverse("team_create", args=[active_round.pk]),
        {
            "name": "第三督查组",
            "leader": "孙立",
            "members": [inspector.pk],
            "villages": "120114101207、北王平村委会，120114102203",
        },
    )
    assert response.status_code == 302
    team = active_round.teams.get(name="第三督查组")
    codes = sorted(team.villages.values_list("code", flat=True))
    assert codes == ["120114101205", "120114101207", "120114102203"]


def test_an_ambiguous_name_is_refused_not_guessed(client, active_round, county_admin, inspector):
    # Five villages of Wuqing are called 三街村委会: the code says which.
    client.force_login(county_admin)
    response = client.post(
        reverse("team_create", args=[active_round.pk]),
        {
            "name": "第四督查组",
            "leader": "孙立",
            "members": [inspector.pk],
            "villages": "三街村委会",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["villages"]


@pytest.mark.parametrize("url_name", ["visit_list", "finding_list", "case_list", "secretary_list"])
def test_a_filter_given_garbage_shows_the_list_with_an_error_not_a_crash(
    client, county_admin, url_name
):
    client.force_login(county_admin)
    for name in ("round", "campaign", "unit", "township"):
        response = client.get(reverse(url_name), {name: "不存在'; --"})
        assert response.status_code == 200


def test_a_searched_filter_given_garbage_shows_it_as_typed(client, county_admin, monkeypatch):
    monkeypatch.setattr(choosers, "SMALL", -1)  # every chooser a search box, even an empty one
    client.force_login(county_admin)
    for url_name, name in (("visit_list", "round"), ("secretary_list", "unit")):
        response = client.get(reverse(url_name), {name: "不存在"})
        assert response.status_code == 200
        assert 'value="不存在"' in response.content.decode()
