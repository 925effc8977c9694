"""One FilterSet per model, shared by the list page, the API and the Excel export."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.filtersets import SearchFilterSet, scoped_choices
from villages.choices import DivisionLevel, VillageKind
from villages.models import Division, Village


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
