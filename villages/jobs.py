"""The activity-plan jobs: the reminder three working days before the due day and the
deadline check the day after it.

Both are about the month being planned (the next one), idempotent (notifications are
keyed by month and township, snapshots upserted) and run by `run_job NAME --period
YYYY-MM` for every county. Beat runs them every day through `*_due` (`--period
YYYY-MM-DD`), which picks the counties whose reminder day or deadline it is: each county's
due day is its own (the 25th, or the next working day where it moves: villages.deadlines).
Their queries do not grow with the number of villages.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from celery.schedules import crontab
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.choices import Role
from portal.jobs import HOUR, every, job
from portal.models import User
from portal.months import month_start, next_month
from portal.notifications import notify_many
from portal.scoping import Scope
from villages import selectors
from villages.choices import DivisionLevel
from villages.deadlines import CountyDeadlines
from villages.models import Division, TimelinessSnapshot

if TYPE_CHECKING:
    from datetime import date

SHOWN = 20  # village names listed in one notification; the rest are counted


def _missing_by_township(month, counties=None):
    by_township = {}
    everywhere = Scope.everything(reason="activity plans: every township's missing plans")
    missing = selectors.missing_plans(scope=everywhere, month=month)
    if counties is not None:
        missing = missing.filter(township__parent_id__in=counties)
    for township, _code, name in missing.iterator(chunk_size=5000):
        names = by_township.setdefault(township, [0, []])
        names[0] += 1
        if len(names[1]) < SHOWN:
            names[1].append(name)
    return by_township


def _listing(count, names):
    text = "、".join(names)
    return (
        text
        if count <= len(names)
        else _("{names} and {more} more").format(names=text, more=count - len(names))
    )


def _organizers(townships):
    rows = User.objects.filter(
        role=Role.TOWNSHIP_ORGANIZER, is_active=True, division_id__in=townships
    ).values_list("pk", "division_id")
    by_township = {}
    for user_id, township in rows:
        by_township.setdefault(township, []).append(user_id)
    return by_township


def _url(month):
    return f"{reverse('activity_township')}?month={month:%Y-%m}"


@job(
    "activity_plan_reminder",
    period_help="month planned: villages without a plan yet",
    default=next_month,
)
def activity_plan_reminder(month: date) -> str:
    """Each township organizer of every county gets the villages still without a plan."""
    return _remind(month, None)


def _remind(month: date, counties: list[str] | None) -> str:
    """Three working days before the due day: each township organizer (of every county, or
    of `counties`) gets the villages still without a plan."""
    missing = _missing_by_township(month, counties)
    deadlines = CountyDeadlines({township[:6] for township in missing})
    organizers = _organizers(list(missing))
    messages = []
    for township, (count, names) in missing.items():
        for user_id in organizers.get(township, []):
            messages.append(
                (
                    user_id,
                    f"activity-reminder:{month:%Y-%m}:{township}",
                    _("{count} villages have not reported their {month} plan (due {due})").format(
                        count=count,
                        month=month.strftime("%Y-%m"),
                        due=deadlines.due_date(month, township).isoformat(),
                    ),
                    _listing(count, names),
                    _url(month),
                )
            )
    sent = notify_many(messages)
    return f"activity_plan_reminder {month:%Y-%m}: {len(missing)} townships, {sent} notified"


@job(
    "activity_plan_deadline",
    period_help="month planned: record missing plans, notify",
    default=next_month,
)
def activity_plan_deadline(month: date) -> str:
    """Record every county's timeliness for the month and notify (see `_check`)."""
    return _check(month, None)


def _check(month: date, counties: list[str] | None) -> str:
    """The day after the due day: record each township's timeliness (of every county, or of
    `counties`), tell organizers what is missing and each county's administrators how their
    townships did."""
    if counties is None:
        counties = list(
            Division.objects.filter(level=DivisionLevel.COUNTY).values_list("code", flat=True)
        )
    deadlines = CountyDeadlines(counties)
    latest = max((deadlines.due_by(month, county) for county in counties), default=None)
    # The check records the month as due, even when run by hand before its deadline.
    figures = selectors.timeliness(
        scope=Scope.everything(reason="activity plan deadline check"),
        months=[month],
        now=max(timezone.now(), latest) if latest else timezone.now(),
    )
    wanted = set(counties)
    figures = {key: t for key, t in figures.items() if key[0][:6] in wanted}
    snapshots = [
        TimelinessSnapshot(
            township_id=township,
            month=month,
            expected=t.expected,
            on_time=t.on_time,
            late=t.late,
            missing=t.missing or 0,
        )
        for (township, _month), t in figures.items()
    ]
    TimelinessSnapshot.objects.bulk_create(
        snapshots,
        # No batch_size: on PostgreSQL one statement whatever the number of townships
        # (psycopg2 binds on the client); Django splits it where SQLite needs it.
        update_conflicts=True,
        unique_fields=["township", "month"],
        update_fields=["expected", "on_time", "late", "missing", "checked_at"],
    )
    missing = _missing_by_township(month, counties)
    organizers = _organizers(list(missing))
    messages = []
    for township, (count, names) in missing.items():
        for user_id in organizers.get(township, []):
            messages.append(
                (
                    user_id,
                    f"activity-deadline:{month:%Y-%m}:{township}",
                    _("Deadline passed: {count} villages did not report their {month} plan").format(
                        count=count, month=month.strftime("%Y-%m")
                    ),
                    _listing(count, names),
                    _url(month),
                )
            )
    by_county: dict[str, list[int]] = {}
    for (township, _month), t in figures.items():
        county = by_county.setdefault(township[:6], [0, 0, 0, 0])
        county[0] += t.expected
        county[1] += t.on_time
        county[2] += t.late
        county[3] += t.missing or 0
    admins = User.objects.filter(
        role=Role.COUNTY_ADMIN, is_active=True, division_id__in=list(by_county)
    ).values_list("pk", "division_id")
    for user_id, county in admins:
        expected, on_time, late, absent = by_county[county]
        messages.append(
            (
                user_id,
                f"activity-deadline:{month:%Y-%m}:{county}",
                _(
                    "{month} activity plans: {on_time} on time, {late} late, "
                    "{missing} missing of {expected}"
                ).format(
                    month=month.strftime("%Y-%m"),
                    on_time=on_time,
                    late=late,
                    missing=absent,
                    expected=expected,
                ),
                "",
                f"{reverse('activity_timeliness')}?month={month:%Y-%m}",
            )
        )
    sent = notify_many(messages)
    return (
        f"activity_plan_deadline {month:%Y-%m}: {len(snapshots)} townships recorded, "
        f"{sum(c for c, _n in missing.values())} villages missing, {sent} notified"
    )


def _today(day):
    return day


def _counties_on(day, when):
    """[(month, [county codes])]: the months planned around `day` and the counties for which
    `when(deadlines, month, county)` is `day` (their reminder day, or the day after their
    due day). Two months are looked at, since a due day moved off a holiday may cross into
    the next month."""
    counties = list(
        Division.objects.filter(level=DivisionLevel.COUNTY).values_list("code", flat=True)
    )
    deadlines = CountyDeadlines(counties)
    found = []
    for month in (month_start(day), next_month(day)):
        chosen = [county for county in counties if when(deadlines, month, county) == day]
        if chosen:
            found.append((month, chosen))
    return found


@job(
    "activity_plan_reminder_due",
    period_help="day (YYYY-MM-DD): remind the counties whose reminder day it is",
    default=_today,
)
def activity_plan_reminder_due(day: date) -> str:
    """Every day: the reminder, for the counties three working days before their due day."""
    runs = _counties_on(day, lambda d, month, county: d.reminder_date(month, county))
    done = [_remind(month, counties) for month, counties in runs]
    return "; ".join(done) or f"activity_plan_reminder_due {day}: no county's reminder day"


@job(
    "activity_plan_deadline_due",
    period_help="day (YYYY-MM-DD): check the counties whose due day was the day before",
    default=_today,
)
def activity_plan_deadline_due(day: date) -> str:
    """Every day: the deadline check, for the counties whose due day was yesterday."""
    runs = _counties_on(day, lambda d, month, county: d.due_date(month, county) + timedelta(days=1))
    done = [_check(month, counties) for month, counties in runs]
    return "; ".join(done) or f"activity_plan_deadline_due {day}: no county's deadline"


# When beat runs them (Asia/Shanghai).
every(
    # Every day at 09:00: the townships of each county whose due day is three working days
    # off are told which villages have not yet reported next month's activity plan
    # (run_job activity_plan_reminder_due --period YYYY-MM-DD).
    "activity-plan-reminder",
    crontab(minute=0, hour=9),
    job="activity_plan_reminder_due",
    expires=12 * HOUR,
)
every(
    # Every day at 00:10: the counties whose due day (the 25th, or the working day it moved
    # to) ended at midnight have their missing plans recorded, townships and county notified.
    "activity-plan-deadline",
    crontab(minute=10, hour=0),
    job="activity_plan_deadline_due",
    expires=20 * HOUR,
)
