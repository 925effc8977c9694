"""Who may know what of an inspection, inside a county (issue 14, items 1–3).

An unannounced round (暗访) and its plan are known to its inspectors and the county
department; a township learns of a visit to its villages once it has happened, a first
secretary of a visit to his village; an overt round shows a township its own targets once
announced. A draft circular exists for the county department only. The expectations are
written by hand, persona by persona.

The scene, on 16 November 2026: an unannounced round under way whose team is to visit
three villages — A1 (the first secretary's, in 梅厂镇, visited on the 10th, one finding),
A2 (梅厂镇, not yet visited) and B1 (大碱厂镇, a visit recorded ahead for the 20th, one
finding). `inspector` is on its team, `inspector2` is not.
"""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from inspections import services
from inspections.models import InspectionRound, Visit
from portal.choices import Role
from portal.models import Notification
from rectification.models import Category
from tests.factories import UserFactory
from villages.models import Division, Village

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV_16 = datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)
NOV_21 = datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI)
SEED = "2026Q4-暗访"


@pytest.fixture
def clock():
    with time_machine.travel(NOV_16, tick=False) as traveller:
        yield traveller


@pytest.fixture
def inspector2(db):
    """An inspector of the county who is not on the round."""
    return UserFactory(username="inspector2", role=Role.INSPECTOR, division_id="120114")


@pytest.fixture
def village_a2(village_a):
    return Village.objects.filter(township_id=village_a.township_id).exclude(pk=village_a.pk)[0]


def _round(county_admin, kind, members, villages):
    inspection = services.round_create(
        acting_user=county_admin,
        county=Division.objects.get(pk="120114"),
        year=2026,
        quarter=4,
        kind=kind,
        starts_on=date(2026, 11, 2),
        ends_on=date(2026, 11, 30),
    )
    team = services.team_save(
        acting_user=county_admin,
        inspection=inspection,
        name="第一督查组",
        leader="赵立新",
        members=members,
    )
    services.team_assign(acting_user=county_admin, team=team, villages=villages)
    return inspection, team


def _visit(inspector, team, village, day):
    visit = services.visit_record(
        acting_user=inspector,
        team=team,
        village=village,
        visited_on=day,
        unannounced=True,
        summary="查阅会议记录，走访党员群众",
        score=75,
    )
    services.finding_add(
        acting_user=inspector,
        visit=visit,
        category=Category.objects.first(),
        description=f"{village.name}“三会一课”记录不全",
        severity="serious",
        deadline=date(2026, 12, 20),
    )
    return visit


@pytest.fixture
def scene(clock, county_admin, inspector, village_a, village_a2, village_b):
    inspection, team = _round(
        county_admin, "unannounced", [inspector], [village_a, village_a2, village_b]
    )
    # The seed is what a draw records; set here so that its visibility can be seen.
    InspectionRound.objects.filter(pk=inspection.pk).update(draw_seed=SEED)
    services.round_move(acting_user=county_admin, inspection=inspection, to="active")
    visited = _visit(inspector, team, village_a, date(2026, 11, 10))
    ahead = _visit(inspector, team, village_b, date(2026, 11, 20))
    names = {"A1": village_a.name, "A2": village_a2.name, "B1": village_b.name}
    return inspection, team, visited, ahead, names


def _villages_named(page, names):
    text = page.content.decode()
    return {label for label, name in names.items() if name in text}


# --- 1. The unannounced round ----------------------------------------------------------------

# Round page as each persona: (status, the villages of the round the page names at all).
UNANNOUNCED_ROUND_PAGE = {
    "superuser": (200, {"A1", "A2", "B1"}),
    "county_admin": (200, {"A1", "A2", "B1"}),
    "inspector": (200, {"A1", "A2", "B1"}),  # on the round's team: the plan
    "inspector2": (200, {"A1"}),  # not on it: the visit that happened, no plan
    "viewer": (200, {"A1"}),
    "alice": (200, {"A1"}),  # her village's visit, after the fact; not A2, not B1
    "secretary": (200, {"A1"}),  # his village's visit
    "bob": (404, None),  # the visit to his township has not happened yet
    "other_county_admin": (404, None),
}


@pytest.mark.parametrize("name", sorted(UNANNOUNCED_ROUND_PAGE))
def test_an_unannounced_rounds_page_shows_each_reader_only_what_they_may_know(
    client, persona, inspector2, scene, name
):
    inspection, _team, _visited, _ahead, names = scene
    client.force_login(persona(name))
    page = client.get(inspection.get_absolute_url())
    status, villages = UNANNOUNCED_ROUND_PAGE[name]
    assert page.status_code == status
    if villages is not None:
        assert _villages_named(page, names) == villages


# Visit pages: (the visit to A1 on the 10th, the visit to B1 recorded for the 20th).
VISIT_PAGES = {
    "county_admin": (200, 200),
    "inspector": (200, 200),
    "inspector2": (200, 404),
    "viewer": (200, 404),
    "alice": (200, 404),
    "secretary": (200, 404),
    "bob": (404, 404),
}


@pytest.mark.parametrize("name", sorted(VISIT_PAGES))
def test_a_visit_page_exists_for_the_inspected_only_once_the_visit_has_happened(
    client, persona, inspector2, scene, name
):
    _inspection, _team, visited, ahead, _names = scene
    client.force_login(persona(name))
    got = tuple(
        client.get(reverse("visit_detail", args=[v.pk])).status_code for v in (visited, ahead)
    )
    assert got == VISIT_PAGES[name]


# API lists: (villages of /visits/, villages of /findings/, rounds listed, seed shown).
API = {
    "county_admin": ({"A1", "B1"}, {"A1", "B1"}, 1, SEED),
    "inspector": ({"A1", "B1"}, {"A1", "B1"}, 1, SEED),
    "inspector2": ({"A1"}, {"A1"}, 1, ""),
    "viewer": ({"A1"}, {"A1"}, 1, ""),
    "alice": ({"A1"}, {"A1"}, 1, ""),
    "secretary": ({"A1"}, {"A1"}, 1, ""),
    "bob": (set(), set(), 0, None),
}


@pytest.mark.parametrize("name", sorted(API))
def test_the_api_lists_only_the_visits_findings_and_rounds_the_reader_may_know(
    client, persona, inspector2, scene, name
):
    inspection, _team, _visited, _ahead, names = scene
    code_to_label = {
        Village.objects.get(name=n, code__startswith="120114").code: label
        for label, n in names.items()
    }
    client.force_login(persona(name))
    visits = client.get(reverse("visit-list")).json()["results"]
    findings = client.get(reverse("finding-list")).json()["results"]
    rounds = client.get(reverse("round-list")).json()["results"]
    visit_villages = {code_to_label[v["village"]] for v in visits}
    finding_villages = {
        code_to_label[Visit.objects.get(pk=f["visit"]).village_id] for f in findings
    }
    want_visits, want_findings, want_rounds, want_seed = API[name]
    assert (visit_villages, finding_villages, len(rounds)) == (
        want_visits,
        want_findings,
        want_rounds,
    )
    if want_seed is not None:
        assert rounds[0]["draw_seed"] == want_seed
        detail = client.get(reverse("round-detail", args=[inspection.pk])).json()
        assert detail["draw_seed"] == want_seed


# The rounds list and its export: (visits, findings, seed) of the round; None: not listed.
ROUNDS_LIST = {
    "county_admin": (2, 2, SEED),
    "inspector": (2, 2, SEED),
    "viewer": (1, 1, ""),
    "alice": (1, 1, ""),
    "bob": None,
}


@pytest.mark.parametrize("name", sorted(ROUNDS_LIST))
def test_the_rounds_list_and_its_export_count_only_what_the_reader_may_know(
    client, persona, scene, name
):
    client.force_login(persona(name))
    want = ROUNDS_LIST[name]
    rows = [
        (r.visit_count, r.finding_count)
        for r in client.get(reverse("round_list")).context["object_list"]
    ]
    sheet = load_workbook(
        io.BytesIO(b"".join(client.post(reverse("round_export")).streaming_content))
    ).active
    exported = [
        (row[6], row[7], row[8] or "")
        for row in sheet.iter_rows(min_row=3, values_only=True)
        if row[0] is not None
    ]
    if want is None:
        assert rows == [] and exported == []
    else:
        assert rows == [want[:2]]
        assert exported == [want]


def test_the_first_secretary_sees_his_villages_visit_only_in_the_rounds_list(
    client, secretary, scene
):
    client.force_login(secretary)
    rows = client.get(reverse("round_list")).context["object_list"]
    assert [(r.visit_count, r.finding_count) for r in rows] == [(1, 1)]


def test_the_visit_export_and_the_dashboard_count_what_the_reader_may_know(
    client, county_admin, viewer, bob, scene
):
    def exported_visits(user):
        client.force_login(user)
        response = client.post(reverse("visit_export"))
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        return sum(1 for row in sheet.iter_rows(min_row=3, values_only=True) if row[0])

    def open_findings(user):
        client.force_login(user)
        return client.get(reverse("dashboard")).context["findings"]["open"]

    assert (exported_visits(county_admin), exported_visits(viewer), exported_visits(bob)) == (
        2,
        1,
        0,
    )
    assert (open_findings(county_admin), open_findings(viewer), open_findings(bob)) == (2, 1, 0)


def test_a_township_learns_of_an_unannounced_visit_when_it_has_happened(client, bob, clock, scene):
    inspection, _team, visited, ahead, names = scene
    client.force_login(bob)
    assert client.get(reverse("visit-detail", args=[ahead.pk])).status_code == 404
    assert client.get(reverse("round-detail", args=[inspection.pk])).status_code == 404
    clock.move_to(NOV_21)
    client.force_login(bob)  # a new day, a new session
    page = client.get(inspection.get_absolute_url())
    assert page.status_code == 200
    # His own village's visit, never the others' targets nor the plan.
    assert _villages_named(page, names) == {"B1"}
    assert [v["id"] for v in client.get(reverse("visit-list")).json()["results"]] == [ahead.pk]
    assert client.get(reverse("visit_detail", args=[visited.pk])).status_code == 404
    findings = client.get(reverse("finding-list")).json()["results"]
    assert [f["visit"] for f in findings] == [ahead.pk]


# --- An overt round: a township sees its own targets once the round is announced ----------


def test_an_overt_round_shows_a_township_its_own_targets_once_announced(
    client, persona, clock, county_admin, inspector, inspector2, village_a, village_a2, village_b
):
    inspection, _team = _round(county_admin, "centralised", [inspector], [village_a2, village_b])
    InspectionRound.objects.filter(pk=inspection.pk).update(draw_seed=SEED)
    names = {"A2": village_a2.name, "B1": village_b.name}
    names_of_readers = ("county_admin", "inspector", "inspector2", "viewer", "alice", "bob")
    readers = {name: persona(name) for name in (*names_of_readers, "secretary")}

    def pages():
        seen = {}
        for name, user in readers.items():
            client.force_login(user)
            page = client.get(inspection.get_absolute_url())
            seen[name] = _villages_named(page, names) if page.status_code == 200 else 404
        return seen

    # Planned: the department and the round's inspectors only.
    assert pages() == {
        "county_admin": {"A2", "B1"},
        "inspector": {"A2", "B1"},
        "inspector2": 404,
        "viewer": 404,
        "alice": 404,
        "bob": 404,
        "secretary": 404,
    }
    services.round_move(acting_user=county_admin, inspection=inspection, to="active")
    # Announced: each township its own targets; a first secretary nothing before a visit.
    assert pages() == {
        "county_admin": {"A2", "B1"},
        "inspector": {"A2", "B1"},
        "inspector2": {"A2", "B1"},
        "viewer": {"A2", "B1"},
        "alice": {"A2"},
        "bob": {"B1"},
        "secretary": 404,
    }
    client.force_login(readers["alice"])
    assert client.get(reverse("round-detail", args=[inspection.pk])).json()["draw_seed"] == ""
    client.force_login(readers["viewer"])
    assert client.get(reverse("round-detail", args=[inspection.pk])).json()["draw_seed"] == SEED


# --- 2. Draft circulars ------------------------------------------------------------------------

# (circular page, its .docx, the API's detail, listed on the page, listed by the API)
DRAFT = {
    "superuser": (200, 200, 200, True, True),
    "county_admin": (200, 200, 200, True, True),
    "inspector": (404, 404, 404, False, False),
    "viewer": (404, 404, 404, False, False),
    "alice": (404, 404, 404, False, False),
    "bob": (404, 404, 404, False, False),
    "secretary": (404, 404, 404, False, False),
    "other_county_admin": (404, 404, 404, False, False),
}
PUBLISHED = {
    "superuser": (200, 200, 200, True, True),
    "county_admin": (200, 200, 200, True, True),
    "inspector": (200, 200, 200, True, True),
    "viewer": (200, 200, 200, True, True),
    "alice": (200, 200, 200, True, True),
    "bob": (200, 200, 200, True, True),
    "secretary": (200, 200, 200, True, True),
    "other_county_admin": (404, 404, 404, False, False),
}


def _circular_as(client, user, circular):
    client.force_login(user)
    listed = circular.reference in client.get(reverse("circular_list")).content.decode()
    api_list = client.get(reverse("circular-list")).json()["results"]
    return (
        client.get(reverse("circular_detail", args=[circular.pk])).status_code,
        client.get(reverse("circular_docx", args=[circular.pk])).status_code,
        client.get(reverse("circular-detail", args=[circular.pk])).status_code,
        listed,
        [c["id"] for c in api_list] == [circular.pk],
    )


def test_a_draft_circular_exists_for_the_county_department_only_until_published(
    client, persona, scene, county_admin, alice
):
    inspection = scene[0]
    circular = services.circular_draft(acting_user=county_admin, inspection=inspection)
    assert {name: _circular_as(client, persona(name), circular) for name in DRAFT} == DRAFT
    # Nobody is told of a draft; the round page offers no link to it below the county.
    assert not Notification.objects.filter(key=f"circular:{circular.pk}").exists()
    client.force_login(alice)
    assert circular.reference not in client.get(inspection.get_absolute_url()).content.decode()
    services.circular_publish(acting_user=county_admin, circular=circular)
    assert {name: _circular_as(client, persona(name), circular) for name in PUBLISHED} == PUBLISHED
    assert Notification.objects.filter(user=alice, key=f"circular:{circular.pk}").exists()


# --- 3. A visit to a village off the team's list -----------------------------------------------


def test_a_visit_to_a_village_off_the_teams_list_is_refused_by_the_api_and_the_page(
    client, clock, county_admin, inspector, village_a, village_a2, village_b
):
    inspection, team = _round(county_admin, "unannounced", [inspector], [village_a])
    services.round_move(acting_user=county_admin, inspection=inspection, to="active")
    client.force_login(inspector)
    response = client.post(
        reverse("visit-list"),
        {
            "team": team.pk,
            "village": village_b.code,
            "visited_on": "2026-11-12",
            "unannounced": True,
            "summary": "走访",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "不在本督查组的督查村名单上" in str(response.json())
    form_page = client.get(reverse("visit_create", args=[inspection.pk]))
    assert list(form_page.context["form"].fields["village"].queryset) == [village_a]
    page = client.post(
        reverse("visit_create", args=[inspection.pk]),
        {"team": team.pk, "village": village_a2.pk, "visited_on": "2026-11-12", "summary": "走访"},
    )
    assert page.status_code == 200 and page.context["form"].errors["village"]
    assert not Visit.objects.exists()
    done = client.post(
        reverse("visit_create", args=[inspection.pk]),
        {"team": team.pk, "village": village_a.pk, "visited_on": "2026-11-12", "summary": "走访"},
    )
    assert done.status_code == 302 and Visit.objects.get().village == village_a


def test_the_rounds_list_and_api_keep_their_query_count_as_rounds_grow(
    client, alice, county_admin, inspector, scene, village_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        counts = []
        for url in (reverse("round_list"), reverse("round-list")):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    client.force_login(alice)
    one = queries()
    for kind in ("centralised", "random"):
        inspection, _team = _round(county_admin, kind, [inspector], [village_a])
        services.round_move(acting_user=county_admin, inspection=inspection, to="active")
    client.force_login(alice)
    assert len(client.get(reverse("round-list")).json()["results"]) == 3
    assert queries() == one


def test_the_quarterly_report_read_county_wide_holds_only_visits_that_have_happened(scene):
    from inspections.reports import build, quarterly_request

    _inspection, _team, _visited, _ahead, names = scene
    report, _created = quarterly_request(area="120114", year=2026, quarter=4)
    handle = io.BytesIO()
    build(report, handle, lambda percent: None)
    book = load_workbook(handle)
    findings, visits = book.worksheets[2], book.worksheets[3]
    finding_villages = [r[3] for r in findings.iter_rows(min_row=3, values_only=True) if r[0]]
    visit_villages = [r[4] for r in visits.iter_rows(min_row=3, values_only=True) if r[0]]
    assert finding_villages == visit_villages == [names["A1"]]
