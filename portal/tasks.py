"""Celery's entry points to the portal's jobs: thin wrappers that take ids and call a
service or a job. Their names are in the beat schedule (and django-celery-beat's rows)."""

from __future__ import annotations

from typing import Any

from celery import chord, shared_task
from celery.schedules import crontab

from portal import jobs, services
from portal.jobs import HOUR, every


@shared_task(acks_late=True)
def build_report(report_id: int) -> str | None:
    """Build a report, or, when it is built in parts (a province's quarterly report), fan
    it out: one task per part for as many workers as there are, then one that joins them
    (a chord). In-process (eager: the tests, `make run`) the chord runs here, in order."""
    keys = services.report_parts(report_id=report_id)
    if keys:
        header = [
            build_report_part.s(report_id, key, position, len(keys))
            for position, key in enumerate(keys)
        ]
        chord(header)(join_report.s(report_id))
        return f"{len(keys)} parts"
    report = services.report_build(report_id=report_id)
    return report.status if report else None


# Its result is the part: kept in the result backend until the chord's join has it.
@shared_task(acks_late=True, ignore_result=False)
def build_report_part(report_id: int, key: str, position: int, total: int) -> Any:
    return services.report_build_part(report_id=report_id, key=key, position=position, total=total)


@shared_task(acks_late=True)
def join_report(parts: list[Any], report_id: int) -> str | None:
    report = services.report_build(report_id=report_id, parts=parts)
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
    return jobs.run_scheduled(name, period)


every(
    # Every 5 minutes: reports recorded while Redis was unreachable are sent again.
    "resend-reports",
    crontab(minute="*/5"),
    task="portal.tasks.resend_reports",
    expires=4 * 60,
)
every(
    # Every day at 03:30: delete generated reports older than REPORT_RETENTION_DAYS.
    "purge-expired-reports",
    crontab(minute=30, hour=3),
    task="portal.tasks.purge_expired_reports",
    expires=12 * HOUR,
)
