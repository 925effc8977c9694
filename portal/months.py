"""Month and quarter arithmetic, in one place for every app.

A month is the date of its first day (`date(2026, 3, 1)`), as the models keep it
(ActivityPlan.month) and as the jobs take their period. Every function accepts any day
of the month and answers first days, so December rolls over to January and back.
"""

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone


def month_start(day: date) -> date:
    """The month of a day: its first day."""
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The month `count` months after `month` (before it when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def previous_month(day: date) -> date:
    return add_months(day, -1)


def next_month(day: date) -> date:
    return add_months(day, 1)


def month_bounds(month: date) -> tuple[date, date]:
    """(first day, first day of the next month) of a day's month: for `>= first, < next`."""
    return month_start(month), next_month(month)


def month_end(month: date) -> date:
    """The last day of a day's month (29 February in a leap year)."""
    return next_month(month) - timedelta(days=1)


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter 1-4) of a day."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_months(year: int, quarter: int) -> list[date]:
    """The three months of a quarter, in order."""
    return [date(year, 3 * (quarter - 1) + n, 1) for n in (1, 2, 3)]


def previous_quarter(day: date) -> date:
    """The first month of the quarter before the day's: the fourth of last year in January."""
    year, quarter = quarter_of(day)
    year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return quarter_months(year, quarter)[0]


# --- The monthly reporting deadline (每月25日前上报下月活动计划) ----------------------------------


def due_by(month: date) -> datetime:
    """The moment a month's plan becomes late: midnight after the due day of the month
    before, in TIME_ZONE. 23:59:59 on the 25th is on time; 00:00:00 on the 26th is late.
    A county that moves a due day off a holiday has its own (villages.deadlines)."""
    return end_of_day(due_date(month))


def due_date(month: date) -> date:
    """The last day a month's plan is on time (the 25th of the month before)."""
    return previous_month(month).replace(day=settings.ACTIVITY_PLAN_DUE_DAY)


def end_of_day(day: date) -> datetime:
    """Midnight after a day in TIME_ZONE: the first moment past a deadline on that day."""
    limit = datetime.combine(day + timedelta(days=1), time())
    return timezone.make_aware(limit, zoneinfo.ZoneInfo(settings.TIME_ZONE))
