"""The benchmark datasets, built from the real division codes with bulk writes (COPY),
reproducibly from a seed:

- province: Inner Mongolia (prefix 15, 14,592 villages), about 10 % listed, a year of
  activity plans, a first secretary with a quarter of work logs for every listed village,
  four inspection rounds per county with visits and findings;
- national: every village (620,573), about 6 % listed, three months of plans, with Inner
  Mongolia as above inside it, and Wuqing (the county dataset, 745 villages) treated like
  the province but listed at 15 % so that its ledger fills a 50-row page.
"""

import csv
import io
import random
from datetime import date, timedelta

SEED = 2026
YEAR = 2026
RECENT = [date(YEAR, 9, 1), date(YEAR, 10, 1), date(YEAR, 11, 1)]  # national plans
WHOLE_YEAR = [date(YEAR, month, 1) for month in range(1, 13)]  # the province's plans
WUQING, INNER_MONGOLIA = "120114", "15"


def copy(table, columns, rows, *, not_null=()):
    """COPY rows into a table (quoted strings: COPY reads an unquoted empty field as NULL)."""
    from django.db import connection

    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC).writerows(rows)
    buffer.seek(0)
    options = f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else ""
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv{options})", buffer
        )


def campaigns(county_codes):
    from rectification.models import Campaign

    return {
        c.division_id: c
        for c in Campaign.objects.bulk_create(
            (
                Campaign(
                    division_id=code,
                    year=YEAR,
                    name=f"{code} {YEAR}",
                    started_on=date(YEAR, 1, 10),
                )
                for code in county_codes
            ),
            batch_size=5000,
        )
    }


def cases(rng, village_codes, share, by_county):
    """List `share(code)` of the villages (a case each, in their county's campaign)."""
    from django.utils import timezone

    from rectification.models import Case, Category

    listed = [code for code in village_codes if rng.random() < share(code)]
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
            "identified_on",
            "deadline",
            "listing",
            "version",
            "created_at",
            "updated_at",
        ],
        (
            [
                by_county[code[:6]].pk,
                code,
                rng.choice(statuses),
                "党员35名，户籍520户。",
                "班子不团结，组织生活不正常",
                "调整班子，规范三会一课",
                "村党组织书记",
                f"{YEAR}-01-15",
                f"{YEAR}-12-31" if rng.random() < 0.8 else f"{YEAR}-10-31",
                1,
                1,
                now,
                now,
            ]
            for code in listed
        ),
    )
    category_ids = list(Category.objects.order_by("pk").values_list("pk", flat=True)[:10])
    pairs = set()
    for pk in Case.objects.values_list("pk", flat=True):
        for category in rng.sample(category_ids, rng.choice((1, 1, 2))):
            pairs.add((pk, category))
    copy("rectification_case_categories", ["case_id", "category_id"], sorted(pairs))
    return listed


def plans(rng, village_codes, months):
    """Submitted plans: about 94 % of villages a month, one in 25 of them late."""
    from portal.months import due_by

    rows = []
    for month in months:
        due = due_by(month)
        for code in village_codes:
            roll = rng.random()
            if roll < 0.06:
                continue
            late = roll > 0.96
            when = (due + timedelta(hours=3)) if late else (due - timedelta(days=2))
            stamp = when.isoformat()
            rows.append([code, month.isoformat(), stamp, "t" if late else "f", "f", "", 1, stamp])
    copy(
        "villages_activityplan",
        [
            "village_id",
            "month",
            "submitted_at",
            "late",
            "no_activity",
            "no_activity_reason",
            "version",
            "updated_at",
        ],
        rows,
        not_null=["no_activity_reason"],
    )
    return len(rows)


def secretaries(rng, listed, county_codes, log_months=(10, 11, 12)):
    """A first secretary posted to every listed village, with work logs for a quarter."""
    from django.utils import timezone

    from firstsecretary.models import Assignment, DispatchUnit, FirstSecretary

    units = {
        u.county_id: u
        for u in DispatchUnit.objects.bulk_create(
            DispatchUnit(county_id=code, name="旗直单位", level="county", kind="government")
            for code in county_codes
        )
    }
    people = FirstSecretary.objects.bulk_create(
        (
            FirstSecretary(
                county_id=code[:6],
                name=f"书记{code[-4:]}",
                gender="male",
                birth_year=1988,
                education="undergraduate",
                unit=units[code[:6]],
            )
            for code in listed
        ),
        batch_size=5000,
    )
    postings = Assignment.objects.bulk_create(
        (
            Assignment(
                secretary=s,
                village_id=code,
                started_on=date(YEAR, 1, 20),
                planned_end=date(YEAR + 2, 1, 19),
            )
            for s, code in zip(people, listed, strict=True)
        ),
        batch_size=5000,
    )
    now = timezone.now().isoformat()
    logs = [
        [posting.pk, date(YEAR, month, day).isoformat(), "t", 5, "visit", "走访", now]
        for posting in postings
        for month in log_months
        for day in range(1, 29)
        if rng.random() < 0.7
    ]
    copy(
        "firstsecretary_worklog",
        ["assignment_id", "date", "on_site", "households_visited", "kind", "summary", "created_at"],
        logs,
    )
    return len(logs)


def inspections(rng, listed, county_codes):
    """Four rounds a year per county, five listed villages visited in each, two findings."""
    from inspections.models import Finding, InspectionRound, Team, Visit
    from rectification.models import Category

    by_county = {}
    for code in listed:
        by_county.setdefault(code[:6], []).append(code)
    category = Category.objects.order_by("pk").first()
    visits = []
    for county in county_codes:
        for quarter in (1, 2, 3, 4):
            inspection = InspectionRound.objects.create(
                county_id=county,
                year=YEAR,
                quarter=quarter,
                kind="random",
                status="closed",
                starts_on=date(YEAR, 3 * quarter - 1, 1),
                ends_on=date(YEAR, 3 * quarter - 1, 20),
            )
            team = Team.objects.create(round=inspection, name="一组")
            candidates = by_county.get(county, [])
            for code in rng.sample(candidates, min(5, len(candidates))):
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
                category=category,
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
    return len(visits)


def organizers():
    """A township organizer for every township (the deadline check notifies them)."""
    from portal.models import User
    from villages.models import Division

    townships = Division.objects.filter(level="township").values_list("code", flat=True)
    User.objects.bulk_create(
        (
            User(username=f"org-{code}", role="township_organizer", division_id=code, password="!")
            for code in townships
        ),
        batch_size=5000,
    )


def _villages(prefix):
    from villages.models import Village

    return list(
        Village.objects.filter(code__startswith=prefix)
        .order_by("code")
        .values_list("code", flat=True)
    )


def _counties(prefix):
    from villages.models import Division

    return list(
        Division.objects.filter(level="county", code__startswith=prefix)
        .order_by("code")
        .values_list("code", flat=True)
    )


def province(prefix=INNER_MONGOLIA):
    """The province dataset on divisions already imported; returns its sizes."""
    rng = random.Random(SEED)
    villages, counties = _villages(prefix), _counties(prefix)
    listed = cases(rng, villages, lambda code: 0.10, campaigns(counties))
    return {
        "villages": len(villages),
        "cases": len(listed),
        "plans": plans(rng, villages, WHOLE_YEAR),
        "logs": secretaries(rng, listed, counties),
        "visits": inspections(rng, listed, counties),
        "counties": len(counties),
    }


def national():
    """The national dataset on every division imported; returns its sizes."""
    rng = random.Random(SEED)
    villages, counties = _villages(""), _counties("")

    def share(code):
        if code.startswith(WUQING):
            return 0.15
        return 0.10 if code.startswith(INNER_MONGOLIA) else 0.06

    listed = cases(rng, villages, share, campaigns(counties))
    # The province and the county datasets get everything: a year of plans, first
    # secretaries, inspection rounds.
    full = (INNER_MONGOLIA, WUQING)
    province_villages = [code for code in villages if code.startswith(full)]
    province_listed = [code for code in listed if code.startswith(full)]
    province_counties = [code for code in counties if code.startswith(full)]
    earlier = [month for month in WHOLE_YEAR if month not in RECENT]
    organizers()
    return {
        "villages": len(villages),
        "cases": len(listed),
        "plans": plans(rng, villages, RECENT) + plans(rng, province_villages, earlier),
        "logs": secretaries(rng, province_listed, province_counties),
        "visits": inspections(rng, province_listed, province_counties),
        "counties": len(counties),
    }
