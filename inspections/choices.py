"""Choices of the inspections app, used as constants, with badge colours."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RoundKind(models.TextChoices):
    CENTRALISED = "centralised", _("Centralised inspection")
    RANDOM = "random", _("Random check")
    UNANNOUNCED = "unannounced", _("Unannounced visits")


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Under way")
    CLOSED = "closed", pgettext_lazy("round status", "Closed")


ROUND_STATUS_COLOURS = {
    RoundStatus.PLANNED: "secondary",
    RoundStatus.ACTIVE: "warning",
    RoundStatus.CLOSED: "success",
}


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")
    GRAVE = "grave", _("Grave")


SEVERITY_COLOURS = {Severity.MINOR: "info", Severity.SERIOUS: "warning", Severity.GRAVE: "danger"}


class FindingStatus(models.TextChoices):
    # Not the plain "Open", which is also a link's verb (查看).
    OPEN = "open", pgettext_lazy("finding status", "Open")
    RECTIFYING = "rectifying", _("Being rectified")
    VERIFIED = "verified", _("Verified")


FINDING_STATUS_COLOURS = {
    FindingStatus.OPEN: "danger",
    FindingStatus.RECTIFYING: "warning",
    FindingStatus.VERIFIED: "success",
}


class FindingAction:
    """What a user may do with a finding (its `available_actions`)."""

    ANSWER = "answer"
    VERIFY = "verify"
    SEND_BACK = "send_back"


# Every action name: the API field's enum (FindingActionEnum).
FINDING_ACTIONS = tuple(value for name, value in vars(FindingAction).items() if name.isupper())
