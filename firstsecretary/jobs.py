"""The first-secretary app's periodic jobs: presence of the month just ended, and the
contacts overdue for a visit to their listed village."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from celery.schedules import crontab
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from firstsecretary.selectors import presence
from portal.jobs import HOUR, every, job
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


every(
    # The 1st of each month at 08:00: last month's first secretaries under the on-site
    # threshold are reported to their county (run_job secretary_presence --period).
    "secretary-presence",
    crontab(minute=0, hour=8, day_of_month=1),
    job="secretary_presence",
    expires=20 * HOUR,
)


def _today(today: date) -> date:
    return today


@job(
    "contact_visits_overdue",
    period_help="day (YYYY-MM-DD): contacts who have not visited their listed village in time",
    default=_today,
)
def contact_visits_overdue(day: date) -> str:
    """Tell each county which contacts (a county-level leader, a department, an enterprise,
    a mentor) have not visited a listed village for longer than the county's visit_gap_days.
    One notice per county for one list of lapses: running again, or the next day with the
    same contacts still overdue since the same last visits, tells no one twice."""
    from firstsecretary.selectors import overdue_contacts

    overdue = overdue_contacts(
        scope=Scope.everything(reason="contact visits in every county"), today=day
    )
    by_county: dict[str, list[Any]] = {}
    for link in overdue:
        by_county.setdefault(link.case.village_id[:6], []).append(link)
    sent = 0
    for county, links in sorted(by_county.items()):
        signature = ",".join(f"{link.pk}:{link.last_visit:%Y%m%d}" for link in links)
        lines = [
            _("{village}: {kind} {name}, no visit for {days} days").format(
                village=link.case.village.name,
                kind=link.get_kind_display(),
                name=link.name,
                days=link.days_since,
            )
            for link in links
        ]
        sent += notify(
            users=county_admins(county),
            key=f"contact-visits:{county}:{hashlib.sha1(signature.encode()).hexdigest()[:20]}",
            title=_("{count} contacts have not visited their listed village in time").format(
                count=len(links)
            ),
            body="\n".join(lines),
            url=f"{reverse('support_overview')}?q={county}&visit_overdue=true&missing=false",
        )
    return f"contact_visits_overdue {day}: {len(overdue)} overdue, {sent} notified"


every(
    # Every morning at 07:10: contacts overdue for a visit are reported to their county,
    # once for each new list (run_job contact_visits_overdue --period YYYY-MM-DD).
    "contact-visits-overdue",
    crontab(minute=10, hour=7),
    job="contact_visits_overdue",
    expires=12 * HOUR,
)
