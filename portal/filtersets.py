"""Base FilterSet: the same filters for the page, the API and the export."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.choices import Role
from portal.models import User


def yes_no_all(label, **kwargs):
    """A yes/no filter whose empty choice reads "All" (not django-filter's "Unknown")."""
    widget = forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))])
    return django_filters.BooleanFilter(label=label, widget=widget, **kwargs)


class OrderingFilter(django_filters.OrderingFilter):
    """Sorts by the chosen columns, then by the list's own order and the key, so that pages
    never shift between requests. A choice that names no column (`?ordering=,`) keeps the
    list's own order: django-filter would clear it, leaving pages in no defined order.

    `field_labels` may name a choice by its parameter (`"listed"`) or by its column
    (`"identified_on"`); the descending choice reads "…（降序）" from our own catalogue
    (django-filter ships no zh-Hans translation, so its "(descending)" showed in English)."""

    # Lazy, so it is translated per request; used only with `%`, which a lazy string has.
    descending_fmt = _("%s (descending)")  # type: ignore[assignment]

    def build_choices(self, fields, labels):
        choices = []
        for field, param in fields.items():
            label = labels.get(param) or labels.get(field) or _(param)
            choices.append((param, label))
            choices.append((f"-{param}", labels.get(f"-{param}") or self.descending_fmt % label))
        return choices

    def filter(self, qs, value):
        chosen = [self.get_ordering_value(param) for param in value or () if param]
        if not chosen:
            return qs
        own = list(qs.query.order_by or qs.model._meta.ordering)
        return qs.order_by(*chosen, *own, "pk")


class SearchFilterSet(django_filters.FilterSet):
    """Adds `q`: a name contains the text, or a code starts with it."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    search_fields: tuple[str, ...] = ("name__icontains",)
    code_field = "code"

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for lookup in self.search_fields:
            condition |= Q(**{lookup: value})
        if value.isdigit():
            condition |= Q(**{f"{self.code_field}__startswith": value})
        return queryset.filter(condition)


class UserFilterSet(SearchFilterSet):
    search_fields = ("username__icontains", "display_name__icontains")
    code_field = "division__code"
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"), empty_label=_("All"))
    is_active = yes_no_all(_("Active"))

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]
