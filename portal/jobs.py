"""The periodic jobs, runnable by hand: `python manage.py run_job NAME --period YYYY-MM`.

Each job is a function of a period (a date: the month or quarter it is about) that
calls services and is idempotent. Celery beat runs them through portal.tasks.run_job; the
command runs the same function in-process. Each app declares its jobs in its jobs.py and
when beat runs them (`every`, below): the foundation imports no app.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from celery.schedules import BaseSchedule

from portal.months import previous_month

# name -> (fn(period) -> summary, the --period help, default(today) -> period)
JOBS: dict[str, tuple[Callable[[date], str], str, Callable[[date], date]]] = {}


def job(
    name: str, *, period_help: str, default: Callable[[date], date] = previous_month
) -> Callable[[Callable[[date], str]], Callable[[date], str]]:
    """Register a job function `fn(period: date) -> str` (a summary line); `default`
    gives the period beat runs it for, from today's date."""

    def register(fn):
        JOBS[name] = (fn, period_help, default)
        return fn

    return register


def default_period(name: str, today: date) -> date:
    return JOBS[name][2](today)


def run(name: str, period: date) -> str:
    return JOBS[name][0](period)


def run_scheduled(name: str, period: str | None = None) -> str:
    """What beat runs (portal.tasks.run_job): `period` (YYYY-MM) defaults to the job's own."""
    from datetime import datetime

    from django.utils import timezone

    month = (
        datetime.strptime(period, "%Y-%m").date()
        if period
        else default_period(name, timezone.localdate())
    )
    return run(name, month)


# --- The beat schedule: filled by the apps' jobs modules (imported in their ready()) -------

HOUR = 3600

# Celery's beat_schedule (portal/celery.py hands beat this very dict). Times are
# Asia/Shanghai (CELERY_TIMEZONE). Every job is idempotent and expires before its next run,
# so a beat that was down does not fire a backlog of stale runs.
BEAT_SCHEDULE: dict[str, dict[str, Any]] = {}


def every(
    entry: str,
    schedule: BaseSchedule,
    *,
    expires: int,
    job: str | None = None,
    task: str | None = None,
) -> None:
    """Declare a periodic run named `entry`: the registered job `job` (through
    portal.tasks.run_job) or the Celery task named `task`, on `schedule` (a crontab),
    dropped if not started within `expires` seconds."""
    if (job is None) == (task is None):
        raise TypeError("every() runs either a job or a task")
    run_entry: dict[str, Any] = (
        {"task": task} if task else {"task": "portal.tasks.run_job", "args": (job,)}
    )
    BEAT_SCHEDULE[entry] = {**run_entry, "schedule": schedule, "options": {"expires": expires}}
