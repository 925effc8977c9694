"""The Celery app. Its beat schedule is portal.jobs.BEAT_SCHEDULE, which each app fills
beside its jobs (portal.jobs.every) when Django loads it; beat reads it after that."""

import os

from celery import Celery

from portal.jobs import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = BEAT_SCHEDULE
