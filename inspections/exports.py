"""Excel exports of the inspection lists, from the same FilterSets as their pages."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inspections.filtersets import FindingFilterSet, RoundFilterSet, VisitFilterSet
from inspections.models import Finding, InspectionRound, Visit
from inspections.selectors import round_list
from portal import exports
from portal.excel import Column


def _interviewed(visit, name):
    """A figure of the visit's household interviews, or nothing when none was recorded."""
    check = getattr(visit, "awareness", None)
    value = getattr(check, name, None) if check is not None else None
    return "" if value is None else (value if not hasattr(value, "name") else value.name)


VISITS = exports.register(
    exports.TableExport(
        kind="inspections.visits",
        title=_("Inspection visits"),
        filename=_("visits"),
        model=Visit,
        filterset_class=VisitFilterSet,
        numbered=True,
        prepare=lambda qs: qs.select_related(
            "village__township", "team", "round", "awareness__secretary"
        ),
        columns=[
            Column(_("Round"), lambda v: str(v.round), 20),
            Column(_("Team"), lambda v: v.team.name, 10),
            Column(_("Township / street"), lambda v: v.village.township.name, 14),
            Column(_("Village"), lambda v: v.village.name, 20),
            Column(_("Visited on"), lambda v: v.visited_on, 15),
            Column(_("Unannounced"), lambda v: _("yes") if v.unannounced else "", 8),
            Column(_("Score"), lambda v: v.score, 6),
            Column(_("Summary"), lambda v: v.summary, 50, wrap=True),
            # Household interviews (群众知晓率): who was posted there, asked, knew him.
            Column(_("First secretary"), lambda v: _interviewed(v, "secretary"), 10),
            Column(_("Households asked"), lambda v: _interviewed(v, "households_asked"), 8),
            Column(
                _("Households that know the first secretary"),
                lambda v: _interviewed(v, "households_aware"),
                10,
            ),
            Column(_("Awareness rate (%)"), lambda v: _interviewed(v, "rate"), 9),
        ],
    )
)

FINDINGS = exports.register(
    exports.TableExport(
        kind="inspections.findings",
        title=_("Inspection findings"),
        filename=_("findings"),
        model=Finding,
        filterset_class=FindingFilterSet,
        numbered=True,
        prepare=lambda qs: qs.select_related(
            "visit__village", "visit__round", "township", "category"
        ),
        columns=[
            Column(_("Round"), lambda f: str(f.visit.round), 20),
            Column(_("Township / street"), lambda f: f.township.name, 14),
            Column(_("Village"), lambda f: f.visit.village.name, 20),
            Column(_("Category"), lambda f: f.category.name, 24),
            Column(_("Severity"), lambda f: f.get_severity_display(), 8),
            Column(_("Description"), lambda f: f.description, 40, wrap=True),
            Column(pgettext_lazy("finding", "Deadline"), lambda f: f.deadline, 15),
            Column(_("Status"), lambda f: f.get_status_display(), 10),
            Column(_("Rectification by the township"), lambda f: f.response, 40, wrap=True),
        ],
    )
)

ROUNDS = exports.register(
    exports.TableExport(
        kind="inspections.rounds",
        title=_("Inspection rounds"),
        filename=_("rounds"),
        model=InspectionRound,
        filterset_class=RoundFilterSet,
        numbered=True,
        base=lambda scope: round_list(scope=scope),
        columns=[
            Column(_("Round"), lambda r: str(r), 24),
            Column(_("County"), lambda r: r.county.name, 10),
            Column(_("Starts on"), lambda r: r.starts_on, 15),
            Column(_("Ends on"), lambda r: r.ends_on, 15),
            Column(_("Status"), lambda r: r.get_status_display(), 8),
            Column(_("Visits"), lambda r: r.visit_count, 7),
            Column(_("Findings"), lambda r: r.finding_count, 7),
            # The seed reproduces the draw: only for who may know the whole plan.
            Column(_("Draw seed"), lambda r: r.draw_seed if r.plan_known else "", 16),
        ],
    )
)
