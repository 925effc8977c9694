"""One FilterSet per model, shared by the ledger page, the API and the Excel export."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal import choosers
from portal.choosers import ChooserFilter
from portal.filtersets import OrderingFilter, SearchFilterSet, yes_no_all
from rectification.choices import CaseStatus, Grade, PlanStatus
from rectification.models import Campaign, Case, Category, VillageRating
from rectification.selectors import (
    behind_q,
    converted_q,
    reached_q,
    relapse_q,
    stalled_cases_q,
)
from villages.choices import DivisionLevel
from villages.choosers import village_label
from villages.selectors import administrative_q


def _campaigns(scope, params):
    """The campaigns in scope (a county's, seen from its townships too), newest first."""
    return Campaign.objects.visible_to(scope).order_by("-year", "division_id", "pk")


# One a year per county: a province reader's list grows by a hundred a year.
choosers.register("campaigns", _campaigns, code_field="year")


def _categories(scope, params):
    """The problem categories in use in scope (the national ones and each county's own)."""
    return Category.objects.visible_to(scope).filter(active=True).order_by("order", "pk")


# A county's dozen, but a province reader sees every county's own besides the national ones.
choosers.register("categories", _categories)


def _cases(scope, params):
    """The cases in scope, by village code."""
    return (
        Case.objects.visible_to(scope)
        .select_related("village__township", "campaign")
        .order_by("village__code", "-campaign__year", "pk")
    )


def case_label(case):
    return f"{village_label(case.village)} · {case.campaign.year}"


# One per listed village and campaign: a province's ledger holds a thousand.
choosers.register(
    "cases",
    _cases,
    label=case_label,
    search_fields=("village__name__icontains", "village__township__name__icontains"),
    code_field="village__code",
    exact_field=None,
)


NO_PLAN = "none"


class CaseFilterSet(SearchFilterSet):
    search_fields = ("village__name__icontains", "responsible_person__icontains")
    code_field = "village__code"
    campaign = ChooserFilter("campaigns", label=_("Campaign"), empty_label=_("All"))
    township = ChooserFilter(
        "divisions",
        {"level": DivisionLevel.TOWNSHIP},
        field_name="village__township",
        label=_("Township"),
        empty_label=_("All"),
    )
    status = django_filters.ChoiceFilter(
        choices=CaseStatus.choices, label=_("Status"), empty_label=_("All")
    )
    # The plan's status (待审批 = submitted, 已退回 = returned…), or no plan drafted yet: the
    # county's plans awaiting approval are one click from its to-do line.
    plan_status = django_filters.ChoiceFilter(
        choices=[*PlanStatus.choices, (NO_PLAN, _("No plan yet"))],
        label=_("Plan"),
        empty_label=_("All"),
        method="filter_plan_status",
    )
    category = ChooserFilter(
        "categories", field_name="categories", label=_("Problem category"), empty_label=_("All")
    )
    year = django_filters.NumberFilter(field_name="campaign__year", label=_("Year"))
    overdue = yes_no_all(_("Overdue"), method="filter_overdue")
    relapse = yes_no_all(_("Listed again"), method="filter_relapse")
    # 久拖未转化: longer at its step than 75 % of its campaign's cases took (the dashboard's
    # time-in-each-stage chart and the county's to-do list open this list).
    stalled = yes_no_all(_("Stalled"), method="filter_stalled")
    # The dashboard's figures open these lists: each filter is the figure's own definition.
    converted = yes_no_all(_("Transformed or closed"), method="filter_converted")
    reached = django_filters.ChoiceFilter(
        choices=CaseStatus.choices,
        label=_("Reached the step"),
        empty_label=_("All"),
        method="filter_reached",
    )
    administrative = yes_no_all(
        _("Administrative village (not a community)"), method="filter_administrative"
    )
    ordering = OrderingFilter(
        fields=(
            ("village__code", "village"),
            ("deadline", "deadline"),
            ("status", "status"),
            ("identified_on", "listed"),
        ),
        label=_("Sort by"),
        empty_label=_("Default"),
        field_labels={
            "village": _("Village"),
            "deadline": _("Deadline"),
            "status": _("Status"),
            "listed": _("Listed on"),
        },
    )

    class Meta:
        model = Case
        fields = [
            "q",
            "year",
            "campaign",
            "township",
            "status",
            "plan_status",
            "category",
            "overdue",
            "relapse",
            "stalled",
            "converted",
            "reached",
            "administrative",
        ]

    def filter_plan_status(self, queryset, name, value):
        if not value:
            return queryset
        if value == NO_PLAN:
            return queryset.filter(plan__isnull=True)
        return queryset.filter(plan__status=value)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        condition = behind_q()
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_relapse(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(relapse_q()) if value else queryset.exclude(relapse_q())

    def filter_stalled(self, queryset, name, value):
        if value is None:
            return queryset
        condition = stalled_cases_q(queryset)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_converted(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(converted_q()) if value else queryset.exclude(converted_q())

    def filter_reached(self, queryset, name, value):
        return queryset.filter(reached_q(value)) if value else queryset

    def filter_administrative(self, queryset, name, value):
        if value is None:
            return queryset
        condition = administrative_q("village__")
        return queryset.filter(condition) if value else queryset.exclude(condition)


class VillageRatingFilterSet(SearchFilterSet):
    search_fields = ("village__name__icontains",)
    code_field = "village__code"
    year = django_filters.NumberFilter(label=_("Year"))
    township = ChooserFilter(
        "divisions",
        {"level": DivisionLevel.TOWNSHIP},
        field_name="village__township",
        label=_("Township"),
        empty_label=_("All"),
    )
    grade = django_filters.ChoiceFilter(
        choices=Grade.choices, label=_("Grade"), empty_label=_("All")
    )

    class Meta:
        model = VillageRating
        fields = ["q", "year", "township", "grade"]
