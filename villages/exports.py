"""Excel exports of the villages app, registered with the portal's export registry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from portal import exports
from portal.excel import Column
from villages.filtersets import VenueFilterSet, VillageFilterSet
from villages.models import Venue, Village
from villages.selectors import venue_list

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date
    from typing import Any

    from portal.excel import XlsxTable

VENUE_LIST = exports.register(
    exports.TableExport(
        kind="villages.venue_list",
        title=_("Activity venues"),
        filename=_("activity-venues"),
        model=Venue,
        filterset_class=VenueFilterSet,
        base=venue_list,
        columns=[
            Column(_("Code"), lambda v: v.village.code, 15),
            Column(_("Village"), lambda v: v.village.name, 24),
            Column(_("Township / street"), lambda v: v.village.township.name, 16),
            Column(_("State"), lambda v: v.get_state_display(), 10),
            Column(_("Area (m²)"), lambda v: v.area, 10),
            Column(_("Standard (m²)"), lambda v: v.standard_area, 10),
            Column(_("works started on"), lambda v: v.works_started_on, 12),
            Column(_("works finished on"), lambda v: v.works_finished_on, 12),
            Column(_("Funding (10,000 yuan)"), lambda v: v.funding_total, 12),
        ],
    )
)

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


def timeliness_workbook(months: Sequence[date], rows: Sequence[Any]) -> XlsxTable:
    """The township × month timeliness table: per month, expected, on time, late, missing
    and the two rates, under a merged month header."""
    from django.utils.translation import gettext as _

    from portal.excel import XlsxTable, month_label

    figures = (
        (_("Expected"), "expected"),
        (_("On time"), "on_time"),
        (_("Late"), "late"),
        (_("Missing"), "missing"),
        (_("Rate (%)"), "rate"),
        (_("On-time rate (%)"), "on_time_rate"),
    )
    columns = [Column(_("Township / street"), lambda row: row[0].name, 16)]
    for index, _month in enumerate(months):
        for label, attribute in figures:
            columns.append(
                Column(label, lambda row, i=index, a=attribute: getattr(row[1][i], a), 8)
            )
    title = _("Activity-plan timeliness, {first} to {last}").format(
        first=month_label(months[0]), last=month_label(months[-1])
    )
    table = XlsxTable(
        sheet_title=title,
        title=title,
        columns=columns,
        groups=[("", 1)] + [(month_label(month), len(figures)) for month in months],
    )
    for row in rows:
        table.append(row)
    return table
