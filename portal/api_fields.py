"""Serializer fields shared by the apps' APIs."""

import copy

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class AvailableActionsField(serializers.ListField):
    """`available_actions`, read-only: the names of what the requesting user may do with the
    object now, as the object's page offers them (a service's `…_actions(user=…, …)`)."""

    def __init__(self, actions, names, **kwargs):
        self.actions = actions
        kwargs.setdefault(
            "help_text",
            _("What you may do with it now: the actions its page offers you."),
        )
        super().__init__(
            child=serializers.ChoiceField(choices=names), read_only=True, source="*", **kwargs
        )

    def to_representation(self, value):
        return self.actions(self.context["request"].user, value).names()


class FieldsBuiltOnce:
    """A serializer whose fields are built once per class, not once per instance.

    DRF builds a serializer's fields on every instantiation: a deep copy of the declared
    fields and, for a ModelSerializer, each model field mapped again - a large share of an
    API write's CPU (a transition's answer and its body's). Here the fields are built on
    first use and kept, unbound, on the class; each instance gets its own shallow copies
    (with their own children), bound to it. Nothing per request is kept: a field's parent,
    context and request are the instance's, and a queryset narrowed to the caller's scope
    in `__init__` is set on the instance's copy. Nested serializers are deep-copied as DRF
    does. For serializers whose fields do not depend on the instance (`get_fields` not
    overridden to read the context)."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return {name: _own_copy(field) for name, field in built.items()}


def _own_copy(field):
    """A copy of an unbound field for one serializer instance: its attributes shared (they
    are set at construction and only read), its child field its own, since binding sets
    the child's parent (the copy's own)."""
    if isinstance(field, serializers.BaseSerializer):
        return copy.deepcopy(field)
    field = copy.copy(field)
    for attribute in ("child", "child_relation"):
        child = field.__dict__.get(attribute)
        if child is not None:
            child = _own_copy(child)
            setattr(field, attribute, child)
            child.parent = field  # bound once already (its name and source are ""), to this

    return field
