"""The village file's part of the demo: one Wuqing village whose file shows every part.

五七村 (石各庄镇) is the demo's relapse: listed in 2025, transformed and closed, listed
again in 2026. Here it gets the rest of a real history, through the services as a user
would: its star ratings of both years; a first secretary for the 2025 campaign (evaluated,
then rotated out) and another since March 2026 with her work logs; the activities held
these months (its five ones come with every 2026 listing: firstsecretary.demo); a 2025
inspection visit with a finding that the township answered and an inspector verified,
named in that round's published circular.
The dates the services stamp with the moment of loading (events, answers, publication) are
set to the story's days, so that the timeline reads as the village lived it.
Runs once: a village that already has a first secretary is left alone.
"""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from firstsecretary import services as secretary_services
from firstsecretary.models import Assignment, DispatchUnit, SupportLink, WorkLog
from inspections import services as inspection_services
from inspections.choices import RoundKind, RoundStatus, Severity
from inspections.models import Circular, Finding
from portal.months import add_months, month_start
from rectification import services as ledger_services
from rectification.models import Case, CaseEvent, Category, VillageRating
from villages import services as village_services
from villages.models import Division, Village

VILLAGE = ("120114109", 0)  # the first village committee of 石各庄镇: the demo's relapse


def the_village():
    township, index = VILLAGE
    return Village.objects.filter(township_id=township, kind="village").order_by("code")[index]


def _moment(day):
    return timezone.make_aware(datetime.combine(day, time(9, 30)))


def load(*, county, inspector):
    """county: the county administrator; inspector: the demo inspector."""
    village = the_village()
    cases = list(Case.objects.filter(village=village).order_by("identified_on"))
    if len(cases) < 2 or Assignment.objects.filter(village=village).exists():
        return 0
    old = cases[0]
    wuqing = Division.objects.get(pk="120114")
    today = timezone.localdate()
    for year, stars in ((2025, 4), (2026, 3)):
        ledger_services.rating_set(acting_user=county, village=village, year=year, stars=stars)

    # The first secretaries: one for the 2025 campaign, rotated out; one since March 2026.
    unit = DispatchUnit.objects.filter(county=wuqing).order_by("pk").first()
    people = []
    for name, gender, born in (("马国栋", "male", 1983), ("杨帆", "female", 1991)):
        people.append(
            secretary_services.secretary_save(
                acting_user=county,
                county=wuqing,
                name=name,
                gender=gender,
                birth_year=born,
                education="undergraduate",
                unit=unit,
                position="副科长",
            )
        )
    first = secretary_services.assignment_start(
        acting_user=county,
        secretary=people[0],
        village=village,
        started_on=date(2025, 3, 20),
        planned_end=date(2027, 3, 19),
    )
    _logs(first, date(2025, 9, 1), date(2025, 11, 30))
    secretary_services.assignment_end(
        acting_user=county,
        assignment=first,
        ended_on=date(2025, 12, 31),
        reason="村党组织转化销号后轮换",
    )
    secretary_services.evaluation_set(
        acting_user=county,
        secretary=people[0],
        year=2025,
        grade="excellent",
        comment="转化成效明显",
    )
    second = secretary_services.assignment_start(
        acting_user=county,
        secretary=people[1],
        village=village,
        started_on=date(2026, 3, 12),
        planned_end=date(2028, 3, 11),
    )
    _logs(second, max(date(2026, 3, 12), add_months(month_start(today), -3)), today)

    # The activities held these months (the township's records).
    for back in range(5, 0, -1):
        month = add_months(month_start(today), -back)
        village_services.activity_record_save(
            acting_user=county,
            village=village,
            held_on=month.replace(day=8),
            kind="theme_day",
            topic=f"{month.month}月主题党日：重温入党誓词，学习村规民约",
            attendance=21 + back,
            instructor_present=back % 2 == 1,
        )

    _inspection_2025(county, inspector, village, old)
    _dates_of_the_story(village, cases)
    return 1


def _logs(posting, first, last):
    """Working days between `first` and `last` (Monday to Saturday), mostly in the village."""
    rng = random.Random(posting.secretary.name)
    day, logs = first, []
    while day <= last:
        if day.weekday() < 6 and day >= posting.started_on:
            on_site = rng.random() < 0.85
            logs.append(
                WorkLog(
                    assignment=posting,
                    date=day,
                    on_site=on_site,
                    households_visited=rng.randint(2, 8) if on_site else 0,
                    kind="visit" if on_site else "study",
                    summary="入户走访党员群众，了解集体经济和村务公开情况。"
                    if on_site
                    else "在派出单位参加业务培训。",
                )
            )
        day += timedelta(days=1)
    WorkLog.objects.bulk_create(logs)


def _inspection_2025(county, inspector, village, case):
    """2025's third-quarter round: a visit, a finding answered and verified, the circular."""
    wuqing = Division.objects.get(pk="120114")
    inspection = inspection_services.round_create(
        acting_user=county,
        county=wuqing,
        year=2025,
        quarter=3,
        kind=RoundKind.CENTRALISED,
        starts_on=date(2025, 8, 4),
        ends_on=date(2025, 8, 22),
    )
    team = inspection_services.team_save(
        acting_user=county,
        inspection=inspection,
        name="第二督查组",
        leader="赵立新",
        members=[inspector],
    )
    inspection_services.team_assign(acting_user=county, team=team, villages=[village])
    inspection_services.round_move(acting_user=county, inspection=inspection, to=RoundStatus.ACTIVE)
    visit = inspection_services.visit_record(
        acting_user=inspector,
        team=team,
        village=village,
        visited_on=date(2025, 8, 6),
        unannounced=False,
        summary="查阅“三会一课”记录和村务公开栏，走访党员群众8户。",
        score=72,
    )
    finding = inspection_services.finding_add(
        acting_user=inspector,
        visit=visit,
        category=Category.objects.get(name="组织制度形同虚设、不开展组织活动"),
        description="党员大会记录不全，上半年主题党日仅开展两次。",
        severity=Severity.SERIOUS,
        deadline=date(2025, 9, 30),
        case=case,
    )
    inspection_services.finding_answer(
        acting_user=county, finding=finding, response="已补齐会议记录，建立主题党日月度台账。"
    )
    inspection_services.finding_verify(acting_user=inspector, finding=finding)
    Finding.objects.filter(pk=finding.pk).update(
        responded_at=_moment(date(2025, 9, 18)), verified_at=_moment(date(2025, 9, 26))
    )
    circular = inspection_services.circular_draft(acting_user=county, inspection=inspection)
    inspection_services.circular_publish(acting_user=county, circular=circular)
    Circular.objects.filter(pk=circular.pk).update(published_at=_moment(date(2025, 9, 5)))
    inspection_services.round_move(acting_user=county, inspection=inspection, to=RoundStatus.CLOSED)


# When each step of a listing happened, counted from the listing's own dates: the demo files
# them all at the moment of loading.
def _event_day(event, case, reviews):
    listed = case.identified_on
    steps = {
        "listed": listed,
        "plan_submitted": listed + timedelta(days=12),
        "plan_approved": listed + timedelta(days=18),
        "start": listed + timedelta(days=18),
        "request_acceptance": (reviews[0] - timedelta(days=10)) if reviews else None,
        "evidence_added": (reviews[0] - timedelta(days=9)) if reviews else None,
        "pass_acceptance": reviews[-1] if reviews else None,
        "fail_acceptance": reviews[0] if reviews else None,
        "close": case.closed_on,
    }
    return steps.get(event.action)


def _dates_of_the_story(village, cases):
    for year, day in ((2025, date(2025, 1, 15)), (2026, date(2026, 1, 20))):
        VillageRating.objects.filter(village=village, year=year).update(rated_at=_moment(day))
    for case in cases:
        SupportLink.objects.filter(case=case).update(
            created_at=_moment(case.identified_on + timedelta(days=7))
        )
        reviews = [r.reviewed_on for r in case.acceptances.order_by("reviewed_on")]
        for event in CaseEvent.objects.filter(case=case):
            day = _event_day(event, case, reviews)
            if day is not None:
                CaseEvent.objects.filter(pk=event.pk).update(at=_moment(day))
