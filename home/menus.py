"""The roof's menu entries: the home page, the dashboard, the users."""

from django.utils.translation import gettext_lazy as _

from portal import menus

menus.entry("home", _("Home"), position=10)
menus.entry("dashboard", _("Dashboard"), position=20)
menus.entry("user_list", _("Users"), position=40, group="records")
menus.first_secretary_entry("home", _("Home"), position=20)
