"""The activity-plan part of the demo: six months of reporting history in every Wuqing
township (most townships nearly always on time, a few lagging: some late, some missing),
activities held with the county sitting in on some, and next month half filed in 梅厂镇,
so the township page, the timeliness table, the dashboard's heat map and the bell all
have something to show. Runs once."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.jobs import run
from portal.months import add_months
from villages import deadlines, services
from villages.choices import DueDayRule
from villages.deadlines import CountyDeadlines
from villages.models import (
    ActivityPlan,
    ActivityPlanItem,
    ActivityRecord,
    Division,
    Urging,
    Venue,
    Village,
)

MONTHS = 6
# Where the activities held are recorded too (the township and village pages show them).
RECORDED = ("120114101", "120114102", "120114103", "120114104", "120114105", "120114106")
# How often a township's villages miss a month or file late: most are diligent.
HABITS = ((0.01, 0.03), (0.02, 0.05), (0.03, 0.08), (0.08, 0.12), (0.2, 0.15))
TOPICS = [
    ("theme_day", "主题党日：重温入党誓词"),
    ("party_lesson", "书记讲党课：发展壮大村级集体经济"),
    ("member_assembly", "党员大会：民主评议党员"),
    ("branch_committee", "支部委员会：研究年度发展党员计划"),
    ("group_meeting", "党小组会：学习贯彻会议精神"),
]


def load(*, organizers):
    """organizers: {township code: organizer} for next month's plans in their township."""
    villages = list(Village.objects.filter(code__startswith="120114").order_by("code"))
    if ActivityPlan.objects.filter(village__in=villages).exists():
        return 0
    # Wuqing moves a due day that is not a working day to the next one (顺延): its settings
    # and working-day calendar pages show it, and its plans are late by that day.
    Division.objects.filter(pk="120114").update(due_day_rule=DueDayRule.POSTPONE)
    wuqing = CountyDeadlines(["120114"])
    this_month = timezone.localdate().replace(day=1)
    history = [add_months(this_month, n) for n in range(1 - MONTHS, 1)]
    plans, items, records = [], [], []
    for village in villages:
        rng = random.Random(village.code)
        missing, late_share = random.Random(village.township_id).choices(
            HABITS, weights=(10, 8, 5, 2, 1)
        )[0]
        for month in history:
            roll = rng.random()
            if roll < missing:
                continue
            due = wuqing.due_by(month, village.code)
            late = roll > 1 - late_share
            when = (
                due + timedelta(hours=rng.randint(2, 60))
                if late
                else due - timedelta(days=rng.randint(1, 8), hours=rng.randint(1, 9))
            )
            plans.append(ActivityPlan(village=village, month=month, submitted_at=when, late=late))
    ActivityPlan.objects.bulk_create(plans, batch_size=1000)
    for plan in ActivityPlan.objects.filter(village__in=villages):
        rng = random.Random(f"{plan.village_id}{plan.month}")
        for day, (kind, topic) in zip((5, 15, 25), rng.sample(TOPICS, 3), strict=True):
            items.append(
                ActivityPlanItem(
                    plan=plan,
                    date=plan.month.replace(day=day),
                    kind=kind,
                    topic=topic,
                    place="村党群服务中心",
                    instructor_attends=day == 15,
                )
            )
            held = plan.month.replace(day=day)
            recorded = plan.village_id[:9] in RECORDED
            if recorded and held <= timezone.localdate() and rng.random() < 0.8:
                records.append(
                    ActivityRecord(
                        village_id=plan.village_id,
                        held_on=held,
                        kind=kind,
                        topic=topic,
                        attendance=rng.randint(12, 45),
                        instructor_present=day == 15,
                        county_sat_in=rng.random() < 0.05,
                        minutes="会议按议程进行，形成决议并公开。",
                    )
                )
    ActivityPlanItem.objects.bulk_create(items, batch_size=2000)
    ActivityRecord.objects.bulk_create(records, batch_size=2000)
    for month in history:
        run("activity_plan_deadline", month)
    _next_month(organizers, add_months(this_month, 1))
    return len(plans)


def _next_month(organizers, month):
    """Half of 梅厂镇's villages have filed next month's plan, a few still as drafts."""
    organizer = organizers.get("120114101")
    if organizer is None:
        return
    for index, village in enumerate(
        Village.objects.filter(township_id="120114101").order_by("code")[:24]
    ):
        plan = (
            services.activity_plan_copy_previous(
                acting_user=organizer, village=village, month=month
            )
            if ActivityPlan.objects.filter(village=village, month=add_months(month, -1)).exists()
            else None
        )
        if plan is not None and index % 4:
            due = deadlines.due_date(month, village.code)
            submitted_at = timezone.make_aware(datetime.combine(due - timedelta(days=3), time(10)))
            services.activity_plan_submit(
                acting_user=organizer, plan=plan, now=min(submitted_at, timezone.now())
            )


# Urged for next month's plans (催报): 梅厂镇 half filed, two townships with none filed.
URGED = ("120114101", "120114102", "120114103")


def urgings(*, county):
    """The county urges three townships for next month, once: the board shows them urged,
    their organizers have the notice, and their to-do lines say so. Returns how many."""
    month = add_months(timezone.localdate().replace(day=1), 1)
    if Urging.objects.filter(month=month, township_id__in=URGED).exists():
        return 0
    urged = 0
    for township in Division.objects.filter(pk__in=URGED).order_by("code"):
        try:
            services.township_urge(acting_user=county, township=township, month=month)
            urged += 1
        except ValidationError:
            pass  # every plan filed already: nothing to urge
    return urged


# Activity venues (活动场所): what the township organizers enter, in turn by village. Seed 000
# renovated 137 venues in Wuqing with county and village money; seed 001 lists the sources.
# (state, area m², works started / finished as days ago, funding: (source, years ago, 万元))
VENUE_STORIES = (
    ("meets", 260, (900, 760), (("county", 2, 30), ("own", 2, 8.5))),
    ("extending", 150, (40, None), (("city", 0, 20), ("county", 0, 12))),
    ("meets", 320, (1300, 1150), (("province", 3, 40), ("county", 3, 25), ("social", 3, 5))),
    ("below", 90, (None, None), ()),
    ("building", 240, (75, None), (("central", 0, 50), ("county", 0, 30), ("own", 0, 6))),
    ("meets", 210, (None, None), ()),
    ("below", 160, (None, None), (("own", 1, 2),)),
)


def venues(*, organizers, villages):
    """The organizers enter the venues of `villages` (in their townships), each with one of
    the stories in turn: up to standard, being extended, being built, below standard. Runs
    once (a village that has a venue is left as it is). Returns how many were entered."""
    today = timezone.localdate()
    entered = 0
    for index, village in enumerate(villages):
        organizer = organizers.get(village.township_id)
        if organizer is None or Venue.objects.filter(village=village).exists():
            continue
        state, area, (started, finished), funding = VENUE_STORIES[index % len(VENUE_STORIES)]
        services.venue_save(
            acting_user=organizer,
            village=village,
            version=None,
            area=Decimal(area),
            state=state,
            works_started_on=today - timedelta(days=started) if started else None,
            works_finished_on=today - timedelta(days=finished) if finished else None,
            funding=[
                {"source": source, "year": today.year - ago, "amount": Decimal(str(amount))}
                for source, ago, amount in funding
            ],
        )
        entered += 1
    return entered
