"""The first-secretary app's menu entries (portal.menus)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import menus

menus.entry("support_overview", _("Support (five ones)"), position=30, group="rectification")
menus.group("first_secretaries", _("First secretaries"), position=40)
menus.entry("secretary_list", _("Roster"), position=10, group="first_secretaries")
menus.entry(
    "presence", pgettext_lazy("menu", "Days in the village"), position=20, group="first_secretaries"
)
menus.entry("worklog", _("My work log"), position=30, group="first_secretaries")
menus.entry("trust_review", _("Work logs to look at"), position=25, group="first_secretaries")
menus.first_secretary_entry("my_village", _("My village"), position=10)
menus.first_secretary_entry("worklog", _("My work log"), position=30)
