"""Beat's schedule is collected from the apps (each declares its runs beside its jobs):
the same runs, tasks, times and expiries as the one list it replaced, written out here."""

from celery.schedules import crontab

from portal import jobs
from portal.celery import app

HOUR = 3600
RUN_JOB = "portal.tasks.run_job"


def test_the_collected_schedule_is_every_periodic_run():
    expected = {
        "activity-plan-reminder": {
            "task": RUN_JOB,
            # Every day: the counties three working days before their due day.
            "args": ("activity_plan_reminder_due",),
            "schedule": crontab(minute=0, hour=9),
            "options": {"expires": 12 * HOUR},
        },
        "activity-plan-deadline": {
            "task": RUN_JOB,
            # Every day: the counties whose due day (the 25th, or moved off a holiday) ended.
            "args": ("activity_plan_deadline_due",),
            "schedule": crontab(minute=10, hour=0),
            "options": {"expires": 20 * HOUR},
        },
        "secretary-presence": {
            "task": RUN_JOB,
            "args": ("secretary_presence",),
            "schedule": crontab(minute=0, hour=8, day_of_month=1),
            "options": {"expires": 20 * HOUR},
        },
        "contact-visits-overdue": {
            "task": RUN_JOB,
            "args": ("contact_visits_overdue",),
            "schedule": crontab(minute=10, hour=7),
            "options": {"expires": 12 * HOUR},
        },
        "quarterly-report": {
            "task": RUN_JOB,
            "args": ("quarterly_report",),
            "schedule": crontab(minute=0, hour=2, day_of_month=1, month_of_year="1,4,7,10"),
            "options": {"expires": 20 * HOUR},
        },
        "overdue-sweep": {
            "task": RUN_JOB,
            "args": ("overdue_sweep",),
            "schedule": crontab(minute=0, hour=1),
            "options": {"expires": 12 * HOUR},
        },
        "notification-digest": {
            "task": RUN_JOB,
            "args": ("notification_digest",),
            "schedule": crontab(minute=30, hour=7),
            "options": {"expires": 12 * HOUR},
        },
        "purge-read-notifications": {
            "task": RUN_JOB,
            "args": ("notification_purge",),
            "schedule": crontab(minute=40, hour=3),
            "options": {"expires": 12 * HOUR},
        },
        "resend-reports": {
            "task": "portal.tasks.resend_reports",
            "schedule": crontab(minute="*/5"),
            "options": {"expires": 4 * 60},
        },
        "purge-expired-reports": {
            "task": "portal.tasks.purge_expired_reports",
            "schedule": crontab(minute=30, hour=3),
            "options": {"expires": 12 * HOUR},
        },
    }
    assert app.conf.beat_schedule == expected


def test_every_scheduled_task_and_job_exists():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks
        if entry["task"] == RUN_JOB:
            assert entry["args"][0] in jobs.JOBS
