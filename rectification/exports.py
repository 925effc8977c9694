"""Excel exports of the ledger, registered with the portal's export registry."""

from django.utils.translation import gettext_lazy as _

from portal import exports
from portal.excel import Column
from rectification.filtersets import CaseFilterSet, VillageRatingFilterSet
from rectification.models import Case, VillageRating
from rectification.selectors import case_list, rating_list


def _categories(case):
    # Category names contain 、 themselves: ； separates them, as in the import.
    return "；".join(category.name for category in case.categories.all())


def _heading(user):
    """«武清区软弱涣散村党组织整顿台账»: the title with the user's area in front."""
    from django.utils.translation import gettext

    area = user.division.name if user.division_id else ""
    return gettext("{area}ledger of weak and lax village Party organisations").format(area=area)


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
        groups=[
            (_("The village"), 5),
            (_("Rectification"), 3),
            (_("Responsibility"), 3),
            (_("Time limits and progress"), 6),
        ],
        columns=[
            Column(_("Township / street"), lambda c: c.village.township.name, 14),
            Column(_("Village"), lambda c: c.village.name, 22),
            Column(_("Village code"), lambda c: c.village.code, 15),
            Column(_("Campaign"), lambda c: c.campaign.name, 16),
            Column(_("Problem categories"), _categories, 30),
            Column(_("Basic situation"), lambda c: c.basic_situation, 40, wrap=True),
            Column(_("Problems"), lambda c: c.problems, 40, wrap=True),
            Column(_("Rectification measures"), lambda c: c.measures, 40, wrap=True),
            Column(_("Person responsible"), lambda c: c.responsible_person, 10),
            Column(_("Township leader in charge"), lambda c: c.township_leader, 10),
            Column(_("County-level contact leader"), lambda c: c.county_leader, 10),
            Column(_("Listed on"), lambda c: c.identified_on, 15),
            Column(_("Deadline"), lambda c: c.deadline, 15),
            Column(_("Status"), lambda c: c.get_status_display(), 10),
            Column(_("Transformed on"), lambda c: c.transformed_on, 15),
            Column(_("Closed on"), lambda c: c.closed_on, 15),
            Column(_("Times listed"), lambda c: c.listing, 8),
        ],
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
