"""Reads of divisions and villages: the figures of a scope, one query per figure."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import timezone

from villages.choices import DivisionLevel, PlanState, VillageKind
from villages.models import ActivityPlan, Division, Village


def percent(part, whole, places=1):
    """part / whole as a percentage, rounded half up (87.42… → 87.4); None when whole is 0."""
    if not whole:
        return None
    value = Decimal(part) * 100 / Decimal(whole)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def township_list(*, user):
    """The townships in scope, each with its villages counted by kind, in one query."""
    return (
        Division.objects.visible_to(user)
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


def village_counts(*, user):
    """Villages in scope by kind, plus the total and the number of townships."""
    villages = Village.objects.visible_to(user).aggregate(
        total=Count("code"),
        **{kind: Count("code", filter=Q(kind=kind)) for kind in VillageKind.values},
    )
    villages["townships"] = (
        Division.objects.visible_to(user).filter(level=DivisionLevel.TOWNSHIP).count()
    )
    return villages


def scope_division(*, user):
    """The division a user acts for, or None for a national administrator."""
    if user.division_id is None:
        return None
    return Division.objects.select_related("parent__parent__parent").get(pk=user.division_id)


def division_path(division):
    """The division's ancestors, from the province down (already loaded by scope_division)."""
    path = []
    node = division.parent if division else None
    while node is not None:
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


def expected_q(month, prefix=""):
    """Villages expected to report for a month: those that existed at its deadline."""
    from villages.services import due_date

    return Q(**{f"{prefix}added_on__isnull": True}) | Q(
        **{f"{prefix}added_on__lte": due_date(month)}
    )


def timeliness(*, user, months, now=None, depth=9):
    """{(unit code, month): Timeliness} for every unit in scope — townships by default, or
    the divisions (or villages) whose codes are `depth` long: one query for the expected
    villages, one for the submissions, whatever the number of villages or months."""
    from villages.services import due_by, due_date

    now = now or timezone.now()
    due = {month: now >= due_by(month) for month in months}
    unit = F("township_id") if depth == 9 else Substr("code", 1, depth)
    by_added = (
        Village.objects.visible_to(user)
        .annotate(unit=unit)
        .values("unit", "added_on")
        .annotate(n=Count("code"))
        .order_by()
    )
    figures = {}
    for row in by_added:
        for month in months:
            if row["added_on"] is None or row["added_on"] <= due_date(month):
                key = (row["unit"], month)
                figures.setdefault(key, Timeliness(due=due[month]))
                figures[key].expected += row["n"]
    plan_unit = F("village__township_id") if depth == 9 else Substr("village_id", 1, depth)
    expected = Q()
    for month in months:
        expected |= Q(month=month) & expected_q(month, "village__")
    submitted = (
        ActivityPlan.objects.visible_to(user)
        .filter(month__in=months, submitted_at__isnull=False)
        .filter(expected)
        .annotate(unit=plan_unit)
        .values("unit", "month")
        .annotate(on_time=Count("pk", filter=Q(late=False)), late=Count("pk", filter=Q(late=True)))
        .order_by()
    )
    for row in submitted:
        key = (row["unit"], row["month"])
        figures.setdefault(key, Timeliness(due=due[row["month"]]))
        figures[key].on_time += row["on_time"]
        figures[key].late += row["late"]
    return figures


def missing_plans(*, user, month):
    """Villages expected for the month without a submitted plan, township by township."""
    submitted = ActivityPlan.objects.filter(
        village=OuterRef("pk"), month=month, submitted_at__isnull=False
    )
    return (
        Village.objects.visible_to(user)
        .filter(expected_q(month))
        .exclude(Exists(submitted))
        .order_by("township_id", "code")
        .values_list("township_id", "code", "name")
    )


def township_plans(*, user, township, month):
    """The township page: each village with its plan state for the month (two queries)."""
    villages = list(Village.objects.visible_to(user).filter(township=township).order_by("code"))
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
