"""Benchmark: the dashboard at province scale (Inner Mongolia) on PostgreSQL.

Builds the same province dataset as the quarterly-report benchmark (14,592 villages,
about 10 % listed, a year of activity plans, first secretaries with work logs, four
inspection rounds per county), then renders the dashboard page as a province department
user, a county (banner) user and a township user: server time (median of 7 after one
warm-up), the number of queries, and the slowest single query the page runs, timed on
its own (the floor no page built from that query could beat).

    make bench            (or: DATABASE_URL=postgres://… python bench/dashboard.py)
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import DIVISIONS, reset_database, write_section  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

RUNS = 7


def time_page(client, url):
    """(median seconds, queries, slowest query's own median seconds, its SQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up: caches, first-time imports
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    slowest, slowest_sql = 0.0, ""
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                runs.append(time.perf_counter() - started)
            if statistics.median(runs) > slowest:
                slowest, slowest_sql = statistics.median(runs), sql
    return statistics.median(timings), len(queries), slowest, slowest_sql


def main():
    # Only when run as the bench, never on import (the worker tests need REDIS_URL).
    os.environ.pop("REDIS_URL", None)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database the benchmark may drop and recreate.")
    reset_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from bench import datasets
    from portal.models import User
    from villages.models import Division
    from villages.services import divisions_import

    settings.ALLOWED_HOSTS = ["*"]
    # Pages render {% static %} from the manifest `collectstatic` writes in production;
    # the benchmark measures the views, not collectstatic.
    plain = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=plain).enable()
    call_command("migrate", verbosity=0)
    divisions_import(source_dir=DIVISIONS, prefix="15")
    sizes = datasets.province()
    county = Division.objects.filter(level="county").order_by("code").first()
    township = Division.objects.filter(level="township", parent=county).order_by("code").first()
    rows = []
    for label, role, division in (
        ("province department (Inner Mongolia)", "viewer", Division.objects.get(pk="15")),
        (f"county ({county.name})", "county_admin", county),
        (f"township ({township.name})", "township_organizer", township),
    ):
        user = User.objects.create(
            username=f"bench-{division.code}", role=role, division=division, password="!"
        )
        client = Client()
        client.force_login(user)
        median, queries, slowest, sql = time_page(client, "/dashboard/")
        rows.append((label, median, queries, slowest, sql))
    lines = [
        "## Dashboard, province scale",
        "",
        f"Inner Mongolia: {sizes['villages']:,} villages, {sizes['cases']:,} cases, "
        f"{sizes['plans']:,} activity plans, {sizes['visits']:,} inspection visits. "
        f"Server time of `GET /dashboard/` through Django's test client (median of {RUNS}, "
        "after a warm-up), and the slowest single query of the page run on its own.",
        "",
        "| viewer | page | queries | slowest query alone | page ÷ slowest query |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, median, queries, slowest, _sql in rows:
        ratio = median / slowest if slowest else float("nan")
        lines.append(
            f"| {label} | {median * 1000:.0f} ms | {queries} | {slowest * 1000:.0f} ms | "
            f"{ratio:.1f}× |"
        )
    lines += ["", "Slowest query (province):", "", "```sql", rows[0][4][:1500], "```"]
    text = "\n".join(lines) + "\n"
    print(text)
    write_section(text)


if __name__ == "__main__":
    main()
