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

import zlib
from datetime import timedelta
from typing import TYPE_CHECKING

from celery.schedules import crontab
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.choices import Role
from portal.jobs import HOUR, every, job
from portal.models import User
from portal.months import due_date, month_start, next_month
from portal.notifications import forget_todo_counts, notify_many
from portal.scoping import Scope
from villages import selectors
from villages.choices import DivisionLevel
from villages.deadlines import CountyDeadlines
from villages.models import Division, TimelinessSnapshot

if TYPE_CHECKING:
    from datetime import date, datetime

SHOWN = 20  # village names listed in one notification; the rest are counted
# The deadline check's transaction-level advisory lock (PostgreSQL): two checks at once, a
# scheduled one and one run by hand, take turns, the second finding the first's rows.
DEADLINE_LOCK = zlib.crc32(b"activity_plan_deadline")


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
    check = _check_set_based if connection.vendor == "postgresql" else _check_row_by_row
    with transaction.atomic():
        townships, missing, notified = check(month, counties, deadlines, timezone.now())
    return (
        f"activity_plan_deadline {month:%Y-%m}: {townships} townships recorded, "
        f"{missing} villages missing, {notified} notified"
    )


def _deadline_texts(month: date) -> dict[str, str]:
    """The notices' words in the job's language, with {placeholders} for the figures that
    the database fills in (both ways of running the check format the same words)."""
    return {
        "key": f"activity-deadline:{month:%Y-%m}:",
        "title": _("Deadline passed: {count} villages did not report their {month} plan").format(
            count="{count}", month=month.strftime("%Y-%m")
        ),
        "more": _("{names} and {more} more"),
        "url": _url(month),
        "summary": _(
            "{month} activity plans: {on_time} on time, {late} late, "
            "{missing} missing of {expected}"
        ).format(
            month=month.strftime("%Y-%m"),
            on_time="{on_time}",
            late="{late}",
            missing="{missing}",
            expected="{expected}",
        ),
        "summary_url": f"{reverse('activity_timeliness')}?month={month:%Y-%m}",
    }


# The check in two statements (PostgreSQL). The first reads: the villages joined once to the
# month's submitted plans, counted by township and day added (few villages have one), with a
# row of its own for each village that was expected by the standard due day and has no plan
# (the missing, named), into a temporary table. A statement of its own, for one that also
# writes is never spread over parallel workers, as the anti-join it is compared with is.
DEADLINE_READ_SQL = """
DROP TABLE IF EXISTS pg_temp.deadline_grouped;
CREATE TEMPORARY TABLE deadline_grouped ON COMMIT DROP AS
SELECT v.township_id, v.added_on,
       CASE WHEN p.late IS NULL AND (v.added_on IS NULL OR v.added_on <= %(due)s)
            THEN v.code END AS code,
       CASE WHEN p.late IS NULL AND (v.added_on IS NULL OR v.added_on <= %(due)s)
            THEN v.name END AS name,
       count(*) AS villages,
       count(p.late) FILTER (WHERE NOT p.late) AS on_time,
       count(p.late) FILTER (WHERE p.late) AS late
FROM villages_village v
LEFT JOIN villages_activityplan p
    ON p.village_id = v.code AND p.month = %(month)s AND p.submitted_at IS NOT NULL
GROUP BY 1, 2, 3, 4
"""

# The second gives each township's figures (as selectors.timeliness counts them) and the
# villages without a plan (as selectors.missing_plans lists them) for the organizers; the
# snapshots are written and both kinds of notice inserted, each (user, key) once. The
# counties checked come with their own due days (villages.deadlines: the calendar is
# Python's); `due` is the standard one, which the on-time counts and the lists still use.
DEADLINE_SQL = """
WITH checked AS (
    SELECT * FROM unnest(%(counties)s::varchar[], %(dues)s::date[]) AS d (county, due)
),
counted AS (
    -- Each township of the counties checked: the villages expected by its county's due
    -- day, and of those added by the standard one, the plans on time and late. (Joined
    -- to the counties after counting: before, it sorted every village by its county.)
    SELECT g.township_id,
           coalesce(sum(g.villages) FILTER (
               WHERE g.added_on IS NULL OR g.added_on <= d.due), 0)::bigint AS expected,
           coalesce(sum(g.on_time) FILTER (
               WHERE g.added_on IS NULL OR g.added_on <= %(due)s), 0)::bigint AS on_time,
           coalesce(sum(g.late) FILTER (
               WHERE g.added_on IS NULL OR g.added_on <= %(due)s), 0)::bigint AS late
    FROM deadline_grouped g
    JOIN checked d ON d.county = substr(g.township_id, 1, 6)
    GROUP BY g.township_id
),
started AS (
    -- Counties that had made a plan (draft or submitted) for the month or before: only
    -- their villages are expected (selectors.first_plan_months). A village's code starts
    -- with its township's (a constraint), so a county's villages are those of its
    -- townships, and its plans one range of the (village, month) index (12-digit codes).
    SELECT county FROM checked c
    WHERE EXISTS (
        SELECT 1 FROM villages_activityplan p
        WHERE p.village_id BETWEEN c.county || '000000' AND c.county || '999999'
          AND p.month <= %(month)s
    )
),
townships AS (
    SELECT c.township_id, c.on_time, c.late,
           CASE WHEN substr(c.township_id, 1, 6) IN (SELECT county FROM started)
                THEN c.expected ELSE 0 END AS expected
    FROM counted c
),
missing AS (
    -- The villages expected by the standard due day without a submitted plan, in the
    -- townships of the counties checked (whose codes start with their county's, as
    -- _missing_by_township finds them by the township's parent), from the same pass.
    SELECT g.township_id, g.code, g.name,
           row_number() OVER (PARTITION BY g.township_id ORDER BY g.code) AS rank
    FROM deadline_grouped g
    JOIN checked d ON d.county = substr(g.township_id, 1, 6)
    WHERE g.code IS NOT NULL
),
recorded AS (
    -- A second run of the month updates its snapshots; the first inserts them, plainly (an
    -- upsert's speculative insertion cost twice as much; the check's lock, DEADLINE_LOCK,
    -- keeps another check from inserting the same rows meanwhile). The insert leaves out
    -- the townships updated rather than looking in the table it is filling: with the
    -- table's statistics saying empty, PostgreSQL scanned it again for each township.
    UPDATE villages_timelinesssnapshot s
    SET expected = t.expected, on_time = t.on_time, late = t.late,
        missing = greatest(t.expected - t.on_time - t.late, 0), checked_at = %(now)s
    FROM townships t
    WHERE s.township_id = t.township_id AND s.month = %(month)s
    RETURNING s.township_id
),
snapshots AS (
    INSERT INTO villages_timelinesssnapshot
        (township_id, month, expected, on_time, late, missing, checked_at)
    SELECT township_id, %(month)s, expected, on_time, late,
           greatest(expected - on_time - late, 0), %(now)s
    FROM townships
    WHERE township_id NOT IN (SELECT township_id FROM recorded)
),
listed AS (
    -- Each township's count and first names by code, where an organizer is to be told.
    SELECT township_id, count(*) AS absent,
           string_agg(name, '、' ORDER BY code) FILTER (WHERE rank <= %(shown)s) AS names
    FROM missing
    WHERE township_id IN (
        SELECT division_id FROM portal_user WHERE role = %(organizer)s AND is_active
    )
    GROUP BY township_id
),
organizers AS (
    INSERT INTO portal_notification (user_id, key, title, body, url, created_at)
    SELECT u.id, %(key)s || l.township_id,
           replace(%(title)s, '{count}', l.absent::text),
           CASE WHEN l.absent <= %(shown)s THEN l.names
                ELSE replace(replace(%(more)s, '{more}', (l.absent - %(shown)s)::text),
                             '{names}', l.names)
           END,
           %(url)s, %(now)s
    FROM listed l
    JOIN portal_user u ON u.division_id = l.township_id
    WHERE u.role = %(organizer)s AND u.is_active
    ON CONFLICT (user_id, key) DO NOTHING
    RETURNING user_id
),
county_figures AS (
    SELECT substr(township_id, 1, 6) AS county, sum(expected) AS expected,
           sum(on_time) AS on_time, sum(late) AS late,
           sum(greatest(expected - on_time - late, 0)) AS missing
    FROM townships
    GROUP BY 1
),
administrators AS (
    INSERT INTO portal_notification (user_id, key, title, body, url, created_at)
    SELECT u.id, %(key)s || c.county,
           replace(replace(replace(replace(%(summary)s,
               '{on_time}', c.on_time::text), '{late}', c.late::text),
               '{missing}', c.missing::text), '{expected}', c.expected::text),
           '', %(summary_url)s, %(now)s
    FROM county_figures c
    JOIN portal_user u ON u.division_id = c.county
    WHERE u.role = %(admin)s AND u.is_active
    ON CONFLICT (user_id, key) DO NOTHING
    RETURNING user_id
)
SELECT (SELECT count(*) FROM townships),
       (SELECT count(*) FROM missing),
       ARRAY(SELECT user_id FROM organizers UNION ALL SELECT user_id FROM administrators)
"""


def _check_set_based(
    month: date, counties: list[str], deadlines: CountyDeadlines, now: datetime
) -> tuple[int, int, int]:
    """The check in two statements, reading then writing: (townships recorded, villages
    missing, users notified)."""
    params: dict[str, str | int | date | datetime | list] = {
        **_deadline_texts(month),
        "counties": counties,
        "dues": [deadlines.due_date(month, county) for county in counties],
        "month": month,
        "due": due_date(month),
        "now": now,
        "shown": SHOWN,
        "organizer": Role.TOWNSHIP_ORGANIZER.value,
        "admin": Role.COUNTY_ADMIN.value,
    }
    with connection.cursor() as cursor:
        # For this transaction: compiling the statements (JIT) took longer than running
        # them, and the join's hash of every village is held in memory (with the default
        # 4 MB it went to disk in batches). The planner takes each missing village for a
        # group of its own and so finds handing 620,573 joined rows from the workers to
        # the leader too dear, at 0.1 a row: at 0.01 the join is spread over them (the
        # national check 1,162 -> 986 ms, idle machine). Then the check's lock, to the commit.
        cursor.execute(
            "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true), "
            "set_config('parallel_tuple_cost', '0.01', true), pg_advisory_xact_lock(%s)",
            [DEADLINE_LOCK],
        )
        cursor.execute(DEADLINE_READ_SQL, params)
        cursor.execute(DEADLINE_SQL, params)
        townships, missing, notified = cursor.fetchone()
    forget_todo_counts(notified)  # as notify_many does: their menus' counts are stale
    return townships, missing, len(notified)


def _check_row_by_row(
    month: date, counties: list[str], deadlines: CountyDeadlines, now: datetime
) -> tuple[int, int, int]:
    """The check in Python over the selectors' rows, for SQLite (`make run`): the same
    result as _check_set_based. (townships recorded, villages missing, notified)."""
    latest = max((deadlines.due_by(month, county) for county in counties), default=None)
    # The check records the month as due, even when run by hand before its deadline.
    figures = selectors.timeliness(
        scope=Scope.everything(reason="activity plan deadline check"),
        months=[month],
        now=max(now, latest) if latest else now,
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
    return len(snapshots), sum(c for c, _n in missing.values()), sent


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
