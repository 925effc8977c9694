"""Choices of the portal's own models, used as constants, with badge colours."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("County organization department")
    TOWNSHIP_ORGANIZER = "township_organizer", _("Township organizer")
    INSPECTOR = "inspector", _("Inspector")
    FIRST_SECRETARY = "first_secretary", _("First secretary")
    VIEWER = "viewer", _("Leader (read-only)")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Building")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


REPORT_STATUS_COLOURS = {
    ReportStatus.PENDING: "secondary",
    ReportStatus.RUNNING: "info",
    ReportStatus.DONE: "success",
    ReportStatus.FAILED: "danger",
}
