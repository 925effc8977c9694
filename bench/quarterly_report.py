"""Benchmark: the quarterly inspection report at province scale (Inner Mongolia).

Builds a throw-away PostgreSQL database with Inner Mongolia's 14,592 villages and a year
of data — about 10 % of villages listed, twelve months of activity plans, a first
secretary with three months of work logs for every listed village, four inspection
rounds per county with visits and findings — then runs `quarterly_report` for the fourth
quarter (one workbook for each of the 108 counties) and reports wall time and peak memory.

    make bench            (or: DATABASE_URL=postgres://… python bench/quarterly_report.py)
"""

import os
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import datasets  # noqa: E402
from bench.common import DIVISIONS, reset_database, write_section  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.pop("REDIS_URL", None)


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    sizes = datasets.province()
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
