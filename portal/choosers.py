"""Searchable, scoped choosers for choices that grow with the area (villages, townships,
users): a text box that asks the server for at most `LIMIT` matches, instead of a <select>
that carries every village of a county (745) or a province (14,592) in the page.

A *source* is a named, scoped queryset: `SOURCES["villages"].choices(scope, params)`,
declared by the app that owns the model (`register`, in a module its ready() imports). The
form field and the search endpoint take their choices from the same source, so the list a
user can pick from is the list the server accepts; the field validates a posted value
against it like any ModelChoiceField (an out-of-scope code is "not one of the choices").

Without JavaScript the chooser is a plain text box: type a code, or a name that is unique
among the choices. static/portal/chooser.js turns it into a search box with a list of
matches (and, for several values, a list of the chosen ones with a remove button).
"""

import json
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlencode

import django_filters
from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views import View

from portal.choices import Role
from portal.models import User
from portal.scoping import Scope

# The most matches the endpoint returns: enough to pick from, small enough to read.
LIMIT = 20
# Up to this many choices a plain <select> is the better chooser (a county's townships, a
# team's villages); beyond it the search box, whose page carries only the chosen value.
SMALL = 40
# Separators of several typed values in the plain text box (ASCII and Chinese).
SEPARATORS = ",，、;； \n\t"


@dataclass(frozen=True)
class Source:
    """Where a chooser's choices come from: `queryset(scope, params)` is already scoped
    (`queryset(scope, params, user)` when `for_user`: choices that are the user's own)."""

    name: str
    queryset: object
    label: object = str
    search_fields: tuple = ("name__icontains",)
    code_field: str = "pk"
    # The field a typed value is matched to exactly (a unique name); None: codes only.
    exact_field: str = "name"
    params: tuple = field(default=())
    for_user: bool = False

    def choices(self, scope, params=None, *, user=None):
        params = {k: str(v) for k, v in (params or {}).items() if k in self.params and v}
        if self.for_user:
            return self.queryset(scope, params, user)
        return self.queryset(scope, params)

    def search(self, queryset, text):
        """At most LIMIT + 1 matches of `text` by name or code (the extra one says "more")."""
        text = normalise(text)
        if text:
            condition = Q()
            for lookup in self.search_fields:
                condition |= Q(**{lookup: text})
            if text.isdigit():
                condition |= Q(**{f"{self.code_field}__startswith": text})
            queryset = queryset.filter(condition)
        return list(queryset[: LIMIT + 1])


SOURCES: dict[str, Source] = {}


def register(name, queryset, **kwargs):
    """Declare a source; an app does it in the module that uses it (forms, filtersets)."""
    SOURCES[name] = Source(name=name, queryset=queryset, **kwargs)
    return SOURCES[name]


def normalise(text):
    """Full-width digits and letters (１２０１) as ASCII, surrounding spaces dropped."""
    return unicodedata.normalize("NFKC", str(text or "")).strip()


# --- The widget and the fields --------------------------------------------------------------


class Chooser(forms.TextInput):
    """A text box for a code or a name, which chooser.js turns into a search box.

    The chosen values' labels come from the field's queryset (one query for the chosen
    ones only); the list of every choice is never rendered."""

    def __init__(self, source, params=None, *, multiple=False, attrs=None):
        super().__init__(attrs)
        self.source = source
        self.params = dict(params or {})
        self.multiple = multiple
        # Choices already read, by key (see _compact).
        self.known = {}

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.params = dict(self.params)
        return copy

    def url(self):
        query = urlencode({k: v for k, v in self.params.items() if v not in (None, "")})
        return reverse("chooser_search", args=[self.source.name]) + (f"?{query}" if query else "")

    def _values(self, value):
        if value in (None, ""):
            return []
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value if v not in (None, "")]
        return [str(value)]

    def chosen(self, value):
        """[(value, label)] of the current value(s) that are among the choices."""
        values = self._values(value)
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        if not values or queryset is None:
            return []
        found = {v: self.known[v] for v in values if v in self.known}
        missing = [v for v in values if v not in found]
        try:
            if missing:
                found.update((str(obj.pk), obj) for obj in queryset.filter(pk__in=missing))
        except (ValueError, TypeError, ValidationError):
            return []  # typed text that is no key (a name, garbage): shown as typed
        return [(v, self.source.label(found[v])) for v in values if v in found]

    def format_value(self, value):
        return " ".join(self._values(value)) or None

    def value_from_datadict(self, data, files, name):
        if self.multiple:
            if hasattr(data, "getlist"):
                raw = " ".join(data.getlist(name))
            else:
                raw = data.get(name) or ""
                raw = " ".join(raw) if isinstance(raw, (list, tuple)) else raw
            return split(raw)
        return data.get(name)

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.chosen(value)
        attrs = {
            **(attrs or {}),
            "autocomplete": "off",
            "placeholder": _("Code or name") if not self.multiple else _("Codes or names"),
        }
        box = super().render(name, value, attrs, renderer)
        described = (attrs.get("id") or name) + "-chosen"
        listing = format_html_join(
            "", '<li data-value="{}">{}</li>', ((v, label) for v, label in chosen)
        )
        return format_html(
            '<div class="chooser" data-chooser-url="{}" data-chooser-multiple="{}" '
            'data-chooser-chosen="{}" data-chooser-none="{}" data-chooser-more="{}" '
            'data-chooser-remove="{}">{}'
            '<ul class="chooser-chosen list-unstyled small text-muted mb-0" id="{}">{}</ul></div>',
            self.url(),
            "1" if self.multiple else "",
            json.dumps([{"value": v, "label": str(label)} for v, label in chosen]),
            _("No match in your area."),
            _("More matches: type more of the name or code."),
            _("Remove"),
            box,
            described,
            listing,
        )


def split(raw):
    """Typed values, separated by commas, 、, semicolons or spaces."""
    text = normalise(raw)
    for separator in SEPARATORS:
        text = text.replace(separator, " ")
    return [part for part in text.split(" ") if part]


def _resolve(queryset, source, value):
    """A typed value as a primary key: a code as it is, or a name unique in the choices."""
    value = normalise(value)
    if isinstance(value, str) and "\x00" in value:
        return value  # no key or name holds a NUL (PostgreSQL refuses it): an invalid choice
    try:
        if not value or queryset.filter(pk=value).exists():
            return value
    except (ValueError, TypeError, ValidationError):
        pass  # not a key of this model (a user name for users): try it as a name
    if not source.exact_field:
        return value
    matches = list(queryset.filter(**{source.exact_field: value}).values_list("pk", flat=True)[:2])
    return str(matches[0]) if len(matches) == 1 else value


def _compact(field, widget_class):
    """A short list of choices is offered as a plain <select>. One query either way: the
    first SMALL + 1 choices are read, and become the <select>'s options when they are all
    (a COUNT and then the list would ask twice for a county, once for a province)."""
    if not isinstance(field.widget, Chooser):
        return
    rows = list(field.queryset[: SMALL + 1])
    if len(rows) > SMALL:
        # The search box names its chosen value from these when it is one of them (the
        # newest campaign, the first township): no query of its own.
        field.widget.known = {str(obj.pk): obj for obj in rows}
        return
    field.widget = widget_class(attrs=field.widget.attrs)
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    field.small_choices = empty + [
        (field.prepare_value(obj), field.label_from_instance(obj)) for obj in rows
    ]
    field.widget.choices = field.small_choices


class _Compact:
    """Keeps the short list read once when a form copies its fields: Django's copy of a
    ModelChoiceField sets its queryset again, which would make the <select> ask again.
    Setting the queryset otherwise drops it (the list is then that queryset's)."""

    small_choices = None

    def _set_queryset(self, queryset):
        forms.ModelChoiceField._set_queryset(self, queryset)
        self.small_choices = None

    # The stubs do not declare Django's getter, which reads the field's own `_queryset`.
    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined]

    def __deepcopy__(self, memo):
        small = self.small_choices
        result = super().__deepcopy__(memo)
        if small is not None:
            result.small_choices = list(small)
            result.widget.choices = result.small_choices
        return result


class ChooserField(_Compact, forms.ModelChoiceField):
    """One object from a source, chosen by search; validated against the scoped source."""

    def __init__(self, source, params=None, *, queryset, small_widget=forms.Select, **kwargs):
        self.source = SOURCES[source] if isinstance(source, str) else source
        kwargs.setdefault("widget", Chooser(self.source, params))
        kwargs.pop("null_value", None)
        super().__init__(queryset=queryset, **kwargs)
        _compact(self, small_widget)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return super().to_python(_resolve(self.queryset, self.source, value))

    def label_from_instance(self, obj):
        return self.source.label(obj)


class MultipleChooserField(_Compact, forms.ModelMultipleChoiceField):
    """Several objects from a source; each typed value is a code or a unique name."""

    def __init__(
        self, source, params=None, *, queryset, small_widget=forms.SelectMultiple, **kwargs
    ):
        self.source = SOURCES[source] if isinstance(source, str) else source
        kwargs.setdefault("widget", Chooser(self.source, params, multiple=True))
        super().__init__(queryset=queryset, **kwargs)
        _compact(self, small_widget)

    def clean(self, value):
        if value and not isinstance(value, (list, tuple)):
            value = split(value)
        value = [_resolve(self.queryset, self.source, v) for v in value or []]
        return super().clean(value)

    def label_from_instance(self, obj):
        return self.source.label(obj)


def chooser_field(source, user, *, like=None, multiple=False, small_widget=None, **params):
    """A chooser field for `source` narrowed to `user` (and `params`), taking label,
    required and help text from `like` (the form field it replaces); `small_widget` is
    what a short list is offered as (a <select> by default, e.g. check boxes)."""
    source = SOURCES[source]
    kwargs = {} if small_widget is None else {"small_widget": small_widget}
    if like is not None:
        kwargs.update(label=like.label, required=like.required, help_text=like.help_text)
        if getattr(like, "empty_label", None) is not None and not multiple:
            kwargs["empty_label"] = like.empty_label
    cls = MultipleChooserField if multiple else ChooserField
    queryset = source.choices(Scope.of(user), params, user=user)
    return cls(source, params, queryset=queryset, **kwargs)


def choice_box(source, user, *, name, value=None, label="", **params):
    """A chooser for a page's own hand-written GET form: the bound field to render
    (`{{ box|bs }}`, its id is `name`)."""
    form = forms.Form(initial={name: value}, auto_id="%s")
    form.fields[name] = chooser_field(source, user, **params)
    form.fields[name].label = label
    return form[name]


def pick(source, user, value, **params):
    """The object a typed value (a code, or a unique name) stands for among the source's
    choices for `user`, or None."""
    try:
        return chooser_field(source, user, **params).clean(value)
    except ValidationError:
        return None


def county_choice(request, data=None, *, name="county"):
    """For a page of one county's townships (timeliness, urging, presence): the county
    chosen (`?county=`), else the first in the reader's scope, so that a province reader
    sees one county's page, as heavy as the county's own, and picks another by search.
    Returns (the scope narrowed to it, its box for the page's GET form); a reader with no
    whole county in scope (a township) keeps his scope and gets no box. Two queries, for a
    county's reader as for a province's."""
    data = request.GET if data is None else data
    params = {"level": "county"}
    typed = normalise(data.get(name))
    counties = SOURCES["divisions"].choices(request.scope, params)
    if typed.isdigit():
        chosen = counties.filter(pk=typed).first()
    elif typed:
        chosen = pick("divisions", request.user, typed, **params)  # a name typed without JS
    else:
        chosen = None
    if chosen is None:
        chosen = counties.first()
    if chosen is None:
        return request.scope, None
    box = choice_box(
        "divisions", request.user, name=name, value=chosen.pk, label=_("County"), **params
    )
    if isinstance(box.field.widget, Chooser):
        box.field.widget.known[str(chosen.pk)] = chosen  # its label without a query
    return request.scope.narrowed(chosen.pk), box


class ChooserFilter(django_filters.ModelChoiceFilter):
    """A filter-bar choice searched like a chooser (`?township=120114101`, as before)."""

    # A plain ModelChoiceField: the chooser lists no choices, so it needs none of
    # django-filter's ChoiceIteratorMixin, which the stubs require here.
    field_class = ChooserField  # type: ignore[assignment]

    def __init__(self, source, params=None, **kwargs):
        def choices(request):
            scope = getattr(request, "scope", None) or Scope.nothing()
            return SOURCES[source].choices(scope, params, user=getattr(request, "user", None))

        kwargs.setdefault("queryset", choices)
        super().__init__(source=source, params=params, **kwargs)


# --- The search endpoint ---------------------------------------------------------------------


class ChooserSearchView(LoginRequiredMixin, View):
    """`GET /choose/<source>/?q=…`: at most LIMIT matches in the user's scope, as JSON
    ({"results": [{"value", "label"}], "more": bool}). An unknown source is 404."""

    http_method_names = ["get"]

    def get(self, request, source):
        found = SOURCES.get(source)
        if found is None:
            raise Http404
        try:
            queryset = found.choices(request.scope, request.GET, user=request.user)
            matches = found.search(queryset, request.GET.get("q", ""))
        except (KeyError, ValueError, TypeError, ObjectDoesNotExist, ValidationError):
            raise Http404 from None
        results = [{"value": str(obj.pk), "label": str(found.label(obj))} for obj in matches]
        return JsonResponse({"results": results[:LIMIT], "more": len(results) > LIMIT})


# --- The portal's own source (the apps declare theirs, e.g. villages/choosers.py) ----------


def _users(scope, params):
    """Active users in scope; `role` narrows to one role."""
    queryset = User.objects.visible_to(scope).filter(is_active=True).order_by("username")
    if params.get("role"):
        if params["role"] not in Role.values:
            raise ValueError(params["role"])
        queryset = queryset.filter(role=params["role"])
    return queryset


def user_label(person):
    name = person.display_name or person.username
    return f"{name}（{person.username}）"


register(
    "users",
    _users,
    label=user_label,
    search_fields=("display_name__icontains", "username__icontains"),
    code_field="username",
    exact_field="username",
    params=("role",),
)
