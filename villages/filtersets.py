"""One FilterSet per model, shared by the list page, the API and the Excel export."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.choosers import ChooserFilter
from portal.filtersets import SearchFilterSet, yes_no_all
from villages.choices import ActivityKind, DivisionLevel, VillageKind
from villages.models import ActivityPlan, ActivityRecord, Division, Village
from villages.selectors import administrative_q


class DivisionFilterSet(SearchFilterSet):
    level = django_filters.ChoiceFilter(
        choices=DivisionLevel.choices, label=_("Level"), empty_label=_("All")
    )
    parent = ChooserFilter("divisions", label=_("Parent division"), empty_label=_("All"))

    class Meta:
        model = Division
        fields = ["q", "level", "parent"]


class VillageFilterSet(SearchFilterSet):
    township = ChooserFilter(
        "divisions",
        {"level": DivisionLevel.TOWNSHIP},
        label=_("Township"),
        empty_label=_("All"),
    )
    kind = django_filters.ChoiceFilter(
        choices=VillageKind.choices, label=_("Kind"), empty_label=_("All")
    )
    # The share listed's denominator: village committees and gacha, not communities.
    administrative = yes_no_all(
        _("Administrative village (not a community)"), method="filter_administrative"
    )

    class Meta:
        model = Village
        fields = ["q", "township", "kind", "administrative"]

    def filter_administrative(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(administrative_q()) if value else queryset.exclude(administrative_q())
        )


class ActivityPlanFilterSet(django_filters.FilterSet):
    # The village searched among the reader's own (django-filter's default for
    # `filterset_fields` was a <select> of every village in the country).
    village = ChooserFilter("villages", label=_("Village"), empty_label=_("All"))
    month = django_filters.DateFilter(label=_("Month"))

    class Meta:
        model = ActivityPlan
        fields = ["village", "month"]


class ActivityRecordFilterSet(SearchFilterSet):
    search_fields = ("topic__icontains", "village__name__icontains")
    code_field = "village__code"
    township = ChooserFilter(
        "divisions",
        {"level": DivisionLevel.TOWNSHIP},
        field_name="village__township",
        label=_("Township"),
        empty_label=_("All"),
    )
    kind = django_filters.ChoiceFilter(
        choices=ActivityKind.choices, label=_("Kind"), empty_label=_("All")
    )
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("From"))
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("To"))
    county_sat_in = yes_no_all(_("County sat in"))

    class Meta:
        model = ActivityRecord
        fields = ["q", "township", "kind", "held_after", "held_before", "county_sat_in"]
