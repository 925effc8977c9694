"""One FilterSet per model, shared by the list page, the API and the Excel export."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.filtersets import SearchFilterSet, scoped_choices, yes_no_all
from villages.choices import ActivityKind, DivisionLevel, VillageKind
from villages.models import ActivityRecord, Division, Village


class DivisionFilterSet(SearchFilterSet):
    level = django_filters.ChoiceFilter(
        choices=DivisionLevel.choices, label=_("Level"), empty_label=_("All")
    )
    parent = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(Division), label=_("Parent division"), empty_label=_("All")
    )

    class Meta:
        model = Division
        fields = ["q", "level", "parent"]


class VillageFilterSet(SearchFilterSet):
    township = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(Division, level=DivisionLevel.TOWNSHIP),
        label=_("Township"),
        empty_label=_("All"),
    )
    kind = django_filters.ChoiceFilter(
        choices=VillageKind.choices, label=_("Kind"), empty_label=_("All")
    )

    class Meta:
        model = Village
        fields = ["q", "township", "kind"]


class ActivityRecordFilterSet(SearchFilterSet):
    search_fields = ("topic__icontains", "village__name__icontains")
    code_field = "village__code"
    township = django_filters.ModelChoiceFilter(
        field_name="village__township",
        queryset=scoped_choices(Division, level=DivisionLevel.TOWNSHIP),
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
