"""One FilterSet per model, shared by the list page, the API and the Excel export."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.choosers import ChooserFilter
from portal.filtersets import SearchFilterSet, yes_no_all
from villages.choices import ActivityKind, DivisionLevel, VenueState, VillageKind
from villages.models import ActivityPlan, ActivityRecord, Division, Venue, Village
from villages.selectors import administrative_q, listed_q, up_to_standard_q, with_standard


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


class VenueFilterSet(SearchFilterSet):
    search_fields = ("village__name__icontains", "village__township__name__icontains")
    code_field = "village__code"
    township = ChooserFilter(
        "divisions",
        {"level": DivisionLevel.TOWNSHIP},
        field_name="village__township",
        label=_("Township"),
        empty_label=_("All"),
    )
    state = django_filters.ChoiceFilter(
        choices=VenueState.choices, label=_("State"), empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        field_name="village__kind",
        choices=VillageKind.choices,
        label=_("Kind"),
        empty_label=_("All"),
    )
    up_to_standard = yes_no_all(_("Up to standard"), method="filter_up_to_standard")
    # The villages on a ledger in a year (and campaign): the dashboard's venue figure.
    listed = django_filters.NumberFilter(label=_("Listed in the year"), method="filter_listed")
    campaign = django_filters.NumberFilter(
        label=_("Campaign"), method="filter_listed", widget=forms.HiddenInput
    )

    class Meta:
        model = Venue
        fields = ["q", "township", "state", "kind", "up_to_standard", "listed", "campaign"]

    def filter_up_to_standard(self, queryset, name, value):
        if value is None:
            return queryset
        if "standard_area" not in queryset.query.annotations:
            queryset = with_standard(queryset)
        return (
            queryset.filter(up_to_standard_q()) if value else queryset.exclude(up_to_standard_q())
        )

    def filter_listed(self, queryset, name, value):
        # Both parameters read together, once (the second call finds them applied).
        if getattr(self, "_listed_done", False):
            return queryset
        self._listed_done = True
        data = self.form.cleaned_data
        year, campaign = data.get("listed"), data.get("campaign")
        if year is None and campaign is None:
            return queryset
        return queryset.filter(
            listed_q(
                "village_id",
                year=int(year) if year is not None else None,
                campaign_id=int(campaign) if campaign is not None else None,
            )
        )
