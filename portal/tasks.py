"""Background jobs of the portal: thin wrappers that take ids and call a service, and
`send`, the one way a request hands work to them."""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import Task, current_app, shared_task
from django.conf import settings
from django.db import connections
from kombu.exceptions import KombuError

from portal import services

logger = logging.getLogger(__name__)


def send(
    task: Task, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None, **options: Any
) -> bool:
    """Publish `task(*args, **kwargs)` to the workers (`options` as for apply_async); False
    if Redis cannot take it within about a second. Never waits longer and never touches
    the result backend, so a page that hands over work answers with Redis down. Work that
    must not be lost is recorded in the database first, with a sweeper that sends it again
    while it is pending (reports: resend_reports)."""
    if current_app.conf.task_always_eager and settings.TASKS_IN_THREAD:
        # `make run`: no worker, so a thread of this process is one (see _run_in_thread).
        threading.Thread(
            target=_run_in_thread, args=(task, args, kwargs or {}), name=task.name, daemon=True
        ).start()
        return True
    timeout = settings.TASK_SEND_TIMEOUT
    try:
        # A connection of its own, with the short timeouts: the pool is beat's and the
        # workers'. (In-process when eager: `make run` without Redis, and the tests.)
        with current_app.connection_for_write(
            transport_options={"socket_connect_timeout": timeout, "socket_timeout": timeout}
        ) as connection:
            task.apply_async(
                args,
                kwargs,
                **options,
                # Celery passes it on to the producer; its stubs do not list it.
                connection=connection,  # type: ignore[call-arg]
                ignore_result=True,
                retry=True,
                retry_policy={"max_retries": 1, "interval_start": 0.1, "interval_max": 0.1},
            )
    except (KombuError, OSError) as error:  # refused, timed out, reset: kombu wraps them
        logger.warning("%s%r not sent: Redis is unreachable (%s)", task.name, tuple(args), error)
        return False
    return True


def _run_in_thread(task, args, kwargs):
    """Run a task as a worker would, beside the request that sent it: the request answers
    at once and the task's progress shows on the page meanwhile (TASKS_IN_THREAD)."""
    try:
        task.apply(args, kwargs, throw=True)
    except Exception:
        logger.exception("%s%r failed", task.name, tuple(args))
    finally:
        connections.close_all()  # this thread's own connections


@shared_task(acks_late=True)
def build_report(report_id: int) -> str | None:
    report = services.report_build(report_id=report_id)
    return report.status if report else None


@shared_task
def resend_reports() -> int:
    """Reports recorded while the broker was down are sent once it is back."""
    return services.reports_resend()


@shared_task
def purge_expired_reports() -> int:
    return services.reports_purge_expired()


@shared_task(acks_late=True)
def run_job(name: str, period: str | None = None) -> str:
    """Beat's entry to every periodic job; `period` (YYYY-MM) defaults to the job's own."""
    from datetime import datetime

    from django.utils import timezone

    from portal import jobs

    month = (
        datetime.strptime(period, "%Y-%m").date()
        if period
        else jobs.default_period(name, timezone.localdate())
    )
    return jobs.run(name, month)
