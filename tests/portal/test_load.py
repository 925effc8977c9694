"""A bounded load run on loopback: a minute, 30 connections, while the deadline check runs.

gunicorn serves the demo from the test database on PostgreSQL, as the Procfile runs it
(two sync workers). Three wrk processes hold ten connections each on the county's ledger
list, a township organizer's case page and the county's API case list; meanwhile this
process runs the activity-plan deadline check again and again, writing the snapshots and
notifications those pages read. Every response must be a 200 (wrk counts redirects as
successes, so the login is checked first), with no socket error or timeout; the p50,
p90 and p99 latencies are printed and written to var/artifacts/load.txt.

Needs PostgreSQL, Redis and wrk (Debian package; .ci/run installs it): skipped locally
without them, a failure in CI. LOAD_SECONDS shortens or lengthens the run.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.live import database_url, load_demo_committed, require_services

SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
CONNECTIONS = 10  # per page: 30 in all
MONTH = date(2026, 12, 1)
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "artifacts"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}

pytestmark = [pytest.mark.load, pytest.mark.django_db(transaction=True)]


def _free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(wuqing, tmp_path):
    require_services()
    if shutil.which("wrk") is None:
        reason = "the load run needs wrk (apt-get install wrk)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    load_demo_committed()
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the sessions the test signs
        "DATABASE_URL": database_url(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PORTAL_VAR_DIR": str(tmp_path),  # collected static files, as in production
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "portal.wsgi:application",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(60):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("gunicorn did not answer /healthz")
    yield base
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def _cookie(username):
    from portal.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies["sessionid"].value


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _status(url, cookie):
    """The status a logged-in request gets, redirects not followed (wrk does not either)."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
    try:
        return opener.open(request, timeout=30).status
    except urllib.error.HTTPError as error:
        return error.code


def _milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def _parse(output):
    """wrk --latency's figures: requests, rate, p50/p90/p99 and every kind of error."""
    percentiles = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    assert len(percentiles) == 3, output
    sockets = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        **{f"p{p}": _milliseconds(value) for p, value in percentiles.items()},
        "errors": (int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(int(n) for n in sockets.groups()) if sockets else 0),
    }


def test_a_minute_of_load_while_the_deadline_check_runs(server):
    from rectification.models import Case
    from villages.jobs import activity_plan_deadline
    from villages.models import TimelinessSnapshot

    county, organizer = _cookie("county"), _cookie("meichang")
    case = Case.objects.filter(village__township__name="梅厂镇").order_by("pk").first()
    pages = {
        "ledger list (county)": (county, "/ledger/"),
        "case page (township)": (organizer, f"/ledger/{case.pk}/"),
        "API case list (county)": (county, "/api/v1/cases/"),
    }
    for label, (cookie, path) in pages.items():
        assert _status(server + path, cookie) == 200, f"{label} does not answer 200"

    runs = {
        label: subprocess.Popen(
            [
                "wrk",
                "--latency",
                "-t1",
                f"-c{CONNECTIONS}",
                f"-d{SECONDS}s",
                "--timeout=10s",
                "-H",
                f"Cookie: sessionid={cookie}",
                server + path,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for label, (cookie, path) in pages.items()
    }
    checks = []
    while any(run.poll() is None for run in runs.values()):
        started = time.monotonic()
        activity_plan_deadline(MONTH)
        checks.append(time.monotonic() - started)
    figures = {label: _parse(run.communicate()[0]) for label, run in runs.items()}

    lines = [
        f"{SECONDS} s, {CONNECTIONS * len(pages)} connections, gunicorn 2 sync workers, "
        f"PostgreSQL; the deadline check ran {len(checks)} times "
        f"({1000 * sum(checks) / max(len(checks), 1):.0f} ms each)"
    ]
    for label, f in figures.items():
        lines.append(
            f"{label}: {f['requests']} requests, {f['rps']:.1f}/s, p50 {f['p50']:.0f} ms, "
            f"p90 {f['p90']:.0f} ms, p99 {f['p99']:.0f} ms, {f['errors']} errors"
        )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "load.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))

    assert all(f["errors"] == 0 for f in figures.values()), lines
    assert all(f["requests"] > 0 for f in figures.values()), lines
    assert len(checks) >= 2, "the deadline check ran while the pages were under load"
    townships = case.village.township.parent.children.count()
    assert TimelinessSnapshot.objects.filter(month=MONTH).count() == townships
