"""A county's activity-plan deadline on China's working-day calendar.

The plans are due on the 25th of the month before (portal.months.due_date). A county whose
rule is 顺延 (Division.due_day_rule) has them due on the next working day when the 25th is
a weekend or a public holiday, by China's official arrangement (portal.workdays); the
reminder goes out three working days before the county's due day. Everything that says
whether a plan is late, due or missing asks here with the village's county.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from portal.months import due_date as standard_due_date
from portal.months import end_of_day
from portal.workdays import WorkCalendar, calendars_for
from villages.choices import DueDayRule
from villages.models import Division

REMINDER_WORKDAYS = 3  # the reminder: this many working days before the due day


def _due(month: date, rule: str, calendar: WorkCalendar) -> date:
    day = standard_due_date(month)
    return calendar.on_or_after(day) if rule == DueDayRule.POSTPONE else day


class CountyDeadlines:
    """The due days of some counties, read with two queries and then answered from memory."""

    def __init__(self, counties: Iterable[str]):
        codes = {code[:6] for code in counties if code}
        self.rules = dict(Division.objects.filter(pk__in=codes).values_list("code", "due_day_rule"))
        self.calendars = calendars_for(codes)

    def calendar(self, county: str) -> WorkCalendar:
        return self.calendars.get(county[:6]) or WorkCalendar()

    def due_date(self, month: date, county: str) -> date:
        """The last day the county's plans for `month` are on time."""
        rule = self.rules.get(county[:6], DueDayRule.KEEP)
        return _due(month, rule, self.calendar(county))

    def due_by(self, month: date, county: str) -> datetime:
        """The first moment the county's plans for `month` are late."""
        return end_of_day(self.due_date(month, county))

    def reminder_date(self, month: date, county: str) -> date:
        """The day the county's townships are reminded: three working days before."""
        return self.calendar(county).add(self.due_date(month, county), -REMINDER_WORKDAYS)


def due_date(month: date, county: str) -> date:
    """One county's due day for a month's plans (any code under the county will do)."""
    return CountyDeadlines([county]).due_date(month, county)


def due_by(month: date, county: str) -> datetime:
    return CountyDeadlines([county]).due_by(month, county)
