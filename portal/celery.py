"""The Celery app and, in one list, every periodic job with its schedule in words."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HOUR = 3600

# Times are Asia/Shanghai (CELERY_TIMEZONE). Every job is idempotent and expires before
# its next run, so a beat that was down does not fire a backlog of stale runs.
app.conf.beat_schedule = {
    "activity-plan-reminder": {
        # The 20th at 09:00: townships are told which villages have not yet reported next
        # month's activity plan (run_job activity_plan_reminder --period next month).
        "task": "portal.tasks.run_job",
        "args": ("activity_plan_reminder",),
        "schedule": crontab(minute=0, hour=9, day_of_month=20),
        "options": {"expires": 12 * HOUR},
    },
    "activity-plan-deadline": {
        # The 26th at 00:10, just after the due day (ACTIVITY_PLAN_DUE_DAY, 25): missing
        # plans recorded, townships and the county notified.
        "task": "portal.tasks.run_job",
        "args": ("activity_plan_deadline",),
        "schedule": crontab(minute=10, hour=0, day_of_month=26),
        "options": {"expires": 20 * HOUR},
    },
    "secretary-presence": {
        # The 1st of each month at 08:00: last month's first secretaries under the on-site
        # threshold are reported to their county (run_job secretary_presence --period).
        "task": "portal.tasks.run_job",
        "args": ("secretary_presence",),
        "schedule": crontab(minute=0, hour=8, day_of_month=1),
        "options": {"expires": 20 * HOUR},
    },
    "quarterly-report": {
        # 1 January, April, July and October at 02:00: each county's report on the quarter
        # just ended (run_job quarterly_report --period YYYY-MM, any month of the quarter).
        "task": "portal.tasks.run_job",
        "args": ("quarterly_report",),
        "schedule": crontab(minute=0, hour=2, day_of_month=1, month_of_year="1,4,7,10"),
        "options": {"expires": 20 * HOUR},
    },
    "overdue-sweep": {
        # Every day at 01:00: plan tasks, case deadlines and findings past due, one
        # notification per user (run_job overdue_sweep --period YYYY-MM-DD).
        "task": "portal.tasks.run_job",
        "args": ("overdue_sweep",),
        "schedule": crontab(minute=0, hour=1),
        "options": {"expires": 12 * HOUR},
    },
    "notification-digest": {
        # Every day at 07:30: one e-mail per user with their unread notifications.
        "task": "portal.tasks.run_job",
        "args": ("notification_digest",),
        "schedule": crontab(minute=30, hour=7),
        "options": {"expires": 12 * HOUR},
    },
    "purge-read-notifications": {
        # Every day at 03:40: notifications read more than NOTIFICATION_RETENTION_DAYS ago
        # are deleted (run_job notification_purge).
        "task": "portal.tasks.run_job",
        "args": ("notification_purge",),
        "schedule": crontab(minute=40, hour=3),
        "options": {"expires": 12 * HOUR},
    },
    "resend-reports": {
        # Every 5 minutes: reports recorded while Redis was unreachable are sent again.
        "task": "portal.tasks.resend_reports",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "purge-expired-reports": {
        # Every day at 03:30: delete generated reports older than REPORT_RETENTION_DAYS.
        "task": "portal.tasks.purge_expired_reports",
        "schedule": crontab(minute=30, hour=3),
        "options": {"expires": 12 * HOUR},
    },
}
