"""One FilterSet per model, shared by the roster page, the API and the export."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from firstsecretary.models import Assignment, DispatchUnit, FirstSecretary, SupportLink, WorkLog
from portal import choosers
from portal.choosers import ChooserFilter
from portal.filtersets import SearchFilterSet, yes_no_all
from villages.choices import DivisionLevel


def _units(scope, params):
    """The dispatching units in scope (a county's, seen from its townships too)."""
    return DispatchUnit.objects.visible_to(scope).order_by("name", "pk")


# Every organ, enterprise and school that posts a first secretary: scores per county.
choosers.register("units", _units)


class FirstSecretaryFilterSet(SearchFilterSet):
    search_fields = ("name__icontains", "phone__icontains", "unit__name__icontains")
    code_field = "assignments__village__code"
    unit = ChooserFilter("units", label=_("Dispatching unit"), empty_label=_("All"))
    township = ChooserFilter(
        "divisions",
        {"level": DivisionLevel.TOWNSHIP},
        method="filter_township",
        label=_("Township"),
        empty_label=_("All"),
    )
    posted = yes_no_all(_("Posted now"), method="filter_posted")

    class Meta:
        model = FirstSecretary
        fields = ["q", "unit", "township", "posted"]

    @extend_schema_field(OpenApiTypes.STR)  # a township's code
    def filter_township(self, queryset, name, value):
        if value is None:
            return queryset
        here = Assignment.objects.filter(
            secretary=OuterRef("pk"), actual_end__isnull=True, village__township=value
        )
        return queryset.filter(Exists(here))

    def filter_posted(self, queryset, name, value):
        if value is None:
            return queryset
        active = Assignment.objects.filter(secretary=OuterRef("pk"), actual_end__isnull=True)
        return queryset.filter(Exists(active)) if value else queryset.exclude(Exists(active))


class WorkLogFilterSet(django_filters.FilterSet):
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = WorkLog
        fields = ["date_after", "date_before", "on_site", "kind"]


class SupportLinkFilterSet(django_filters.FilterSet):
    # The case by its id, searched among the reader's own (django-filter's default was a
    # <select> of every case in the country, in the browsable API's filter form).
    case = ChooserFilter("cases", label=_("Case"), empty_label=_("All"))

    class Meta:
        model = SupportLink
        fields = ["case", "kind"]
