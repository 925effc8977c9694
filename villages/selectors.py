"""Reads of divisions and villages: the figures of a scope, one query per figure."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case as DbCase
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Length, Substr
from django.utils import timezone

from portal.months import add_months, due_by, due_date, end_of_day
from portal.scoping import Scope
from villages.choices import (
    TIMELINESS_LEVEL_COLOURS,
    VENUE_AREA_FIELDS,
    VENUE_STANDARD_AREA,
    DivisionLevel,
    PlanState,
    TimelinessLevel,
    VenueState,
    VillageKind,
)
from villages.deadlines import CountyDeadlines
from villages.models import (
    ActivityPlan,
    ActivityRecord,
    Division,
    Urging,
    Venue,
    Village,
)


def percent(part, whole, places=1):
    """part / whole as a percentage, rounded half up (87.42… → 87.4); None when whole is 0."""
    if not whole:
        return None
    value = Decimal(part) * 100 / Decimal(whole)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# Administrative villages (村委会, 嘎查): the denominator of the share listed; urban
# communities (社区) are counted apart.
ADMINISTRATIVE_KINDS = (VillageKind.VILLAGE, VillageKind.GACHA)


def administrative_q(prefix=""):
    """Villages that are village committees or gacha, not urban communities."""
    return Q(**{f"{prefix}kind__in": ADMINISTRATIVE_KINDS})


def township_list(*, scope: Scope) -> QuerySet[Division]:
    """The townships in scope, each with its villages counted by kind, in one query."""
    return (
        Division.objects.visible_to(scope)
        .filter(level=DivisionLevel.TOWNSHIP)
        .select_related("parent")
        .annotate(
            total_count=Count("villages"),
            **{
                f"{kind}_count": Count("villages", filter=Q(villages__kind=kind))
                for kind in VillageKind.values
            },
        )
        # Meta.ordering does not apply to aggregate queries: order explicitly for paging.
        .order_by("code")
    )


def village_counts(*, scope: Scope) -> dict[str, int]:
    """Villages in scope by kind, plus the total and the number of townships."""
    villages = Village.objects.visible_to(scope).aggregate(
        total=Count("code"),
        **{kind: Count("code", filter=Q(kind=kind)) for kind in VillageKind.values},
    )
    villages["townships"] = (
        Division.objects.visible_to(scope).filter(level=DivisionLevel.TOWNSHIP).count()
    )
    return villages


def scope_division(*, user):
    """The division a user acts for, or None for a national administrator."""
    if user.division_id is None:
        return None
    return Division.objects.select_related("parent__parent__parent").get(pk=user.division_id)


def division_path(division):
    """The division's ancestors, from the province down (already loaded by scope_division),
    without the statistical placeholders (市辖区) no official writes in a heading."""
    path = []
    node = division.parent if division else None
    while node is not None:
        if not node.is_placeholder:
            path.insert(0, node)
        node = node.parent
    return path


# --- Monthly activity plans and their timeliness ----------------------------------------------


@dataclass
class Timeliness:
    """A township's reporting for one month, like DHIS2's reporting rate."""

    expected: int = 0
    on_time: int = 0
    late: int = 0
    due: bool = True  # False before the deadline: nothing is missing yet
    month: date | None = None  # the month planned, for the cell's link

    @property
    def submitted(self):
        return self.on_time + self.late

    @property
    def missing(self):
        return max(self.expected - self.submitted, 0) if self.due else None

    @property
    def rate(self):
        return percent(self.submitted, self.expected)

    @property
    def on_time_rate(self):
        return percent(self.on_time, self.expected)

    @property
    def level(self):
        """The one colour rule of every timeliness table (the dashboard's heat map, the
        timeliness page): see TimelinessLevel for the words of the legend."""
        if not self.expected:
            return TimelinessLevel.NO_DATA
        if not self.due:
            return TimelinessLevel.NOT_DUE
        if self.on_time_rate >= TIMELY_ON_TIME:
            return TimelinessLevel.GOOD
        if self.rate >= TIMELY_SUBMITTED:
            return TimelinessLevel.FAIR
        return TimelinessLevel.POOR

    @property
    def css(self):
        return TIMELINESS_LEVEL_COLOURS[self.level]


def timeliness_legend():
    """[(css class, words)] for the legend under every timeliness table."""
    return [(TIMELINESS_LEVEL_COLOURS[level], label) for level, label in TimelinessLevel.choices]


# Green from this share of plans on time; yellow from this share submitted, on time or late.
TIMELY_ON_TIME = 95
TIMELY_SUBMITTED = 80


def plan_months(today=None, count=6):
    """The months a timeliness table shows: `count` months ending with the month being
    planned now (its plan is due by the 25th of this month), oldest first."""

    today = today or timezone.localdate()
    planned = add_months(today.replace(day=1), 1)
    return [add_months(planned, n) for n in range(1 - count, 1)]


def first_plan_months(prefix):
    """{county code: the month of its first activity plan} for the counties under `prefix`.

    A county "started" with the portal when any of its villages made its first plan (draft
    or submitted): the portal keeps no onboarding date, and a county's accounts or village
    list may exist long before it plans there. Earlier months are "no data", not failures.
    Read over the whole county, not the reader's scope, so that a township and its county
    colour the same month alike; it reveals one month per county, no row."""
    # Each county's earliest plan, read off the index (county code, month): a probe per
    # county instead of a pass over every plan (310 ms at national scale, 1.88 million).
    first = (
        ActivityPlan.objects.annotate(county=Substr("village_id", 1, 6))
        .filter(county=OuterRef("code"))
        .order_by("month")
        .values("month")[:1]
    )
    counties = Division.objects.filter(level=DivisionLevel.COUNTY)
    if prefix:
        counties = counties.filter(code__startswith=prefix[:6])
    return {
        county: month
        for county, month in counties.annotate(first=Subquery(first))
        .values_list("code", "first")
        .order_by()
        if month is not None
    }


def expected_q(month, prefix=""):
    """Villages expected to report for a month: those that existed at its deadline."""

    return Q(**{f"{prefix}added_on__isnull": True}) | Q(
        **{f"{prefix}added_on__lte": due_date(month)}
    )


def timeliness(
    *, scope: Scope, months: list[date], now: datetime | None = None, depth: int = 9
) -> dict[tuple[str, date], "Timeliness"]:
    """{(unit code, month): Timeliness} for every unit in scope — townships by default, or
    the divisions (or villages) whose codes are `depth` long: one query for the counties'
    first plans, one for the expected villages, one for the submissions, whatever the
    number of villages or months. A village is expected from its county's first plan on."""

    now = now or timezone.now()
    due = {month: now >= due_by(month) for month in months}
    unit = F("township_id") if depth == 9 else Substr("code", 1, depth)
    started = first_plan_months(scope.prefix or "")
    villages = Village.objects.visible_to(scope).annotate(county=Substr("code", 1, 6))
    if depth <= 6:
        # Units no smaller than a county: grouped by county alone, each row's unit its
        # code's start. One key fewer lets PostgreSQL hash the 620,573 villages of the
        # country into 2,978 rows instead of sorting them (365 → 184 ms).
        by_added = [
            {**row, "unit": row["county"][:depth]}
            for row in villages.values("county", "added_on").annotate(n=Count("code")).order_by()
        ]
    else:
        by_added = list(
            villages.annotate(unit=unit)
            .values("unit", "county", "added_on")
            .annotate(n=Count("code"))
            .order_by()
        )
    # Each county's own due day (顺延 off a holiday, villages.deadlines): two queries.
    deadlines = CountyDeadlines(row["county"] for row in by_added)
    figures: dict[tuple[str, date], Timeliness] = {}
    for row in by_added:
        first = started.get(row["county"])
        for month in months:
            key = (row["unit"], month)
            county_due = deadlines.due_date(month, row["county"])
            figures.setdefault(key, Timeliness(due=now >= end_of_day(county_due), month=month))
            if first is None or month < first:
                continue  # before the county's first plan: no data (0 expected), not a failure
            if row["added_on"] is None or row["added_on"] <= county_due:
                figures[key].expected += row["n"]
    plan_unit = F("village__township_id") if depth == 9 else Substr("village_id", 1, depth)
    expected = Q()
    for month in months:
        expected |= Q(month=month) & expected_q(month, "village__")
    submitted = (
        ActivityPlan.objects.visible_to(scope)
        .filter(month__in=months, submitted_at__isnull=False)
        .filter(expected)
        .annotate(unit=plan_unit)
        .values("unit", "month")
        .annotate(on_time=Count("pk", filter=Q(late=False)), late=Count("pk", filter=Q(late=True)))
        .order_by()
    )
    for row in submitted:
        key = (row["unit"], row["month"])
        figures.setdefault(key, Timeliness(due=due[row["month"]], month=row["month"]))
        figures[key].on_time += row["on_time"]
        figures[key].late += row["late"]
    return figures


def missing_plans(*, scope: Scope, month: date) -> QuerySet[Village]:
    """Villages expected for the month without a submitted plan, township by township."""
    submitted = ActivityPlan.objects.filter(
        village=OuterRef("pk"), month=month, submitted_at__isnull=False
    )
    return (
        Village.objects.visible_to(scope)
        .filter(expected_q(month))
        .exclude(Exists(submitted))
        .order_by("township_id", "code")
        .values_list("township_id", "code", "name")
    )


def township_plans(*, scope: Scope, township: Division, month: date) -> list:
    """The township page: each village with its plan state for the month (two queries)."""
    villages = list(Village.objects.visible_to(scope).filter(township=township).order_by("code"))
    plans = {
        plan.village_id: plan
        for plan in ActivityPlan.objects.filter(village__in=villages, month=month).annotate(
            item_count=Count("items")
        )
    }
    rows = []
    for village in villages:
        plan = plans.get(village.code)
        if plan is None:
            state = PlanState.NOT_STARTED
        elif plan.submitted_at is None:
            state = PlanState.DRAFT
        elif plan.no_activity:
            state = PlanState.NO_ACTIVITY
        else:
            state = PlanState.LATE if plan.late else PlanState.SUBMITTED
        rows.append((village, plan, state))
    return rows


# --- Urging townships before the 25th (催报) ---------------------------------------------------


class UrgingColour:
    """The board's colours: no village has filed, some have, all have (drafts not filed)."""

    RED = "danger"
    AMBER = "warning"
    GREEN = "success"


@dataclass
class UrgingRow:
    """A township on the urging board for one month: its villages' plans, its last urging."""

    township: Division
    expected: int = 0
    submitted: int = 0
    drafts: int = 0  # saved but not submitted: not filed, shown apart
    last_urging: Urging | None = None
    urged_today: bool = False

    @property
    def missing(self):
        return max(self.expected - self.submitted, 0)

    @property
    def complete(self):
        return self.missing == 0

    @property
    def colour(self):
        if self.complete:
            return UrgingColour.GREEN
        return UrgingColour.AMBER if self.submitted else UrgingColour.RED


def urging_board(
    *, scope: Scope, month: date, townships=None, today: date | None = None
) -> list["UrgingRow"]:
    """[UrgingRow] for the townships in scope (or those given), by code: four queries, whatever
    the number of townships or villages. Expected: the villages that existed at the deadline."""
    today = today or timezone.localdate()
    if townships is None:
        townships = (
            Division.objects.visible_to(scope).filter(level=DivisionLevel.TOWNSHIP).order_by("code")
        )
    rows = {t.code: UrgingRow(township=t) for t in townships}
    expected = (
        Village.objects.visible_to(scope)
        .filter(township_id__in=list(rows))
        .filter(expected_q(month))
        .values("township_id")
        .annotate(n=Count("code"))
        .order_by()
    )
    for row in expected:
        rows[row["township_id"]].expected = row["n"]
    plans = (
        ActivityPlan.objects.visible_to(scope)
        .filter(village__township_id__in=list(rows), month=month)
        .filter(expected_q(month, "village__"))
        .values("village__township_id")
        .annotate(
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            drafts=Count("pk", filter=Q(submitted_at__isnull=True)),
        )
        .order_by()
    )
    for row in plans:
        board_row = rows[row["village__township_id"]]
        board_row.submitted, board_row.drafts = row["submitted"], row["drafts"]
    urgings = (
        Urging.objects.filter(township_id__in=list(rows), month=month)
        .select_related("urged_by")
        .order_by("township_id", "-urged_at", "-pk")
    )
    for urging in urgings:
        board_row = rows[urging.township_id]
        if board_row.last_urging is None:
            board_row.last_urging = urging
            board_row.urged_today = urging.urged_on == today
    return list(rows.values())


def township_urging(*, township, month):
    """The township's last urging for the month, or None (its to-do line and page show it)."""
    return (
        Urging.objects.filter(township=township, month=month)
        .select_related("urged_by")
        .order_by("-urged_at", "-pk")
        .first()
    )


def urged_and_late(*, county_code, months, now=None):
    """The townships of a county urged for one of the months and still late for it, by code:
    past the month's deadline, a village expected then had filed late or not at all. For the
    quarter's circular: 经催报仍未按时上报的有……"""

    now = now or timezone.now()
    deadlines = CountyDeadlines([county_code])
    due = [month for month in months if now >= deadlines.due_by(month, county_code)]
    if not due:
        return []
    urged = set(
        Urging.objects.filter(township__code__startswith=county_code, month__in=due).values_list(
            "township_id", "month"
        )
    )
    if not urged:
        return []
    late = set()
    for month in due:
        townships = [t for t, m in urged if m == month]
        on_time = Exists(
            ActivityPlan.objects.filter(
                village=OuterRef("pk"), month=month, submitted_at__isnull=False, late=False
            )
        )
        late.update(
            Village.objects.filter(township_id__in=townships)
            .filter(expected_q(month))
            .exclude(on_time)
            .values_list("township_id", flat=True)
            .distinct()
        )
    return list(Division.objects.filter(code__in=late).order_by("code"))


def last_urgings(*, scope: Scope, month: date) -> dict[str, Urging]:
    """{township code: its last Urging for the month} in scope, the township's county loaded
    (one query): the township's to-do line says who urged and when."""
    urgings = (
        Urging.objects.visible_to(scope)
        .filter(month=month)
        .select_related("township__parent")
        .order_by("township_id", "urged_at", "pk")
    )
    return {urging.township_id: urging for urging in urgings}


# --- The village's file (一村一档) ---------------------------------------------------------


@dataclass
class ActivityMonth:
    """One month of a village's organisation life: its plan (None if never filed) with
    its items, and the activities held that month."""

    month: date
    plan: ActivityPlan | None
    records: list[ActivityRecord]


def village_activity(*, scope: Scope, village, today=None, count=12) -> list[ActivityMonth]:
    """The village's last `count` months of activity plans (ending with the month being
    planned now) and the activities held in them, newest first, in three queries whatever
    its history."""
    months = plan_months(today, count)
    first, following = months[0], add_months(months[-1], 1)
    plans = {
        plan.month: plan
        for plan in ActivityPlan.objects.visible_to(scope)
        .filter(village=village, month__in=months)
        .prefetch_related("items")
    }
    records: dict[date, list[ActivityRecord]] = {}
    for record in (
        ActivityRecord.objects.visible_to(scope)
        .filter(village=village, held_on__gte=first, held_on__lt=following)
        .order_by("held_on", "pk")
    ):
        records.setdefault(record.held_on.replace(day=1), []).append(record)
    return [
        ActivityMonth(month, plans.get(month), records.get(month, [])) for month in reversed(months)
    ]


# --- Activity venues (活动场所) ---------------------------------------------------------------


def _nearest_setting(field, code_ref):
    """The value of `field` of the nearest division above the village (a county before its
    province) that set one: the division whose code is the longest prefix of the village's."""
    return Subquery(
        Division.objects.filter(
            **{f"{field}__isnull": False},
            code=Substr(code_ref, 1, Length("code")),
        )
        .order_by(Length("code").desc())
        .values(field)[:1]
    )


def with_standard(venues: QuerySet[Venue]) -> QuerySet[Venue]:
    """Venues annotated with `standard_area`: the area their village's kind must reach where
    it is (its county's setting, else its city's, else its province's, else the default),
    in the same query."""
    return venues.annotate(
        standard_area=DbCase(
            *[
                When(
                    village__kind=kind,
                    then=Coalesce(
                        _nearest_setting(field, OuterRef("village_id")),
                        Value(VENUE_STANDARD_AREA[kind]),
                    ),
                )
                for kind, field in VENUE_AREA_FIELDS.items()
            ],
            output_field=IntegerField(),
        )
    )


def up_to_standard_q():
    """A venue up to standard (达标): declared so, and at least the standard area of its
    village's kind where it is (on a `with_standard` queryset). The dashboard's figure and
    the venue list's filter both use it."""
    return Q(state=VenueState.MEETS, area__gte=F("standard_area"))


def standard_areas(division: Division | None) -> dict[str, int]:
    """The standard area by village kind in force at `division` (None: the defaults)."""
    return standard_areas_here_and_above(division)[0]


def standard_areas_here_and_above(
    division: Division | None,
) -> tuple[dict[str, int], dict[str, int]]:
    """(the standard areas in force at `division`, those it would inherit from the levels
    above it): one query over the division and its ancestors, whatever its level."""
    defaults = {str(kind): VENUE_STANDARD_AREA[kind] for kind in VENUE_AREA_FIELDS}
    here, above = dict(defaults), dict(defaults)
    if division is None:
        return here, above
    codes = [division.code[:length] for length in (2, 4, 6, 9) if length <= len(division.code)]
    # Nearest last: a county's setting overrides its province's.
    for row in (
        Division.objects.filter(code__in=codes)
        .order_by(Length("code"))
        .values("code", *VENUE_AREA_FIELDS.values())
    ):
        for kind, field in VENUE_AREA_FIELDS.items():
            if row[field] is not None:
                here[str(kind)] = row[field]
                if row["code"] != division.code:
                    above[str(kind)] = row[field]
    return here, above


# Whether a village is on a ledger (listed) in a year or a campaign is the rectification
# app's to say, one floor up; it lends its condition here when it is loaded
# (rectification.selectors), so the venue list can filter on it and villages import nothing
# of it. The condition takes the name of the village-code field and a year and/or campaign.
_listed: list = []


def lend_listed_condition(condition) -> None:
    _listed[:] = [condition]


def listed_q(field: str, *, year: int | None = None, campaign_id: int | None = None) -> Q:
    """Rows whose village (`field`: its code) is listed in the year or the campaign."""
    return _listed[0](field, year=year, campaign_id=campaign_id)


def venues_listed_up_to_standard(
    *, scope: Scope, year: int | None = None, campaign_id: int | None = None
) -> int:
    """How many villages listed in the year (or the campaign) have a venue up to standard,
    in one query: the dashboard's figure, the count of the venue list it opens."""
    return (
        with_standard(Venue.objects.visible_to(scope))
        .filter(listed_q("village_id", year=year, campaign_id=campaign_id), up_to_standard_q())
        .count()
    )


def venue_list(scope: Scope) -> QuerySet[Venue]:
    """The venue register of a scope, each with its standard area and its funding total, in
    village order: the list page's and the export's rows (one query)."""
    return (
        with_standard(Venue.objects.visible_to(scope))
        .select_related("village__township__parent")
        .annotate(funding_total=Sum("funding__amount"))
        .order_by("village_id")
    )


def village_venue(*, scope: Scope, village) -> Venue | None:
    """The village's venue with its standard and its funding rows (two queries), or None."""
    return (
        with_standard(Venue.objects.visible_to(scope).filter(village=village))
        .prefetch_related("funding")
        .first()
    )
