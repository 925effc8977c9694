"""In-app notifications: one per user and key, so a job that runs twice notifies once."""

from django.db import transaction

from portal.choices import Role
from portal.models import Notification, User


@transaction.atomic
def notify(*, users, key, title, body="", url=""):
    """Send `title` to each user once per `key`; returns how many were new."""
    users = list(users)
    existing = set(
        Notification.objects.filter(user__in=users, key=key).values_list("user_id", flat=True)
    )
    new = [
        Notification(user=user, key=key, title=title, body=body, url=url)
        for user in users
        if user.pk not in existing
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def county_admins(county_code):
    """The active administrators whose area contains the county (county, city, province)."""
    ancestors = [county_code[:n] for n in (2, 4, 6)]
    return User.objects.filter(role=Role.COUNTY_ADMIN, is_active=True, division__code__in=ancestors)


@transaction.atomic
def notify_many(messages):
    """Send many notifications in two queries: [(user_id, key, title, body, url)].
    Pairs (user, key) already sent are skipped; returns how many were new."""
    keys = {key for _user, key, *_rest in messages}
    existing = set(Notification.objects.filter(key__in=keys).values_list("user_id", "key"))
    new = [
        Notification(user_id=user_id, key=key, title=title, body=body, url=url)
        for user_id, key, title, body, url in messages
        if (user_id, key) not in existing
    ]
    # One INSERT on PostgreSQL however many there are (Django batches only for SQLite).
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
