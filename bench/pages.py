"""Benchmark: the weight and the queries of every list and form, province beside county.

A page must not grow with the area its reader sees: a province department's ledger, filter
bars and forms carry as many bytes (within 1.5×) and ask as many queries as a county's.
Builds Inner Mongolia (prefix 15: 14,592 villages, 1,225 townships, 108 counties) with the
province dataset, gives one county (the one with most villages) enough rows to fill every
list's first page as the province does (50 rows), then renders each page as a county
administrator of Inner Mongolia (division 15) and of that county: bytes, queries and
server time (median of 3 after a warm-up), side by side.

    make bench            (or: DATABASE_URL=postgres://… python bench/pages.py)
    PAGES_REUSE=1 …       reuses a database an earlier run built (skips the 1-2 min build)
"""

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import datasets  # noqa: E402
from bench.common import DIVISIONS, reset_database, write_section  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

RUNS = 3
PROVINCE = datasets.INNER_MONGOLIA
# The county reader's lists fill a first page (50 rows) as the province's do: at 10 %
# listed, no county of Inner Mongolia has 50 cases.
COUNTY_SHARE = 0.5
MAX_BYTES_RATIO = 1.5
# Every page without parameters a county administrator opens (tests/bench checks it):
# the API's lists are counted by bench/compare.py, the dashboard timed by
# bench/dashboard.py; the import templates are workbooks.
PAGES = [
    "home",
    "notifications",
    "api_tokens",
    "county_settings",
    "county_calendar",
    "user_list",
    "user_create",
    "report_list",
    "township_list",
    "village_list",
    "venue_list",
    "venue_create",
    "venue_standards",
    "activity_township",
    "activity_urging",
    "activity_records",
    "activity_record_create",
    "activity_timeliness",
    "case_list",
    "case_create",
    "case_import",
    "acceptance_import",
    "plan_pending",
    "campaign_list",
    "campaign_create",
    "category_create",
    "criterion_create",
    "screening",
    "rating_create",
    "rating_import",
    "secretary_list",
    "secretary_create",
    "secretary_import",
    "unit_create",
    "presence",
    "support_overview",
    "trust_review",
    "round_list",
    "round_create",
    "visit_list",
    "finding_list",
    "circular_list",
]


# Why a page is heavier at province scale, where the reason is rows and not choices.
NOTES = {
    "campaign_list": "the county has one campaign (one a year); the province's first page "
    "lists 50 of its 108, paged",
    "county_settings": "one county's own page: the province reader's extra query finds the "
    "county named by `?county=`, the county's own reader has it from his division",
}
# Pages of one county's townships: a wider reader picks the county (`?county=`).
ONE_COUNTY = {
    "activity_urging",
    "activity_timeliness",
    "presence",
    "support_overview",
    "county_settings",
    "trust_review",
}


def county_of_most_villages():
    from django.db.models import Count

    from villages.models import Village

    row = (
        Village.objects.filter(code__startswith=PROVINCE)
        .values("township__parent")
        .annotate(n=Count("code"))
        .order_by("-n", "township__parent")
        .first()
    )
    return row["township__parent"]


def build():
    """The province dataset, with the chosen county listed at COUNTY_SHARE and given
    twelve more years of inspection rounds, and users for every township."""
    from django.core.management import call_command

    from portal.models import User
    from villages.services import divisions_import

    call_command("migrate", verbosity=0)
    divisions_import(source_dir=DIVISIONS, prefix=PROVINCE)
    county = county_of_most_villages()
    rng = random.Random(datasets.SEED)
    villages = datasets._villages(PROVINCE)
    counties = datasets._counties(PROVINCE)

    def share(code):
        return COUNTY_SHARE if code.startswith(county) else 0.10

    listed = datasets.cases(rng, villages, share, datasets.campaigns(counties))
    datasets.plans(rng, villages, datasets.WHOLE_YEAR[-6:])
    datasets.secretaries(rng, listed, counties, log_months=(11,))
    visits = datasets.inspections(rng, listed, counties)
    earlier_rounds(rng, county, [code for code in listed if code.startswith(county)])
    datasets.organizers()
    # A county's user list fills a page too: inspectors besides its townships' organizers.
    User.objects.bulk_create(
        User(username=f"inspector-{county}-{n}", role="inspector", division_id=county, password="!")
        for n in range(50)
    )
    files(rng, counties, villages)
    return {"villages": len(villages), "cases": len(listed), "visits": visits}


def files(rng, counties, villages, n=30_000):
    """Generated reports, imports and attachments across the province: enough rows that
    the planner chooses an index for one county's, if there is one."""
    from django.contrib.contenttypes.models import ContentType

    from portal.models import Attachment, GeneratedReport, ImportBatch, User
    from rectification.models import Case

    user = User.objects.create(username="bench-files", role="viewer", division_id=PROVINCE)
    GeneratedReport.objects.bulk_create(
        (
            GeneratedReport(
                kind="villages.village_list",
                title="村（社区）名单",
                scope_code=rng.choice(counties),
                requested_by=user,
                status="done",
            )
            for _ in range(n)
        ),
        batch_size=5000,
    )
    ImportBatch.objects.bulk_create(
        (
            ImportBatch(
                kind="rectification.ratings",
                file="imports/bench.xlsx",
                original_name="bench.xlsx",
                scope_code=rng.choice(counties),
                uploaded_by=user,
            )
            for _ in range(n)
        ),
        batch_size=5000,
    )
    case_type = ContentType.objects.get_for_model(Case)
    Attachment.objects.bulk_create(
        (
            Attachment(
                content_type=case_type,
                object_id=1,
                scope_code=rng.choice(villages),
                file="attachments/bench.pdf",
                original_name="bench.pdf",
                kind="pdf",
                size=1,
                uploaded_by=user,
            )
            for _ in range(n)
        ),
        batch_size=5000,
    )


INDEX_IN_PLAN = r"(?:Index Scan|Index Only Scan|Bitmap Index Scan) (?:using |on )(\w+)"


def indexes(county):
    """[(what, the index PostgreSQL's plan uses)] for the reads scoping makes of one
    county: the scope_code columns and the activity plans of two months."""
    import re

    from django.db import connection

    from portal.models import Attachment, GeneratedReport, ImportBatch
    from portal.scoping import Scope
    from villages.models import ActivityPlan

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    scope = Scope.under(county)
    reads = [
        ("generated reports of a county", GeneratedReport.objects.visible_to(scope)),
        ("imports of a county", ImportBatch.objects.visible_to(scope)),
        ("attachments of a county", Attachment.objects.visible_to(scope)),
        (
            "activity plans of a county, two months",
            ActivityPlan.objects.visible_to(scope).filter(
                month__in=datasets.WHOLE_YEAR[-3:-1], submitted_at__isnull=False
            ),
        ),
    ]
    found = []
    for label, queryset in reads:
        plan = queryset.only("pk").explain()
        used = re.findall(INDEX_IN_PLAN, plan)
        found.append((label, ", ".join(dict.fromkeys(used)) or "none (sequential scan)"))
    return found


def earlier_rounds(rng, county, listed):
    """Rounds of the twelve years before: a county's round list fills a page too."""
    from inspections.models import InspectionRound, Team, Visit

    visits = []
    for year in range(datasets.YEAR - 12, datasets.YEAR):
        for quarter in (1, 2, 3, 4):
            inspection = InspectionRound.objects.create(
                county_id=county,
                year=year,
                quarter=quarter,
                kind="random",
                status="closed",
                starts_on=date(year, 3 * quarter - 1, 1),
                ends_on=date(year, 3 * quarter - 1, 20),
            )
            team = Team.objects.create(round=inspection, name="一组")
            visits += [
                Visit(
                    round=inspection,
                    team=team,
                    village_id=code,
                    visited_on=inspection.starts_on + timedelta(days=1),
                    summary="座谈走访",
                    score=80,
                )
                for code in rng.sample(listed, min(5, len(listed)))
            ]
    Visit.objects.bulk_create(visits, batch_size=2000)


def measure(client, url):
    """(bytes, queries, median seconds) of GET url."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return len(response.content), len(queries), statistics.median(timings)


def object_pages(county):
    """Pages of one object (the same object for both readers: it is in the county)."""
    from inspections.models import InspectionRound
    from rectification.models import Case

    case = Case.objects.filter(village__code__startswith=county).order_by("pk").first()
    inspection = InspectionRound.objects.filter(county_id=county, year=datasets.YEAR).first()
    return [
        ("case_detail", [case.pk]),
        ("case_edit", [case.pk]),
        ("plan_edit", [case.pk]),
        ("round_detail", [inspection.pk]),
        ("team_create", [inspection.pk]),
        ("village_detail", [case.village_id]),
        ("village_edit", [case.village_id]),
    ]


def main():
    # Only when run as the bench, never on import (tests/bench imports this module and the
    # worker tests after it need REDIS_URL). nothing is queued: the pages are read in this process.
    os.environ.pop("REDIS_URL", None)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database the benchmark may drop and recreate.")
    reuse = os.environ.get("PAGES_REUSE") == "1"
    if not reuse:
        reset_database(url)
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from portal.models import User
    from villages.models import Division

    settings.ALLOWED_HOSTS = ["*"]
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per force_login
    plain = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=plain).enable()
    started = time.monotonic()
    if not reuse:
        build()
    built = time.monotonic() - started
    county = Division.objects.get(pk=county_of_most_villages())
    readers = {}
    for label, division in (("province", Division.objects.get(pk=PROVINCE)), ("county", county)):
        user, _ = User.objects.get_or_create(
            username=f"bench-pages-{division.code}",
            defaults={"role": "county_admin", "division": division, "password": "!"},
        )
        client = Client()
        client.force_login(user)
        readers[label] = client
    pages = [(name, reverse(name)) for name in PAGES]
    pages += [(name, reverse(name, args=args)) for name, args in object_pages(county.code)]
    rows, failures = [], []
    for name, path in pages:
        county_bytes, county_queries, county_time = measure(readers["county"], path)
        # A page of one county's townships shows the province reader the same county.
        wide = f"{path}?county={county.code}" if name in ONE_COUNTY else path
        bytes_, queries, seconds = measure(readers["province"], wide)
        ratio = bytes_ / county_bytes
        ok = queries == county_queries and ratio <= MAX_BYTES_RATIO
        if not ok:
            failures.append(name)
        rows.append(
            f"| `{path}` | {county_bytes / 1024:.1f} KB | {bytes_ / 1024:.1f} KB | {ratio:.2f}× "
            f"| {county_queries} | {queries} | {county_time * 1000:.0f} ms "
            f"| {seconds * 1000:.0f} ms | {'✓' if ok else '✗'} |"
        )
    how_built = "reused" if reuse else f"built in {built:.0f} s"
    lines = [
        "## Page weight and queries, province beside county",
        "",
        f"Inner Mongolia (prefix 15): 14,592 villages, 1,225 townships, 108 counties, the "
        f"province dataset ({how_built}); the county is {county.name} "
        f"({county.code}, the most villages), listed at {COUNTY_SHARE:.0%} and given twelve "
        "more years of rounds and fifty inspectors so that its lists fill a first page of 50 "
        "rows as the province's do; the pages of one county's townships (timeliness, "
        "urging, presence, the five ones) are shown to the province reader for the same "
        "county (`?county=`). Each page rendered by a county administrator of the province "
        "(division 15) and of the county, through Django's test client: bytes of the HTML, "
        f"queries, server time (median of {RUNS} after a warm-up). ✓: the same queries and "
        f"at most {MAX_BYTES_RATIO}× the bytes.",
        "",
        "| page | county | province | bytes × | queries, county | queries, province "
        "| time, county | time, province | |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |",
        *rows,
        "",
        f"{len(pages) - len(failures)} of {len(pages)} pages the same at both scales"
        + (f"; not: {', '.join(failures)}." if failures else "."),
        *(f"- {name}: {NOTES[name]}." for name in failures if name in NOTES),
    ]
    lines += [
        "",
        "Indexes the plans use for one county's rows (EXPLAIN, 30,000 reports, imports and "
        "attachments across the province, 82,000 activity plans of six months):",
        "",
        "| read | index |",
        "| --- | --- |",
        *(f"| {label} | `{index}` |" for label, index in indexes(county.code)),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    write_section(text)


if __name__ == "__main__":
    main()
