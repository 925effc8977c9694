"""Excel exports of the first-secretary app: the roster, and a month's presence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from firstsecretary.filtersets import FirstSecretaryFilterSet
from firstsecretary.models import FirstSecretary
from portal import exports
from portal.excel import Column, XlsxTable, month_label

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date
    from typing import Any


def _posting(secretary):
    active = next((a for a in secretary.assignments.all() if a.actual_end is None), None)
    return active


def _village(secretary):
    posting = _posting(secretary)
    return f"{posting.village.township.name} {posting.village.name}" if posting else ""


def _posting_value(secretary, attribute):
    posting = _posting(secretary)
    return getattr(posting, attribute) if posting else None


def _since(secretary):
    posting = _posting(secretary)
    return posting.started_on if posting else None


ROSTER = exports.register(
    exports.TableExport(
        kind="firstsecretary.roster",
        title=gettext_lazy("Roster of first secretaries"),
        filename=gettext_lazy("first-secretaries"),
        model=FirstSecretary,
        filterset_class=FirstSecretaryFilterSet,
        numbered=True,
        prepare=lambda queryset: queryset.select_related("unit").prefetch_related(
            "assignments__village__township"
        ),
        columns=[
            Column(pgettext_lazy("person", "Name"), lambda s: s.name, 10),
            Column(gettext_lazy("Gender"), lambda s: s.get_gender_display(), 6),
            Column(gettext_lazy("Year of birth"), lambda s: s.birth_year, 8),
            Column(gettext_lazy("Education"), lambda s: s.get_education_display(), 10),
            Column(gettext_lazy("Dispatching unit"), lambda s: s.unit.name, 24),
            Column(gettext_lazy("Position in the unit"), lambda s: s.position, 14),
            Column(gettext_lazy("Phone"), lambda s: s.phone, 14),
            Column(gettext_lazy("Village"), _village, 24),
            # The import's own columns: the roster exported is imported back as it is.
            Column(gettext_lazy("Village code"), lambda s: _posting_value(s, "village_id"), 15),
            Column(gettext_lazy("Posted since"), _since, 15),
            Column(gettext_lazy("Planned end"), lambda s: _posting_value(s, "planned_end"), 15),
        ],
    )
)


def presence_workbook(rows: Sequence[Any], month: date) -> XlsxTable:
    """A month's presence, one row per posting, as the county reads it."""
    columns = [
        Column(gettext_lazy("Township / street"), lambda p: p.assignment.village.township.name, 12),
        Column(gettext_lazy("Village"), lambda p: p.assignment.village.name, 22),
        Column(gettext_lazy("First secretary"), lambda p: p.assignment.secretary.name, 10),
        Column(gettext_lazy("Dispatching unit"), lambda p: p.assignment.secretary.unit.name, 22),
        Column(gettext_lazy("Days in the village"), lambda p: p.days_on_site, 10),
        Column(gettext_lazy("Households visited"), lambda p: p.households_visited, 10),
        Column(gettext_lazy("Share of households (%)"), lambda p: p.households_share, 10),
        Column(
            gettext_lazy("Below the threshold"),
            lambda p: _("yes") if p.below_threshold else "",
            10,
        ),
    ]
    title = _("First-secretary presence, {month}").format(month=month_label(month))
    table = XlsxTable(sheet_title=title, title=title, columns=columns, numbered=True)
    for row in rows:
        table.append(row)
    return table
