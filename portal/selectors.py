"""Reads of the portal's own records."""

from portal.models import GeneratedReport, User


def user_list(*, user):
    return User.objects.visible_to(user).select_related("division", "village")


def report_list(*, user):
    return GeneratedReport.objects.visible_to(user).select_related("requested_by")
