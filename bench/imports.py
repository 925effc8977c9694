"""Benchmark: imports the size of a province (issue 18).

Builds a throw-away PostgreSQL database with the real divisions of Inner Mongolia (prefix
15, 14,592 villages) and Shandong (prefix 37, 62,074 villages), then imports, as a
department of the whole province would:

- star ratings of Inner Mongolia: every village for 2023-2026 in turn (10,000 and 50,000
  rows), as one workbook;
- the ledger of Shandong on a province-wide campaign (10,000 and 50,000 villages), as one
  workbook of 11 columns;

each measured in three steps: the bounds checked in the request before anything is read
(`scan`), the background check (reading the rows and checking them against the database,
`batch_check`), and the background write, all or nothing (`batch_commit`). Each size runs
in a process of its own, so that its peak memory (the process's high-water mark above what
it held before the step) is its own. Figures are printed and written to bench/RESULTS.md.

    make bench            (or: DATABASE_URL=postgres://… python bench/imports.py)

BENCH_IMPORT_SIZES (10000,50000) and BENCH_IMPORT_KINDS (ratings,ledger) choose what runs;
`python bench/imports.py --measure ledger FILE` measures one workbook against a database
prepared by an earlier run (its cases and ratings are deleted first).
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

from bench.common import DIVISIONS, reset_database, write_section  # noqa: E402

SIZES = tuple(int(n) for n in os.environ.get("BENCH_IMPORT_SIZES", "10000,50000").split(","))
KINDS = tuple(os.environ.get("BENCH_IMPORT_KINDS", "ratings,ledger").split(","))
INNER_MONGOLIA, SHANDONG = "15", "37"
CATEGORY = "组织制度形同虚设、不开展组织活动"


def main():
    # Only when run as the bench, never on import (the worker tests need REDIS_URL).
    os.environ.pop("REDIS_URL", None)  # the tasks run in-process, measured one by one
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database the benchmark may drop and recreate.")
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
        return
    reset_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    prepare()
    prepared = time.monotonic() - started
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for kind in KINDS:
            for size in SIZES:
                path = Path(folder) / f"{kind}-{size}.xlsx"
                path.write_bytes(workbook(kind, size))
                output = subprocess.run(
                    [sys.executable, __file__, "--measure", kind, str(path)],
                    check=True,
                    capture_output=True,
                    text=True,
                    env=os.environ,
                ).stdout
                result = json.loads(output.strip().splitlines()[-1])
                result["size_mb"] = path.stat().st_size / 1024 / 1024
                results.append(result)
                print(result, flush=True)
    write_results(results, prepared)


def prepare():
    """The two provinces' divisions, a province department for each, a province-wide
    campaign in Shandong."""
    from portal.choices import Role
    from portal.models import User
    from rectification.models import Campaign
    from villages.services import divisions_import

    for prefix in (INNER_MONGOLIA, SHANDONG):
        divisions_import(source_dir=DIVISIONS, prefix=prefix)
        User.objects.create(
            username=f"province{prefix}", role=Role.COUNTY_ADMIN, division_id=prefix
        )
    Campaign.objects.create(
        division_id=SHANDONG, year=2026, name="山东省2026年度整顿", started_on=date(2026, 1, 10)
    )


def _villages(prefix):
    from villages.models import Village

    return list(
        Village.objects.filter(code__startswith=prefix).order_by("code").values_list("code", "name")
    )


def workbook(kind, size):
    """The file a province would upload, written as the portal writes workbooks."""
    import io

    from openpyxl import Workbook

    from rectification.imports import LEDGER_IMPORT, RATING_IMPORT

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    if kind == "ratings":
        sheet.append(RATING_IMPORT.headers)
        villages = _villages(INNER_MONGOLIA)
        rows = (
            [code, name, year, (index * 7 + year) % 11]
            for year in (2023, 2024, 2025, 2026)
            for index, (code, name) in enumerate(villages)
        )
    else:
        sheet.append(LEDGER_IMPORT.headers)
        villages = _villages(SHANDONG)
        values = {
            "categories": CATEGORY,
            "basic_situation": "党员32名，户籍520户。",
            "problems": "“三会一课”落实不到位，班子不团结",
            "measures": "镇党委书记包村，选派第一书记",
            "responsible_person": "李秀英",
            "township_leader": "王建军",
            "county_leader": "张立国",
            "identified_on": date(2026, 3, 10),
            "deadline": date(2026, 12, 31),
        }
        rows = (
            [
                {"village": code, "village_name": name}.get(column.key, values.get(column.key))
                for column in LEDGER_IMPORT.columns
            ]
            for code, name in villages
        )
    for count, row in enumerate(rows):
        if count == size:
            break
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _backend_cpu(connection):
    """CPU seconds of this connection's PostgreSQL backend (user + system, from /proc: the
    server runs on this machine), or None when it cannot be read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _since(before, connection):
    now = _backend_cpu(connection)
    return None if before is None or now is None else now - before


def measure(kind, path):
    """One import in this process: the scan, the check and the write, timed, with the
    queries they ran and the memory the check and the write needed above the baseline."""
    import django

    django.setup()
    from django.core.files import File
    from django.db import connection

    from portal import imports
    from portal.choices import ImportStatus
    from portal.models import ImportBatch, User
    from rectification.imports import LEDGER_IMPORT, RATING_IMPORT
    from rectification.models import Campaign, Case, VillageRating

    spec = RATING_IMPORT if kind == "ratings" else LEDGER_IMPORT
    prefix = INNER_MONGOLIA if kind == "ratings" else SHANDONG
    user = User.objects.get(username=f"province{prefix}")
    context = {} if kind == "ratings" else {"campaign": Campaign.objects.get().pk}
    # Each size starts from an empty ledger and no ratings.
    Case.objects.all().delete()
    VillageRating.objects.all().delete()
    with open(path, "rb") as handle:
        started = time.monotonic()
        sheet_rows = imports.scan(handle)
        scan_s = time.monotonic() - started
        handle.seek(0)
        batch = ImportBatch.objects.create(
            kind=spec.kind,
            file=File(handle, name=Path(path).name),
            original_name=Path(path).name,
            context=context,
            scope_code=prefix,
            uploaded_by=user,
            row_count=sheet_rows - 1,
        )
    # Queries counted, not kept: the SQL of a bulk insert of 2,000 rows is megabytes.
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    baseline = max(_rss_mb(), _peak_mb())
    load = os.getloadavg()[0]
    db = _backend_cpu(connection)  # outside the count: not the import's queries
    with connection.execute_wrapper(count):
        started, cpu = time.monotonic(), time.process_time()
        batch = imports.batch_check(batch_id=batch.pk)
        check_s, check_cpu = time.monotonic() - started, time.process_time() - cpu
    check_db = _since(db, connection)
    check_queries, queries[0] = queries[0], 0
    check_peak = _peak_mb() - baseline
    assert batch.status == ImportStatus.CHECKED, batch.file_errors
    assert batch.error_count == 0, list(batch.lines.filter(has_errors=True)[:3].values("errors"))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTING)
    baseline = max(_rss_mb(), _peak_mb())
    db = _backend_cpu(connection)  # outside the count: not the import's queries
    with connection.execute_wrapper(count):
        started, cpu = time.monotonic(), time.process_time()
        batch = imports.batch_commit(batch_id=batch.pk)
        commit_s, commit_cpu = time.monotonic() - started, time.process_time() - cpu
    commit_db = _since(db, connection)
    commit_queries = queries[0]
    commit_peak = _peak_mb() - baseline
    assert batch.status == ImportStatus.COMMITTED, batch.file_errors
    written = batch.rows_written
    return {
        "kind": kind,
        "rows": batch.row_count,
        "written": written,
        "scan_s": scan_s,
        "check_s": check_s,
        "commit_s": commit_s,
        "check_cpu": check_cpu,
        "commit_cpu": commit_cpu,
        "check_db_cpu": check_db,
        "commit_db_cpu": commit_db,
        "load": max(load, os.getloadavg()[0]),
        "check_queries": check_queries,
        "commit_queries": commit_queries,
        "peak_mb": _peak_mb(),
        "check_peak_mb": max(check_peak, 0),
        "commit_peak_mb": max(commit_peak, 0),
    }


def _cpu(seconds):
    return "?" if seconds is None else f"{seconds:.1f} s"


def write_results(results, prepared):
    lines = [
        "## Imports the size of a province (`bench/imports.py`)",
        "",
        "PostgreSQL, this machine (2 cores). Star ratings of Inner Mongolia (every village "
        "for 2023-2026, 4 columns) and the ledger of Shandong on a province-wide campaign "
        "(11 columns), each as one workbook written by openpyxl; divisions of both "
        f"provinces imported in {prepared:.0f} s. The scan is the bounds checked in the "
        "request before anything is read; the check (read and checked against the database) "
        "and the write (all or nothing) run in the background. Peak memory: the process's "
        "high-water mark above what it held before the step. The machine is shared: the "
        "load average during each run is given, and beside the wall time the CPU time of the "
        "worker and of its PostgreSQL backend (worker / PostgreSQL). Produced by `make bench`.",
        "",
        "| import | rows | file | scan | check (CPU: worker / PostgreSQL) | check rows/s "
        "| write (CPU: worker / PostgreSQL) "
        "| write rows/s | queries check / write | memory: growth check / write, peak | load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['kind']} | {r['rows']:,} | {r['size_mb']:.1f} MB | {r['scan_s']:.1f} s "
            f"| {r['check_s']:.1f} s ({r['check_cpu']:.1f} / {_cpu(r['check_db_cpu'])}) "
            f"| {r['rows'] / r['check_s']:,.0f} "
            f"| {r['commit_s']:.1f} s ({r['commit_cpu']:.1f} / {_cpu(r['commit_db_cpu'])}) "
            f"| {r['written'] / r['commit_s']:,.0f} "
            f"| {r['check_queries']} / {r['commit_queries']} "
            f"| +{r['check_peak_mb']:.0f} / +{r['commit_peak_mb']:.0f} MB, {r['peak_mb']:.0f} MB "
            f"| {r['load']:.1f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    write_section(text)


if __name__ == "__main__":
    main()
