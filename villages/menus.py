"""The villages app's menu entries (portal.menus)."""

from django.utils.translation import gettext_lazy as _

from portal import menus

menus.entry("activity_township", _("Activity plans"), position=50)
menus.entry("township_list", _("Townships"), position=10, group="records")
menus.entry("village_list", _("Villages"), position=20, group="records")
menus.entry("county_settings", _("County settings"), position=50, group="records")
menus.entry("venue_list", _("Activity venues"), position=25, group="records")
