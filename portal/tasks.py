"""Background jobs of the portal: thin wrappers that take ids and call a service."""

from celery import shared_task

from portal import services


@shared_task(acks_late=True)
def build_report(report_id):
    report = services.report_build(report_id=report_id)
    return report.status if report else None


@shared_task
def resend_reports():
    """Reports recorded while the broker was down are sent once it is back."""
    return services.reports_resend()


@shared_task
def purge_expired_reports():
    return services.reports_purge_expired()


@shared_task(acks_late=True)
def run_job(name, period=None):
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
