"""The statistics API: the dashboard's figures as JSON, under /api/v1/statistics/.

Each address answers one part of the page (the summary cards, the funnel, the category
shares, the ranking by area, the activity-plan rates) for the caller's scope, with the
page's filters: ?year=, ?campaign= and ?area= (a division inside the caller's area, the
drill-down). The figures are not computed again here: every view calls
`home.dashboard.dashboard`, as the page does, and only renames what it returns. Every
share names its denominator: a label and a count.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from home import dashboard
from villages.models import Division, Village

# --- What each answer looks like ----------------------------------------------------------


def _rate():
    return serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class StatisticsShareSerializer(serializers.Serializer):
    """A percentage with its parts: numerator over denominator, the denominator named."""

    percent = _rate()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    denominator_label = serializers.CharField()


class StatisticsAreaSerializer(serializers.Serializer):
    """The area the figures are for: None for the whole country."""

    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class StatisticsFiltersSerializer(serializers.Serializer):
    """The filters the figures were computed with (the year is the newest when not given)."""

    area = StatisticsAreaSerializer(allow_null=True)
    year = serializers.IntegerField(allow_null=True)
    campaign = serializers.IntegerField(allow_null=True)
    campaign_name = serializers.CharField(allow_null=True)


class StatisticsSummarySerializer(StatisticsFiltersSerializer):
    administrative_villages = serializers.IntegerField(
        help_text="Village committees and gacha (村委会、嘎查委员会) in the area."
    )
    communities = serializers.IntegerField(help_text="Urban communities (社区), counted apart.")
    listed = serializers.IntegerField(help_text="Cases on the ledger, communities' included.")
    listed_administrative = serializers.IntegerField()
    listed_communities = serializers.IntegerField()
    listed_share = StatisticsShareSerializer(
        help_text="Administrative villages listed, of all of them."
    )
    community_share = StatisticsShareSerializer(help_text="Communities listed, of all communities.")
    converted = serializers.IntegerField(help_text="Transformed or closed.")
    conversion_rate = StatisticsShareSerializer(
        help_text="Transformed or closed, of the cases listed."
    )
    relapses = serializers.IntegerField()
    behind_schedule = serializers.IntegerField()
    overdue_tasks = serializers.IntegerField()
    five_ones_incomplete = serializers.IntegerField()
    first_secretary_coverage = StatisticsShareSerializer(
        help_text="Cases not yet closed with a first secretary posted, of those not closed."
    )
    secretaries_posted_last_month = serializers.IntegerField()
    secretaries_below_days_threshold = serializers.IntegerField()
    findings_open = serializers.IntegerField()
    findings_verified = serializers.IntegerField()
    venues_up_to_standard = serializers.IntegerField(allow_null=True)


class StatisticsStageSerializer(serializers.Serializer):
    status = serializers.CharField()
    name = serializers.CharField(help_text="The step, in the caller's language.")
    now = serializers.IntegerField(help_text="Cases at this step now.")
    reached = serializers.IntegerField(help_text="Cases at this step or beyond.")


class StatisticsFunnelSerializer(StatisticsFiltersSerializer):
    stages = StatisticsStageSerializer(many=True)


class StatisticsCategoryShareSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    cases = serializers.IntegerField()
    share = StatisticsShareSerializer()


class StatisticsCategoriesSerializer(StatisticsFiltersSerializer):
    listed = serializers.IntegerField(
        help_text="The denominator of every share: the cases listed (a case may have "
        "several categories, so the shares may add up to more than 100)."
    )
    categories = StatisticsCategoryShareSerializer(many=True)


class StatisticsUnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    is_village = serializers.BooleanField()
    cases = serializers.IntegerField()
    converted = serializers.IntegerField()
    conversion_rate = StatisticsShareSerializer()
    relapses = serializers.IntegerField()
    behind_schedule = serializers.IntegerField()
    five_ones_incomplete = serializers.IntegerField()


class StatisticsRankingSerializer(StatisticsFiltersSerializer):
    units = StatisticsUnitSerializer(many=True, help_text="One level down, best conversion first.")


class StatisticsMonthRateSerializer(serializers.Serializer):
    month = serializers.DateField()
    due = serializers.BooleanField(help_text="False before the 25th's deadline.")
    expected = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField(allow_null=True)
    rate = StatisticsShareSerializer(
        help_text="Plans submitted, of the villages expected to report."
    )
    on_time_rate = StatisticsShareSerializer()
    level = serializers.CharField()


class StatisticsActivityUnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    is_village = serializers.BooleanField()
    months = StatisticsMonthRateSerializer(many=True)


class StatisticsActivityPlansSerializer(StatisticsFiltersSerializer):
    months = serializers.ListField(child=serializers.DateField())
    units = StatisticsActivityUnitSerializer(many=True)


# --- How the dashboard's figures become those answers ------------------------------------


def share(value, numerator, denominator, label):
    """A share as the dashboard computed it (`value`), with its parts and its base named."""
    return {
        "percent": value,
        "numerator": numerator,
        "denominator": denominator,
        "denominator_label": str(label),
    }


def summary(figures):
    stats = figures["stats"]
    covered, open_cases, covered_share = figures["coverage"]
    posted, below = figures["presence"]
    return {
        "administrative_villages": stats.villages,
        "communities": stats.communities,
        "listed": stats.cases,
        "listed_administrative": stats.village_cases,
        "listed_communities": stats.community_cases,
        "listed_share": share(
            stats.listed_share,
            stats.village_cases,
            stats.villages,
            _("administrative villages (village committees and gacha)"),
        ),
        "community_share": share(
            stats.community_share, stats.community_cases, stats.communities, _("urban communities")
        ),
        "converted": stats.converted,
        "conversion_rate": share(
            stats.conversion_rate, stats.converted, stats.cases, _("villages listed")
        ),
        "relapses": stats.relapses,
        "behind_schedule": figures["behind"],
        "overdue_tasks": stats.overdue_tasks,
        "five_ones_incomplete": figures["missing_five"],
        "first_secretary_coverage": share(
            covered_share, covered, open_cases, _("listed villages not yet closed")
        ),
        "secretaries_posted_last_month": posted,
        "secretaries_below_days_threshold": below,
        "findings_open": figures["findings"]["open"],
        "findings_verified": figures["findings"]["verified"],
        "venues_up_to_standard": figures["venues"],
    }


def funnel(figures):
    return {
        "stages": [
            {"status": s.status, "name": str(s.label), "now": s.now, "reached": s.reached}
            for s in figures["funnel"]
        ]
    }


def categories(figures):
    stats = figures["stats"]
    listed = _("villages listed")
    return {
        "listed": stats.cases,
        "categories": [
            {
                "id": category.pk,
                "name": category.name,
                "cases": count,
                "share": share(value, count, stats.cases, listed),
            }
            for category, count, value in stats.by_category
        ],
    }


def ranking(figures):
    return {
        "units": [
            {
                "code": unit.code,
                "name": unit.name,
                "is_village": unit.is_village,
                "cases": unit.total,
                "converted": unit.converted,
                "conversion_rate": share(
                    unit.rate, unit.converted, unit.total, _("villages listed")
                ),
                "relapses": unit.relapses,
                "behind_schedule": unit.overdue,
                "five_ones_incomplete": unit.missing_five,
            }
            for unit in figures["ranking"]
        ]
    }


def activity_plans(figures):
    expected = _("villages expected to report")

    def month(t):
        return {
            "month": t.month,
            "due": t.due,
            "expected": t.expected,
            "on_time": t.on_time,
            "late": t.late,
            "missing": t.missing,
            "rate": share(t.rate, t.submitted, t.expected, expected),
            "on_time_rate": share(t.on_time_rate, t.on_time, t.expected, expected),
            "level": str(t.level),
        }

    return {
        "months": figures["months"],
        "units": [
            {
                "code": unit.code,
                "name": unit.name,
                "is_village": unit.is_village,
                "months": [month(t) for t in cells],
            }
            for unit, cells in figures["heat"]
        ],
    }


# --- The views -----------------------------------------------------------------------------

PARAMETERS = [
    OpenApiParameter(
        "year", int, description="A campaign year of the caller's area (default: the newest)."
    ),
    OpenApiParameter(
        "campaign", int, description="One campaign (its id): the figures of its cases only."
    ),
    OpenApiParameter(
        "area",
        str,
        description="A division code inside the caller's area (the drill-down): "
        "a city (4 digits), county (6) or township (9).",
    ),
]


class StatisticsView(APIView):
    """One part of the dashboard's figures, for the caller's scope and the page's filters.
    A filter the page would ignore is refused here: 400 for a year or campaign the area
    has not, 404 for an area outside the caller's."""

    part = staticmethod(summary)
    serializer_class: type[serializers.Serializer] = StatisticsSummarySerializer

    def get(self, request):
        params = request.query_params
        chosen = dashboard.filters(
            scope=request.scope,
            year=params.get("year", ""),
            campaign=params.get("campaign", ""),
            area=params.get("area", ""),
        )
        area = _area(chosen.reader.prefix)
        if not chosen.area_found or (chosen.reader.prefix and area is None):
            raise Http404
        if chosen.errors:
            raise serializers.ValidationError({k: [v] for k, v in chosen.errors.items()})
        figures = dashboard.dashboard(
            scope=chosen.reader, year=chosen.year, campaign=chosen.campaign
        )
        campaign = chosen.campaign
        body = {
            "area": area,
            "year": chosen.year,
            "campaign": campaign.pk if campaign else None,
            "campaign_name": campaign.name if campaign else None,
            **self.part(figures),
        }
        return Response(self.serializer_class(body).data)


def _area(code):
    """The area's code, name and level (a first secretary's is his village)."""
    if not code:
        return None
    if len(code) == 12:
        village = Village.objects.filter(pk=code).first()
        return village and {"code": village.code, "name": village.name, "level": "village"}
    division = Division.objects.filter(pk=code).first()
    return division and {"code": division.code, "name": division.name, "level": division.level}


def _documented(serializer, text):
    return extend_schema(parameters=PARAMETERS, responses=serializer, summary=text)


@_documented(StatisticsSummarySerializer, "The dashboard's cards, each share with its denominator")
class SummaryView(StatisticsView):
    part = staticmethod(summary)
    serializer_class = StatisticsSummarySerializer


@_documented(
    StatisticsFunnelSerializer, "Cases by step of the life cycle: now, and reached or beyond"
)
class FunnelView(StatisticsView):
    part = staticmethod(funnel)
    serializer_class = StatisticsFunnelSerializer


@_documented(StatisticsCategoriesSerializer, "Cases by problem category, each with its share")
class CategoriesView(StatisticsView):
    part = staticmethod(categories)
    serializer_class = StatisticsCategoriesSerializer


@_documented(StatisticsRankingSerializer, "The areas (or villages) one level down, by conversion")
class RankingView(StatisticsView):
    part = staticmethod(ranking)
    serializer_class = StatisticsRankingSerializer


@_documented(StatisticsActivityPlansSerializer, "Activity-plan reporting rates by area and month")
class ActivityPlansView(StatisticsView):
    part = staticmethod(activity_plans)
    serializer_class = StatisticsActivityPlansSerializer
