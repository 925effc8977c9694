"""The village file (一村一档): every part of a village's history on one page, in the
reader's scope, newest first on one timeline, as a Word file too; its queries do not grow
with the history."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from firstsecretary.models import (
    Assignment,
    DispatchUnit,
    Evaluation,
    FirstSecretary,
    SupportLink,
    WorkLog,
)
from home.dossier import village_dossier
from home.templatetags.home_tags import village_link
from inspections.models import Circular, Finding, InspectionRound, Team, Visit
from portal.scoping import Scope
from rectification.models import (
    Acceptance,
    Campaign,
    Case,
    CaseEvent,
    Category,
    Plan,
    PlanTask,
    VillageRating,
)
from villages.models import ActivityPlan, ActivityPlanItem, ActivityRecord, Village

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


def _at(day):
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI)


def _history(village, years, *, unit_name="区农业农村委"):
    """`years` years of everything for `village`, one of each part a year (2026 back):
    a rating, a listing (the later ones relapses) with an event, a plan task done, an
    acceptance review and an enterprise supporter; a first secretary's posting with a
    work log and an evaluation; a month's activity plan with an item and an activity held;
    an inspection visit with an answered finding, named in a published circular."""
    category = Category.objects.get(name="组织制度形同虚设、不开展组织活动")
    unit = DispatchUnit.objects.create(
        county_id="120114", name=unit_name, level="county", kind="government"
    )
    for index, year in enumerate(range(2026, 2026 - years, -1)):
        rating = VillageRating.objects.create(village=village, year=year, stars=3, grade=3)
        VillageRating.objects.filter(pk=rating.pk).update(rated_at=_at(date(year, 2, 1)))
        campaign, _created = Campaign.objects.get_or_create(
            division_id="120114",
            year=year,
            defaults={"name": f"武清区{year}年度整顿", "started_on": date(year, 3, 1)},
        )
        case = Case.objects.create(
            campaign=campaign,
            village=village,
            problems=f"{year}年班子不团结",
            responsible_person="王书记",
            identified_on=date(year, 3, 10),
            deadline=date(year, 12, 31),
            listing=years - index,
            status="rectifying" if index == 0 else "closed",
            transformed_on=None if index == 0 else date(year, 10, 25),
            closed_on=None if index == 0 else date(year, 11, 10),
        )
        case.categories.add(category)
        event = CaseEvent.objects.create(case=case, action="listed", to_status="identified")
        CaseEvent.objects.filter(pk=event.pk).update(at=_at(date(year, 3, 10)))
        plan = Plan.objects.create(case=case, status="approved", goal="年底前转化")
        PlanTask.objects.create(
            plan=plan,
            measure=f"{year}年选优配强书记",
            owner="镇党委",
            due_on=date(year, 6, 30),
            progress=100,
            completed_on=date(year, 6, 20),
        )
        Acceptance.objects.create(
            case=case,
            reviewed_on=date(year, 10, 25),
            total=86,
            pass_mark=70,
            satisfaction=93,
            conclusion="群众认可",
            passed=True,
        )
        SupportLink.objects.create(case=case, kind="enterprise", name=f"{year}年帮建企业")
        person = FirstSecretary.objects.create(
            county_id="120114",
            name=f"驻村{year}",
            gender="male",
            birth_year=1985,
            education="undergraduate",
            unit=unit,
        )
        posting = Assignment.objects.create(
            secretary=person,
            village=village,
            started_on=date(year, 3, 1),
            planned_end=date(year + 1, 2, 28),
            actual_end=None if index == 0 else date(year + 1, 2, 28),
        )
        WorkLog.objects.create(
            assignment=posting,
            date=date(year, 9, 3),
            on_site=True,
            households_visited=5,
            kind="visit",
            summary="走访农户",
        )
        Evaluation.objects.create(secretary=person, year=year, grade="excellent")
        month = date(2026, 10 - index, 1)
        activity = ActivityPlan.objects.create(
            village=village, month=month, submitted_at=_at(date(2026, 9 - index, 20))
        )
        ActivityPlanItem.objects.create(
            plan=activity,
            date=month.replace(day=8),
            kind="theme_day",
            topic=f"{month:%m}月主题党日",
        )
        ActivityRecord.objects.create(
            village=village,
            held_on=month.replace(day=8),
            kind="theme_day",
            topic=f"{month:%m}月主题党日",
            attendance=20,
        )
        inspection = InspectionRound.objects.create(
            county_id="120114",
            year=year,
            quarter=3,
            kind="centralised",
            starts_on=date(year, 8, 3),
            ends_on=date(year, 8, 21),
            status="closed",
        )
        team = Team.objects.create(round=inspection, name="第一督查组")
        visit = Visit.objects.create(
            round=inspection,
            team=team,
            village=village,
            visited_on=date(year, 8, 5),
            summary="查阅记录",
        )
        Finding.objects.create(
            visit=visit,
            category=category,
            description=f"{year}年会议记录不全",
            severity="minor",
            township_id=village.township_id,
            deadline=date(year, 9, 30),
            status="rectifying",
            response="已补齐会议记录",
            responded_at=_at(date(year, 9, 1)),
        )
        Circular.objects.create(
            round=inspection,
            county_id="120114",
            year=year,
            number=Circular.objects.filter(county_id="120114", year=year).count() + 1,
            title=f"关于{year}年第三季度督查情况的通报",
            body="……",
            published_at=_at(date(year, 9, 10)),
        )


@pytest.fixture
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def rich(db, village_a, clock):
    """Village A with three years of history (two relapses)."""
    _history(village_a, 3)
    return village_a


def _page(client, user, village):
    client.force_login(user)
    return client.get(reverse("village_dossier", args=[village.code]))


def test_the_file_shows_every_part_of_the_villages_history(client, county_admin, rich):
    response = _page(client, county_admin, rich)
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "2026年班子不团结",  # this year's ledger row
        "2024年班子不团结",  # the first listing, closed
        "2026年选优配强书记",  # a plan task
        "群众认可",  # the acceptance review's conclusion
        "2025年帮建企业",  # a supporter of last year's listing
        "驻村2025",  # last year's first secretary
        "2026-09",  # a month of presence
        "10月主题党日",  # an activity plan item and the activity held
        "2024年会议记录不全",  # a finding
        "已补齐会议记录",  # its answer
        "关于2025年第三季度督查情况的通报",  # a circular that named the village
    ):
        assert text in page, text
    dossier = response.context["dossier"]
    assert [item.case.campaign.year for item in dossier.cases] == [2026, 2025, 2024]
    assert dossier.relapses == 2
    assert [r.year for r in dossier.ratings] == [2026, 2025, 2024]
    assert len(dossier.activity) == 12
    assert dossier.activity[0].month == date(2026, 12, 1)  # the month being planned now
    assert [p.evaluations[0].year for p in dossier.postings] == [2026, 2025, 2024]


def test_the_timeline_puts_the_newest_first(county_admin, rich):
    dossier = village_dossier(scope=Scope.of(county_admin), village=rich, today=TODAY.date())
    days = [entry.on for entry in dossier.timeline]
    assert days == sorted(days, reverse=True)
    # 2026: the evaluation (dated at the latest today), the circular, the visit's answer...
    assert dossier.timeline[0].on == date(2026, 11, 20)
    assert dossier.timeline[-1].on == date(2024, 2, 1)  # the first rating
    texts = [entry.text for entry in dossier.timeline]
    assert any("listing 3" in text or "第3次" in text for text in texts)


def test_a_township_outside_the_village_gets_404(client, bob, rich):
    assert _page(client, bob, rich).status_code == 404


def test_a_visit_still_ahead_is_not_in_the_townships_file(client, alice, county_admin, rich):
    future = Visit.objects.filter(village=rich, visited_on__year=2026).get()
    Visit.objects.filter(pk=future.pk).update(visited_on=date(2026, 12, 2))
    alices = village_dossier(scope=Scope.of(alice), village=rich)
    counties = village_dossier(scope=Scope.of(county_admin), village=rich)
    assert [v.visited_on.year for v in alices.visits] == [2025, 2024]
    assert [v.visited_on.year for v in counties.visits] == [2026, 2025, 2024]


def test_the_queries_do_not_grow_with_the_history(client, county_admin, village_a, clock):
    little = Village.objects.filter(township_id=village_a.township_id).order_by("code")[1]
    _history(little, 1, unit_name="区商务局")
    _history(village_a, 4)
    client.force_login(county_admin)
    counts = []
    for village in (little, village_a):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("village_dossier", args=[village.code])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_word_file_holds_the_same_parts(client, county_admin, rich):
    client.force_login(county_admin)
    response = client.get(reverse("village_dossier_docx", args=[rich.code]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    cells = " ".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "2024年班子不团结" in cells
    assert "已补齐会议记录" in cells
    paragraphs = " ".join(p.text for p in document.paragraphs)
    assert rich.name in paragraphs
    assert "关于2026年第三季度督查情况的通报" in paragraphs


def test_a_first_secretary_reads_his_villages_file_but_gets_no_word_file(client, secretary, rich):
    assert _page(client, secretary, rich).status_code == 200
    assert client.get(reverse("village_dossier_docx", args=[rich.code])).status_code == 403


def test_a_village_name_links_to_its_file(village_a):
    link = village_link(village_a)
    assert link == f'<a href="/villages/{village_a.code}/file/">{village_a.name}</a>'


def test_a_village_with_no_history_has_a_file_that_says_so(client, alice, village_a, clock):
    page = _page(client, alice, village_a).content.decode()
    assert "从未列入整顿台账。" in page
    assert "尚未选派第一书记。" in page
    assert "暂无督查走访记录。" in page
    assert "暂无记录。" in page  # the timeline
