"""The daily e-mail digest: each user's unread notifications in one message, at most once
a day (a DigestLog row per user and day makes a second run a no-op); and the daily purge
of notifications read long ago."""

from datetime import datetime, time, timedelta

from celery.schedules import crontab
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.jobs import HOUR, every, job
from portal.models import DigestLog, Notification, User


def _today(today):
    return today


@job("notification_digest", period_help="day (YYYY-MM-DD): one e-mail per user", default=_today)
def notification_digest(day):
    """Send each user with an e-mail address their unread, not yet e-mailed notifications."""
    pending = (
        Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True)
        .exclude(user__email="")
        .filter(user__is_active=True)
        .order_by("user_id", "-created_at")
        .values_list("user_id", "pk", "title", "url")
    )
    by_user = {}
    for user_id, pk, title, url in pending:
        # Each notice with the page where its work is done, as the bell links it.
        line = f"- {title}\n  {settings.PORTAL_SITE_URL}{url}" if url else f"- {title}"
        by_user.setdefault(user_id, []).append((pk, line))
    already = set(DigestLog.objects.filter(day=day).values_list("user_id", flat=True))
    users = User.objects.in_bulk([u for u in by_user if u not in already])
    sent = 0
    for user_id, user in users.items():
        notes = by_user[user_id]
        try:
            with transaction.atomic():
                DigestLog.objects.create(user=user, day=day, count=len(notes))
                send_mail(
                    _("{count} new notifications in the rectification portal").format(
                        count=len(notes)
                    ),
                    "\n".join(line for _pk, line in notes),
                    None,
                    [user.email],
                )
                Notification.objects.filter(pk__in=[pk for pk, _line in notes]).update(
                    emailed_at=timezone.now()
                )
        except IntegrityError:
            continue  # another run sent today's digest meanwhile
        sent += 1
    return f"notification_digest {day}: {sent} digests"


@job(
    "notification_purge",
    period_help="day (YYYY-MM-DD): delete notices read long ago",
    default=_today,
)
def notification_purge(day):
    """Delete the notifications read more than NOTIFICATION_RETENTION_DAYS before `day`;
    unread ones stay however old, the bell still counts them."""
    cutoff = timezone.make_aware(
        datetime.combine(day - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS), time.min)
    )
    deleted, _by_model = Notification.objects.filter(read_at__lt=cutoff).delete()
    return f"notification_purge {day}: {deleted} deleted"


every(
    # Every day at 07:30: one e-mail per user with their unread notifications.
    "notification-digest",
    crontab(minute=30, hour=7),
    job="notification_digest",
    expires=12 * HOUR,
)
every(
    # Every day at 03:40: notifications read more than NOTIFICATION_RETENTION_DAYS ago
    # are deleted (run_job notification_purge).
    "purge-read-notifications",
    crontab(minute=40, hour=3),
    job="notification_purge",
    expires=12 * HOUR,
)
