"""Time in each stage (issue 20 §3): median and 75th-percentile days from listing to each
milestone, per township, and the cases stalled (久拖未转化) against their campaign's 75th
percentile, on the ledger, the dashboard and the county's to-do list.

The world, Wuqing's 2026 campaign, with the clock on 2026-09-01 (days since listing):

    case  township  listed  approved   applied    transformed closed    status
    a1    A         03-01   03-11 (10) 05-10 (70) 06-09 (100) 07-19 (140) closed
    a2    A         03-01   03-21 (20) 06-09(100) 07-09 (130)             transformed
    a3    A         03-01   03-31 (30) 06-29(120)                         acceptance requested
    a4    A         03-01   04-10 (40)                                    rectifying
    a5    A         03-01                                                 identified
    b1    B         04-01   04-11 (10) 07-10(100) 08-09 (130)             transformed
    b2    B         05-25   07-24 (60)                                    rectifying
    b3    B         07-25                                                 identified
    b4    B         07-26                                                 identified

The campaign's 75th percentiles (linear interpolation, as percentile_cont):
to approval [10 10 20 30 40 60] → 30 + 0.75 × 10 = 37.5 days; to application
[70 100 100 120] → 100 + 0.25 × 20 = 105 days; to transformation only 3 cases and to close-out
1: fewer than four, no threshold. So stalled on 2026-09-01: a5 (listed 184 days ago, > 37.5),
b3 (38 > 37.5; b4, 37, is not), a4 (184 > 105; b2, 99, is not).
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from home import todo
from portal.scoping import Scope
from rectification.choices import CaseStatus
from rectification.models import Case, CaseEvent
from rectification.selectors import percentile, stage_pass, stage_times, stall_thresholds
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from villages.models import Village

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)

# name: (township, listed, approved, applied, transformed, closed, status); dates of 2026.
CASES = {
    "a1": ("A", "03-01", "03-11", "05-10", "06-09", "07-19", CaseStatus.CLOSED),
    "a2": ("A", "03-01", "03-21", "06-09", "07-09", None, CaseStatus.TRANSFORMED),
    "a3": ("A", "03-01", "03-31", "06-29", None, None, CaseStatus.ACCEPTANCE_REQUESTED),
    "a4": ("A", "03-01", "04-10", None, None, None, CaseStatus.RECTIFYING),
    "a5": ("A", "03-01", None, None, None, None, CaseStatus.IDENTIFIED),
    "b1": ("B", "04-01", "04-11", "07-10", "08-09", None, CaseStatus.TRANSFORMED),
    "b2": ("B", "05-25", "07-24", None, None, None, CaseStatus.RECTIFYING),
    "b3": ("B", "07-25", None, None, None, None, CaseStatus.IDENTIFIED),
    "b4": ("B", "07-26", None, None, None, None, CaseStatus.IDENTIFIED),
}


def _day(text):
    return date.fromisoformat(f"2026-{text}") if text else None


def _event(case, action, day, at=time(10, 0)):
    event = CaseEvent.objects.create(case=case, action=action)
    # The event's moment is its own (auto_now_add): set it as it happened.
    CaseEvent.objects.filter(pk=event.pk).update(at=datetime.combine(day, at, tzinfo=SHANGHAI))


@pytest.fixture
def ledger(campaign, county_admin):
    villages = {
        "A": iter(Village.objects.filter(township_id=TOWNSHIP_A).order_by("code")),
        "B": iter(Village.objects.filter(township_id=TOWNSHIP_B).order_by("code")),
    }
    cases = {}
    for name, (township, listed, approved, applied, transformed, closed, status) in CASES.items():
        case = Case.objects.create(
            campaign=campaign,
            village=next(villages[township]),
            status=status,
            problems="班子软弱",
            responsible_person="李秀英",
            identified_on=_day(listed),
            deadline=date(2026, 12, 31),
            transformed_on=_day(transformed),
            closed_on=_day(closed),
        )
        _event(case, "listed", _day(listed))
        if approved:
            # Half past midnight in Shanghai is the day before in UTC: the local day counts.
            _event(case, "start", _day(approved), at=time(0, 30))
        if applied:
            _event(case, "request_acceptance", _day(applied))
            # A second application after a failed review does not move the first.
            _event(case, "request_acceptance", date(2026, 8, 20))
        cases[name] = case
    return cases


def test_it_gives_each_townships_median_and_75th_percentile_to_each_milestone(ledger, campaign):
    from rectification.selectors import Scope

    times = stage_times(scope=Scope.under(COUNTY), campaign=campaign)

    def figures(code):
        return {key: (t.cases, t.median, t.p75) for key, t in times[code].items()}

    assert figures(TOWNSHIP_A) == {
        "approved": (4, 25.0, 32.5),
        "applied": (3, 100.0, 110.0),
        "transformed": (2, 115.0, 122.5),
        "closed": (1, 140.0, 140.0),
    }
    assert figures(TOWNSHIP_B) == {
        "approved": (2, 35.0, 47.5),
        "applied": (1, 100.0, 100.0),
        "transformed": (1, 130.0, 130.0),
        "closed": (0, None, None),
    }


def test_the_county_row_pools_its_townships(ledger, campaign):
    from rectification.selectors import Scope

    county = stage_times(scope=Scope.under(COUNTY), campaign=campaign, depth=6)[COUNTY]

    assert (county["approved"].median, county["approved"].p75) == (25.0, 37.5)
    assert (county["applied"].median, county["applied"].p75) == (100.0, 105.0)


def test_a_township_sees_only_its_own_cases(ledger, campaign):
    from rectification.selectors import Scope

    assert set(stage_times(scope=Scope.under(TOWNSHIP_B), campaign=campaign)) == {TOWNSHIP_B}


def test_only_a_step_four_cases_reached_has_a_threshold(ledger, campaign):
    assert stall_thresholds(campaigns=[campaign.pk]) == {
        campaign.pk: {CaseStatus.IDENTIFIED: 37.5, CaseStatus.RECTIFYING: 105.0}
    }


def _figures(times):
    return {key: (t.cases, t.median, t.p75) for key, t in times.items()}


def test_one_pass_gives_the_area_its_units_and_the_whole_campaigns_thresholds(ledger, campaign):
    # Township B's reader: B's own figures, and the thresholds of all nine cases (A's too).
    figures = stage_pass(scope=Scope.under(TOWNSHIP_B), campaign=campaign, depth=9)

    b = {
        "approved": (2, 35.0, 47.5),
        "applied": (1, 100.0, 100.0),
        "transformed": (1, 130.0, 130.0),
        "closed": (0, None, None),
    }
    assert {code: _figures(times) for code, times in figures.area.items()} == {TOWNSHIP_B: b}
    assert {code: _figures(times) for code, times in figures.units.items()} == {TOWNSHIP_B: b}
    assert figures.thresholds == {
        campaign.pk: {CaseStatus.IDENTIFIED: 37.5, CaseStatus.RECTIFYING: 105.0}
    }


def test_one_pass_over_everything_pools_the_townships(ledger, campaign):
    figures = stage_pass(scope=Scope.everything(reason="test"), year=2026, depth=9)

    assert _figures(figures.area[""])["approved"] == (6, 25.0, 37.5)
    assert _figures(figures.area[""])["applied"] == (4, 100.0, 105.0)
    assert set(figures.units) == {TOWNSHIP_A, TOWNSHIP_B}
    assert _figures(figures.units[TOWNSHIP_A])["transformed"] == (2, 115.0, 122.5)


def test_one_pass_over_an_area_without_cases_gives_nothing(ledger, campaign):
    # Another county's reader: no row, not a row of zeros; no campaign, no threshold.
    figures = stage_pass(scope=Scope.under("110101"), campaign=campaign, depth=9)

    assert (figures.area, figures.units, figures.thresholds) == ({}, {}, {})


def test_the_python_percentile_is_postgresqls():
    # SQLite's fallback, on the lists above.
    assert percentile([10, 60, 20, 10, 30, 40], 0.75) == 37.5
    assert percentile([70, 100, 100, 120], 0.5) == 100.0
    assert percentile([100, 130], 0.75) == 122.5
    assert percentile([], 0.5) is None


def _listed(response):
    return sorted(row.village.name for row in response.context["object_list"])


def test_the_ledger_filter_lists_the_stalled_cases_and_flags_them(client, ledger, county_admin):
    client.force_login(county_admin)
    with time_machine.travel(TODAY, tick=False):
        response = client.get("/ledger/", {"stalled": "true"})
        rows = {row.pk: row.is_stalled for row in response.context["object_list"]}
        everything = client.get("/ledger/")

    stalled = {ledger[name].pk for name in ("a4", "a5", "b3")}
    assert set(rows) == stalled
    assert all(rows.values())
    assert everything.content.decode().count("data-stalled") == 3
    # The badge and its explanation, in Chinese.
    assert (
        '<span class="badge text-bg-danger" data-stalled title="在此环节用时已超过本批次75%'
        '的村通过该环节所用天数">久拖未转化</span>'
    ) in everything.content.decode()


def test_a_township_organizer_sees_his_stalled_cases_against_the_whole_campaign(
    client, ledger, bob
):
    client.force_login(bob)
    with time_machine.travel(TODAY, tick=False):
        response = client.get("/ledger/", {"stalled": "true"})

    assert {row.pk for row in response.context["object_list"]} == {ledger["b3"].pk}


def test_the_county_to_do_list_names_each_stalled_case(ledger, county_admin):
    with time_machine.travel(TODAY, tick=False):
        items = [i for i in todo.todo_for(county_admin).items if i.kind == "stalled"]

    assert sorted(i.place for i in items) == sorted(
        ledger[name].village.name for name in ("a4", "a5", "b3")
    )


def test_the_dashboard_draws_the_stage_times_and_links_the_stalled_list(
    client, ledger, county_admin
):
    client.force_login(county_admin)
    with time_machine.travel(TODAY, tick=False):
        response = client.get("/dashboard/", {"year": 2026})

    stages = response.context["charts"]["stages"]
    assert [row["code"] for row in stages["rows"]] == [COUNTY, TOWNSHIP_A, TOWNSHIP_B]
    assert stages["rows"][1]["median"] == [25.0, 100.0, 115.0, 140.0]
    assert stages["rows"][1]["p75"] == [32.5, 110.0, 122.5, 140.0]
    assert stages["rows"][2]["stalled"] == 1
    assert response.context["stalled"] == 3
    assert "stalled=true" in response.context["links"]["stalled"]
