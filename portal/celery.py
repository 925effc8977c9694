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
    "purge-expired-reports": {
        # Every day at 03:30: delete generated reports older than REPORT_RETENTION_DAYS.
        "task": "portal.tasks.purge_expired_reports",
        "schedule": crontab(minute=30, hour=3),
        "options": {"expires": 12 * HOUR},
    },
}
