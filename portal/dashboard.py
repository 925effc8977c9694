"""The organization department's dashboard: the whole campaign on one screen, for the
viewer's area or a township inside it. Every figure comes from an app's selectors, each
in one query whatever the data size; the page makes a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from firstsecretary.selectors import coverage, missing_support_q, presence, with_support
from inspections.selectors import finding_counts
from portal.scoping import scope_prefix
from rectification.choices import CONVERTED
from rectification.models import Case
from rectification.selectors import ledger_statistics
from villages.models import Division
from villages.selectors import percent, timeliness
from villages.services import add_months


@dataclass
class Area:
    """A reader narrowed to a part of the user's area (drill-down): same rules, smaller scope."""

    scope_prefix: str
    is_authenticated: bool = True


def narrowed(user, code):
    """The user itself, or a reader limited to `code` when it lies inside the user's area."""
    prefix = scope_prefix(user)
    if code and prefix is not None and code.startswith(prefix) and code.isdigit():
        return Area(scope_prefix=code)
    return user


def dashboard(*, user, campaign=None, today=None):
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    months = [add_months(this_month, n) for n in range(-5, 1)]
    stats = ledger_statistics(user=user, campaign=campaign, today=today)
    cases = Case.objects.visible_to(user)
    if campaign is not None:
        cases = cases.filter(campaign=campaign)
    missing_five = with_support(cases.exclude(status="closed")).filter(missing_support_q()).count()
    covered, rectifying = coverage(user=user, campaign=campaign)
    last_month = presence(user=user, month=add_months(this_month, -1))
    plans = timeliness(user=user, months=months)
    townships = list(Division.objects.visible_to(user).filter(level="township").order_by("code"))
    ranking_rows = (
        cases.values("village__township_id")
        .annotate(
            total=Count("pk"),
            converted=Count("pk", filter=Q(status__in=CONVERTED)),
            relapses=Count("pk", filter=Q(listing__gt=1)),
        )
        .order_by()
    )
    names = {t.code: t.name for t in townships}
    ranking = sorted(
        (
            {
                "code": row["village__township_id"],
                "name": names.get(row["village__township_id"], row["village__township_id"]),
                "total": row["total"],
                "converted": row["converted"],
                "rate": percent(row["converted"], row["total"]),
                "relapses": row["relapses"],
            }
            for row in ranking_rows
        ),
        key=lambda r: (-(r["rate"] or 0), -r["total"], r["code"]),
    )
    heat = [
        (township, [plans.get((township.code, month)) for month in months])
        for township in townships
    ]
    return {
        "stats": stats,
        "missing_five": missing_five,
        "coverage": (covered, rectifying, percent(covered, rectifying)),
        "presence": (
            len(last_month),
            sum(1 for p in last_month if p.below_threshold),
        ),
        "months": months,
        "heat": heat,
        "findings": finding_counts(user=user),
        "ranking": ranking,
    }


def chart_data(figures):
    """What the charts draw, as plain JSON (json_script in the page, no inline code)."""
    from rectification.choices import CaseStatus

    stats = figures["stats"]
    return {
        "funnel": [
            {"name": str(label), "value": stats.by_status.get(status, 0)}
            for status, label in CaseStatus.choices
        ],
        "categories": [
            {"name": category.name, "value": count}
            for category, count, _share in stats.by_category
            if count
        ],
    }
