"""The inspections app's menu entries (portal.menus)."""

from django.utils.translation import gettext_lazy as _

from portal import menus

menus.entry("round_list", _("Inspections"), position=60)
