"""Benchmark: the quarterly inspection report at province scale (Inner Mongolia).

Builds a throw-away PostgreSQL database with Inner Mongolia's 14,592 villages and a year
of data — about 10 % of villages listed, twelve months of activity plans, a first
secretary with three months of work logs for every listed village, four inspection
rounds per county with visits and findings — then runs `quarterly_report` for the fourth
quarter (one workbook for each of the 108 counties) and reports wall time and peak memory.

    make bench            (or: DATABASE_URL=postgres://… python bench/quarterly_report.py)
"""

import csv
import io
import os
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.deadline_check import DIVISIONS, reset_database, write_section  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.pop("REDIS_URL", None)


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def copy(table, columns, rows):
    from django.db import connection

    buffer = io.StringIO()
    # Quoted strings: COPY reads an unquoted empty field as NULL, a quoted one as "".
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC).writerows(rows)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer
        )


def generate():
    from django.utils import timezone

    from firstsecretary.models import Assignment, DispatchUnit, FirstSecretary
    from inspections.models import Finding, InspectionRound, Team, Visit
    from rectification.models import Campaign, Case, Category
    from villages.models import Division, Village
    from villages.services import due_by

    rng = random.Random(2026)
    villages = list(Village.objects.values_list("code", "township_id"))
    counties = list(Division.objects.filter(level="county").values_list("code", flat=True))
    campaigns = {
        c.division_id: c
        for c in Campaign.objects.bulk_create(
            Campaign(division_id=code, year=2026, name=f"{code} 2026", started_on=date(2026, 1, 10))
            for code in counties
        )
    }
    listed = [code for code, _township in villages if rng.random() < 0.10]
    statuses = ["identified", "rectifying", "rectifying", "acceptance_requested", "transformed"]
    now = timezone.now().isoformat()
    copy(
        "rectification_case",
        [
            "campaign_id",
            "village_id",
            "status",
            "basic_situation",
            "problems",
            "measures",
            "responsible_person",
            "township_leader",
            "county_leader",
            "identified_on",
            "deadline",
            "listing",
            "version",
            "created_at",
            "updated_at",
        ],
        [
            [
                campaigns[code[:6]].pk,
                code,
                rng.choice(statuses),
                "",
                "班子不团结",
                "",
                "书记",
                "",
                "",
                "2026-01-15",
                "2026-12-31",
                1,
                1,
                now,
                now,
            ]
            for code in listed
        ],
    )
    category_ids = list(Category.objects.values_list("pk", flat=True)[:4])
    copy(
        "rectification_case_categories",
        ["case_id", "category_id"],
        [[pk, rng.choice(category_ids)] for pk in Case.objects.values_list("pk", flat=True)],
    )
    plans = []
    for month in range(1, 13):
        first = date(2026, month, 1)
        due = due_by(first)
        for code, _township in villages:
            roll = rng.random()
            if roll < 0.06:
                continue
            when = (due + timedelta(hours=3)) if roll > 0.96 else (due - timedelta(days=2))
            plans.append(
                [
                    code,
                    first.isoformat(),
                    when.isoformat(),
                    "t" if roll > 0.96 else "f",
                    "f",
                    "",
                    1,
                    when.isoformat(),
                ]
            )
    from django.db import connection

    buffer = io.StringIO()
    csv.writer(buffer).writerows(plans)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            "COPY villages_activityplan (village_id, month, submitted_at, late, no_activity, "
            "no_activity_reason, version, updated_at) FROM STDIN "
            "WITH (FORMAT csv, FORCE_NOT_NULL (no_activity_reason))",
            buffer,
        )
    units = {
        code: DispatchUnit.objects.create(
            county_id=code, name="旗直单位", level="county", kind="government"
        )
        for code in counties
    }
    secretaries = FirstSecretary.objects.bulk_create(
        FirstSecretary(
            county_id=code[:6],
            name=f"书记{code[-4:]}",
            gender="male",
            birth_year=1988,
            education="undergraduate",
            unit=units[code[:6]],
        )
        for code in listed
    )
    postings = Assignment.objects.bulk_create(
        Assignment(
            secretary=s,
            village_id=code,
            started_on=date(2026, 1, 20),
            planned_end=date(2028, 1, 19),
        )
        for s, code in zip(secretaries, listed, strict=True)
    )
    logs = []
    for posting in postings:
        for month in (10, 11, 12):
            for day in range(1, 29):
                if rng.random() < 0.7:
                    logs.append(
                        [
                            posting.pk,
                            date(2026, month, day).isoformat(),
                            "t",
                            5,
                            "visit",
                            "走访",
                            now,
                        ]
                    )
    copy(
        "firstsecretary_worklog",
        ["assignment_id", "date", "on_site", "households_visited", "kind", "summary", "created_at"],
        logs,
    )
    by_county = {}
    for code in listed:
        by_county.setdefault(code[:6], []).append(code)
    visits = []
    for county in counties:
        for quarter in (1, 2, 3, 4):
            inspection = InspectionRound.objects.create(
                county_id=county,
                year=2026,
                quarter=quarter,
                kind="random",
                status="closed",
                starts_on=date(2026, 3 * quarter - 1, 1),
                ends_on=date(2026, 3 * quarter - 1, 20),
            )
            team = Team.objects.create(round=inspection, name="一组")
            for code in rng.sample(
                by_county.get(county, []), min(5, len(by_county.get(county, [])))
            ):
                visits.append(
                    Visit(
                        round=inspection,
                        team=team,
                        village_id=code,
                        visited_on=inspection.starts_on,
                        summary="座谈走访",
                        score=80,
                    )
                )
    Visit.objects.bulk_create(visits, batch_size=2000)
    Finding.objects.bulk_create(
        (
            Finding(
                visit=visit,
                category_id=category_ids[0],
                description="记录不全",
                severity="minor",
                township_id=visit.village_id[:9],
                deadline=visit.visited_on + timedelta(days=30),
                status=rng.choice(["open", "rectifying", "verified"]),
            )
            for visit in visits
            for _n in range(2)
        ),
        batch_size=2000,
    )
    return {
        "villages": len(villages),
        "cases": len(listed),
        "plans": len(plans),
        "logs": len(logs),
        "visits": len(visits),
        "counties": len(counties),
    }


def main():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database the benchmark may drop and recreate.")
    reset_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    from portal.jobs import run
    from portal.models import GeneratedReport
    from villages.services import divisions_import

    call_command("migrate", verbosity=0)
    divisions_import(source_dir=DIVISIONS, prefix="15")
    started = time.monotonic()
    sizes = generate()
    generated = time.monotonic() - started
    before = rss_mb()
    started = time.monotonic()
    summary = run("quarterly_report", date(2026, 10, 1))
    elapsed = time.monotonic() - started
    peak = rss_mb()
    reports = GeneratedReport.objects.filter(kind="inspections.quarterly")
    largest = max(r.file.size for r in reports)
    lines = [
        "## Quarterly inspection report (`quarterly_report`), province scale",
        "",
        f"Inner Mongolia: {sizes['villages']:,} villages, {sizes['cases']:,} cases, "
        f"{sizes['plans']:,} activity plans (a year), {sizes['logs']:,} work logs (a quarter), "
        f"{sizes['visits']:,} visits in four rounds per county (generated in {generated:.0f} s).",
        "",
        "| what | figure |",
        "| --- | ---: |",
        f"| workbooks built (one per county) | {reports.count()} of {sizes['counties']} |",
        f"| wall time for all of them | {elapsed:.1f} s |",
        f"| per county, on average | {elapsed / max(reports.count(), 1) * 1000:.0f} ms |",
        f"| peak memory of the process before → after | {before:.0f} → {peak:.0f} MB |",
        f"| largest workbook | {largest / 1024:.0f} KB |",
        "",
        f"Summary: {summary}",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    write_section(text)


if __name__ == "__main__":
    main()
