"""Reads of the portal's own records."""

from django.db.models import QuerySet

from portal.models import GeneratedReport, User
from portal.scoping import Scope


def user_list(*, scope: Scope) -> QuerySet[User]:
    return User.objects.visible_to(scope).select_related("division", "village")


def report_list(*, scope: Scope) -> QuerySet[GeneratedReport]:
    return GeneratedReport.objects.visible_to(scope).select_related("requested_by")
