"""Reads of the ledger and its statistics: one query per figure, never one per row."""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal.scoping import Scope
from rectification.choices import CONVERTED, CaseStatus, Grade, PlanStatus
from rectification.models import (
    Acceptance,
    AcceptanceCriterion,
    Campaign,
    Case,
    CaseEvent,
    Category,
    PlanTask,
    VillageRating,
)
from villages.models import Village
from villages.selectors import administrative_q, lend_listed_condition, percent


def overdue_tasks_q(today=None):
    """Tasks of an approved plan, past due and not finished, of a case still being rectified."""
    today = today or timezone.localdate()
    return Q(due_on__lt=today, progress__lt=100, plan__status=PlanStatus.APPROVED) & ~Q(
        plan__case__status__in=CONVERTED
    )


def overdue_cases_q(today=None):
    """Cases past their deadline that are not transformed or closed."""
    today = today or timezone.localdate()
    return Q(deadline__lt=today) & ~Q(status__in=CONVERTED)


def listed_villages_q(field, *, year=None, campaign_id=None):
    """Rows whose village (`field`: its code) has a case in the year or the campaign: the
    condition lent to villages (its venue list and the dashboard's venue figure)."""
    cases = Case.objects.all()
    if year is not None:
        cases = cases.filter(campaign__year=year)
    if campaign_id is not None:
        cases = cases.filter(campaign_id=campaign_id)
    return Q(**{f"{field}__in": cases.values("village_id")})


lend_listed_condition(listed_villages_q)


def case_is_overdue(case, today):
    """One case by `overdue_cases_q`: past its deadline, not transformed or closed."""
    return case.deadline < today and case.status not in CONVERTED


def converted_q():
    """Cases converted (转化): transformed or already closed out. The dashboard's conversion
    figure and the ledger's "converted" filter both use it."""
    return Q(status__in=CONVERTED)


def relapse_q():
    """Cases of a village listed again after a close-out."""
    return Q(listing__gt=1)


def reached_q(status):
    """Cases at `status` or any later step of the life cycle (the funnel's bars)."""
    statuses = CaseStatus.values
    return Q(status__in=statuses[statuses.index(status) :])


def with_overdue_task(queryset, today=None):
    """Annotate cases with has_overdue_task (a task of theirs is overdue), in the same query."""
    overdue_task = PlanTask.objects.filter(overdue_tasks_q(today), plan__case=OuterRef("pk"))
    return queryset.annotate(has_overdue_task=Exists(overdue_task))


def behind_q(today=None):
    """Cases behind schedule, as the ledger's "overdue" filter shows them: past their own
    deadline, or with an overdue plan task (needs with_overdue_task)."""
    return overdue_cases_q(today) | Q(has_overdue_task=True)


def case_list(*, scope: Scope, leaders: bool = True) -> QuerySet[Case]:
    """The ledger rows a user may see, with what the list shows, in a fixed number of
    queries; with the leader columns (Case.county_leader, .township_leader) unless the
    list does not show them (the ledger page)."""
    categories = Prefetch("categories", queryset=Category.objects.order_by("order"))
    return with_overdue_task(
        Case.objects.visible_to(scope)
        .select_related("village__township", "campaign", "plan")
        .prefetch_related(categories, *(["support"] if leaders else []))
    ).order_by("village__code", "-campaign__year")


# The ledger page's columns (rectification/case_rows.html): its rows read nothing else,
# not the long texts of the situation, problems and measures.
LEDGER_ROW_FIELDS = (
    "campaign__year",
    "village__name",
    "village__township__name",
    "status",
    "responsible_person",
    "deadline",
    "listing",
    "plan__status",
)


def ledger_rows(*, scope: Scope) -> QuerySet[Case]:
    """The ledger page's rows: case_list, with only the columns the page shows."""
    return case_list(scope=scope, leaders=False).only(*LEDGER_ROW_FIELDS)


def case_detail(*, scope: Scope) -> QuerySet[Case]:
    return (
        Case.objects.visible_to(scope)
        .select_related("village__township__parent", "campaign", "created_by", "updated_by")
        .prefetch_related("support")
    )


def case_events(case):
    return CaseEvent.objects.filter(case=case).select_related("actor")


def campaigns_for(*, scope: Scope) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(scope).select_related("division")


def checklist(*, scope: Scope) -> list[AcceptanceCriterion]:
    """The acceptance checklist in force in the area of `scope` (a case's village, or an
    administrator's area): the items of the nearest area at or above it that set its own
    (the county's, else the city's, else the province's), else the national checklist.
    One query. Lists of several levels are never summed: each adds up to its own total."""
    if scope.is_nothing:
        return []
    prefix = scope.prefix or ""
    ancestors = [prefix[:n] for n in (2, 4, 6) if n <= len(prefix)]
    items = list(
        AcceptanceCriterion.objects.filter(active=True)
        .filter(Q(division__isnull=True) | Q(division_id__in=ancestors))
        .select_related("division")
    )
    nearest = max((len(item.division_id or "") for item in items), default=0)
    return [item for item in items if len(item.division_id or "") == nearest]


@dataclass
class LedgerStatistics:
    """The ledger's figures for one scope and campaign (seed 004's table, for one).

    The share listed is over administrative villages (village committees and gacha), as
    seed 004 counts them; urban communities and their cases are counted apart."""

    villages: int  # administrative villages: village committees and gacha
    cases: int  # every case, communities' included
    by_status: dict
    by_category: list = field(default_factory=list)  # (category, count, share of cases)
    relapses: int = 0
    overdue_cases: int = 0
    overdue_tasks: int = 0
    communities: int = 0
    community_cases: int = 0

    @property
    def village_cases(self):
        return self.cases - self.community_cases

    @property
    def listed_share(self):
        return percent(self.village_cases, self.villages)

    @property
    def community_share(self):
        return percent(self.community_cases, self.communities)

    @property
    def converted(self):
        return sum(self.by_status.get(status, 0) for status in CONVERTED)

    @property
    def conversion_rate(self):
        return percent(self.converted, self.cases)


def ledger_statistics(
    *,
    scope: Scope,
    campaign: Campaign | None = None,
    year: int | None = None,
    today: date | None = None,
) -> "LedgerStatistics":
    """Counts by status and category, share of villages listed, conversion, overdue."""
    cases = Case.objects.visible_to(scope)
    if campaign is not None:
        cases = cases.filter(campaign=campaign)
    if year is not None:
        cases = cases.filter(campaign__year=year)
    villages = Village.objects.visible_to(scope).aggregate(
        administrative=Count("pk", filter=administrative_q()),
        communities=Count("pk", filter=~administrative_q()),
    )
    totals = cases.aggregate(
        cases=Count("pk"),
        community_cases=Count("pk", filter=~administrative_q("village__")),
        relapses=Count("pk", filter=relapse_q()),
        overdue=Count("pk", filter=overdue_cases_q(today)),
        **{status: Count("pk", filter=Q(status=status)) for status in CaseStatus.values},
    )
    by_category = (
        Category.objects.visible_to(scope)
        .filter(active=True)
        .annotate(n=Count("case", filter=Q(case__in=cases)))
        .order_by("group", "order")
    )
    total = totals["cases"]
    return LedgerStatistics(
        villages=villages["administrative"],
        communities=villages["communities"],
        cases=total,
        community_cases=totals["community_cases"],
        by_status={status: totals[status] for status in CaseStatus.values},
        by_category=[(c, c.n, percent(c.n, total)) for c in by_category],
        relapses=totals["relapses"],
        overdue_cases=totals["overdue"],
        overdue_tasks=PlanTask.objects.visible_to(scope)
        .filter(overdue_tasks_q(today=today), plan__case__in=cases)
        .count(),
    )


def rating_list(*, scope: Scope) -> QuerySet[VillageRating]:
    return VillageRating.objects.visible_to(scope).select_related("village__township", "rated_by")


def screening_candidates(*, scope: Scope, year: int) -> QuerySet[VillageRating]:
    """Villages rated class 3 in `year` that are not on the ledger: none of their cases is
    open, and none is in a campaign of that year."""
    on_ledger = Case.objects.filter(village=OuterRef("village")).filter(
        ~Q(status=CaseStatus.CLOSED) | Q(campaign__year=year)
    )
    return (
        rating_list(scope=scope)
        .filter(year=year, grade=Grade.THREE)
        .annotate(on_ledger=Exists(on_ledger))
        .filter(on_ledger=False)
        .order_by("stars", "village__code")
    )


# --- Time in each stage ---------------------------------------------------------------------
# How long cases take from their listing to each step of the life cycle, and which cases have
# waited at their step longer than most of their campaign's did (久拖未转化).


@dataclass(frozen=True)
class Milestone:
    """A step a case's time is measured to, from its listing, and the status a case waits in
    until it reaches it."""

    key: str
    label: Any
    waiting: str


MILESTONES = (
    Milestone("approved", gettext_lazy("Plan approved"), CaseStatus.IDENTIFIED),
    Milestone("applied", gettext_lazy("Applied for acceptance"), CaseStatus.RECTIFYING),
    Milestone("transformed", gettext_lazy("Transformed"), CaseStatus.ACCEPTANCE_REQUESTED),
    Milestone("closed", gettext_lazy("Closed out"), CaseStatus.TRANSFORMED),
)
# A quartile of fewer cases than this is no quartile: no case is called stalled against it.
STALL_MIN_CASES = 4


class DaysBetween(Func):
    """Whole days from the second date to the first (PostgreSQL's date - date; SQLite's
    julianday difference)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont: the value below which `fraction` of the rows lie,
    interpolated between the two nearest (as `percentile` does in Python)."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentile(values, fraction):
    """percentile_cont in Python (SQLite has none): linear interpolation between the two
    nearest of the sorted values; None for no values."""
    values = sorted(values)
    if not values:
        return None
    position = fraction * (len(values) - 1)
    lower = int(position)
    upper = min(lower + 1, len(values) - 1)
    return float(values[lower] + (values[upper] - values[lower]) * (position - lower))


def _event_day(action):
    """The local day of a case's first event of `action` (a subquery)."""
    return Subquery(
        CaseEvent.objects.filter(case=OuterRef("pk"), action=action)
        .order_by("at", "pk")
        .annotate(day=TruncDate("at"))
        .values("day")[:1]
    )


def with_stage_days(queryset):
    """Annotate cases with <milestone>_days: days from the listing to the plan's approval
    (the case started rectifying), to the first application for acceptance, to the
    transformation and to the close-out; None where the case has not got there."""
    return queryset.annotate(
        approved_on=_event_day("start"), applied_on=_event_day("request_acceptance")
    ).annotate(
        approved_days=DaysBetween("approved_on", "identified_on"),
        applied_days=DaysBetween("applied_on", "identified_on"),
        transformed_days=DaysBetween("transformed_on", "identified_on"),
        closed_days=DaysBetween("closed_on", "identified_on"),
    )


@dataclass
class StageTime:
    """Days from listing to one milestone over a group of cases: how many got there, the
    median and the 75th percentile."""

    milestone: Milestone
    cases: int = 0
    median: float | None = None
    p75: float | None = None


def _stage_figures(queryset, group):
    """{group value: {milestone key: StageTime}} for the cases of `queryset` grouped by the
    expression `group`: in one query, in SQL on PostgreSQL; SQLite's rows are read and
    summed up in Python."""
    cases = with_stage_days(queryset).annotate(group=group)
    result = {}
    if connection.vendor == "postgresql":
        figures = {}
        for m in MILESTONES:
            days = f"{m.key}_days"
            figures[f"{m.key}_n"] = Count(days)
            figures[f"{m.key}_median"] = Percentile(days, 0.5)
            figures[f"{m.key}_p75"] = Percentile(days, 0.75)
        for row in cases.values("group").annotate(**figures).order_by():
            result[row["group"]] = {
                m.key: StageTime(m, row[f"{m.key}_n"], row[f"{m.key}_median"], row[f"{m.key}_p75"])
                for m in MILESTONES
            }
        return result
    values = {}
    for row in cases.values("group", *(f"{m.key}_days" for m in MILESTONES)).order_by():
        group_values = values.setdefault(row["group"], {m.key: [] for m in MILESTONES})
        for m in MILESTONES:
            if row[f"{m.key}_days"] is not None:
                group_values[m.key].append(row[f"{m.key}_days"])
    for key, by_milestone in values.items():
        result[key] = {
            m.key: StageTime(
                m,
                len(by_milestone[m.key]),
                percentile(by_milestone[m.key], 0.5),
                percentile(by_milestone[m.key], 0.75),
            )
            for m in MILESTONES
        }
    return result


def stage_times(
    *,
    scope: Scope,
    campaign: Campaign | None = None,
    year: int | None = None,
    depth: int = 9,
) -> dict[str, dict[str, StageTime]]:
    """Median and 75th-percentile days from listing to each milestone, for the cases in
    scope (of a campaign or a year), per division of code length `depth` (9: per township):
    {code: {milestone key: StageTime}}. One query."""
    cases = Case.objects.visible_to(scope)
    if campaign is not None:
        cases = cases.filter(campaign=campaign)
    if year is not None:
        cases = cases.filter(campaign__year=year)
    return _stage_figures(cases, Substr("village_id", 1, depth))


def stall_thresholds(*, campaigns) -> dict[int, dict[str, float]]:
    """{campaign id: {waiting status: days}}: each campaign's 75th percentile of the days
    from listing to the next milestone, over all its cases (of at least STALL_MIN_CASES
    that got there). The threshold is the campaign's, the same for every reader, so that
    whether a case is stalled is a fact of the case; it is one number, no one's record.
    `campaigns`: ids, or a queryset of them. One query."""
    return _thresholds(
        _stage_figures(Case.objects.filter(campaign__in=campaigns), F("campaign_id"))
    )


@dataclass
class StagePass:
    """What the time-in-each-stage chart reads of the cases of a scope: the area's figures,
    its units' (code length `depth`) and the stall thresholds of their campaigns."""

    area: dict[str, dict[str, StageTime]]
    units: dict[str, dict[str, StageTime]]
    thresholds: dict[int, dict[str, float]]


def _thresholds(figures):
    return {
        campaign: {
            m.waiting: times[m.key].p75
            for m in MILESTONES
            if times[m.key].cases >= STALL_MIN_CASES and times[m.key].p75 is not None
        }
        for campaign, times in figures.items()
    }


def stage_pass(
    *,
    scope: Scope,
    campaign: Campaign | None = None,
    year: int | None = None,
    depth: int = 9,
) -> StagePass:
    """stage_times for the area (code length of the scope) and per unit of code length
    `depth`, and stall_thresholds of the campaigns of the cases in scope: the same figures
    as the three calls. On PostgreSQL in one query, each case's milestone days read once
    (the cases of those campaigns, those in scope marked); elsewhere the three queries."""
    cases = Case.objects.visible_to(scope)
    if campaign is not None:
        cases = cases.filter(campaign=campaign)
    if year is not None:
        cases = cases.filter(campaign__year=year)
    campaigns = cases.order_by().values("campaign_id").distinct()
    prefix = scope.prefix or ""
    if connection.vendor != "postgresql" or scope.is_nothing:
        return StagePass(
            area=stage_times(scope=scope, campaign=campaign, year=year, depth=len(prefix)),
            units=stage_times(scope=scope, campaign=campaign, year=year, depth=depth),
            thresholds=stall_thresholds(campaigns=campaigns),
        )
    # Every case of a campaign in scope is of the campaign or the year asked for (they are
    # the campaign's own conditions): in scope among them means inside the reader's area.
    in_scope = Value(True) if scope.is_everything else scope.q(Case.scope_path)
    days = [f"{m.key}_days" for m in MILESTONES]
    rows = (
        with_stage_days(Case.objects.filter(campaign__in=campaigns))
        .annotate(
            in_scope=ExpressionWrapper(in_scope, output_field=BooleanField()),
            unit=Substr("village_id", 1, depth),
        )
        .values("campaign_id", "in_scope", "unit", *days)
        .order_by()
    )
    sql, params = rows.query.sql_with_params()
    figures = ", ".join(
        f"COUNT({d}), PERCENTILE_CONT(ARRAY[0.5, 0.75]) WITHIN GROUP (ORDER BY {d})" for d in days
    )
    # kind 0: a campaign's (all its cases); 1: the area's; 2: a unit's (the cases in scope).
    query = (
        f"WITH days AS MATERIALIZED ({sql}) "
        f"SELECT 0, campaign_id::text, COUNT(*), {figures} FROM days GROUP BY campaign_id "
        f"UNION ALL SELECT GROUPING(unit) * -1 + 2, unit, COUNT(*), {figures} FROM days "
        "WHERE in_scope GROUP BY GROUPING SETS ((), (unit))"
    )
    result = StagePass(area={}, units={}, thresholds={})
    by_campaign = {}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for kind, key, total, *values in cursor.fetchall():
            if not total:  # the grouping set () of no case at all
                continue
            times = {}
            for index, m in enumerate(MILESTONES):
                count, (median, p75) = values[2 * index], values[2 * index + 1] or (None, None)
                times[m.key] = StageTime(m, count, median, p75)
            if kind == 0:
                by_campaign[int(key)] = times
            elif kind == 1:
                result.area[prefix] = times
            else:
                result.units[key] = times
    result.thresholds = _thresholds(by_campaign)
    return result


def stalled_q(thresholds, today=None) -> Q:
    """Cases stalled (久拖未转化): waiting for their next milestone for more days since their
    listing than its campaign's 75th percentile took (`stall_thresholds`). Closed cases
    never are."""
    today = today or timezone.localdate()
    # Nothing without thresholds, still asked of the database: a page costs as many queries
    # before the campaign's first quartiles exist as after.
    condition = Q(pk__isnull=True)
    for campaign, by_status in thresholds.items():
        for status, days in by_status.items():
            # More days than the percentile: listed before today minus its whole days.
            listed_before = today - timedelta(days=math.floor(days))
            condition |= Q(campaign_id=campaign, status=status, identified_on__lt=listed_before)
    return condition


def stalled_cases_q(queryset, today=None) -> Q:
    """stalled_q for the campaigns of `queryset`'s cases (one query for the thresholds)."""
    campaigns = queryset.order_by().values("campaign_id").distinct()
    return stalled_q(stall_thresholds(campaigns=campaigns), today)


def with_stalled(queryset, today=None):
    """Annotate cases with is_stalled (stalled_q), for the ledger's badge."""
    thresholds = stall_thresholds(campaigns=queryset.order_by().values("campaign_id"))
    if not any(thresholds.values()):
        return queryset.annotate(is_stalled=Value(False))
    condition = stalled_q(thresholds, today)
    return queryset.annotate(is_stalled=ExpressionWrapper(condition, output_field=BooleanField()))


# --- The village's file (一村一档) ---------------------------------------------------------


def village_ratings(*, scope: Scope, village) -> list[VillageRating]:
    """The village's star ratings, newest year first, in one query."""
    return list(VillageRating.objects.visible_to(scope).filter(village=village).order_by("-year"))


def village_cases(*, scope: Scope, village) -> list[Case]:
    """Every listing of the village (relapses included), newest first, each with its
    campaign, categories, events, plan with tasks and acceptance reviews: five queries
    whatever its history."""
    return list(
        Case.objects.visible_to(scope)
        .filter(village=village)
        .select_related("campaign", "plan__reviewed_by")
        .prefetch_related(
            "categories",
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
            Prefetch("plan__tasks", queryset=PlanTask.objects.order_by("order", "due_on", "pk")),
            Prefetch("acceptances", queryset=Acceptance.objects.order_by("reviewed_on", "pk")),
        )
        .order_by("-identified_on", "-pk")
    )
