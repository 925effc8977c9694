"""The ledger's menu entries (portal.menus), and a first secretary's entry for his
village's case."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import menus

menus.group("rectification", pgettext_lazy("menu", "Rectification"), position=30)
menus.entry("case_list", _("Ledger"), position=10, group="rectification")
menus.entry("screening", _("Screening"), position=20, group="rectification")
menus.entry("campaign_list", _("Campaigns and categories"), position=40, group="rectification")


@menus.first_secretary_extra
def village_case_entry(user, request):
    """The menu entry of the case of the first secretary's village, if he has one."""
    from rectification.models import Case

    case = Case.objects.visible_to(request.scope).order_by("-pk").only("pk").first()
    if case is None:
        return []
    url = case.get_absolute_url()
    return [{"url": url, "label": _("My village's case"), "active": request.path == url}]
