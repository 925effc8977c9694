"""The periodic jobs, runnable by hand: `python manage.py run_job NAME --period YYYY-MM`.

Each job is a function of a period (a date: the month or quarter it is about) that
calls services and is idempotent. Celery beat runs them through portal.tasks.run_job
(schedule in portal/celery.py); the command runs the same function in-process.
"""

from collections.abc import Callable
from datetime import date

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
