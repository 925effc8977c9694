"""Benchmark: every URL pattern of the URL conf under a time budget, county beside province.

Walks the URL conf as the access matrix reads it (tests/portal/test_access_matrix.py:
every named pattern outside the Django admin) on the province dataset of bench/pages.py
(Inner Mongolia, 14,592 villages; one county filled so that its lists have a first page
of 50 rows). Each pattern the matrix gives a county administrator for a GET (`ok`) is
requested RUNS times after a warm-up by a county administrator of that county and by one
of the province (division 15), on objects of the county (both readers see them): p50 and
p95 server time, queries and bytes. Budget: p95 ≤ 100 ms for the county, ≤ 200 ms for the
province, and the same queries at both scales. A pattern the county administrator does not
GET (an action taking POST only, a page of another role) is listed with the reason.

    make bench            (or: DATABASE_URL=postgres://… python bench/every_page.py)
    PAGES_REUSE=1 …       reuses the database bench/pages.py built
    EVERY_PAGE_ONLY=presence,support_overview …
                          walks only these patterns, printed and not written to RESULTS.md
                          (a before/after of a few pages, in the same window)
"""

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import record_target, reset_database, write_section  # noqa: E402

RUNS = int(os.environ.get("EVERY_PAGE_RUNS", "20"))
ONLY = {name for name in os.environ.get("EVERY_PAGE_ONLY", "").split(",") if name}
BUDGET_MS = {"county": 100, "province": 200}


def objects(county):
    """{kind: kwargs} of the access matrix's object kinds (URL_OBJECT), in `county`: the
    dataset's own rows where it has them, a row made here where it has none."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile
    from django.db.models import Max

    from firstsecretary.models import Assignment, SupportLink, WorkLog, WorkLogPhoto
    from inspections.models import Circular, Finding, InspectionRound, Visit
    from portal.models import (
        ApiToken,
        Attachment,
        BulkJob,
        GeneratedReport,
        ImportBatch,
        Notification,
        User,
    )
    from rectification.models import (
        AcceptanceCriterion,
        Case,
        Category,
        Plan,
        PlanTask,
        VillageRating,
    )
    from villages.models import ActivityPlan, ActivityRecord, Venue

    case = Case.objects.filter(village__code__startswith=county).order_by("pk").first()
    village = case.village
    reader = User.objects.get(username=f"bench-pages-{county}")
    campaign = case.campaign
    task = PlanTask.objects.filter(plan__case=case).first() or PlanTask.objects.create(
        plan=Plan.objects.get_or_create(case=case)[0],
        measure="选优配强书记",
        owner="镇党委",
        due_on=date(2026, 12, 15),
    )
    inspection = (
        InspectionRound.objects.filter(county_id=county, visits__findings__isnull=False)
        .order_by("-year", "pk")
        .first()
    )
    visit = Visit.objects.filter(round=inspection, findings__isnull=False).first()
    finding = Finding.objects.filter(visit=visit).first()
    number = Circular.objects.filter(county_id=county, year=inspection.year).aggregate(
        n=Max("number")
    )["n"]
    circular = Circular.objects.create(
        round=inspection,
        county_id=county,
        year=inspection.year,
        number=(number or 0) + 1,
        title="督查情况通报",
        body="正文",
    )
    posting = Assignment.objects.filter(village__code__startswith=county).first()
    secretary = posting.secretary
    log = WorkLog.objects.filter(assignment=posting).first() or WorkLog.objects.create(
        assignment=posting, date=date(2026, 11, 2), households_visited=6, kind="visit",
        summary="走访农户",
    )  # fmt: skip
    photo = WorkLogPhoto.objects.create(
        log=log,
        image=ContentFile(b"\xff\xd8\xff\xe0 a photo", name="day.jpg"),
        original_name="IMG_0001.jpg",
        width=1600,
        height=1200,
    )
    report = GeneratedReport.objects.create(
        kind="villages.village_list", title="村（社区）名单", scope_code=county,
        requested_by=reader, status="done",
    )  # fmt: skip
    report.file.save("villages.xlsx", ContentFile(b"PK bench"), save=True)
    batches = {
        kind: ImportBatch.objects.create(
            kind=kind,
            file=ContentFile(b"not a workbook", name="upload.xlsx"),
            original_name="upload.xlsx",
            context={"campaign": campaign.pk, "county": county},
            scope_code=county,
            uploaded_by=reader,
        )
        for kind in (
            "rectification.ledger",
            "rectification.ratings",
            "rectification.acceptance",
            "firstsecretary.roster",
        )
    }
    attachment = Attachment.objects.create(
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        scope_code=village.code,
        file=ContentFile(b"%PDF-1.4 evidence", name="evidence.pdf"),
        original_name="会议记录.pdf",
        kind="pdf",
        size=17,
        uploaded_by=reader,
    )
    link = SupportLink.objects.create(case=case, kind="enterprise", name="某建材公司")
    record = ActivityRecord.objects.create(
        village=village, held_on=date(2026, 11, 10), kind="theme_day", topic="主题党日",
        attendance=25,
    )  # fmt: skip
    plan = ActivityPlan.objects.filter(village__code__startswith=county).order_by("-month").first()
    rating = VillageRating.objects.filter(village__code__startswith=county).first()
    if rating is None:
        rating = VillageRating.objects.create(village=village, year=2026, stars=3, grade=3)
    county_category = Category.objects.create(name="阵地建设薄弱（基准）", division_id=county)
    county_criterion = AcceptanceCriterion.objects.create(
        name="阵地建设达标（基准）", points=100, division_id=county
    )
    bulk_job = BulkJob.objects.create(
        kind="rectification.case", action="close", ids=[case.pk], scope_code=county,
        requested_by=reader, status="done",
        results=[{"id": case.pk, "ok": False, "status": case.status, "error": "基准"}],
    )  # fmt: skip
    token = ApiToken.objects.create(user=reader, name="脚本", prefix="benchtok", digest="0" * 64)
    note = Notification.objects.create(user=reader, key="bench", title="基准", url="/")
    organizer = User.objects.filter(division__code__startswith=county, role="township_organizer")
    return {
        "chooser": {"source": "villages"},
        "round": {"pk": inspection.pk},
        "visit": {"pk": visit.pk},
        "finding": {"pk": finding.pk},
        "circular": {"pk": circular.pk},
        "village_month": {
            "code": plan.village_id,
            "year": plan.month.year,
            "month": plan.month.month,
        },
        "record": {"pk": record.pk},
        "activity_plan": {"pk": plan.pk},
        "notification": {"pk": note.pk},
        "unit": {"pk": secretary.unit_id},
        "secretary": {"pk": secretary.pk},
        "assignment": {"pk": posting.pk},
        "worklog": {"pk": log.pk},
        "worklog_photo": {"pk": photo.pk},
        "support": {"pk": link.pk},
        "roster_import": {"pk": batches["firstsecretary.roster"].pk},
        "acceptance_import": {"pk": batches["rectification.acceptance"].pk},
        "ledger_import": {"pk": batches["rectification.ledger"].pk},
        "rating_import": {"pk": batches["rectification.ratings"].pk},
        "bulk_job": {"pk": bulk_job.pk},
        "county_category": {"pk": county_category.pk},
        "county_criterion": {"pk": county_criterion.pk},
        "attachment": {"pk": attachment.pk},
        "campaign": {"pk": campaign.pk},
        "criterion": {"pk": AcceptanceCriterion.objects.filter(division=None).first().pk},
        "api_token": {"pk": token.pk},
        "category": {"pk": Category.objects.filter(division=None).first().pk},
        "case": {"pk": case.pk},
        "task": {"pk": task.pk},
        "rating": {"pk": rating.pk},
        "village": {"code": village.code},
        "venue": {
            "code": Venue.objects.get_or_create(
                village=village, defaults={"area": 180, "state": "below"}
            )[0].pk
        },
        "division": {"code": village.township_id},
        "user": {"pk": organizer.first().pk},
        "report": {"pk": report.pk},
    }


def measure(client, url):
    """(status, bytes, queries, p50 s, p95 s) of GET url over RUNS requests after one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up
    if response.status_code != 200:
        return response.status_code, 0, 0, 0.0, 0.0
    timings = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
    size = (
        len(response.content)
        if not response.streaming
        else sum(len(chunk) for chunk in response.streaming_content)
    )
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
    return 200, size, len(queries), statistics.median(timings), p95


def main():
    # Only when run as the bench, never on import (tests/bench imports the bench modules).
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
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
    from django.db import transaction
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from bench import pages
    from portal.models import User
    from villages.models import Division

    settings.ALLOWED_HOSTS = ["*"]
    logging.getLogger("axes").setLevel(logging.WARNING)
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    plain = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=plain).enable()
    if not reuse:
        pages.build()
    from tests.portal import test_access_matrix as matrix

    if unknown := ONLY - set(matrix.URLS):
        sys.exit(f"EVERY_PAGE_ONLY names no URL pattern: {', '.join(sorted(unknown))}")
    county = Division.objects.get(pk=pages.county_of_most_villages())
    readers = {}
    for label, division in (
        ("province", Division.objects.get(pk=pages.PROVINCE)),
        ("county", county),
    ):
        user, _ = User.objects.get_or_create(
            username=f"bench-pages-{division.code}",
            defaults={"role": "county_admin", "division": division, "password": "!"},
        )
        client = Client()
        client.force_login(user)
        readers[label] = client
    rows, skipped, over = [], [], []
    with transaction.atomic():  # the objects made here are taken back at the end
        kinds = objects(county.code)
        # As a gunicorn worker starts (portal/wsgi.py): the URL conf loaded and everything
        # loaded so far frozen out of the garbage collector's full collections.
        from portal.wsgi import settle

        settle()
        for name in sorted(matrix.URLS):
            if ONLY and name not in ONLY:
                continue
            code = matrix.EXPECTED.get((name, "GET"), {}).get("county_admin")
            if code != "ok":
                skipped.append((name, code))
                continue
            kwargs = kinds[matrix.URL_OBJECT[name]] if name in matrix.URL_OBJECT else {}
            path = reverse(name, kwargs=kwargs)
            wide = f"{path}?county={county.code}" if name in pages.ONE_COUNTY else path
            figures = {
                "county": measure(readers["county"], path),
                "province": measure(readers["province"], wide),
            }
            if any(f[0] != 200 for f in figures.values()):
                skipped.append(
                    (name, f"answered {figures['county'][0]} / {figures['province'][0]}")
                )
                continue
            (_s, cb, cq, c50, c95), (_t, pb, pq, p50, p95) = figures["county"], figures["province"]
            late = [
                label
                for label, p in (("county", c95), ("province", p95))
                if p * 1000 > BUDGET_MS[label]
            ]
            ok = not late and cq == pq
            if not ok:
                over.append((name, late, cq, pq))
            rows.append(
                f"| `{name}` | {c50 * 1000:.0f} | {c95 * 1000:.0f} | {cq} | {cb / 1024:.1f} "
                f"| {p50 * 1000:.0f} | {p95 * 1000:.0f} | {pq} | {pb / 1024:.1f} "
                f"| {'✓' if ok else '✗'} |"
            )
        transaction.set_rollback(True)
    reasons = {
        "405": "an action: POST only",
        "403": "not the county administrator's page",
        "404": "outside the county administrator's area",
    }
    lines = [
        "## Every page under a time budget, county beside province",
        "",
        f"Inner Mongolia's dataset of `bench/pages.py` (county {county.name}, {county.code}); "
        "every URL pattern of the URL conf outside the Django admin, as the access matrix "
        "lists them, GET by a county administrator of the county and of the province "
        f"(division 15), {RUNS} requests after a warm-up, through Django's test client (server "
        f"time, no network). Budget: p95 ≤ {BUDGET_MS['county']} ms for the county, "
        f"≤ {BUDGET_MS['province']} ms for the province, the same queries at both scales. "
        f"Machine load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| URL pattern | county p50 ms | p95 ms | queries | KB | province p50 ms | p95 ms "
        "| queries | KB | |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |",
        *rows,
        "",
        f"{len(rows) - len(over)} of {len(rows)} pages within budget with the same queries.",
    ]
    if over:
        lines += ["", "Over budget or with more queries at province scale:", ""]
        lines += [
            f"- `{name}`: "
            + (f"p95 over budget ({', '.join(late)})" if late else "")
            + ("; " if late and cq != pq else "")
            + (f"{cq} queries for the county, {pq} for the province" if cq != pq else "")
            for name, late, cq, pq in over
        ]
    lines += [
        "",
        f"Not walked ({len(skipped)}): "
        + "; ".join(f"`{name}` ({reasons.get(str(code), code)})" for name, code in skipped)
        + ".",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not ONLY:  # a partial walk would replace the whole table with a few rows
        write_section(text)
        record_target(
            "every_page",
            {
                "within": len(rows) - len(over),
                "of": len(rows),
                "over": [[name, late, cq, pq] for name, late, cq, pq in over],
                "load": os.getloadavg()[0],
            },
        )


if __name__ == "__main__":
    main()
