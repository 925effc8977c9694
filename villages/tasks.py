"""The activity-plan jobs: the reminder on the 20th and the deadline check on the 26th.

Both are about the month being planned (the next one), idempotent (notifications are
keyed by month and township, snapshots upserted) and run by `run_job NAME --period
YYYY-MM` or by Celery beat. Their queries do not grow with the number of villages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.choices import Role
from portal.jobs import job
from portal.models import User
from portal.months import due_by, due_date, next_month
from portal.notifications import notify_many
from portal.scoping import Scope
from villages import selectors
from villages.models import TimelinessSnapshot

if TYPE_CHECKING:
    from datetime import date

SHOWN = 20  # village names listed in one notification; the rest are counted


def _missing_by_township(month):
    by_township = {}
    everywhere = Scope.everything(reason="activity plans: every township's missing plans")
    missing = selectors.missing_plans(scope=everywhere, month=month)
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
    """On the 20th: each township organizer gets the villages still without a plan."""
    missing = _missing_by_township(month)
    organizers = _organizers(list(missing))
    messages = []
    for township, (count, names) in missing.items():
        for user_id in organizers.get(township, []):
            messages.append(
                (
                    user_id,
                    f"activity-reminder:{month:%Y-%m}:{township}",
                    _("{count} villages have not reported their {month} plan (due {due})").format(
                        count=count, month=month.strftime("%Y-%m"), due=due_date(month).isoformat()
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
    """On the 26th: record each township's timeliness, tell organizers what is missing and
    each county's administrators how their townships did."""
    # The check records the month as due, even when run by hand before its deadline.
    figures = selectors.timeliness(
        scope=Scope.everything(reason="activity plan deadline check"),
        months=[month],
        now=max(timezone.now(), due_by(month)),
    )
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
    missing = _missing_by_township(month)
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
