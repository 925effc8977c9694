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
    "secretary-presence": {
        # The 1st of each month at 08:00: last month's first secretaries under the on-site
        # threshold are reported to their county (run_job secretary_presence --period).
        "task": "portal.tasks.run_job",
        "args": ("secretary_presence",),
        "schedule": crontab(minute=0, hour=8, day_of_month=1),
        "options": {"expires": 20 * HOUR},
    },
    "purge-expired-reports": {
        # Every day at 03:30: delete generated reports older than REPORT_RETENTION_DAYS.
        "task": "portal.tasks.purge_expired_reports",
        "schedule": crontab(minute=30, hour=3),
        "options": {"expires": 12 * HOUR},
    },
}
