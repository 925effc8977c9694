"""Benchmark: the activity-plan deadline check at county and at national scale.

Builds a throw-away PostgreSQL database from the real divisions in ../shared/data/divisions,
first Wuqing District alone (745 villages), then the whole country (620,573 villages),
each with three months of plans (about 90 % on time, 4 % late, the rest missing) and one
organizer per township; runs `activity_plan_deadline` on each and reports wall time and
the number of queries, which must be the same at both scales, beside its floor: one
hand-written SQL anti-join that finds the same missing plans (bench/compare.py's), timed in
the same minute so that the ratio holds on a shared machine.

    make bench            (or: DATABASE_URL=postgres://… python bench/deadline_check.py)
"""

import csv
import io
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

from bench.common import DIVISIONS, reset_database, write_section  # noqa: E402


def main():
    # Only when run as the bench, never on import (the worker tests need REDIS_URL).
    os.environ.pop("REDIS_URL", None)  # the job runs in-process
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database the benchmark may drop and recreate.")
    reset_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results = [measure("county (Wuqing, 120114)", "120114"), measure("national", "")]
    write_results(results)


def measure(label, prefix):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.jobs import run
    from villages.services import divisions_import

    started = time.monotonic()
    divisions_import(source_dir=DIVISIONS, prefix=prefix)
    imported = time.monotonic() - started
    months = [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    started = time.monotonic()
    villages, plans = generate(months)
    generated = time.monotonic() - started
    with connection.cursor() as cursor:
        # What autovacuum does soon after a load: without it the planner takes the fresh
        # tables for empty ones.
        cursor.execute("ANALYZE")
    runs = []
    for _attempt in range(2):  # the second run shows the job is idempotent and as fast
        with CaptureQueriesContext(connection) as queries:
            started = time.monotonic()
            summary = run("activity_plan_deadline", months[-1])
            runs.append((time.monotonic() - started, len(queries), summary))
    return {
        "floor": floor(months[-1]),
        "writes": writes_alone(),
        "label": label,
        "villages": villages,
        "plans": plans,
        "import_s": imported,
        "generate_s": generated,
        "runs": runs,
    }


def floor(month):
    """The median of three runs of the anti-join, in seconds."""
    from django.db import connection

    from bench.compare import ANTI_JOIN
    from portal.months import due_date

    timings = []
    with connection.cursor() as cursor:
        for _ in range(3):
            started = time.monotonic()
            cursor.execute(ANTI_JOIN, [due_date(month), month])
            cursor.fetchone()
            timings.append(time.monotonic() - started)
    return sorted(timings)[1]


def writes_alone():
    """Seconds to write the rows the check wrote (its snapshots and notices) once more, from
    a copy, in one transaction with its commit (the foreign keys' checks): what no reading
    can take away. Written as the check writes them: the snapshots by a plain insert, the
    notices with ON CONFLICT DO NOTHING."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE snap AS SELECT township_id, month, expected, on_time, late, "
            "missing, checked_at FROM villages_timelinesssnapshot; "
            "CREATE TEMP TABLE notes AS SELECT user_id, key, title, body, url, created_at "
            "FROM portal_notification; "
            "TRUNCATE villages_timelinesssnapshot, portal_notification"
        )
        started = time.monotonic()
        with transaction.atomic():
            cursor.execute(
                "INSERT INTO villages_timelinesssnapshot (township_id, month, expected, "
                "on_time, late, missing, checked_at) SELECT * FROM snap; "
                "INSERT INTO portal_notification (user_id, key, title, body, url, created_at) "
                "SELECT * FROM notes ON CONFLICT (user_id, key) DO NOTHING"
            )
        seconds = time.monotonic() - started
        cursor.execute("DROP TABLE snap, notes")
    return seconds


def generate(months):
    """Plans for every village without one yet (COPY), and an organizer per township."""
    from django.db import connection

    from portal.models import User
    from portal.months import due_by
    from villages.models import Division, Village

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE villages_activityplan, portal_notification, "
            "villages_timelinesssnapshot CASCADE"
        )
    codes = list(Village.objects.values_list("code", flat=True))
    rng = random.Random(2026)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    count = 0
    for month in months:
        due = due_by(month)
        for code in codes:
            roll = rng.random()
            if roll < 0.06:
                continue
            late = roll > 0.96
            when = due + timedelta(hours=5) if late else due - timedelta(days=2)
            writer.writerow(
                [
                    code,
                    month.isoformat(),
                    when.isoformat(),
                    "t" if late else "f",
                    "f",
                    "",
                    1,
                    when.isoformat(),
                ]
            )
            count += 1
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            "COPY villages_activityplan (village_id, month, submitted_at, late, no_activity, "
            "no_activity_reason, version, updated_at) FROM STDIN "
            "WITH (FORMAT csv, FORCE_NOT_NULL (no_activity_reason))",
            buffer,
        )
    townships = Division.objects.filter(level="township").values_list("code", flat=True)
    existing = set(User.objects.values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(username=f"org-{code}", role="township_organizer", division_id=code, password="!")
            for code in townships
            if f"org-{code}" not in existing
        ],
        batch_size=5000,
    )
    return len(codes), count


def write_results(results):
    lines = [
        "## Activity-plan deadline check (`activity_plan_deadline`)",
        "",
        "PostgreSQL, this machine (2 cores). Three months of plans; the check of the last one "
        "run twice (the second shows it is idempotent). Produced by `make bench`.",
        "",
        "| dataset | villages | plans | check, 1st run | check, 2nd run | queries | "
        "anti-join (floor) | 1st ÷ floor | 2nd ÷ floor | its rows written alone ÷ floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        (first, q1, _s1), (second, q2, _s2) = r["runs"]
        lines.append(
            f"| {r['label']} | {r['villages']:,} | {r['plans']:,} | {first * 1000:,.0f} ms | "
            f"{second * 1000:,.0f} ms | {q1} / {q2} | {r['floor'] * 1000:,.1f} ms | "
            f"{first / r['floor']:.1f}× | {second / r['floor']:.1f}× | "
            f"{r['writes'] / r['floor']:.1f}× |"
        )
    lines += [
        "",
        "The anti-join only counts the missing plans; the check also writes a snapshot per "
        "township and the notices (the last column: those rows written again from a copy, "
        "with the commit's foreign-key checks, and nothing read). The county's first run "
        "includes the process's first job (translations and URL conf loaded).",
    ]
    lines += ["", "Summaries:", ""]
    for r in results:
        lines += [f"- {r['label']}: {summary}" for _t, _q, summary in r["runs"]]
    text = "\n".join(lines) + "\n"
    print(text)
    write_section(text)


if __name__ == "__main__":
    main()
