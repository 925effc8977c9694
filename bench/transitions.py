"""Benchmark: cases taken through their whole life cycle by the API, one request a transition.

Builds a throw-away PostgreSQL database with Wuqing's divisions (the repository's fixture),
a campaign, 100 cases being rectified, an organizer per township (the notices' recipients)
and the county's administrator; then, as the administrator, through the whole stack
(middleware, DRF, services), takes every case through

    apply → withdraw → apply → acceptance failed → apply → acceptance passed → close

(seven POSTs a case, each a transition of rectification.services.TRANSITIONS) and reports
transitions per second, the Python CPU and the statements per transition, and where one
transition's time goes (cProfile, printed). Issue 19's target: at least 100 a second.

    make bench            (or: DATABASE_URL=postgres://… python bench/transitions.py)
"""

import cProfile
import io
import json
import os
import pstats
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import reset_database, write_section  # noqa: E402

CASES = 100
WUQING = ROOT / "villages" / "fixtures" / "wuqing"
# (path suffix, body) of each step of the life cycle.
STEPS = [
    ("apply", {"comment": "整改任务已完成，申请验收"}),
    ("withdraw", {"comment": "材料需补充"}),
    ("apply", {"comment": "材料已补充"}),
    ("acceptance", {"reviewed_on": "2026-11-10", "scores": "none", "satisfaction": "70.0",
                    "conclusion": "未达到转化标准"}),
    ("apply", {"comment": "再次申请验收"}),
    ("acceptance", {"reviewed_on": "2026-11-18", "scores": "full", "satisfaction": "92.5",
                    "conclusion": "达到转化标准"}),
    ("close", {"on": "2026-11-20", "comment": "巩固提升期满，予以销号"}),
]  # fmt: skip


def main():
    # Only when run as the bench, never on import (tests/bench imports bench modules).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    os.environ.pop("REDIS_URL", None)  # notices and jobs in-process
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
    write_results(measure(user, ids))


def generate():
    from portal.models import User
    from rectification.models import Campaign, Case
    from villages.models import Division, Village
    from villages.services import divisions_import

    divisions_import(source_dir=WUQING, prefix="120114")
    campaign = Campaign.objects.create(
        division_id="120114", year=2026, name="武清区 2026", started_on=date(2026, 3, 1)
    )
    villages = list(Village.objects.order_by("code").values_list("code", flat=True))
    step = max(1, len(villages) // CASES)
    Case.objects.bulk_create(
        Case(
            campaign=campaign,
            village_id=code,
            problems="班子软弱涣散",
            responsible_person="李秀英",
            identified_on=date(2026, 3, 10),
            deadline=date(2026, 12, 31),
            status="rectifying",
        )
        for code in villages[::step][:CASES]
    )
    User.objects.bulk_create(
        User(username=f"org-{code}", role="township_organizer", division_id=code, password="!")
        for code in Division.objects.filter(level="township").values_list("code", flat=True)
    )
    user = User.objects.create(username="county", role="county_admin", division_id="120114")
    return list(Case.objects.order_by("pk").values_list("pk", flat=True)), user


def measure(user, ids):
    from django.db import connection
    from django.test import Client

    count = [0]

    def counted(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    from rectification.models import AcceptanceCriterion

    # The national checklist's items: every point (passed) or none (failed).
    items = AcceptanceCriterion.objects.filter(division=None, active=True)
    scores = {
        "full": {str(item.pk): item.points for item in items},
        "none": {str(item.pk): 0 for item in items},
    }
    client = Client()
    client.force_login(user)

    def post(pk, step, body):
        if "scores" in body:
            body = {**body, "scores": scores[body["scores"]]}
        response = client.post(
            f"/api/v1/cases/{pk}/{step}/", json.dumps(body), content_type="application/json"
        )
        assert response.status_code in (200, 201), (step, response.status_code, response.content)

    profiled = ids[0]  # its first application, profiled alone (a warm-up before it)
    post(profiled, *STEPS[0])
    profile = cProfile.Profile()
    profile.enable()
    post(profiled, *STEPS[1])
    profile.disable()
    for step, body in STEPS[2:]:
        post(profiled, step, body)
    transitions = 0
    with connection.execute_wrapper(counted):
        started, cpu = time.monotonic(), time.process_time()
        for pk in ids[1:]:
            for step, body in STEPS:
                post(pk, step, body)
                transitions += 1
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(25)
    print(out.getvalue())
    return {
        "transitions": transitions,
        "cases": len(ids) - 1,
        "seconds": seconds,
        "cpu": cpu,
        "statements": count[0],
        "load": os.getloadavg()[0],
    }


def write_results(run):
    per_second = run["transitions"] / run["seconds"]
    lines = [
        "## Transitions by the API (`POST /api/v1/cases/{id}/…/`)",
        "",
        f"PostgreSQL, this machine (2 cores), Django's test client in one process, one "
        f"request a transition: {run['cases']} cases of Wuqing each taken through apply → "
        "withdraw → apply → acceptance failed → apply → acceptance passed → close, as the "
        "county's administrator, through the whole stack (middleware, DRF, services, the "
        "notices). Issue 19's target: at least 100 transitions a second. Produced by "
        "`make bench`.",
        "",
        "| transitions | time | per second | Python CPU per transition | statements per "
        "transition | load average |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {run['transitions']:,} | {run['seconds']:.1f} s | {per_second:.0f} | "
        f"{run['cpu'] / run['transitions'] * 1000:.1f} ms | "
        f"{run['statements'] / run['transitions']:.1f} | {run['load']:.1f} |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    write_section(text)


if __name__ == "__main__":
    main()
