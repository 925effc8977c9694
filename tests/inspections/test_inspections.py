"""Inspection rounds, the random draw, visits, the finding life cycle and circulars."""

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from inspections import services
from inspections.models import Circular, Finding
from portal.exceptions import TransitionError
from portal.models import Notification
from rectification.models import Category
from tests.factories import UserFactory
from villages.models import Division, Village

WUQING = "120114"


@pytest.fixture
def inspection(county_admin):
    return services.round_create(
        acting_user=county_admin,
        county=Division.objects.get(pk=WUQING),
        year=2026,
        quarter=4,
        kind="random",
        starts_on=date(2026, 10, 8),
        ends_on=date(2026, 10, 30),
    )


@pytest.fixture
def team(inspection, county_admin, inspector, village_a):
    team = services.team_save(
        acting_user=county_admin,
        inspection=inspection,
        name="第一督查组",
        leader="赵立新",
        members=[inspector],
    )
    # Visits are recorded only to the villages on the team's list.
    return services.team_assign(acting_user=county_admin, team=team, villages=[village_a])


@pytest.fixture
def active(inspection, county_admin, team):
    return services.round_move(acting_user=county_admin, inspection=inspection, to="active")


@pytest.fixture
def visit(active, team, inspector, village_a):
    return services.visit_record(
        acting_user=inspector,
        team=team,
        village=village_a,
        visited_on=date(2026, 10, 9),
        unannounced=True,
        summary="查阅会议记录，走访党员群众",
        score=72,
    )


@pytest.fixture
def finding(visit, inspector):
    return services.finding_add(
        acting_user=inspector,
        visit=visit,
        category=Category.objects.first(),
        description="“三会一课”记录不全",
        severity="serious",
        deadline=date(2026, 11, 30),
    )


def test_the_round_goes_planned_active_closed_and_never_back(inspection, county_admin, inspector):
    with pytest.raises(PermissionDenied):
        services.round_move(acting_user=inspector, inspection=inspection, to="active")
    services.round_move(acting_user=county_admin, inspection=inspection, to="active")
    services.round_move(acting_user=county_admin, inspection=inspection, to="closed")
    with pytest.raises(TransitionError):
        services.round_move(acting_user=county_admin, inspection=inspection, to="active")


def test_a_team_is_made_of_the_countys_inspectors(inspection, county_admin, alice):
    with pytest.raises(ValidationError):
        services.team_save(
            acting_user=county_admin, inspection=inspection, name="二组", members=[alice]
        )


def test_the_random_draw_is_reproduced_by_its_seed(inspection, county_admin, team, list_case):
    for village in Village.objects.filter(code__startswith="120114101", kind="village")[:12]:
        list_case(county_admin, village)
    first = services.draw_villages(
        acting_user=county_admin, inspection=inspection, count=5, seed="2026Q4"
    )
    again = services.draw_villages(
        acting_user=county_admin, inspection=inspection, count=5, seed="2026Q4"
    )
    other = services.draw_villages(
        acting_user=county_admin, inspection=inspection, count=5, seed="another"
    )
    assert [v.code for v in first] == [v.code for v in again]
    assert [v.code for v in other] != [v.code for v in first]
    inspection.refresh_from_db()
    assert inspection.draw_seed == "another"
    assert sorted(team.villages.values_list("code", flat=True)) == sorted(v.code for v in other)
    with pytest.raises(ValidationError):
        services.draw_villages(acting_user=county_admin, inspection=inspection, count=99)


def test_only_the_teams_inspectors_record_visits_while_the_round_is_under_way(
    inspection, team, county_admin, inspector, village_a
):
    other = UserFactory(username="inspector2", role="inspector", division_id=WUQING)
    kwargs = {
        "team": team,
        "village": village_a,
        "visited_on": date(2026, 10, 9),
        "unannounced": False,
        "summary": "座谈",
    }
    with pytest.raises(ValidationError):
        services.visit_record(acting_user=inspector, **kwargs)  # the round is only planned
    services.round_move(acting_user=county_admin, inspection=inspection, to="active")
    with pytest.raises(PermissionDenied):
        services.visit_record(acting_user=other, **kwargs)
    assert services.visit_record(acting_user=inspector, **kwargs).team == team


def test_the_visit_form_is_refused_to_an_inspector_on_no_team_of_the_round(
    client, active, inspector
):
    other = UserFactory(username="inspector2", role="inspector", division_id=WUQING)
    url = reverse("visit_create", args=[active.pk])
    client.force_login(other)
    assert client.get(url).status_code == 403
    assert client.post(url, {"summary": "座谈"}).status_code == 403
    client.force_login(inspector)
    assert client.get(url).status_code == 200


def test_a_finding_is_answered_by_the_township_and_verified_by_an_inspector(
    case_a, finding, inspector, alice, bob
):
    assert finding.township_id == alice.division_id and finding.status == "open"
    assert finding.case == case_a  # linked to the village's open case
    with pytest.raises(TransitionError):
        services.finding_verify(acting_user=inspector, finding=finding)
    from django.http import Http404

    with pytest.raises(Http404):
        services.finding_answer(acting_user=bob, finding=finding, response="已整改")
    services.finding_answer(acting_user=alice, finding=finding, response="已补齐会议记录")
    with pytest.raises(PermissionDenied):
        services.finding_verify(acting_user=alice, finding=finding)
    verified = services.finding_verify(acting_user=inspector, finding=finding)
    assert verified.status == "verified" and verified.verified_by == inspector


def test_the_township_answers_with_evidence_on_the_page(client, finding, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    client.post(
        reverse("finding_answer", args=[finding.pk]),
        {"response": "已补齐", "file": SimpleUploadedFile("记录.pdf", b"%PDF-1.4 x")},
    )
    finding.refresh_from_db()
    assert finding.status == "rectifying"
    assert "记录.pdf" in client.get(finding.get_absolute_url()).content.decode()


def test_circulars_are_numbered_per_county_and_year(county_admin, inspection, active, finding):
    first = services.circular_draft(acting_user=county_admin, inspection=inspection)
    second_round = services.round_create(
        acting_user=county_admin,
        county=Division.objects.get(pk=WUQING),
        year=2026,
        quarter=4,
        kind="unannounced",
        starts_on=date(2026, 11, 2),
        ends_on=date(2026, 11, 20),
    )
    second = services.circular_draft(acting_user=county_admin, inspection=second_round)
    next_year = services.round_create(
        acting_user=county_admin,
        county=Division.objects.get(pk=WUQING),
        year=2027,
        quarter=1,
        kind="centralised",
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 3, 20),
    )
    third = services.circular_draft(acting_user=county_admin, inspection=next_year)
    assert [c.reference for c in (first, second, third)] == [
        "武组通〔2026〕1号",
        "武组通〔2026〕2号",
        "武组通〔2027〕1号",
    ]
    assert "梅厂镇" in first.body and "三会一课" in first.body
    with pytest.raises(IntegrityError), transaction.atomic():
        Circular.objects.filter(pk=second.pk).update(number=1)


def test_publishing_tells_the_townships_who_acknowledge_it(
    client, county_admin, alice, bob, inspection
):
    from django.http import Http404

    circular = services.circular_draft(acting_user=county_admin, inspection=inspection)
    with pytest.raises(Http404):  # a draft exists for the county department only
        services.circular_acknowledge(acting_user=alice, circular=circular)
    services.circular_publish(acting_user=county_admin, circular=circular)
    assert (
        Notification.objects.filter(user__in=[alice, bob], key=f"circular:{circular.pk}").count()
        == 2
    )
    services.circular_acknowledge(acting_user=alice, circular=circular)
    services.circular_acknowledge(acting_user=alice, circular=circular)
    assert circular.acknowledgements.count() == 1
    with pytest.raises(TransitionError):
        services.circular_update(acting_user=county_admin, circular=circular, title="改", body="改")


def test_the_circular_downloads_as_a_word_document(client, county_admin, alice, inspection):
    circular = services.circular_draft(acting_user=county_admin, inspection=inspection)
    services.circular_publish(acting_user=county_admin, circular=circular)
    client.force_login(alice)
    response = client.get(reverse("circular_docx", args=[circular.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "〔2026〕1号" in text and circular.title in text and "武清区" in text


def test_the_findings_list_exports_what_the_page_shows(client, finding, inspector, alice, bob):
    client.force_login(inspector)
    response = client.post(reverse("finding_export") + "?status=open")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(row=3, column=7).value == "“三会一课”记录不全"
    # The finding's own township has it in its export; another township has nothing.
    client.force_login(alice)
    response = client.post(reverse("finding_export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert (sheet.max_row, sheet.cell(row=3, column=7).value) == (3, "“三会一课”记录不全")
    client.force_login(bob)
    response = client.post(reverse("finding_export"))
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.max_row == 2
    assert Finding.objects.count() == 1


def test_the_overdue_sweep_sends_one_notification_per_user_per_day(
    finding, alice, bob, county_admin
):
    from django.core.management import call_command

    for _ in range(2):
        call_command("run_job", "overdue_sweep", "--period", "2026-12-15", stdout=io.StringIO())
    mine = Notification.objects.get(user=alice, key="overdue:2026-12-15")
    assert mine.title.endswith("督查问题 1 个")
    assert "三会一课" in mine.body
    assert Notification.objects.filter(user=county_admin, key="overdue:2026-12-15").count() == 1
    assert not Notification.objects.filter(user=bob, key="overdue:2026-12-15").exists()
    call_command("run_job", "overdue_sweep", "--period", "2026-11-15", stdout=io.StringIO())
    assert not Notification.objects.filter(user=alice, key="overdue:2026-11-15").exists()


def test_the_overdue_sweep_sends_nothing_on_a_weekend_and_the_next_working_day_does(finding, alice):
    from django.core.management import call_command

    # Saturday 5 December 2026, then Monday the 7th: the finding was due on 30 November.
    call_command("run_job", "overdue_sweep", "--period", "2026-12-05", stdout=io.StringIO())
    assert not Notification.objects.filter(user=alice).exists()
    call_command("run_job", "overdue_sweep", "--period", "2026-12-07", stdout=io.StringIO())
    assert Notification.objects.filter(user=alice, key="overdue:2026-12-07").exists()


def test_a_deadline_in_working_days_counts_the_national_day_make_up_saturday(visit, inspector):
    # Visited Friday 9 October 2026; Saturday the 10th is worked (调休), so five working
    # days run 10, 12, 13, 14, 15 October.
    finding = services.finding_add(
        acting_user=inspector,
        visit=visit,
        category=Category.objects.first(),
        description="党员发展程序不规范",
        severity="serious",
        within_workdays=5,
    )
    assert finding.deadline == date(2026, 10, 15)
    with pytest.raises(ValidationError):
        services.finding_add(
            acting_user=inspector,
            visit=visit,
            category=Category.objects.first(),
            description="无期限",
            severity="minor",
        )


def test_the_api_answers_and_verifies_with_the_same_rules(client, finding, alice, inspector):
    client.force_login(inspector)
    assert client.post(reverse("finding-verify", args=[finding.pk])).status_code == 409
    client.force_login(alice)
    answered = client.post(reverse("finding-answer", args=[finding.pk]), {"response": "已补齐"})
    assert answered.status_code == 200 and answered.json()["status"] == "rectifying"
    assert client.post(reverse("finding-verify", args=[finding.pk])).status_code == 403
    client.force_login(inspector)
    assert client.post(reverse("finding-verify", args=[finding.pk])).json()["status"] == "verified"


def test_the_rounds_list_exports_with_its_seed(client, inspection, county_admin, team, list_case):
    for village in Village.objects.filter(code__startswith="120114101", kind="village")[:3]:
        list_case(county_admin, village)
    services.draw_villages(acting_user=county_admin, inspection=inspection, count=2, seed="s1")
    client.force_login(county_admin)
    response = client.post(reverse("round_export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(row=3, column=9).value == "s1"


def test_an_answer_with_a_file_that_is_not_allowed_saves_nothing(client, finding, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.models import Attachment

    client.force_login(alice)
    response = client.post(
        reverse("finding_answer", args=[finding.pk]),
        {"response": "已补齐", "file": SimpleUploadedFile("记录.pdf", b"MZ\x90\x00 program")},
        follow=True,
    )
    assert "只接受" in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == "open" and finding.response == ""
    assert not Attachment.objects.exists()
