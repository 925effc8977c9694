"""China's working days: public holidays and the make-up working days (调休) as the State
Council arranges them each year, in one place for every app.

The arrangement comes from the `chinesecalendar` package (pinned; it holds each year from
its announcement on). For a year the package does not hold yet, a county administrator
enters the announced days (portal.models.CalendarDay) and that county's calendar reads
them; a year neither holds falls back to Monday-Friday, and `arrangement_missing` says so
for the warning before the year turns. A calendar is built with one query and then answers
from memory: `calendar_for(county)` for one county, `calendars_for(counties)` for many.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache

import chinese_calendar

from portal.models import CalendarDay


@cache
def package_years() -> frozenset[int]:
    """The years whose arrangement the installed package holds."""
    return frozenset(day.year for day in chinese_calendar.constants.holidays)


def package_holds(year: int) -> bool:
    return year in package_years()


class WorkCalendar:
    """The working days of one county: the package's years, then the county's entries."""

    def __init__(self, entered: dict[date, bool] | None = None):
        self.entered = entered or {}

    def is_workday(self, day: date) -> bool:
        if package_holds(day.year):
            return chinese_calendar.is_workday(day)
        if day in self.entered:
            return self.entered[day]
        return day.weekday() < 5

    def holds(self, year: int) -> bool:
        """Whether the year's arrangement is known (the package, or days the county entered)."""
        return package_holds(year) or any(day.year == year for day in self.entered)

    def on_or_after(self, day: date) -> date:
        """The day itself if a working day, else the next working day (顺延)."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add(self, day: date, count: int) -> date:
        """The `count`th working day after `day` (before it when negative); `day` itself is
        not counted, so add(Friday, 1) is the next working day after it."""
        step = timedelta(days=1 if count >= 0 else -1)
        left = abs(count)
        while left:
            day += step
            if self.is_workday(day):
                left -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count


def _entered(codes: Iterable[str]) -> dict[str, dict[date, bool]]:
    by_county: dict[str, dict[date, bool]] = {code: {} for code in codes}
    rows = CalendarDay.objects.filter(county_code__in=list(by_county)).values_list(
        "county_code", "day", "is_workday"
    )
    for code, day, workday in rows:
        by_county[code][day] = workday
    return by_county


def calendars_for(counties: Iterable[str]) -> dict[str, WorkCalendar]:
    """{county code: its calendar} for 6-digit county codes (longer codes are cut), one query."""
    entered = _entered({code[:6] for code in counties})
    return {code: WorkCalendar(days) for code, days in entered.items()}


def calendar_for(county: str | None) -> WorkCalendar:
    """A county's calendar (any code under it will do); None: the package's alone."""
    if not county:
        return WorkCalendar()
    return calendars_for([county])[county[:6]]


def arrangement_missing(county: str, today: date) -> int | None:
    """The coming year, when its arrangement is neither in the package nor entered by the
    county, from November on (the State Council announces it in the autumn or winter)."""
    year = today.year + 1
    if today.month < 11 or package_holds(year):
        return None
    if CalendarDay.objects.filter(county_code=county[:6], day__year=year).exists():
        return None
    return year
