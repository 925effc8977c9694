"""Excel exports of the villages app, registered with the portal's export registry."""

from django.utils.translation import gettext_lazy as _

from portal import exports
from portal.excel import Column
from villages.filtersets import VillageFilterSet
from villages.models import Village

VILLAGE_LIST = exports.register(
    exports.TableExport(
        kind="villages.village_list",
        title=_("Village list"),
        filename=_("village-list"),
        model=Village,
        filterset_class=VillageFilterSet,
        prepare=lambda queryset: queryset.select_related("township__parent"),
        columns=[
            Column(_("Code"), lambda v: v.code, 15),
            Column(_("Name"), lambda v: v.name, 28),
            Column(_("County / district"), lambda v: v.township.parent.name, 12),
            Column(_("Township / street"), lambda v: v.township.name, 16),
            Column(_("Kind"), lambda v: v.get_kind_display(), 10),
            Column(_("Households"), lambda v: v.households, 8),
            Column(_("Population"), lambda v: v.population, 8),
            Column(_("Party organisation type"), lambda v: v.get_party_org_type_display(), 12),
            Column(_("Party members"), lambda v: v.party_members, 8),
            Column(_("Party secretary"), lambda v: v.secretary_name, 10),
        ],
    )
)
