"""The roof's menu entries: the home page, the dashboard, the users, and a first
secretary's entry for his village's file."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import menus

menus.entry("home", _("Home"), position=10)
menus.entry("dashboard", _("Dashboard"), position=20)
menus.entry("user_list", _("Users"), position=40, group="records")
menus.first_secretary_entry("home", _("Home"), position=20)


@menus.first_secretary_extra
def village_file_entry(user, request):
    """The first secretary's entry for his village's file (一村一档); no query."""
    if not user.village_id:
        return []
    url = reverse("village_dossier", args=[user.village_id])
    return [{"url": url, "label": _("My village's file"), "active": request.path == url}]
