"""Celery's entry points to the portal's jobs: thin wrappers that take ids and call a
service or a job. Their names are in the beat schedule (and django-celery-beat's rows)."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from portal import imports, jobs, services
from portal.jobs import HOUR, every


@shared_task(acks_late=True)
def build_report(report_id: int) -> str | None:
    report = services.report_build(report_id=report_id)
    return report.status if report else None


@shared_task(acks_late=True)
def check_import(batch_id: int) -> str | None:
    """Read and check a large uploaded workbook (the preview shows the progress)."""
    batch = imports.batch_check(batch_id=batch_id)
    return batch.status if batch else None


@shared_task(acks_late=True)
def commit_import(batch_id: int) -> str | None:
    """Write a large confirmed import, all rows or none (the preview shows the progress)."""
    batch = imports.batch_commit(batch_id=batch_id)
    return batch.status if batch else None


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
