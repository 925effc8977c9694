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


class ImportStatus(models.TextChoices):
    """Where an uploaded workbook is: read and checked (in the request when small, by a
    worker when large), then imported all or nothing (by a worker too when large)."""

    QUEUED = "queued", _("Waiting to be checked")
    CHECKING = "checking", _("Being checked")
    CHECKED = "checked", _("Checked")
    COMMITTING = "committing", _("Being imported")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", _("Failed")


REPORT_STATUS_COLOURS = {
    ReportStatus.PENDING: "secondary",
    ReportStatus.RUNNING: "info",
    ReportStatus.DONE: "success",
    ReportStatus.FAILED: "danger",
}
