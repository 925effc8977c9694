"""Benchmark: seed 004's province through the product's own doors, at full size (issue 18).

Inner Mongolia's department in 2014 (seed 004): of 11,165 gacha and villages, 1,129 were
class 3 (10.1 %) and listed: 28 % weak and lax, 8 % chaotic finances, 50 % lagging
development, 14 % prominent conflicts; 987 were transformed (87.4 %). A province made up
with exactly those counts (12 leagues, 103 banners, 11,165 gacha and village committees,
and urban communities counted apart) is entered as its department would, every step
through the portal's pages and API, each timed:

1. the national administrator creates the province's administrator (users API), who
   creates an administrator for each of the 103 banners and a read-only viewer;
2. the province's campaign (campaigns API), which its banners inherit;
3. one star-rating workbook for the whole province (11,165 rows) on the import page:
   checked in the background, previewed, confirmed;
4. the screening's class-3 villages (1,129) listed by one ledger workbook on the
   province's campaign;
5. each banner's administrator writes its villages' plans (plan API, one request a case:
   a plan is each village's own);
6. the rest in batches (POST /api/v1/cases/batch/, at most 1,000 ids a request): submit
   and approve the plans, apply for acceptance, record the acceptance results, close out;
7. the statistics API and the province's dashboard as the viewer: 10.1 %,
   28 / 8 / 50 / 14 %, 87.4 %.

tests/portal/test_statistics_seed_004.py runs the same journey on a league of two banners.

    make bench            (or: DATABASE_URL=postgres://… python bench/province_journey.py)
"""

import io
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import reset_database, write_section  # noqa: E402

# The day the journey is entered on: plans and deadlines of 2014 are not yet past.
CLOCK = datetime(2014, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "Journey-2014!"
BATCH = 1000  # ids per batch request (BULK_SYNC_MAX_ITEMS: answered in the request)


@dataclass(frozen=True)
class Province:
    """A province (or a part of one) with seed 004's shape. Villages are listed in code
    order; the first `converted` listed are transformed, the last `closed` of those closed
    out, the rest still rectifying."""

    code: str
    name: str
    # banner code (6 digits) → (name, gacha and village committees, villages listed)
    banners: dict
    leagues: dict  # league code (4 digits) → name
    communities: int  # urban communities per banner, in its first sumu
    categories: tuple  # (name, villages listed), in listing order
    converted: int
    closed: int
    sumus: int = 3
    year: int = 2014

    @property
    def listed(self):
        return sum(count for _name, count in self.categories)


def seed_004():
    """The full province: 103 banners in 12 leagues; 11,165 = 41 × 109 + 62 × 108 gacha and
    village committees; 1,129 = 99 × 11 + 4 × 10 listed; 316 + 90 + 565 + 158 = 1,129."""
    leagues = {f"15{n:02d}": f"第{n}盟" for n in range(1, 13)}
    banners = {}
    for index in range(103):
        league = list(leagues)[index % 12]
        code = f"{league}{index // 12 + 1:02d}"
        banners[code] = (f"第{index + 1}旗", 109 if index < 41 else 108, 11 if index < 99 else 10)
    categories = (
        ("软弱涣散", 316),
        ("财务管理混乱", 90),
        ("经济社会发展落后", 565),
        ("矛盾问题较为突出", 158),
    )
    return Province(
        code="15",
        name="内蒙古自治区",
        banners=banners,
        leagues=leagues,
        communities=10,
        categories=categories,
        converted=987,
        closed=80,
        sumus=6,
    )


def _csv(path, header, rows):
    lines = [",".join(header)] + [
        ",".join(f'"{c}"' if not c.isdigit() else c for c in r) for r in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_division_files(province, directory):
    """The official files' layout (villages/services.py SOURCES). The villages' kind is not
    a column: the loader reads it off the name's ending (村民委员会, 嘎查, 社区居委会)."""
    directory = Path(directory)
    _csv(directory / "provinces.csv", ["code", "name"], [[province.code, province.name]])
    _csv(
        directory / "cities.csv",
        ["code", "name", "provinceCode"],
        [[code, name, province.code] for code, name in province.leagues.items()],
    )
    _csv(
        directory / "areas.csv",
        ["code", "name", "cityCode", "provinceCode"],
        [
            [code, name, code[:4], province.code]
            for code, (name, _n, _l) in province.banners.items()
        ],
    )
    streets, villages = [], []
    for banner, (_name, administrative, _listed) in province.banners.items():
        sumus = [f"{banner}{n:03d}" for n in range(1, province.sumus + 1)]
        streets += [
            [code, f"第{int(code[-3:])}苏木", banner, province.code, banner[:4]] for code in sumus
        ]
        for index in range(administrative):
            sumu = sumus[index % len(sumus)]
            code = f"{sumu}{index // len(sumus) + 1:03d}"
            # Two gacha for one village committee, as in a pastoral banner.
            name = f"{code[-3:]}号村民委员会" if index % 3 == 0 else f"{code[-3:]}号嘎查"
            villages.append([code, name, sumu, province.code, banner[:4], banner])
        for n in range(province.communities):
            villages.append(
                [
                    f"{sumus[0]}{900 + n}",
                    f"{n}号社区居委会",
                    sumus[0],
                    province.code,
                    banner[:4],
                    banner,
                ]
            )
    _csv(
        directory / "streets.csv", ["code", "name", "areaCode", "provinceCode", "cityCode"], streets
    )
    _csv(
        directory / "villages.csv",
        ["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"],
        villages,
    )


def _workbook(headers, rows):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _api(client, method, path, body=None, status=(200,)):
    response = getattr(client, method)(
        path, json.dumps(body) if body is not None else None, content_type="application/json"
    )
    assert response.status_code in status, (path, response.status_code, response.content[:500])
    return response.json() if response.content else None


def _import(client, page, confirm, content, **fields):
    """Upload a workbook on an import page, check the preview has no error, confirm it
    (the check and the write run in the background beyond IMPORT_SYNC_MAX_ROWS)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from portal.choices import ImportStatus
    from portal.models import ImportBatch

    response = client.post(
        reverse(page), {**fields, "file": SimpleUploadedFile("导入.xlsx", content)}
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportStatus.CHECKED and not batch.error_count, (
        batch.status,
        batch.error_count,
    )
    assert client.post(reverse(confirm, args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    return batch.rows_written


class Steps:
    """Wall and CPU time of each step, with the number of rows or requests it handled."""

    def __init__(self):
        self.rows = []

    def __call__(self, name, count, unit):
        steps = self

        class _Step:
            def __enter__(self):
                self.wall, self.cpu = time.monotonic(), time.process_time()

            def __exit__(self, *exc):
                if exc[0] is None:
                    steps.rows.append(
                        (
                            name,
                            count,
                            unit,
                            time.monotonic() - self.wall,
                            time.process_time() - self.cpu,
                        )
                    )

        return _Step()


def enter(province, directory, *, steps=None):
    """The whole journey (see the module's docstring); returns the province's viewer."""
    import time_machine
    from django.test import Client
    from django.urls import reverse

    from portal.choices import Role
    from portal.models import User
    from portal.scoping import Scope
    from rectification.imports import LEDGER_IMPORT, RATING_IMPORT
    from rectification.models import Case
    from rectification.selectors import screening_candidates
    from villages.models import Village
    from villages.services import divisions_import

    steps = steps or Steps()
    banners = list(province.banners)
    with time_machine.travel(CLOCK):
        write_division_files(province, directory)
        divisions_import(source_dir=directory, prefix=province.code)

        # 1. Users: the national administrator → the province's → each banner's.
        national = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
            username="national", password=PASSWORD
        )
        client = Client()
        client.force_login(national)
        _api(
            client,
            "post",
            "/api/v1/users/",
            {
                "username": f"admin{province.code}",
                "password": PASSWORD,
                "display_name": f"{province.name}党委组织部",
                "role": Role.COUNTY_ADMIN,
                "division": province.code,
            },
            status=(201,),
        )
        department = User.objects.get(username=f"admin{province.code}")
        client.force_login(department)
        with steps(
            "users: banner administrators and a viewer (users API)", len(banners) + 1, "requests"
        ):
            for banner in banners:
                _api(
                    client,
                    "post",
                    "/api/v1/users/",
                    {
                        "username": f"admin{banner}",
                        "password": PASSWORD,
                        "display_name": f"{province.banners[banner][0]}委组织部",
                        "role": Role.COUNTY_ADMIN,
                        "division": banner,
                    },
                    status=(201,),
                )
            _api(
                client,
                "post",
                "/api/v1/users/",
                {
                    "username": f"viewer{province.code}",
                    "password": PASSWORD,
                    "display_name": f"{province.name}党委组织部（查阅）",
                    "role": Role.VIEWER,
                    "division": province.code,
                },
                status=(201,),
            )

        # 2. The province's campaign, inherited by its banners.
        campaign = _api(
            client,
            "post",
            "/api/v1/campaigns/",
            {
                "division": province.code,
                "year": province.year,
                "name": f"{province.year}年三类嘎查村整顿转化",
                "started_on": f"{province.year}-01-01",
            },
            status=(201,),
        )

        # 3. One star-rating workbook for the province: the listed-to-be rated 2-4 stars.
        villages = list(
            Village.objects.filter(code__startswith=province.code)
            .exclude(kind="community")
            .order_by("code")
            .values_list("code", "name")
        )
        chosen, ratings = [], []
        for banner in banners:
            own = [v for v in villages if v[0].startswith(banner)]
            listed = province.banners[banner][2]
            chosen += own[:listed]
            ratings += [
                [code, name, province.year, 2 + i % 3 if i < listed else 5 + i % 6]
                for i, (code, name) in enumerate(own)
            ]
        content = _workbook(RATING_IMPORT.headers, ratings)
        with steps("star ratings: one workbook, checked and written", len(ratings), "rows"):
            written = _import(client, "rating_import", "rating_import_confirm", content)
        assert written == len(ratings), written

        # 4. The screening's class-3 villages, listed by one ledger workbook.
        candidates = screening_candidates(scope=Scope.of(department), year=province.year)
        assert sorted(r.village_id for r in candidates) == sorted(code for code, _n in chosen)
        names = iter([name for name, count in province.categories for _ in range(count)])
        rows = []
        for code, name in sorted(chosen):
            values = {
                "village": code,
                "village_name": name,
                "categories": next(names),
                "problems": "评定为三类",
                "responsible_person": "苏木党委书记",
                "identified_on": f"{province.year}-03-10",
                "deadline": f"{province.year}-12-31",
            }
            rows.append([values.get(column.key, "") for column in LEDGER_IMPORT.columns])
        content = _workbook(LEDGER_IMPORT.headers, rows)
        with steps("ledger: one workbook on the province's campaign", len(rows), "rows"):
            written = _import(
                client, "case_import", "case_import_confirm", content, campaign=campaign["id"]
            )
        assert written == province.listed, written

        # 5. Each banner writes its villages' plans.
        cases = list(
            Case.objects.filter(campaign_id=campaign["id"])
            .order_by("village_id")
            .values_list("pk", "village_id")
        )
        writer = Client()
        with steps("plans: one request a case (plan API), by each banner", len(cases), "requests"):
            current = None
            for pk, village in cases:
                if village[:6] != current:
                    current = village[:6]
                    writer.force_login(User.objects.get(username=f"admin{current}"))
                _api(
                    writer,
                    "put",
                    f"/api/v1/cases/{pk}/plan/",
                    {
                        "version": 1,
                        "goal": "年底前实现转化",
                        "tasks": [
                            {
                                "measure": "选优配强班子",
                                "owner": "苏木党委",
                                "due_on": f"{province.year}-12-15",
                            }
                        ],
                    },
                )

        # 6. The rest in batches, as the department.
        ids = [pk for pk, _village in cases]
        converted = ids[: province.converted]
        closed = converted[len(converted) - province.closed :]
        from rectification.models import AcceptanceCriterion

        full_marks = sum(
            AcceptanceCriterion.objects.filter(active=True, division=None).values_list(
                "points", flat=True
            )
        )
        work = [
            ("plan_submit", ids, {}),
            ("plan_approve", ids, {"comment": "同意"}),
            ("apply", converted, {"on": f"{province.year}-10-20"}),
            (
                "acceptance",
                converted,
                {
                    "reviewed_on": f"{province.year}-10-25",
                    "total": full_marks,
                    "satisfaction": "95",
                    "conclusion": "班子坚强有力，群众满意。",
                },
            ),
            ("close", closed, {"on": f"{province.year}-11-10"}),
        ]
        for action, chosen_ids, fields in work:
            requests = -(-len(chosen_ids) // BATCH)
            with steps(f"batch {action}: {requests} request(s)", len(chosen_ids), "cases"):
                for start in range(0, len(chosen_ids), BATCH):
                    part = chosen_ids[start : start + BATCH]
                    body = _api(
                        client,
                        "post",
                        "/api/v1/cases/batch/",
                        {"action": action, "ids": part, **fields},
                    )
                    assert body["done"] == len(part), [r for r in body["results"] if not r["ok"]][
                        :3
                    ]

        # 7. The figures, as the province's viewer.
        viewer = User.objects.get(username=f"viewer{province.code}")
        client.force_login(viewer)
        with steps("statistics API (5 addresses) and the dashboard page", 6, "requests"):
            figures = {
                part: _api(client, "get", reverse(f"statistics-{part}"))
                for part in ("summary", "funnel", "categories", "ranking", "activity-plans")
            }
            assert client.get(reverse("dashboard")).status_code == 200
    return viewer, figures, steps


def main():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database the benchmark may drop and recreate.")
    # Only when run as the bench, never on import: the tasks (the import's background check
    # and write) run in-process, timed with the step.
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    reset_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    province = seed_004()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as directory:
        _viewer, figures, steps = enter(province, directory)
    total = time.monotonic() - started
    summary, categories = figures["summary"], figures["categories"]
    shares = {c["name"]: c["share"]["percent"] for c in categories["categories"] if c["cases"]}
    assert summary["listed_share"]["percent"] == "10.1", summary["listed_share"]
    assert summary["conversion_rate"]["percent"] == "87.4", summary["conversion_rate"]
    assert shares == {
        "软弱涣散": "28.0",
        "财务管理混乱": "8.0",
        "经济社会发展落后": "50.0",
        "矛盾问题较为突出": "14.0",
    }, shares
    write_results(province, steps, summary, shares, total)


def write_results(province, steps, summary, shares, total):
    lines = [
        "## The province's journey (seed 004 at full size)",
        "",
        f"PostgreSQL, this machine (2 cores, load average {os.getloadavg()[0]:.1f} at the end). "
        f"A province made up with seed 004's counts ({len(province.banners)} banners, "
        f"{summary['administrative_villages']:,} gacha and village committees, "
        f"{summary['communities']:,} urban communities apart) entered through the portal's "
        "pages and API as its department would (bench/province_journey.py), the imports' "
        "background work in-process. Produced by `make bench`.",
        "",
        "| step | handled | time | Python CPU | per second |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, count, unit, wall, cpu in steps.rows:
        lines.append(
            f"| {name} | {count:,} {unit} | {wall:.1f} s | {cpu:.1f} s | {count / wall:,.0f} |"
        )
    lines += [
        "",
        f"The whole journey, divisions included: {total / 60:.1f} minutes. The statistics API "
        f"then gives {summary['listed']:,} listed of {summary['administrative_villages']:,} = "
        f"{summary['listed_share']['percent']} %; categories "
        + " / ".join(f"{value} %" for value in shares.values())
        + f"; {summary['converted']:,} transformed = {summary['conversion_rate']['percent']} %"
        " (seed 004: 10.1 %, 28 / 8 / 50 / 14 %, 87.4 %).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    write_section(text)


if __name__ == "__main__":
    main()
