"""The organization department's dashboard: the whole campaign on one screen, for the
viewer's area or any part of it (province → city → county → township, whose villages
lead to their own pages). Every figure comes from an app's selectors, each in one query
whatever the data size; the page makes a fixed number of queries."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext as _

from firstsecretary.selectors import (
    contact_overdue_q,
    coverage,
    five_ones_incomplete_q,
    presence_summary,
    with_support,
)
from inspections.choices import FindingStatus
from inspections.selectors import finding_counts
from portal.months import add_months
from portal.scoping import Scope
from rectification.choices import CaseStatus
from rectification.models import Campaign, Case
from rectification.selectors import (
    MILESTONES,
    StageTime,
    behind_q,
    converted_q,
    ledger_statistics,
    relapse_q,
    stage_pass,
    stalled_q,
    with_overdue_task,
)
from villages.models import Division, Village
from villages.selectors import (
    Timeliness,
    percent,
    plan_months,
    timeliness,
    timeliness_legend,
    venues_listed_up_to_standard,
)

# The length of the codes one level down from a scope of the given length: the rows of the
# ranking and the heat map (a township's rows are its villages).
CHILD_LENGTH = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12}
MONTHS = 6


def years(*, scope: Scope) -> list[int]:
    """The campaign years the scope has, newest first (one query)."""
    return list(
        Campaign.objects.visible_to(scope)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


@dataclass
class Unit:
    """One row of the ranking: a division (or village) one level below the area."""

    code: str
    name: str
    is_village: bool
    total: int = 0
    converted: int = 0
    relapses: int = 0
    overdue: int = 0
    missing_five: int = 0

    @property
    def rate(self):
        return percent(self.converted, self.total)


@dataclass
class Stage:
    """A step of the life cycle: cases in it now, and cases that have reached it or gone
    beyond (the funnel: identified → rectifying → … → closed)."""

    status: str
    label: str | Promise  # lazy: translated when shown
    now: int
    reached: int


@dataclass
class Filters:
    """The dashboard's filters as read from a request's ?year=, ?campaign= and ?area=, the
    same for the page and the statistics API: `reader` is the scope narrowed to the area,
    `errors` what was wrong with each value (the page falls back on the defaults, the API
    answers 400), `area_found` False for an area outside the scope (the API: 404)."""

    reader: Scope
    years: list[int]
    year: int | None = None
    campaign: Campaign | None = None
    errors: dict = field(default_factory=dict)
    area_found: bool = True


def filters(*, scope: Scope, year: str = "", campaign: str = "", area: str = "") -> Filters:
    """Read the filters for a reader of `scope`: the area narrows the scope (a division
    strictly inside it), the campaign must be one the area sees and fixes the year, and a
    year must be one of the scope's campaign years (none given: the newest)."""
    year, campaign, area = year.strip(), campaign.strip(), area.strip()
    reader = scope.narrowed(area)
    # Outside the scope, malformed, or a village: narrowed() ignores it; the API says 404.
    found = not area or area == scope.prefix or reader != scope
    result = Filters(reader=reader, years=years(scope=scope), area_found=found)
    if campaign:
        chosen = (
            Campaign.objects.visible_to(reader).filter(pk=campaign).first()
            if campaign.isdigit() and len(campaign) < 10
            else None
        )
        if chosen is None:
            result.errors["campaign"] = _("No campaign {campaign} in this area.").format(
                campaign=campaign
            )
        else:
            result.campaign, result.year = chosen, chosen.year
    if year:
        if not (year.isdigit() and int(year) in result.years):
            result.errors["year"] = _(
                "No campaign in the year {year} in your area; campaign years: {years}."
            ).format(year=year, years="、".join(str(y) for y in result.years) or "—")
        elif result.campaign is not None and int(year) != result.campaign.year:
            result.errors["year"] = _("The campaign {campaign} is of {year}.").format(
                campaign=result.campaign, year=result.campaign.year
            )
        elif result.campaign is None:
            result.year = int(year)
    if result.year is None and result.years:
        result.year = result.years[0]
    return result


def dashboard(
    *,
    scope: Scope,
    year: int | None = None,
    campaign: Campaign | None = None,
    today: date | None = None,
) -> "Figures":
    """Every figure of the dashboard for a scope (the reader's, or narrowed by the
    drill-down: `Scope.narrowed`) and a year, or one campaign (of its year)."""
    if campaign is not None:
        year = campaign.year
    return Figures(scope=scope, year=year, campaign=campaign, today=today or timezone.localdate())


class Figures(Mapping):
    """The dashboard's figures by name, each counted when it is first read: the page reads
    them all (the same queries as ever), an address of the statistics API only its own part
    (the funnel needs one query, not the heat map's)."""

    KEYS = (
        "stats",
        "funnel",
        "behind",
        "missing_five",
        "coverage",
        "presence",
        "months",
        "heat",
        "timeliness_legend",
        "findings",
        "venues",
        "ranking",
        "villages_level",
        "stages",
        "stalled",
        "milestones",
        "visits_overdue",
    )

    def __init__(self, *, scope: Scope, year: int | None, campaign: Campaign | None, today: date):
        self.scope, self.year, self.campaign, self.today = scope, year, campaign, today
        prefix = scope.prefix or ""
        self.depth = CHILD_LENGTH.get(len(prefix), 12)
        self.villages_level = self.depth == 12
        # The timeliness page's window: up to the month being planned (due by the 25th).
        self.months = plan_months(today, MONTHS)

    def __getitem__(self, key):
        if key not in self.KEYS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self):
        return iter(self.KEYS)

    def __len__(self):
        return len(self.KEYS)

    @cached_property
    def stats(self):
        return ledger_statistics(
            scope=self.scope, campaign=self.campaign, year=self.year, today=self.today
        )

    @cached_property
    def funnel(self):
        by_status = self.stats.by_status
        statuses = CaseStatus.values
        return [
            Stage(
                status=status,
                label=label,
                now=by_status.get(status, 0),
                reached=sum(by_status.get(later, 0) for later in statuses[index:]),
            )
            for index, (status, label) in enumerate(CaseStatus.choices)
        ]

    @cached_property
    def _by_unit(self):
        """The cases' figures per row of the ranking (one level down), in one query."""
        today = self.today
        cases = Case.objects.visible_to(self.scope)
        if self.campaign is not None:
            cases = cases.filter(campaign=self.campaign)
        if self.year is not None:
            cases = cases.filter(campaign__year=self.year)
        rows = (
            with_support(with_overdue_task(cases, today))
            .annotate(unit=Substr("village_id", 1, self.depth))
            .values("unit")
            .annotate(
                total=Count("pk"),
                converted=Count("pk", filter=converted_q()),
                relapses=Count("pk", filter=relapse_q()),
                overdue=Count("pk", filter=behind_q(today)),
                missing_five=Count("pk", filter=five_ones_incomplete_q()),
            )
            .order_by()
        )
        return {row.pop("unit"): row for row in rows}

    @cached_property
    def behind(self):
        return sum(row["overdue"] for row in self._by_unit.values())

    @cached_property
    def missing_five(self):
        return sum(row["missing_five"] for row in self._by_unit.values())

    @cached_property
    def _plans(self):
        return timeliness(scope=self.scope, months=self.months, depth=self.depth)

    @cached_property
    def _units(self):
        """The rows of the ranking and the heat map: every unit with cases or plans."""
        by_unit, plans = self._by_unit, self._plans
        codes = set(by_unit) | {code for code, _month in plans}
        names = _names(codes, self.depth)
        units = {
            code: Unit(code=code, name=names.get(code, code), is_village=self.villages_level)
            for code in sorted(codes)
        }
        for code, figures in by_unit.items():
            for name, value in figures.items():
                setattr(units[code], name, value)
        return units

    @cached_property
    def ranking(self):
        return sorted(
            (unit for unit in self._units.values() if unit.total),
            key=lambda u: (-(u.rate or 0), -u.total, u.code),
        )

    @cached_property
    def heat(self):
        plans = self._plans
        return [
            (
                unit,
                [plans.get((unit.code, month), Timeliness(month=month)) for month in self.months],
            )
            for unit in self._units.values()
        ]

    @cached_property
    def timeliness_legend(self):
        return timeliness_legend()

    @cached_property
    def coverage(self):
        covered, open_cases = coverage(scope=self.scope, campaign=self.campaign, year=self.year)
        return (covered, open_cases, percent(covered, open_cases))

    @cached_property
    def presence(self):
        this_month = self.today.replace(day=1)
        return presence_summary(scope=self.scope, month=add_months(this_month, -1))

    @cached_property
    def findings(self):
        return finding_counts(scope=self.scope, year=self.year)

    @cached_property
    def venues(self):
        """Villages listed in the year (or the campaign) whose venue is up to standard;
        None without a campaign year (nothing is listed)."""
        if self.year is None:
            return None
        return venues_listed_up_to_standard(
            scope=self.scope,
            year=self.year,
            campaign_id=self.campaign.pk if self.campaign is not None else None,
        )

    @cached_property
    def _cases(self):
        cases = Case.objects.visible_to(self.scope)
        if self.campaign is not None:
            cases = cases.filter(campaign=self.campaign)
        if self.year is not None:
            cases = cases.filter(campaign__year=self.year)
        return cases

    @cached_property
    def stages(self):
        """Time in each stage (各环节用时): the area's row and its townships' (_stages)."""
        # Its rows one level down are the ranking's (the same depth whenever there are any):
        # their names are read once, for both.
        names = {code: unit.name for code, unit in self._units.items()}
        return _stages(
            self.scope,
            self._cases,
            campaign=self.campaign,
            year=self.year,
            today=self.today,
            names=names,
        )

    @cached_property
    def stalled(self):
        return self.stages[0].stalled if self.stages else 0

    milestones = MILESTONES

    @cached_property
    def visits_overdue(self):
        """Open cases with a contact overdue for a visit (联系包保走访)."""
        return self._cases.filter(contact_overdue_q(scope=self.scope, today=self.today)).count()


@dataclass
class StageRow:
    """One row of the time-in-each-stage chart: the area, or a township in it (a city, a
    county above the county level), with its stalled cases (久拖未转化)."""

    code: str
    name: str
    times: dict  # {milestone key: StageTime}
    stalled: int = 0
    is_area: bool = False

    @property
    def columns(self):
        return [self.times.get(m.key) or StageTime(m) for m in MILESTONES]


def _stages(scope, cases, *, campaign, year, today, names):
    """The area's row, then one per township (at most; the units one level down above the
    county): days from listing to each milestone (rectification.selectors.stage_times)
    and the stalled cases of each. Two queries on PostgreSQL (four elsewhere); `names`:
    {code: name} of the rows."""
    prefix = scope.prefix or ""
    depth = min(CHILD_LENGTH.get(len(prefix), 12), 9)
    # The area's figures, its units' (asked at every level, a township's too, whose one row
    # is the area's: as many queries at every level) and the campaigns' stall thresholds.
    figures = stage_pass(scope=scope, campaign=campaign, year=year, depth=depth)
    area, units = figures.area, figures.units
    stalled = dict(
        cases.filter(stalled_q(figures.thresholds, today))
        .annotate(unit=Substr("village_id", 1, depth))
        .values_list("unit")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if not area:
        return []
    rows = [
        StageRow(
            code=prefix,
            name=_("Whole area"),
            times=area.get(prefix, {}),
            stalled=sum(stalled.values()),
            is_area=True,
        )
    ]
    units = {code: times for code, times in units.items() if len(code) > len(prefix)}
    rows += [
        StageRow(
            code=code, name=names.get(code, code), times=units[code], stalled=stalled.get(code, 0)
        )
        for code in sorted(units)
    ]
    return rows


def figure_links(*, year, code, drilled, campaign=None, today=None):
    """The list behind each figure of the dashboard: every link carries the year (and the
    campaign, to the lists of cases) and, when drilled down, the area, and adds the
    figure's own filter (the filter and the figure share one definition in the app's
    selectors, so the list's total is the figure)."""
    from django.urls import reverse
    from django.utils.http import urlencode

    today = today or timezone.localdate()
    area = {"q": code} if drilled else {}

    def url(name, dated=True, **params):
        leading = {"year": year or ""} if dated else {}
        if dated and campaign is not None and name in ("case_list", "support_overview"):
            leading["campaign"] = campaign.pk
        return reverse(name) + "?" + urlencode({**leading, **area, **params})

    last_month = add_months(today.replace(day=1), -1).strftime("%Y-%m")
    return {
        "listed": url("case_list"),
        "listed_villages": url("case_list", administrative="true"),
        "listed_communities": url("case_list", administrative="false"),
        "villages": url("village_list", dated=False, administrative="true"),
        "communities": url("village_list", dated=False, administrative="false"),
        "converted": url("case_list", converted="true"),
        "relapses": url("case_list", relapse="true"),
        "behind": url("case_list", overdue="true"),
        "stalled": url("case_list", stalled="true"),
        "five": url("support_overview"),
        "open_cases": url("support_overview", missing="false"),
        "covered": url("support_overview", missing="false", first_secretary="true"),
        "visits_overdue": url("support_overview", missing="false", visit_overdue="true"),
        "findings_open": url("finding_list", status=FindingStatus.OPEN),
        "findings_verified": url("finding_list", status=FindingStatus.VERIFIED),
        "posted": url("presence", dated=False, month=last_month),
        "below": url("presence", dated=False, month=last_month, below="true"),
        # The villages listed in the year (and campaign) whose venue is up to standard.
        "venues": url(
            "venue_list",
            dated=False,
            listed=year or "",
            **({"campaign": campaign.pk} if campaign is not None else {}),
            up_to_standard="true",
        ),
        # The charts add the bar's key to these.
        "funnel": url("case_list") + "&reached=",
        "category": url("case_list") + "&category=",
    }


def _names(codes, depth):
    """Names of the ranking's rows in one query."""
    if not codes:
        return {}
    model = Village if depth == 12 else Division
    return dict(model.objects.filter(code__in=codes).values_list("code", "name"))


def chart_data(figures):
    """What the charts draw, as plain JSON (json_script in the page, no inline code)."""
    stats = figures["stats"]
    return {
        "funnel": [
            {"name": str(stage.label), "value": stage.reached, "status": stage.status}
            for stage in figures["funnel"]
        ],
        "categories": [
            {"name": category.name, "value": count, "category": category.pk}
            for category, count, _share in stats.by_category
            if count
        ],
        "ranking": [
            {"name": unit.name, "value": float(unit.rate or 0), "code": unit.code}
            for unit in figures["ranking"]
        ],
        "stages": {
            "milestones": [str(m.label) for m in MILESTONES],
            "rows": [
                {
                    "name": str(row.name),
                    "code": row.code,
                    "median": [t.median for t in row.columns],
                    "p75": [t.p75 for t in row.columns],
                    "cases": [t.cases for t in row.columns],
                    "stalled": row.stalled,
                }
                for row in figures["stages"]
            ],
        },
    }


def workbook(figures, *, place):
    """The dashboard's tables in one workbook, one sheet each (bytes in a BytesIO)."""
    import io

    from portal.excel import Column, XlsxTable, month_label

    stats, year = figures["stats"], figures["year"]
    heading = _("%(place)s, %(year)s campaign") % {"place": place, "year": year or "—"}
    book = None

    def table(sheet, title, columns, rows):
        nonlocal book
        sheet_table = XlsxTable(
            sheet_title=sheet,
            title=f"{heading}：{title}",
            columns=columns,
            workbook=book,
        )
        book = sheet_table.workbook
        for row in rows:
            sheet_table.append(row)
        sheet_table.close()

    covered, open_cases, covered_share = figures["coverage"]
    posted, below = figures["presence"]
    findings = figures["findings"]
    pair = [Column(_("Figure"), lambda r: r[0], 36), Column(_("Value"), lambda r: r[1], 16)]
    table(
        _("Overview"),
        _("main figures"),
        pair,
        [
            (_("Administrative villages (village committees and gacha)"), stats.villages),
            (_("Urban communities (counted apart)"), stats.communities),
            (_("Villages listed"), stats.cases),
            (_("Administrative villages listed"), stats.village_cases),
            (_("Share of administrative villages listed (%)"), stats.listed_share),
            (_("Communities listed"), stats.community_cases),
            (_("Share of communities listed (%)"), stats.community_share),
            (_("Transformed or closed"), stats.converted),
            (_("Conversion rate (%)"), stats.conversion_rate),
            (_("Relapses"), stats.relapses),
            (_("Behind schedule"), figures["behind"]),
            (_("Plan tasks overdue"), stats.overdue_tasks),
            (_("Five ones incomplete"), figures["missing_five"]),
            (_("Listed villages not yet closed, with a first secretary"), covered),
            (_("Listed villages not yet closed"), open_cases),
            (_("First-secretary coverage (%)"), covered_share),
            (_("First secretaries posted last month"), posted),
            (_("Under the days-in-the-village threshold"), below),
            (_("Findings open"), findings["open"]),
            (_("Findings verified"), findings["verified"]),
            (_("Listed villages with a venue up to standard"), figures["venues"]),
        ],
    )
    table(
        _("By status"),
        _("cases by status"),
        [
            Column(_("Status"), lambda s: s.label, 16),
            Column(_("Cases now"), lambda s: s.now),
            Column(_("Reached this step"), lambda s: s.reached),
        ],
        figures["funnel"],
    )
    table(
        _("By category"),
        _("cases by problem category"),
        [
            Column(_("Problem category"), lambda r: r[0].name, 40),
            Column(_("Cases"), lambda r: r[1]),
            Column(_("Share (%)"), lambda r: r[2]),
        ],
        [row for row in stats.by_category if row[1]],
    )
    table(
        _("Ranking"),
        _("ranked by conversion"),
        [
            Column(_("Code"), lambda u: u.code, 14),
            Column(_("Name"), lambda u: u.name, 24),
            Column(_("Cases"), lambda u: u.total),
            Column(_("Transformed or closed"), lambda u: u.converted),
            Column(_("Conversion rate (%)"), lambda u: u.rate),
            Column(_("Relapses"), lambda u: u.relapses),
            Column(_("Behind schedule"), lambda u: u.overdue),
            Column(_("Five ones incomplete"), lambda u: u.missing_five),
        ],
        figures["ranking"],
    )
    months = figures["months"]
    table(
        _("Activity plans"),
        _("activity-plan reporting rate (%)"),
        [Column(_("Name"), lambda r: r[0].name, 24)]
        + [
            Column(month_label(month), _month_rate(index), 10) for index, month in enumerate(months)
        ],
        figures["heat"],
    )
    output = io.BytesIO()
    book.save(output)
    output.seek(0)
    return output


def _month_rate(index):
    """A heat-map row's reporting rate for its index-th month (blank before the deadline,
    and before the county's first plan: no data)."""

    def value(row):
        figure = row[1][index]
        return figure.rate if figure.due and figure.expected else None

    return value
