"""The first-secretary app's periodic job: presence of the month just ended."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from firstsecretary.selectors import presence
from portal.jobs import job
from portal.notifications import county_admins, notify
from portal.scoping import Scope

if TYPE_CHECKING:
    from datetime import date
    from typing import Any


@job("secretary_presence", period_help="month: secretaries under the on-site threshold")
def secretary_presence(month: date) -> str:
    """Tell each county which of its first secretaries were in their village fewer days
    than FIRST_SECRETARY_MIN_DAYS_ON_SITE last month. Once per county and month."""
    below = presence(
        scope=Scope.everything(reason="first secretaries' presence in every county"),
        month=month,
        below_only=True,
    )
    by_county: dict[str, list[Any]] = {}
    for row in below:
        by_county.setdefault(row.assignment.village.code[:6], []).append(row)
    sent = 0
    for county, rows in sorted(by_county.items()):
        lines = [
            _("{village}: {name}, {days} days").format(
                village=row.assignment.village.name,
                name=row.assignment.secretary.name,
                days=row.days_on_site,
            )
            for row in rows
        ]
        sent += notify(
            users=county_admins(county),
            key=f"secretary-presence:{month:%Y-%m}:{county}",
            title=_("{month}: {count} first secretaries under {days} days in the village").format(
                month=month.strftime("%Y-%m"),
                count=len(rows),
                days=settings.FIRST_SECRETARY_MIN_DAYS_ON_SITE,
            ),
            body="\n".join(lines),
            url=f"{reverse('presence')}?month={month:%Y-%m}",
        )
    return f"secretary_presence {month:%Y-%m}: {len(below)} below threshold, {sent} notified"
