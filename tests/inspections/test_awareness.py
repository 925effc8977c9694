"""Villagers' awareness of their first secretary (群众知晓率): recorded on the visit's page by
the team's inspector, counted for the secretary posted there that day, and shown on his
page, in the village's file and in the quarterly report."""

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from firstsecretary import services as secretary_services
from firstsecretary.models import DispatchUnit
from inspections import services
from inspections.models import AwarenessCheck
from inspections.reports import KIND
from inspections.selectors import secretary_awareness
from portal.models import GeneratedReport
from portal.scoping import Scope
from tests.factories import UserFactory
from villages.models import Division

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
def posted(county_admin, village_a):
    unit = DispatchUnit.objects.create(
        county_id="120114", name="区财政局", level="county", kind="government"
    )
    person = secretary_services.secretary_save(
        acting_user=county_admin,
        county=Division.objects.get(pk="120114"),
        name="刘洋",
        gender="male",
        birth_year=1988,
        education="undergraduate",
        unit=unit,
    )
    secretary_services.assignment_start(
        acting_user=county_admin,
        secretary=person,
        village=village_a,
        started_on=date(2026, 3, 1),
        planned_end=date(2028, 2, 28),
    )
    return person


@pytest.fixture
def visit(county_admin, inspector, village_a):
    inspection = services.round_create(
        acting_user=county_admin,
        county=Division.objects.get(pk="120114"),
        year=2026,
        quarter=4,
        kind="random",
        starts_on=date(2026, 10, 8),
        ends_on=date(2026, 10, 30),
    )
    team = services.team_save(
        acting_user=county_admin,
        inspection=inspection,
        name="一组",
        leader="赵立新",
        members=[inspector],
    )
    services.team_assign(acting_user=county_admin, team=team, villages=[village_a])
    services.round_move(acting_user=county_admin, inspection=inspection, to="active")
    return services.visit_record(
        acting_user=inspector,
        team=team,
        village=village_a,
        visited_on=date(2026, 10, 9),
        unannounced=False,
        summary="走访党员群众",
        score=80,
    )


def test_the_inspector_records_interviews_on_the_visit_page_for_the_posted_secretary(
    client, posted, visit, inspector, county_admin
):
    client.force_login(inspector)
    page = client.get(reverse("visit_detail", args=[visit.pk])).content.decode()
    assert reverse("visit_interviews", args=[visit.pk]) in page
    response = client.post(
        reverse("visit_interviews", args=[visit.pk]),
        {"households_asked": 12, "households_aware": 9},
    )
    assert response.status_code == 302
    check = AwarenessCheck.objects.get()
    assert (check.secretary, check.households_asked, check.households_aware, check.rate) == (
        posted,
        12,
        9,
        75,
    )
    # Recorded again, it replaces the visit's tally.
    client.post(
        reverse("visit_interviews", args=[visit.pk]),
        {"households_asked": 10, "households_aware": 4},
    )
    total, per_village = secretary_awareness(scope=Scope.of(county_admin), secretary=posted)
    assert (total.asked, total.aware, total.rate, total.visits) == (10, 4, 40, 1)
    assert [(village.pk, tally.rate) for village, tally in per_village] == [(visit.village_id, 40)]


def test_more_households_knowing_than_asked_is_refused_under_the_form(client, visit, inspector):
    client.force_login(inspector)
    response = client.post(
        reverse("visit_interviews", args=[visit.pk]),
        {"households_asked": 5, "households_aware": 6},
    )
    assert response.status_code == 200
    assert "知晓第一书记的户数多于走访户数" in response.content.decode()
    assert not AwarenessCheck.objects.exists()


def test_only_an_inspector_of_the_team_records_them(visit, county_admin):
    stranger = UserFactory(username="insp2", role="inspector", division_id="120114")
    for user in (stranger, county_admin):
        with pytest.raises(PermissionDenied):
            services.awareness_record(
                acting_user=user, visit=visit, households_asked=5, households_aware=3
            )
    assert not AwarenessCheck.objects.exists()


def test_the_rate_is_on_the_secretarys_page_the_village_file_and_the_quarterly_report(
    client, posted, visit, inspector, county_admin, village_a, case_a
):
    # The quarterly job reports on the counties that have cases: case_a puts Wuqing there.
    services.awareness_record(
        acting_user=inspector, visit=visit, households_asked=8, households_aware=6
    )
    client.force_login(county_admin)
    with time_machine.travel(NOW, tick=False):
        secretary_page = client.get(reverse("secretary_detail", args=[posted.pk])).content.decode()
        dossier = client.get(reverse("village_dossier", args=[village_a.code])).content.decode()
        word = client.get(reverse("village_dossier_docx", args=[village_a.code]))
        call_command("run_job", "quarterly_report", "--period", "2026-10", stdout=io.StringIO())
    assert "75%" in secretary_page and "8 户中 6 户" in secretary_page
    assert "75% 的受访农户知晓第一书记" in dossier
    paragraphs = [p.text for p in Document(io.BytesIO(word.getvalue())).paragraphs]
    assert "75% 的受访农户知晓第一书记（1次督查走访，8 户中 6 户）。" in paragraphs
    report = GeneratedReport.objects.get(kind=KIND, scope_code="120114")
    book = load_workbook(io.BytesIO(report.file.read()))
    summary = book.worksheets[0]
    header = [c.value for c in summary[2]]
    rows = {
        row[0]: dict(zip(header, row, strict=True))
        for row in summary.iter_rows(min_row=3, values_only=True)
    }
    here = rows[village_a.township.name]
    assert (here["受访户数"], here["知晓第一书记户数"], here["群众知晓率（%）"]) == (8, 6, 75)
    visits = book.worksheets[3]
    visit_header = [c.value for c in visits[2]]
    row = dict(zip(visit_header, next(visits.iter_rows(min_row=3, values_only=True)), strict=True))
    assert (row["第一书记"], row["受访户数"], row["群众知晓率（%）"]) == ("刘洋", 8, 75)
