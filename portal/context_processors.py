"""The navigation, by role: each user sees the entries for the work they do."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.roles import Perm

# (url name, label, permission needed or None)
NAVIGATION = (
    ("home", _("Home"), None),
    ("dashboard", _("Dashboard"), None),
    ("screening", _("Screening"), None),
    ("case_list", _("Ledger"), None),
    ("secretary_list", _("First secretaries"), None),
    ("activity_township", _("Activity plans"), None),
    ("round_list", _("Inspections"), None),
    ("worklog", _("My work log"), Perm.WORKLOG_WRITE),
    ("township_list", _("Townships"), None),
    ("village_list", _("Villages"), None),
    ("report_list", _("Exports"), None),
    ("campaign_list", _("Campaigns and categories"), Perm.CAMPAIGN_MANAGE),
    ("user_list", _("Users"), Perm.USER_MANAGE),
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    items = [
        {"url": reverse(name), "label": label, "active": name == current}
        for name, label, perm in NAVIGATION
        if perm is None or user.has_role_perm(perm)
    ]
    from portal.models import Notification

    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"nav_items": items, "unread_notifications": unread}
