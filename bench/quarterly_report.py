"""Benchmark: the quarterly inspection report at province scale (Inner Mongolia).

Builds a throw-away PostgreSQL database with Inner Mongolia's 14,592 villages and a year
of data — about 10 % of villages listed, twelve months of activity plans, a first
secretary with three months of work logs for every listed village, four inspection
rounds per county with visits and findings — then runs `quarterly_report` for the fourth
quarter (one workbook for each of the 108 counties, and the province's) and reports wall
time and peak memory.

Then the province's own report, one workbook for all 108 counties: written by one task,
and built in parts (one task per county, joined by a chord) by 1 and by 2 real Celery
workers on the `reports` queue over Redis (BENCH_REDIS_URL; skipped when unreachable).

    make bench            (or: DATABASE_URL=postgres://… python bench/quarterly_report.py)
"""

import io
import os
import resource
import signal
import subprocess
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
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    # Only when run as the bench, never on import (the worker tests need REDIS_URL).
    os.environ.pop("REDIS_URL", None)  # the job runs its tasks in-process (eager)
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
    county_reports = reports.exclude(scope_code="15")
    province = reports.get(scope_code="15")
    largest = max(r.file.size for r in county_reports)
    fan_out = province_in_parts(url)
    lines = [
        "## Quarterly inspection report (`quarterly_report`), province scale",
        "",
        f"Inner Mongolia: {sizes['villages']:,} villages, {sizes['cases']:,} cases, "
        f"{sizes['plans']:,} activity plans (a year), {sizes['logs']:,} work logs (a quarter), "
        f"{sizes['visits']:,} visits in four rounds per county (generated in {generated:.0f} s).",
        "",
        "| what | figure |",
        "| --- | ---: |",
        f"| workbooks built (one per county) | {county_reports.count()} of {sizes['counties']} |",
        "| and the province's, in parts, joined | 1 |",
        f"| wall time for all of them, in-process | {elapsed:.1f} s |",
        f"| per workbook, on average | {elapsed / max(reports.count(), 1) * 1000:.0f} ms |",
        f"| peak memory of the process before → after | {before:.0f} → {peak:.0f} MB |",
        f"| largest county workbook; the province's | {largest / 1024:.0f} KB; "
        f"{province.file.size / 1024:.0f} KB |",
        "",
        f"Summary: {summary}",
        "",
        "The province's report alone (108 counties in one workbook), from the request to the file:",
        "",
        "| built by | wall time |",
        "| --- | ---: |",
        *[f"| {how} | {seconds} |" for how, seconds in fan_out],
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    write_section(text)


def province_in_parts(url):
    """The province's report written by one task in this process, then built in parts by
    1 and 2 worker processes (`reports` queue, one pool process each): seconds each."""
    from kombu.utils.json import dumps

    from inspections.reports import build, build_part, counties, quarterly_request
    from portal.celery import app
    from portal.choices import ReportStatus
    from portal.models import GeneratedReport

    report, _created = quarterly_request(area="15", year=2026, quarter=4)
    started = time.monotonic()
    build(report, io.BytesIO(), lambda percent: None)
    rows = [("one task, in-process (`build`)", f"{time.monotonic() - started:.1f} s")]
    # What the parts weigh in Redis (the result backend) until they are joined.
    size = sum(len(dumps(build_part(report, county))) for county in counties(report))
    rows.append(("(its parts as stored in Redis until joined)", f"{size / 1024:.0f} KB"))
    app.conf.broker_url = app.conf.result_backend = REDIS_URL
    app.conf.task_always_eager = False
    try:
        app.connection_for_write().ensure_connection(max_retries=1)
    except Exception as error:  # any reason Redis is not there: the rest is skipped
        return [*rows, (f"workers (Redis at {REDIS_URL} unreachable: {error})", "—")]
    for count in (1, 2):
        workers = [_worker(url, n) for n in range(count)]
        try:
            deadline = time.monotonic() + 60
            while len(app.control.ping(timeout=0.5)) < count and time.monotonic() < deadline:
                pass
            GeneratedReport.objects.filter(pk=report.pk).update(
                status=ReportStatus.PENDING, file="", progress=0
            )
            started = time.monotonic()
            app.send_task("portal.tasks.build_report", (report.pk,))
            while GeneratedReport.objects.get(pk=report.pk).status not in (
                ReportStatus.DONE,
                ReportStatus.FAILED,
            ):
                time.sleep(0.05)
            took = time.monotonic() - started
            status = GeneratedReport.objects.get(pk=report.pk).status
        finally:
            for process in workers:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait()
        label = f"{count} worker{'s' if count > 1 else ''}, in parts (108 tasks + the join)"
        rows.append((label, f"{took:.1f} s" + ("" if status == ReportStatus.DONE else " FAILED")))
    return rows


def _worker(url, n):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            "reports",
            "--pool=solo",
            f"--hostname=bench{n}@%h",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


if __name__ == "__main__":
    main()
