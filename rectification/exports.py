"""Excel exports of the ledger, registered with the portal's export registry."""

from django.utils.translation import gettext_lazy as _

from portal import exports
from portal.excel import Column
from rectification import ledger
from rectification.filtersets import CaseFilterSet, VillageRatingFilterSet
from rectification.models import Case, VillageRating
from rectification.selectors import case_list, rating_list


def _heading(user):
    """«武清区软弱涣散村党组织整顿台账»: the title with the user's area in front."""
    from django.utils.translation import gettext

    area = user.division.name if user.division_id else ""
    return gettext("{area}ledger of weak and lax village Party organisations").format(area=area)


# (group, column): which village and campaign, the row as declared, the status among them.
_LEDGER_COLUMNS = [
    (ledger.VILLAGE, Column(_("Township / street"), lambda c: c.village.township.name, 14)),
    (ledger.VILLAGE, Column(_("Village"), lambda c: c.village.name, 22)),
    (ledger.VILLAGE, Column(_("Village code"), lambda c: c.village.code, 15)),
    (ledger.VILLAGE, Column(_("Campaign"), lambda c: c.campaign.name, 16)),
    *(
        (
            field.group,
            Column(field.label, field.cell, field.width, wrap=field.kind == ledger.LONG_TEXT),
        )
        for field in ledger.ENTERED
    ),
    (ledger.TIME, Column(_("Status"), lambda c: c.get_status_display(), 10)),
    *((field.group, Column(field.label, field.cell, field.width)) for field in ledger.RECORDED),
]


def _groups(columns):
    """The group headers and how many columns each spans, from the columns' groups."""
    spans = []
    for group, _column in columns:
        if spans and spans[-1][0] == group:
            spans[-1][1] += 1
        else:
            spans.append([group, 1])
    return [(ledger.GROUPS[group], span) for group, span in spans]


LEDGER = exports.register(
    exports.TableExport(
        kind="rectification.ledger",
        title=_("Ledger of weak and lax village Party organisations"),
        filename=_("ledger"),
        model=Case,
        filterset_class=CaseFilterSet,
        base=lambda scope: case_list(scope=scope),
        numbered=True,
        heading=_heading,
        groups=_groups(_LEDGER_COLUMNS),
        columns=[column for _group, column in _LEDGER_COLUMNS],
    )
)


RATINGS = exports.register(
    exports.TableExport(
        kind="rectification.ratings",
        title=_("Star ratings of villages"),
        filename=_("star-ratings"),
        model=VillageRating,
        filterset_class=VillageRatingFilterSet,
        base=lambda scope: rating_list(scope=scope).order_by("-year", "village__code"),
        numbered=True,
        columns=[
            Column(_("Township / street"), lambda r: r.village.township.name, 14),
            # The import's columns, under the import's headers: exported, edited, imported.
            Column(_("Village code"), lambda r: r.village_id, 15),
            Column(_("Village"), lambda r: r.village.name, 22),
            Column(_("Year"), lambda r: r.year, 8),
            Column(_("Stars"), lambda r: r.stars, 8),
            Column(_("Grade"), lambda r: r.get_grade_display(), 8),
            Column(_("Rated at"), lambda r: r.rated_at, 20),
        ],
    )
)
