"""Benchmark: cases taken through their whole life cycle by the API, one request a transition.

Builds a throw-away PostgreSQL database with Wuqing's divisions (the repository's fixture),
a campaign, 100 cases being rectified, an organizer per township (the notices' recipients)
and the county's administrator; then, as the administrator, through the whole stack
(middleware, DRF, services), takes every case through

    apply → withdraw → apply → acceptance failed → apply → acceptance passed → close

(seven POSTs a case, each a transition of rectification.services.TRANSITIONS) and reports
transitions per second, the Python CPU and the statements per transition, and where one
transition's time goes (cProfile, printed). Then the same with other cases through gunicorn
as the Procfile runs it (2 sync workers, connections kept an hour: DATABASE_CONN_MAX_AGE
3600) on a free port of 127.0.0.1, with CLIENTS concurrent clients (threads, each taking its
share of the cases through the life cycle, with the administrator's session cookie and a
CSRF token): transitions per second and the workers' CPU per transition. Issue 19's target:
at least 100 a second.

    make bench            (or: DATABASE_URL=postgres://… python bench/transitions.py)
"""

import cProfile
import http.client
import io
import json
import os
import pstats
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import record_target, reset_database, write_section  # noqa: E402

CASES = 100
# Concurrent clients of the gunicorn run (2 sync workers, as the Procfile).
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
WORKERS = 2
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
    ids, served, user = generate()
    run = measure(user, ids)
    run["served"] = measure_served(user, served)
    write_results(run)


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
    # The test client's cases, then the served run's (the villages next to them).
    chosen = villages[::step][:CASES] + villages[1::step][:CASES]
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
        for code in chosen
    )
    User.objects.bulk_create(
        User(username=f"org-{code}", role="township_organizer", division_id=code, password="!")
        for code in Division.objects.filter(level="township").values_list("code", flat=True)
    )
    user = User.objects.create(username="county", role="county_admin", division_id="120114")
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    return ids[:CASES], ids[CASES:], user


def measure(user, ids):
    from django.db import connection
    from django.test import Client

    count = [0]

    def counted(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    scores = checklist_scores()
    client = Client()
    client.force_login(user)

    def post(pk, step, body):
        body = scored(body, scores)
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
    # As a worker starts (portal/wsgi.py): what is loaded so far out of the garbage
    # collector's walks, which otherwise went over it again inside the timed requests.
    from portal.wsgi import settle

    settle()
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


def checklist_scores():
    """The national checklist's items: every point (passed) or none (failed)."""
    from rectification.models import AcceptanceCriterion

    items = AcceptanceCriterion.objects.filter(division=None, active=True)
    return {
        "full": {str(item.pk): item.points for item in items},
        "none": {str(item.pk): 0 for item in items},
    }


def scored(body, scores):
    return {**body, "scores": scores[body["scores"]]} if "scores" in body else body


def measure_served(user, ids):
    """The life cycle of `ids` through gunicorn (the Procfile's), CLIENTS clients at once."""
    from django.conf import settings
    from django.db import connections
    from django.test import Client
    from django.utils.crypto import get_random_string

    scores = checklist_scores()
    client = Client()
    client.force_login(user)  # the session row the served requests present
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = get_random_string(32)  # a CSRF secret: 32 letters and digits
    headers = {
        "Content-Type": "application/json",
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
    }
    connections.close_all()  # the workers alone use the database from here
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_CONN_MAX_AGE": "3600",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", str(WORKERS), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    failures = []

    def post(connection, pk, step, body):
        connection.request(
            "POST", f"/api/v1/cases/{pk}/{step}/", json.dumps(scored(body, scores)), headers
        )
        response = connection.getresponse()
        content = response.read()
        if response.status not in (200, 201):
            failures.append((step, response.status, content[:300]))

    def take(share):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for pk in share:
            for step, body in STEPS:
                post(connection, pk, step, body)
        connection.close()

    try:
        for _ in range(120):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.25)
        # A warm-up: each worker loads the code and opens its connection.
        warm, ids = ids[: WORKERS * 2], ids[WORKERS * 2 :]
        threads = [threading.Thread(target=take, args=([pk],)) for pk in warm]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        workers = worker_pids(server.pid)
        cpu = workers_cpu(workers)
        started = time.monotonic()
        threads = [threading.Thread(target=take, args=(ids[n::CLIENTS],)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        cpu = workers_cpu(workers) - cpu
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert not failures, failures[:3]
    transitions = len(ids) * len(STEPS)
    return {
        "transitions": transitions,
        "cases": len(ids),
        "seconds": seconds,
        "cpu": cpu,
        "clients": CLIENTS,
        "load": os.getloadavg()[0],
    }


def worker_pids(master):
    """gunicorn's workers: the master's children."""
    with open(f"/proc/{master}/task/{master}/children") as children:
        return [int(pid) for pid in children.read().split()]


def workers_cpu(pids):
    """The CPU seconds (user and system) the processes `pids` have used."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


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
    served = run["served"]
    lines += [
        "",
        f"Through gunicorn as the Procfile runs it ({WORKERS} sync workers, database "
        f"connections kept, loopback), {served['clients']} concurrent clients taking "
        f"{served['cases']} other cases through the same life cycle (CPU: the workers' own):",
        "",
        "| transitions | time | per second | workers' CPU per transition | clients "
        "| load average |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {served['transitions']:,} | {served['seconds']:.1f} s | "
        f"{served['transitions'] / served['seconds']:.0f} | "
        f"{served['cpu'] / served['transitions'] * 1000:.1f} ms | {served['clients']} | "
        f"{served['load']:.1f} |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    write_section(text)
    record_target(
        "transitions",
        {
            "test_client": per_second,
            "served": served["transitions"] / served["seconds"],
            "load": max(run["load"], served["load"]),
        },
    )


if __name__ == "__main__":
    main()
