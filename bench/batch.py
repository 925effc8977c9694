"""Benchmark: 1,000 cases taken through one transition in one API request.

Builds a throw-away PostgreSQL database with Tianjin's real divisions (prefix 12, from
../shared/data/divisions), a campaign per district, 1,000 cases awaiting their acceptance
review spread over the districts, an organizer per township (the notices' recipients) and
a municipal user; then posts POST /api/v1/cases/batch/ twice through the whole stack
(middleware, DRF, services): the acceptance results of the 1,000 (pass ⇒ transformed),
then their close-out. Reports the wall time and the statements sent per case.

    make bench            (or: DATABASE_URL=postgres://… python bench/batch.py)
"""

import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

from bench.common import DIVISIONS, reset_database, write_section  # noqa: E402

CASES = 1000


def main():
    # Only when run as the bench, never on import (tests/bench imports this module and the
    # worker tests after it need REDIS_URL). nothing is queued: 1,000 is within the request.
    os.environ.pop("REDIS_URL", None)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database the benchmark may drop and recreate.")
    reset_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    ids, user = generate()
    runs = [
        measure(user, "acceptance", ids, reviewed_on="2026-11-18", total=86,
                satisfaction="92.5", conclusion="达到转化标准"),
        measure(user, "close", ids, on="2026-11-20", comment="巩固提升期满，予以销号"),
    ]  # fmt: skip
    write_results(runs)


def generate():
    from portal.models import User
    from rectification.models import Campaign, Case
    from villages.models import Division, Village
    from villages.services import divisions_import

    divisions_import(source_dir=DIVISIONS, prefix="12")
    counties = list(Division.objects.filter(level="county").values_list("code", flat=True))
    campaigns = {
        code: Campaign.objects.create(
            division_id=code, year=2026, name=f"{code} 2026", started_on=date(2026, 3, 1)
        )
        for code in counties
    }
    villages = list(Village.objects.order_by("code").values_list("code", flat=True))
    step = max(1, len(villages) // CASES)
    chosen = villages[::step][:CASES]
    Case.objects.bulk_create(
        Case(
            campaign=campaigns[code[:6]],
            village_id=code,
            problems="班子软弱涣散",
            responsible_person="李秀英",
            identified_on=date(2026, 3, 10),
            deadline=date(2026, 12, 31),
            status="acceptance_requested",
        )
        for code in chosen
    )
    User.objects.bulk_create(
        User(username=f"org-{code}", role="township_organizer", division_id=code, password="!")
        for code in Division.objects.filter(level="township").values_list("code", flat=True)
    )
    user = User.objects.create(username="tianjin", role="county_admin", division_id="12")
    return list(Case.objects.order_by("pk").values_list("pk", flat=True)), user


def measure(user, action, ids, **fields):
    import json

    from django.db import connection
    from django.test import Client

    count = [0]

    def counted(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    client = Client()
    client.force_login(user)
    with connection.execute_wrapper(counted):
        started, cpu = time.monotonic(), time.process_time()
        response = client.post(
            "/api/v1/cases/batch/",
            json.dumps({"action": action, "ids": ids, **fields}),
            content_type="application/json",
        )
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    body = response.json()
    assert response.status_code == 200 and body["done"] == len(ids), body
    return {
        "action": action,
        "cases": len(ids),
        "seconds": seconds,
        "cpu": cpu,
        "load": os.getloadavg()[0],
        "statements": count[0],
    }


def write_results(runs):
    lines = [
        "## Batches (`POST /api/v1/cases/batch/`)",
        "",
        "PostgreSQL, this machine (2 cores). 1,000 cases of Tianjin's districts in one request "
        "each, every case through its own service (acceptance_record, case_transition), "
        "through the whole stack (middleware, DRF). The machine's load average is given: on a "
        "shared machine the wall time grows with it, the statements do not. Produced by "
        "`make bench`.",
        "",
        "| action | cases | time | of which Python CPU | statements | per case | load average |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        lines.append(
            f"| {run['action']} | {run['cases']:,} | {run['seconds']:.1f} s | {run['cpu']:.1f} s | "
            f"{run['statements']:,} | {run['statements'] / run['cases']:.1f} | {run['load']:.1f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    write_section(text)


if __name__ == "__main__":
    main()
