"""Serializer fields shared by the apps' APIs."""

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
